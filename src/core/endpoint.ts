/**
 * What dialer and listener machines share: their input, the events they
 * report to the socket, and how they make pipes; and the socket's record
 * of an endpoint, which users see as an {@linkcode Endpoint}.
 *
 * @module
 */

import type { Actor, AnyActorRef, AnyStateMachine } from "./xstate.ts";
import type { MutableActorIdentity } from "./actor_identity.ts";
import type { SpError } from "./errors.ts";
import type { Pipe } from "./pipe.ts";
import type { PipeActor, PipeReport } from "./pipe_machine.ts";
import type { MachineActor } from "./runtime.ts";
import type { EndpointInfo } from "./socket_events.ts";
import {
  addTraffic,
  emptyTraffic,
  type EndpointCounters,
  type EndpointStatistics,
  type Traffic,
} from "./socket_stats.ts";
import type { Connection, Transport, TransportOptions } from "./transport.ts";

/** Makes a pipe (data object and machine) for a new connection. */
export type OpenPipe = (connection: Connection, owner: AnyActorRef) => PipeActor;

/** What an endpoint machine starts with. */
export interface EndpointInput {
  /** The endpoint id returned by bind/connect. */
  id: number;
  /** The full URL, for messages. */
  url: string;
  /** The address part after `scheme://`. */
  address: string;
  /** The transport registered for the scheme. */
  transport: Transport;
  /** Settings captured when the endpoint was made. */
  options: TransportOptions;
  /** The socket actor the endpoint reports to. */
  owner: AnyActorRef;
  /** Makes pipes. */
  openPipe: OpenPipe;
  /**
   * The endpoint's counters: it counts the connections it makes here
   * (plain integers the socket reads for statistics, not events).
   */
  counters: EndpointCounters;
}

/** Events an endpoint sends to its socket. */
export type EndpointReport =
  | { type: "endpoint.bound"; endpoint: number; address: string }
  | { type: "endpoint.pipeReady"; endpoint: number; pipe: Pipe; pipeActor: PipeActor }
  | { type: "endpoint.pipeClosed"; endpoint: number; pipe: Pipe; reason: SpError | undefined; wasActive: boolean }
  | { type: "endpoint.error"; endpoint: number; kind: "connect" | "accept"; error: SpError; retryIn: number }
  | { type: "endpoint.closed"; endpoint: number };

/** Events every endpoint machine accepts. */
export type EndpointEvent = PipeReport | { type: "close" };

/**
 * One of a socket's endpoints, as `listen()`, `dial()` and
 * `socket.endpoint(id)` return it.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * await using pull = openSocket("pull");
 * const listener = await pull.listen("tcp://127.0.0.1:0"); // any free port
 * console.log(listener.url.startsWith("tcp://127.0.0.1:")); // true, with the real port
 * console.log(listener.name); // e.g. "listener#1 tcp://127.0.0.1:40122"
 * ```
 */
export interface Endpoint extends EndpointInfo {
  /** The endpoint machine's actor, for inspection (`getSnapshot().value`). */
  readonly actor: MachineActor;
  /** Pipes attached through this endpoint now. */
  readonly currentConnections: number;
  /** Its counters and its pipes', as plain data. */
  statistics(): EndpointStatistics;
  /** Removes the endpoint and closes its connections (`socket.shutdown(id)`). */
  close(): Promise<void>;
}

/** An endpoint's readable name, e.g. `listener#1 tcp://127.0.0.1:5555`. Internal to the core. */
export function endpointName(kind: "listener" | "dialer", id: number, url: string): string {
  return `${kind}#${id} ${url}`;
}

/**
 * A socket's bookkeeping for one endpoint: its pipes and counters.
 * Internal to the core.
 */
export class EndpointRecord implements Endpoint {
  readonly id: number;
  readonly kind: "listener" | "dialer";
  url: string;
  name: string;
  readonly actor: Actor<AnyStateMachine>;
  /** Its attached pipes and their machines. */
  readonly pipes: Map<Pipe, PipeActor> = new Map();
  readonly counters: EndpointCounters;
  /** Traffic of its pipes that have closed. */
  readonly closedTraffic: Traffic = emptyTraffic();
  /** Set once `close()` or the socket's close asked it to stop. */
  closing = false;
  readonly #close: () => Promise<void>;
  readonly #identity: MutableActorIdentity | undefined;

  /**
   * @param input the endpoint machine's input
   * @param kind listener or dialer
   * @param actor the endpoint machine
   * @param close removes it from its socket
   * @param identity the actor's identity, renamed with the endpoint
   */
  constructor(
    input: EndpointInput,
    kind: "listener" | "dialer",
    actor: Actor<AnyStateMachine>,
    close: () => Promise<void>,
    identity?: MutableActorIdentity,
  ) {
    this.id = input.id;
    this.kind = kind;
    this.url = input.url;
    this.name = endpointName(kind, input.id, input.url);
    this.counters = input.counters;
    this.actor = actor;
    this.#close = close;
    this.#identity = identity;
  }

  get currentConnections(): number {
    return this.pipes.size;
  }

  /** The listener got its address: the URL and name say where it really is. */
  bound(url: string): void {
    this.url = url;
    this.name = endpointName(this.kind, this.id, url);
    if (this.#identity !== undefined) this.#identity.name = this.name;
  }

  info(): EndpointInfo {
    return { id: this.id, name: this.name, kind: this.kind, url: this.url };
  }

  statistics(): EndpointStatistics {
    const traffic = { ...this.closedTraffic };
    const pipes = [...this.pipes.keys()].map((pipe) => {
      addTraffic(traffic, pipe);
      return pipe.statistics();
    });
    return { ...this.info(), ...this.counters, ...traffic, currentConnections: this.pipes.size, pipes };
  }

  close(): Promise<void> {
    return this.#close();
  }
}
