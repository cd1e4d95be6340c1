/**
 * The pipe machine: handshaking (the SP greeting both ways, bounded by a
 * timeout) → attaching (the socket decides) → active → closing → closed.
 * It sees lifecycle changes only; messages flow through {@linkcode Pipe}.
 *
 * @module
 */

import { type ActorRefFrom, type AnyActorRef, fromPromise, setup } from "./xstate.ts";
import { SpError } from "./errors.ts";
import type { Pipe } from "./pipe.ts";

/** What a pipe machine starts with. */
export interface PipeMachineInput {
  /** The data path it governs. */
  pipe: Pipe;
  /** Where it reports: the dialer or listener that made it. */
  owner: AnyActorRef;
  /** Our protocol id, announced to the peer. */
  selfProtocol: number;
  /** Our peer's protocol id; anything else is refused. */
  peerProtocol: number;
  /** How long the handshake may take, ms. */
  handshakeTimeout: number;
}

/** Events a pipe machine accepts. */
export type PipeMachineEvent =
  | { type: "attach" }
  | { type: "reject"; reason: SpError }
  | { type: "close" }
  | { type: "conn.closed"; reason: SpError | undefined };

/** Events a pipe machine sends to its owner. */
export type PipeReport =
  | { type: "pipe.ready"; pipe: Pipe }
  | { type: "pipe.closed"; pipe: Pipe; reason: SpError | undefined; wasActive: boolean };

interface PipeContext extends PipeMachineInput {
  reason: SpError | undefined;
  wasActive: boolean;
}

/**
 * Builds the pipe machine definition.
 *
 * @returns the machine, to run with `createActor`
 */
export function createPipeMachine() {
  return setup({
    types: {
      context: {} as PipeContext,
      input: {} as PipeMachineInput,
      events: {} as PipeMachineEvent,
    },
    actors: {
      handshake: fromPromise<number, { pipe: Pipe; selfProtocol: number }>(({ input, signal }) =>
        input.pipe.connection.handshake(input.selfProtocol, signal)
      ),
    },
    delays: {
      handshakeTimeout: ({ context }) => context.handshakeTimeout,
    },
    guards: {
      peerMatches: ({ context, event }) => (event as unknown as { output: number }).output === context.peerProtocol,
    },
    actions: {
      reportReady: ({ context }) => context.owner.send({ type: "pipe.ready", pipe: context.pipe } satisfies PipeReport),
      attachDataPath: ({ context }) => {
        context.wasActive = true;
      },
      noteTimeout: ({ context }) => {
        context.reason = new SpError(
          "ETIMEDOUT",
          `${context.pipe.connection.description}: no SP header from the peer in time`,
        );
      },
      noteWrongPeer: ({ context, event }) => {
        const got = (event as unknown as { output: number }).output;
        context.reason = new SpError(
          "EPROTO",
          `${context.pipe.connection.description}: peer speaks protocol 0x${got.toString(16)}, expected 0x${
            context.peerProtocol.toString(16)
          }`,
        );
      },
      noteHandshakeError: ({ context, event }) => {
        const error = (event as unknown as { error: unknown }).error;
        context.reason = error instanceof SpError ? error : new SpError("EPROTO", String(error));
      },
      noteReason: ({ context, event }) => {
        if (event.type === "conn.closed" || event.type === "reject") context.reason = event.reason;
      },
      closeConnection: ({ context }) => {
        context.pipe.detach();
        context.pipe.connection.close();
      },
      reportClosed: ({ context }) =>
        context.owner.send(
          {
            type: "pipe.closed",
            pipe: context.pipe,
            reason: context.reason,
            wasActive: context.wasActive,
          } satisfies PipeReport,
        ),
    },
  }).createMachine({
    id: "pipe",
    context: ({ input }) => ({ ...input, reason: undefined, wasActive: false }),
    initial: "handshaking",
    states: {
      handshaking: {
        invoke: {
          src: "handshake",
          input: ({ context }) => ({ pipe: context.pipe, selfProtocol: context.selfProtocol }),
          onDone: [
            { guard: "peerMatches", target: "attaching" },
            { target: "closing", actions: "noteWrongPeer" },
          ],
          onError: { target: "closing", actions: "noteHandshakeError" },
        },
        after: { handshakeTimeout: { target: "closing", actions: "noteTimeout" } },
      },
      attaching: {
        entry: "reportReady",
        on: {
          attach: { target: "active", actions: "attachDataPath" },
          reject: { target: "closing", actions: "noteReason" },
        },
      },
      active: {
        on: {
          "conn.closed": { target: "closing", actions: "noteReason" },
        },
      },
      closing: {
        entry: "closeConnection",
        always: "closed",
      },
      closed: {
        type: "final",
        entry: "reportClosed",
      },
    },
    on: {
      close: ".closing",
    },
  });
}

/** A running pipe machine. */
export type PipeActor = ActorRefFrom<ReturnType<typeof createPipeMachine>>;
