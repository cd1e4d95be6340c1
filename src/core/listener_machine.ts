/**
 * The listener machine (nanomsg's bound endpoint): binding → listening,
 * accepting connections and making a pipe for each; an accept error cools
 * down before accepting again; close stops accepting, closes every pipe and
 * waits for them → closed. A failed bind ends in `failed`.
 *
 * @module
 */

import { fromCallback, fromPromise, setup } from "./xstate.ts";
import { fromDenoError, SpError } from "./errors.ts";
import type { EndpointEvent, EndpointInput, EndpointReport } from "./endpoint.ts";
import type { Pipe } from "./pipe.ts";
import type { PipeActor } from "./pipe_machine.ts";
import type { Connection, TransportListener } from "./transport.ts";

/** How long to wait after an accept error before accepting again, ms. */
export const ACCEPT_COOLDOWN = 100;

type AcceptEvent =
  | { type: "accepted"; connection: Connection }
  | { type: "accept.failed"; error: unknown };

interface ListenerContext extends EndpointInput {
  listener: TransportListener | undefined;
  pipes: Map<Pipe, PipeActor>;
  error: SpError | undefined;
}

/** What a finished listener machine reports. */
export interface ListenerOutput {
  /** Why binding failed, if it did. */
  error: SpError | undefined;
}

/**
 * Builds the listener machine definition.
 *
 * @returns the machine, to run with `createActor`
 */
export function createListenerMachine() {
  return setup({
    types: {
      context: {} as ListenerContext,
      input: {} as EndpointInput,
      events: {} as EndpointEvent | AcceptEvent,
      output: {} as ListenerOutput,
    },
    actors: {
      bind: fromPromise<TransportListener, Pick<EndpointInput, "transport" | "address" | "options">>(({ input }) =>
        input.transport.listen(input.address, input.options)
      ),
      unbind: fromPromise<void, TransportListener | undefined>(({ input }) => input?.close() ?? Promise.resolve()),
      acceptLoop: fromCallback<AcceptEvent, TransportListener>(({ input, sendBack }) => {
        let stopped = false;
        (async () => {
          while (!stopped) {
            try {
              const connection = await input.accept();
              if (stopped) connection.close();
              else sendBack({ type: "accepted", connection });
            } catch (error) {
              if (!stopped) sendBack({ type: "accept.failed", error });
              return;
            }
          }
        })();
        return () => {
          stopped = true;
        };
      }),
    },
    delays: {
      acceptCooldown: ACCEPT_COOLDOWN,
    },
    guards: {
      noPipes: ({ context }) => context.pipes.size === 0,
    },
    actions: {
      keepListener: ({ context, event }) => {
        context.listener = (event as unknown as { output: TransportListener }).output;
      },
      reportBound: ({ context }) =>
        context.owner.send(
          { type: "endpoint.bound", endpoint: context.id, address: context.listener!.address } satisfies EndpointReport,
        ),
      noteBindError: ({ context, event }) => {
        const error = (event as unknown as { error: unknown }).error;
        context.error = error instanceof SpError ? error : fromDenoError(error, context.url);
      },
      openPipe: ({ context, event, self }) => {
        if (event.type !== "accepted") return;
        const actor = context.openPipe(event.connection, self);
        context.pipes.set(actor.getSnapshot().context.pipe, actor);
        context.counters.connections++; // a plain counter the socket reads: no event
      },
      reportAcceptError: ({ context, event }) => {
        if (event.type !== "accept.failed") return;
        const error = event.error instanceof SpError ? event.error : fromDenoError(event.error, context.url);
        context.owner.send(
          {
            type: "endpoint.error",
            endpoint: context.id,
            kind: "accept",
            error,
            retryIn: ACCEPT_COOLDOWN,
          } satisfies EndpointReport,
        );
      },
      forwardReady: ({ context, event }) => {
        if (event.type !== "pipe.ready") return;
        const pipeActor = context.pipes.get(event.pipe);
        if (pipeActor === undefined) return;
        context.owner.send(
          { type: "endpoint.pipeReady", endpoint: context.id, pipe: event.pipe, pipeActor } satisfies EndpointReport,
        );
      },
      forwardClosed: ({ context, event }) => {
        if (event.type !== "xstate.done.actor.pipe") return;
        const { pipe, reason, wasActive } = event.output;
        context.pipes.delete(pipe);
        context.owner.send(
          { type: "endpoint.pipeClosed", endpoint: context.id, pipe, reason, wasActive } satisfies EndpointReport,
        );
      },
      closePipes: ({ context }) => {
        for (const actor of context.pipes.values()) actor.send({ type: "close" });
      },
      reportClosed: ({ context }) =>
        context.owner.send({ type: "endpoint.closed", endpoint: context.id } satisfies EndpointReport),
    },
  }).createMachine({
    id: "listener",
    context: ({ input }) => ({ ...input, listener: undefined, pipes: new Map(), error: undefined }),
    initial: "binding",
    states: {
      binding: {
        invoke: {
          src: "bind",
          input: ({ context }) => ({
            transport: context.transport,
            address: context.address,
            options: context.options,
          }),
          onDone: { target: "listening", actions: ["keepListener", "reportBound"] },
          onError: { target: "failed", actions: "noteBindError" },
        },
      },
      listening: {
        invoke: { src: "acceptLoop", input: ({ context }) => context.listener! },
        on: {
          accepted: { actions: "openPipe" },
          "accept.failed": { target: "coolingDown", actions: "reportAcceptError" },
          close: "closing",
        },
      },
      coolingDown: {
        after: { acceptCooldown: "listening" },
        on: { close: "closing" },
      },
      closing: {
        entry: "closePipes",
        initial: "unbinding",
        states: {
          unbinding: {
            invoke: {
              src: "unbind",
              input: ({ context }) => context.listener,
              onDone: "drainingPipes",
              onError: "drainingPipes",
            },
          },
          drainingPipes: {
            always: { guard: "noPipes", target: "#listener.closed" },
          },
        },
      },
      closed: {
        type: "final",
        entry: "reportClosed",
      },
      failed: {
        type: "final",
      },
    },
    on: {
      "pipe.ready": { actions: "forwardReady" },
      "xstate.done.actor.pipe": { actions: "forwardClosed" },
    },
    output: ({ context }) => ({ error: context.error }),
  });
}

/** The listener machine's definition type. */
export type ListenerMachine = ReturnType<typeof createListenerMachine>;
