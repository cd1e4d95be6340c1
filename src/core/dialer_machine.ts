/**
 * The dialer machine (nanomsg's connecting endpoint): connecting →
 * connected → waiting with reconnect back-off from RECONNECT_IVL doubling
 * up to RECONNECT_IVL_MAX → connecting …; close ends it from any state.
 *
 * @module
 */

import { setup } from "./xstate.ts";
import { fromDenoError, SpError } from "./errors.ts";
import type { EndpointEvent, EndpointInput, EndpointReport } from "./endpoint.ts";
import type { PipeActor } from "./pipe_machine.ts";
import type { Connection } from "./transport.ts";

/** What a dialer machine starts with. */
export interface DialerInput extends EndpointInput {
  /** First reconnect delay, ms. */
  reconnectIvl: number;
  /** Largest reconnect delay, ms; at most `reconnectIvl` means no back-off. */
  reconnectIvlMax: number;
}

interface DialerContext extends DialerInput {
  delay: number;
  pipe: PipeActor | undefined;
  /** Aborts the connection attempt in progress. */
  abort: AbortController | undefined;
}

type DialerEvent =
  | EndpointEvent
  | { type: "dial.done"; connection: Connection }
  | { type: "dial.failed"; error: unknown };

/** Why a dial still running is aborted: the dialer left `connecting` (connected, closed). */
const DIAL_LEFT = new SpError("ECANCELED", "the dialer stopped waiting for this connection");

/**
 * Builds the dialer machine definition.
 *
 * @returns the machine, to run with `createActor`
 */
export function createDialerMachine() {
  return setup({
    types: {
      context: {} as DialerContext,
      input: {} as DialerInput,
      events: {} as DialerEvent,
    },
    delays: {
      reconnectDelay: ({ context }) => context.delay,
    },
    guards: {
      isOurPipe: ({ context, event }) =>
        event.type === "xstate.done.actor.pipe" && context.pipe?.getSnapshot().context.pipe === event.output.pipe,
    },
    actions: {
      // The dial runs in plain code (no child actor) and reports back as
      // events; leaving connecting aborts it, and its outcome is then
      // dropped (a connection made all the same is closed at once).
      dial: ({ context, self }) => {
        const abort = context.abort = new AbortController();
        context.transport.dial(context.address, context.options, abort.signal).then(
          (connection) => abort.signal.aborted ? connection.close() : self.send({ type: "dial.done", connection }),
          (error) => abort.signal.aborted || self.send({ type: "dial.failed", error }),
        );
      },
      abortDial: ({ context }) => {
        // A shared reason: abort() without one builds a DOMException (with a stack) every time.
        context.abort?.abort(DIAL_LEFT);
        context.abort = undefined;
      },
      openPipe: ({ context, event, self }) => {
        const conn = (event as { connection: Connection }).connection;
        context.pipe = context.openPipe(conn, self);
        context.counters.connections++; // a plain counter the socket reads: no event
      },
      reportConnectError: ({ context, event }) => {
        const error = (event as { error: unknown }).error;
        context.owner.send(
          {
            type: "endpoint.error",
            endpoint: context.id,
            kind: "connect",
            error: error instanceof SpError ? error : fromDenoError(error, context.url),
            retryIn: context.delay,
          } satisfies EndpointReport,
        );
      },
      forwardReady: ({ context, event }) => {
        if (event.type !== "pipe.ready") return;
        context.delay = context.reconnectIvl; // a working connection resets the back-off
        context.owner.send(
          {
            type: "endpoint.pipeReady",
            endpoint: context.id,
            pipe: event.pipe,
            pipeActor: context.pipe!,
          } satisfies EndpointReport,
        );
      },
      forwardClosed: ({ context, event }) => {
        if (event.type !== "xstate.done.actor.pipe") return;
        context.pipe = undefined;
        const { pipe, reason, wasActive } = event.output;
        context.owner.send(
          { type: "endpoint.pipeClosed", endpoint: context.id, pipe, reason, wasActive } satisfies EndpointReport,
        );
      },
      growBackoff: ({ context }) => {
        const max = Math.max(context.reconnectIvl, context.reconnectIvlMax);
        context.delay = Math.min(max, Math.max(context.delay, 1) * 2);
      },
      closePipe: ({ context }) => context.pipe?.send({ type: "close" }),
      reportClosed: ({ context }) =>
        context.owner.send({ type: "endpoint.closed", endpoint: context.id } satisfies EndpointReport),
    },
  }).createMachine({
    id: "dialer",
    context: ({ input }) => ({ ...input, delay: input.reconnectIvl, pipe: undefined, abort: undefined }),
    initial: "connecting",
    states: {
      connecting: {
        entry: "dial",
        exit: "abortDial",
        on: {
          "dial.done": { target: "connected", actions: "openPipe" },
          "dial.failed": { target: "waiting", actions: "reportConnectError" },
          close: "closed",
        },
      },
      connected: {
        on: {
          "pipe.ready": { actions: "forwardReady" },
          "xstate.done.actor.pipe": { guard: "isOurPipe", target: "waiting", actions: "forwardClosed" },
          close: "closing",
        },
      },
      waiting: {
        after: { reconnectDelay: { target: "connecting", actions: "growBackoff" } },
        on: { close: "closed" },
      },
      closing: {
        entry: "closePipe",
        on: {
          "xstate.done.actor.pipe": { guard: "isOurPipe", target: "closed", actions: "forwardClosed" },
        },
      },
      closed: {
        type: "final",
        entry: "reportClosed",
      },
    },
  });
}

/** The dialer machine's definition type. */
export type DialerMachine = ReturnType<typeof createDialerMachine>;
