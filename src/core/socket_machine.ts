/**
 * The socket machine: open → closing (lingering while pending messages are
 * flushed, at most LINGER ms; then stopping its endpoints) → closed. It
 * routes the lifecycle reports of its endpoints; messages never pass
 * through it.
 *
 * @module
 */

import { setup } from "./xstate.ts";
import type { EndpointReport } from "./endpoint.ts";
import type { SpError } from "./errors.ts";
import type { Pipe } from "./pipe.ts";
import type { PipeActor } from "./pipe_machine.ts";

/** The socket operations the machine's actions call. */
export interface SocketCore {
  /** Offers a handshaken pipe to the protocol; rejects it if refused. */
  attachPipe(pipe: Pipe, actor: PipeActor, accepting: boolean): void;
  /** Takes a closed pipe out of the protocol and counts why it closed. */
  detachPipe(pipe: Pipe, reason: SpError | undefined, wasActive: boolean): void;
  /** A listener got its address (the port chosen for port 0). */
  endpointBound(endpoint: number, address: string): void;
  /** Counts and reports a connect or accept error; the endpoint retries after `retryIn` ms. */
  endpointError(endpoint: number, kind: "connect" | "accept", error: SpError, retryIn: number): void;
  /** Forgets an endpoint that has finished closing. */
  forgetEndpoint(id: number): void;
  /** Fails every waiting receive (the socket is closing). */
  failReceivers(): void;
  /** Fails every send still waiting when lingering ends. */
  failSenders(): void;
  /** Asks every endpoint to close. */
  closeEndpoints(): void;
  /** Whether every accepted message has been written. */
  flushed(): boolean;
  /** Whether any endpoint remains. */
  hasEndpoints(): boolean;
  /** The machine reached `closed`. */
  finish(): void;
  /** LINGER in ms. */
  linger(): number;
}

/** Events the socket machine accepts. */
export type SocketMachineEvent = EndpointReport | { type: "close" } | { type: "flush.progress" };

/**
 * Builds the socket machine definition.
 *
 * @returns the machine, to run with `createActor`
 */
export function createSocketMachine() {
  return setup({
    types: {
      context: {} as { core: SocketCore },
      input: {} as { core: SocketCore },
      events: {} as SocketMachineEvent,
    },
    delays: {
      linger: ({ context }) => Math.max(0, context.core.linger()),
    },
    guards: {
      flushed: ({ context }) => context.core.flushed(),
      noEndpoints: ({ context }) => !context.core.hasEndpoints(),
    },
    actions: {
      attachPipe: ({ context, event }) => {
        if (event.type === "endpoint.pipeReady") context.core.attachPipe(event.pipe, event.pipeActor, true);
      },
      refusePipe: ({ context, event }) => {
        if (event.type === "endpoint.pipeReady") context.core.attachPipe(event.pipe, event.pipeActor, false);
      },
      detachPipe: ({ context, event }) => {
        if (event.type === "endpoint.pipeClosed") context.core.detachPipe(event.pipe, event.reason, event.wasActive);
      },
      noteBound: ({ context, event }) => {
        if (event.type === "endpoint.bound") context.core.endpointBound(event.endpoint, event.address);
      },
      reportEndpointError: ({ context, event }) => {
        if (event.type === "endpoint.error") {
          context.core.endpointError(event.endpoint, event.kind, event.error, event.retryIn);
        }
      },
      forgetEndpoint: ({ context, event }) => {
        if (event.type === "endpoint.closed") context.core.forgetEndpoint(event.endpoint);
      },
      failReceivers: ({ context }) => context.core.failReceivers(),
      failSenders: ({ context }) => context.core.failSenders(),
      closeEndpoints: ({ context }) => context.core.closeEndpoints(),
      finish: ({ context }) => context.core.finish(),
    },
  }).createMachine({
    id: "socket",
    context: ({ input }) => ({ core: input.core }),
    initial: "open",
    states: {
      open: {
        on: {
          "endpoint.pipeReady": { actions: "attachPipe" },
          close: "closing",
        },
      },
      closing: {
        entry: "failReceivers",
        initial: "lingering",
        states: {
          lingering: {
            on: {
              "endpoint.pipeReady": { actions: "attachPipe" },
              "flush.progress": { guard: "flushed", target: "stopping" },
            },
            always: { guard: "flushed", target: "stopping" },
            after: { linger: "stopping" },
          },
          stopping: {
            entry: ["failSenders", "closeEndpoints"],
            on: { "endpoint.pipeReady": { actions: "refusePipe" } },
            always: { guard: "noEndpoints", target: "#socket.closed" },
          },
        },
      },
      closed: {
        type: "final",
        entry: "finish",
      },
    },
    on: {
      "endpoint.pipeClosed": { actions: "detachPipe" },
      "endpoint.bound": { actions: "noteBound" },
      "endpoint.error": { actions: "reportEndpointError" },
      "endpoint.closed": { actions: "forgetEndpoint" },
    },
  });
}
