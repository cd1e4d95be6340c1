/**
 * Rates from counters: two `socket.statistics()` samples give messages
 * and bytes per second for every socket, endpoint and pipe present in
 * both. Plain arithmetic on sampled integers; the data path only counts.
 *
 * @module
 */

import type { SocketStatistics, Traffic } from "../core/socket_stats.ts";
import { endpointKey, pipeKey, type Rates, socketKey } from "./live_types.ts";

/** The traffic counters of one sample, by topology key. */
export type TrafficSample = Map<string, Traffic>;

/**
 * The counters of every socket, endpoint and pipe in a sample, by key.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * import { trafficSample } from "./rates.ts";
 * await using pub = openSocket("pub");
 * console.log([...trafficSample([pub.statistics()]).keys()]); // ["s…"]
 * ```
 *
 * @param sockets `socket.statistics()` of each socket
 * @returns the counters by key
 */
export function trafficSample(sockets: readonly SocketStatistics[]): TrafficSample {
  const sample: TrafficSample = new Map();
  for (const socket of sockets) {
    sample.set(socketKey(socket.id), socket);
    for (const endpoint of socket.endpoints) {
      sample.set(endpointKey(socket.id, endpoint.id), endpoint);
      for (const pipe of endpoint.pipes) sample.set(pipeKey(pipe.id), pipe);
    }
  }
  return sample;
}

/**
 * Rates between two samples taken `elapsedMs` apart, for the keys in both.
 *
 * @example Usage
 * ```ts
 * import { computeRates } from "./rates.ts";
 * const zero = { messagesSent: 0, messagesReceived: 0, bytesSent: 0, bytesReceived: 0 };
 * const later = { messagesSent: 50, messagesReceived: 0, bytesSent: 3200, bytesReceived: 0 };
 * console.log(computeRates(new Map([["s1", zero]]), new Map([["s1", later]]), 100).s1);
 * // { msgOut: 500, msgIn: 0, bytesOut: 32000, bytesIn: 0 }
 * ```
 *
 * @param before the earlier sample
 * @param after the later sample
 * @param elapsedMs the time between them, ms
 * @returns rates per second by key
 */
export function computeRates(before: TrafficSample, after: TrafficSample, elapsedMs: number): Record<string, Rates> {
  const rates: Record<string, Rates> = {};
  if (!(elapsedMs > 0)) return rates;
  const per = (now: number, then: number) => Math.max(0, ((now - then) * 1000) / elapsedMs);
  for (const [key, now] of after) {
    const then = before.get(key);
    if (then === undefined) continue;
    rates[key] = {
      msgOut: per(now.messagesSent, then.messagesSent),
      msgIn: per(now.messagesReceived, then.messagesReceived),
      bytesOut: per(now.bytesSent, then.bytesSent),
      bytesIn: per(now.bytesReceived, then.bytesReceived),
    };
  }
  return rates;
}
