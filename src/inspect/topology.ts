/**
 * The topology the inspector shows: sockets → endpoints → pipes, built
 * from the actors it knows (which include pipes still handshaking) and
 * the latest statistics sample (counters, addresses, protocols). Pure
 * data, shared by the page, the text report and `deno task top`.
 *
 * @module
 */

import type { EndpointStatistics, PipeStatistics, SocketStatistics } from "../core/socket_stats.ts";
import {
  type ActorView,
  endpointKey,
  type HelloFrame,
  pipeKey,
  type Rates,
  socketKey,
  type StatsFrame,
} from "./live_types.ts";

/** What the inspector knows now. */
export interface LiveState {
  /** The first frame, once received. */
  hello?: HelloFrame;
  /** Every actor by key: running ones and those that ended recently. */
  actors: Map<string, ActorView>;
  /** The latest statistics sample. */
  stats?: StatsFrame;
}

/** A pipe in the topology. */
export interface PipeNode {
  /** `p17`. */
  readonly key: string;
  /** `pipe#17 tcp 127.0.0.1:5555⇄127.0.0.1:40122`. */
  readonly name: string;
  /** Its machine actor, if known. */
  readonly actor?: ActorView;
  /** Its counters, once attached. */
  readonly stats?: PipeStatistics;
  /** Its rates. */
  readonly rates?: Rates;
}

/** An endpoint in the topology. */
export interface EndpointNode {
  /** `s3/e1`. */
  readonly key: string;
  /** `listener#1 tcp://127.0.0.1:5555`. */
  readonly name: string;
  /** `listener` or `dialer`. */
  readonly kind: "listener" | "dialer";
  /** Its machine actor, if known. */
  readonly actor?: ActorView;
  /** Its counters. */
  readonly stats?: EndpointStatistics;
  /** Its rates. */
  readonly rates?: Rates;
  /** Its pipes: attached ones and those still handshaking. */
  readonly pipes: PipeNode[];
}

/** A socket in the topology. */
export interface SocketNode {
  /** `s3`. */
  readonly key: string;
  /** `socket#3(req)`. */
  readonly name: string;
  /** The name given with `NN_SOCKET_NAME`, when it is not the default (the id). */
  readonly alias?: string;
  /** The protocol's name, once known from statistics. */
  readonly protocol?: string;
  /** The protocol its peers must speak. */
  readonly peer?: string;
  /** Whether it is raw (`AF_SP_RAW`). */
  readonly raw?: boolean;
  /** Its machine actor, if known. */
  readonly actor?: ActorView;
  /** Its counters. */
  readonly stats?: SocketStatistics;
  /** Its rates. */
  readonly rates?: Rates;
  /** Its endpoints. */
  readonly endpoints: EndpointNode[];
  /** The machines its protocol runs (a SURVEYOR's surveys…). */
  readonly machines: ActorView[];
}

interface MutableSocket {
  key: string;
  name: string;
  alias?: string;
  protocol?: string;
  peer?: string;
  raw?: boolean;
  actor?: ActorView;
  stats?: SocketStatistics;
  rates?: Rates;
  endpoints: Map<string, MutableEndpoint>;
  machines: ActorView[];
}

interface MutableEndpoint {
  key: string;
  name: string;
  kind: "listener" | "dialer";
  actor?: ActorView;
  stats?: EndpointStatistics;
  rates?: Rates;
  pipes: Map<string, PipeNode>;
}

/**
 * Builds the topology of the sockets open now, ordered by id.
 *
 * @example Usage
 * ```ts
 * import { buildTopology } from "./topology.ts";
 * console.log(buildTopology({ actors: new Map() })); // []
 * ```
 *
 * @param state what the inspector knows
 * @returns the sockets with their endpoints and pipes
 */
export function buildTopology(state: LiveState): SocketNode[] {
  const sockets = new Map<string, MutableSocket>();
  const rates = state.stats?.rates ?? {};
  const socketOf = (id: number, name: string): MutableSocket => {
    const key = socketKey(id);
    let socket = sockets.get(key);
    if (socket === undefined) sockets.set(key, socket = { key, name, endpoints: new Map(), machines: [] });
    return socket;
  };
  const endpointOf = (socket: MutableSocket, id: number, name: string, kind: "listener" | "dialer") => {
    const key = endpointKey(Number(socket.key.slice(1)), id);
    let endpoint = socket.endpoints.get(key);
    if (endpoint === undefined) socket.endpoints.set(key, endpoint = { key, name, kind, pipes: new Map() });
    return endpoint;
  };
  // A sample is up to one interval old: what ended since is left out.
  const ended = (key: string) => state.actors.get(key)?.ended !== undefined;
  for (const stats of state.stats?.sockets ?? []) {
    if (stats.state === "closed" || ended(socketKey(stats.id))) continue;
    const socket = socketOf(stats.id, stats.name);
    Object.assign(socket, {
      stats,
      protocol: stats.protocol,
      raw: stats.raw,
      peer: state.hello?.peers[stats.protocol],
      rates: rates[socket.key],
      ...(stats.socketName === String(stats.id) ? {} : { alias: stats.socketName }),
    });
    for (const endpointStats of stats.endpoints) {
      if (ended(endpointKey(stats.id, endpointStats.id))) continue;
      const endpoint = endpointOf(socket, endpointStats.id, endpointStats.name, endpointStats.kind);
      endpoint.stats = endpointStats;
      endpoint.rates = rates[endpoint.key];
      for (const pipe of endpointStats.pipes) {
        const key = pipeKey(pipe.id);
        if (ended(key)) continue;
        endpoint.pipes.set(key, { key, name: pipe.name, stats: pipe, rates: rates[key] });
      }
    }
  }
  const running = [...state.actors.values()].filter((actor) => actor.ended === undefined);
  for (const actor of running.filter((a) => a.kind === "socket")) {
    const socket = socketOf(actor.socket, actor.name);
    socket.actor = actor;
    socket.name = actor.name;
  }
  for (const actor of running.filter((a) => a.kind === "listener" || a.kind === "dialer")) {
    const socket = sockets.get(socketKey(actor.socket));
    if (socket === undefined) continue;
    const endpoint = endpointOf(socket, actor.endpoint ?? 0, actor.name, actor.kind as "listener" | "dialer");
    endpoint.actor = actor;
    endpoint.name = actor.name;
  }
  for (const actor of running.filter((a) => a.kind === "protocol")) {
    sockets.get(socketKey(actor.socket))?.machines.push(actor);
  }
  for (const actor of running.filter((a) => a.kind === "pipe")) {
    const endpoint = sockets.get(socketKey(actor.socket))?.endpoints.get(
      endpointKey(actor.socket, actor.endpoint ?? 0),
    );
    if (endpoint === undefined) continue;
    const known = endpoint.pipes.get(actor.key);
    endpoint.pipes.set(actor.key, { ...known, key: actor.key, name: known?.name ?? actor.name, actor });
  }
  return [...sockets.values()].sort(byId).map((socket) => ({
    ...socket,
    machines: socket.machines.sort(byId),
    endpoints: [...socket.endpoints.values()].sort(byId).map((endpoint) => ({
      ...endpoint,
      pipes: [...endpoint.pipes.values()].sort(byId),
    })),
  }));
}

/** Orders keys like `s3`, `s3/e12`, `p17` by their last number. */
function byId(a: { key: string }, b: { key: string }): number {
  return lastNumber(a.key) - lastNumber(b.key);
}

function lastNumber(key: string): number {
  const match = /(\d+)$/.exec(key);
  return match === null ? 0 : Number(match[1]);
}

/**
 * Whether a socket matches a filter: its name, protocol, or the name of
 * one of its endpoints or pipes contains the text (case-insensitive).
 *
 * @example Usage
 * ```ts
 * import { matchesFilter } from "./topology.ts";
 * console.log(matchesFilter({ key: "s1", name: "socket#1(req)", endpoints: [], machines: [] }, "REQ")); // true
 * ```
 *
 * @param socket a socket of the topology
 * @param filter the text; empty matches everything
 * @returns whether it matches
 */
export function matchesFilter(socket: SocketNode, filter: string): boolean {
  const text = filter.trim().toLowerCase();
  if (text === "") return true;
  const has = (value: string | undefined) => value !== undefined && value.toLowerCase().includes(text);
  return has(socket.name) || has(socket.alias) || has(socket.protocol) ||
    socket.endpoints.some((endpoint) => has(endpoint.name) || endpoint.pipes.some((pipe) => has(pipe.name))) ||
    socket.machines.some((machine) => has(machine.name));
}
