/**
 * What the live inspector's server sends its page (and `deno task top`):
 * plain JSON frames over Server-Sent Events. Actors come with their
 * current state and a short timeline of lifecycle changes; counters come
 * as `socket.statistics()` snapshots with rates, sampled at most ten
 * times a second, never one event per message.
 *
 * @module
 */

import type { ActorKind } from "../core/actor_identity.ts";
import type { PlainValue } from "../core/inspection_record.ts";
import type { SocketStatistics } from "../core/socket_stats.ts";

/** One lifecycle change of an actor. */
export interface TimelineEntry {
  /** When, ms since the epoch. */
  readonly at: number;
  /** The state entered, as text: `"active"`, `"closing.lingering"`. */
  readonly state: string;
  /** The event that caused it (`"attach"`, `"conn.closed"`, `"xstate.error.actor.0.dialer.connecting"`). */
  readonly event: string;
  /** Why and for how long: an error (`"ECONNREFUSED: …"`), a delay (`"reconnectDelay 200 ms"`). */
  readonly detail?: string;
  /** Whether an error caused it (or ended the actor). */
  readonly failed?: boolean;
}

/** An actor as the page shows it. */
export interface ActorView {
  /** Key in the topology: `s3` (socket 3), `s3/e1` (its endpoint 1), `p17` (pipe 17), `s3/m1` (a protocol's machine). */
  readonly key: string;
  /** Which machine it runs. */
  readonly kind: ActorKind;
  /** The machine's id, to find its diagram. */
  readonly machine: string;
  /** Its readable name. */
  readonly name: string;
  /** Its socket's id. */
  readonly socket: number;
  /** Its endpoint's id (endpoints and pipes). */
  readonly endpoint?: number;
  /** Its pipe's id (pipes). */
  readonly pipe?: number;
  /** Its number within the socket (a protocol's machines). */
  readonly machineNumber?: number;
  /** The snapshot's value, to highlight on the diagram. */
  readonly value: PlainValue;
  /** The value as text. */
  readonly state: string;
  /** XState's status: `active` while it runs, then `done` (or `error`, `stopped`). */
  readonly status: string;
  /** When it started, ms since the epoch. */
  readonly since: number;
  /** When it ended, ms since the epoch. */
  readonly ended?: number;
  /** Its last lifecycle changes, oldest first. */
  readonly timeline: readonly TimelineEntry[];
}

/** Messages and bytes per second of a socket, endpoint or pipe. */
export interface Rates {
  /** Messages sent per second. */
  readonly msgOut: number;
  /** Messages received per second. */
  readonly msgIn: number;
  /** Bytes sent per second. */
  readonly bytesOut: number;
  /** Bytes received per second. */
  readonly bytesIn: number;
}

/** The first frame: what the inspector watches. */
export interface HelloFrame {
  /** The machines the page can draw, by id (their layouts are at `machines.json`). */
  readonly machines: readonly string[];
  /** Each registered protocol's peer protocol, by name (`{ req: "rep" }`). */
  readonly peers: Readonly<Record<string, string>>;
  /** How often statistics are sampled, ms. */
  readonly sampleMs: number;
  /** When the inspector started, ms since the epoch. */
  readonly started: number;
}

/** Actors that changed (or all of them, right after `hello`). */
export interface ActorsFrame {
  /** When, ms since the epoch. */
  readonly at: number;
  /** Whether this is every actor (the page then forgets those not listed). */
  readonly full: boolean;
  /** The actors. */
  readonly actors: readonly ActorView[];
  /** Changes left out of this frame because there were too many at once. */
  readonly skipped: number;
}

/** A statistics sample. */
export interface StatsFrame {
  /** When, ms since the epoch. */
  readonly at: number;
  /** `socket.statistics()` of every open socket. */
  readonly sockets: readonly SocketStatistics[];
  /** Rates by topology key (`s3`, `s3/e1`, `p17`), since the previous sample. */
  readonly rates: Readonly<Record<string, Rates>>;
}

/** The key of a socket in the topology. */
export function socketKey(socket: number): string {
  return `s${socket}`;
}

/** The key of an endpoint in the topology. */
export function endpointKey(socket: number, endpoint: number): string {
  return `s${socket}/e${endpoint}`;
}

/** The key of a machine a protocol runs for a socket. */
export function protocolMachineKey(socket: number, machine: number): string {
  return `s${socket}/m${machine}`;
}

/** The key of a pipe in the topology. */
export function pipeKey(pipe: number): string {
  return `p${pipe}`;
}
