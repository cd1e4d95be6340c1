/**
 * The pipe machine: handshaking (the SP greeting both ways, bounded by a
 * timeout) → attaching (the socket decides) → active → closing → closed.
 * It sees lifecycle changes only; messages flow through {@linkcode Pipe}.
 *
 * @module
 */

import { type ActorRefFrom, type AnyActorRef, setup } from "./xstate.ts";
import type { Deadline, DeadlineQueue } from "./deadline_queue.ts";
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
  /** The runtime's handshake deadlines (its handshake timeout on its clock). */
  handshakeDeadlines: DeadlineQueue;
}

/** Events a pipe machine accepts. */
export type PipeMachineEvent =
  | { type: "attach" }
  | { type: "reject"; reason: SpError }
  | { type: "close" }
  | { type: "conn.closed"; reason: SpError | undefined }
  | { type: "handshake.done"; peer: number }
  | { type: "handshake.failed"; error: unknown }
  | { type: "handshake.timeout" };

/** How a pipe ended: its machine's output, which its owner gets as `xstate.done.actor.pipe`. */
export interface PipeEnd {
  /** The pipe that ended. */
  pipe: Pipe;
  /** Why, when it ended on an error. */
  reason: SpError | undefined;
  /** Whether it had been attached to the protocol. */
  wasActive: boolean;
}

/**
 * Events a pipe machine sends to its owner: `pipe.ready` once handshaken,
 * and its end as XState's done event (every pipe machine has the id
 * `pipe`), carrying the machine's output.
 */
export type PipeReport =
  | { type: "pipe.ready"; pipe: Pipe }
  | { type: "xstate.done.actor.pipe"; output: PipeEnd };

interface PipeContext extends PipeMachineInput {
  reason: SpError | undefined;
  wasActive: boolean;
  /** Bounds the greeting: aborted when it times out. */
  handshake: AbortController | undefined;
  /** The greeting's deadline while it runs. */
  deadline: Deadline | undefined;
}

/** The abort reason of a greeting that took too long (shared: no error built per pipe). */
const HANDSHAKE_TIMED_OUT = new SpError("ETIMEDOUT", "SP handshake timed out");

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
      output: {} as PipeEnd,
    },
    guards: {
      peerMatches: ({ context, event }) => event.type === "handshake.done" && event.peer === context.peerProtocol,
    },
    actions: {
      // The greeting runs in plain code (no child actor) and reports back as
      // events; a timeout aborts it, and leaving handshaking closes the
      // connection, which ends a greeting still running either way.
      startHandshake: ({ context, self }) => {
        context.handshake = new AbortController();
        // A deadline on the runtime's clock, not a delayed transition
        // (XState's scheduler was 3% of a connect-and-close cycle on its
        // own), and not a timer per pipe: the runtime's handshake deadlines
        // share one.
        context.deadline = context.handshakeDeadlines.set(() => {
          context.deadline = undefined;
          self.send({ type: "handshake.timeout" });
        });
        context.pipe.connection.handshake(context.selfProtocol, context.handshake.signal).then(
          (peer) => self.send({ type: "handshake.done", peer }),
          (error) => self.send({ type: "handshake.failed", error }),
        );
      },
      stopTimer: ({ context }) => {
        context.deadline?.cancel();
        context.deadline = undefined;
      },
      reportReady: ({ context }) => context.owner.send({ type: "pipe.ready", pipe: context.pipe } satisfies PipeReport),
      attachDataPath: ({ context }) => {
        context.wasActive = true;
      },
      noteTimeout: ({ context }) => {
        context.handshake?.abort(HANDSHAKE_TIMED_OUT);
        context.reason = new SpError(
          "ETIMEDOUT",
          `${context.pipe.connection.description}: no SP header from the peer in time`,
        );
      },
      noteWrongPeer: ({ context, event }) => {
        const got = event.type === "handshake.done" ? event.peer : -1;
        context.reason = new SpError(
          "EPROTO",
          `${context.pipe.connection.description}: peer speaks protocol 0x${got.toString(16)}, expected 0x${
            context.peerProtocol.toString(16)
          }`,
        );
      },
      noteHandshakeError: ({ context, event }) => {
        const error = event.type === "handshake.failed" ? event.error : undefined;
        context.reason = error instanceof SpError ? error : new SpError("EPROTO", String(error));
      },
      noteReason: ({ context, event }) => {
        if (event.type === "conn.closed" || event.type === "reject") context.reason = event.reason;
      },
      closeConnection: ({ context }) => {
        context.pipe.detach();
        context.pipe.connection.close();
      },
    },
  }).createMachine({
    id: "pipe",
    context: ({ input }) => ({
      ...input,
      reason: undefined,
      wasActive: false,
      handshake: undefined,
      deadline: undefined,
    }),
    initial: "handshaking",
    states: {
      handshaking: {
        entry: "startHandshake",
        on: {
          "handshake.done": [
            { guard: "peerMatches", target: "attaching" },
            { target: "closing", actions: "noteWrongPeer" },
          ],
          "handshake.failed": { target: "closing", actions: "noteHandshakeError" },
          "handshake.timeout": { target: "closing", actions: "noteTimeout" },
        },
        exit: "stopTimer",
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
      // The owner learns of the end from XState's done event, whose
      // output this is: no report of its own.
      closed: {
        type: "final",
      },
    },
    on: {
      close: ".closing",
    },
    output: ({ context }) => ({ pipe: context.pipe, reason: context.reason, wasActive: context.wasActive }),
  });
}

/** A running pipe machine. */
export type PipeActor = ActorRefFrom<ReturnType<typeof createPipeMachine>>;
