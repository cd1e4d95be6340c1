/**
 * nanomsg's socket options: levels, numbers, defaults and validation.
 *
 * @module
 */

import { SpError } from "./errors.ts";

/** Standard SP socket (`AF_SP`). */
export const AF_SP = 1;
/** Raw SP socket without protocol state (`AF_SP_RAW`). */
export const AF_SP_RAW = 2;

/** Option level of the generic socket options. */
export const NN_SOL_SOCKET = 0;
/** Option level of the tcp transport. */
export const NN_TCP: number = -3;
/** `NN_TCP_NODELAY` at level {@linkcode NN_TCP}. */
export const NN_TCP_NODELAY = 1;
/**
 * `NN_TCP_KEEPALIVE` at level {@linkcode NN_TCP} (ours; nng's
 * `NNG_OPT_TCP_KEEPALIVE`): 1 finds dead peers on tcp, tls+tcp, ws and wss
 * connections: keepalive probes where the connection allows them, and a
 * 30 s send-stall watchdog (see `src/transports/_tcp_tuning.ts`).
 */
export const NN_TCP_KEEPALIVE = 2;

/** How long `close()` keeps flushing pending messages, in ms. */
export const NN_LINGER = 1;
/** Bytes of outbound data a pipe may hold before it stops taking messages. */
export const NN_SNDBUF = 2;
/** Bytes of inbound data a pipe may hold before reading pauses. */
export const NN_RCVBUF = 3;
/** Send timeout in ms; -1 waits forever. */
export const NN_SNDTIMEO = 4;
/** Receive timeout in ms; -1 waits forever. */
export const NN_RCVTIMEO = 5;
/** First reconnect delay in ms. */
export const NN_RECONNECT_IVL = 6;
/** Upper bound of the reconnect back-off in ms; 0 means no back-off. */
export const NN_RECONNECT_IVL_MAX = 7;
/** Send priority (1 highest … 16) of endpoints added afterwards. */
export const NN_SNDPRIO = 8;
/** Receive priority (1 highest … 16) of endpoints added afterwards. */
export const NN_RCVPRIO = 9;
/** `AF_SP` or `AF_SP_RAW` (read-only). */
export const NN_DOMAIN = 12;
/** The socket's protocol id (read-only). */
export const NN_PROTOCOL = 13;
/** 1: IPv4 only; 0: IPv6 too. */
export const NN_IPV4ONLY = 14;
/** A name for logs and the inspector. */
export const NN_SOCKET_NAME = 15;
/** Largest message accepted from a peer in bytes; -1 is unlimited. */
export const NN_RCVMAXSIZE = 16;
/** Largest hop count of request/reply and survey messages. */
export const NN_MAXTTL = 17;

/** The option values of one socket, by nanomsg's names in camelCase. */
export interface SocketOptions {
  /** `NN_LINGER`, ms (nanomsg documents 1000; it actually flushes here). */
  linger: number;
  /** `NN_SNDBUF`, bytes. */
  sndbuf: number;
  /** `NN_RCVBUF`, bytes. */
  rcvbuf: number;
  /** `NN_SNDTIMEO`, ms; -1 forever. */
  sndtimeo: number;
  /** `NN_RCVTIMEO`, ms; -1 forever. */
  rcvtimeo: number;
  /** `NN_RECONNECT_IVL`, ms. */
  reconnectIvl: number;
  /** `NN_RECONNECT_IVL_MAX`, ms; 0 keeps the delay at `reconnectIvl`. */
  reconnectIvlMax: number;
  /** `NN_SNDPRIO`, 1…16. */
  sndprio: number;
  /** `NN_RCVPRIO`, 1…16. */
  rcvprio: number;
  /** `NN_IPV4ONLY`, 0 or 1. */
  ipv4only: number;
  /** `NN_SOCKET_NAME`, at most 63 bytes. */
  socketName: string;
  /** `NN_RCVMAXSIZE`, bytes; -1 unlimited. */
  rcvmaxsize: number;
  /** `NN_MAXTTL`, 1…255. */
  maxttl: number;
  /** `NN_TCP_NODELAY` at level `NN_TCP`, 0 or 1. */
  tcpNodelay: number;
  /** `NN_TCP_KEEPALIVE` at level `NN_TCP`, 0 or 1. */
  tcpKeepalive: number;
}

/** nanomsg's defaults (linger: 1000 ms, as its documentation promises). */
export function defaultOptions(socketName: string): SocketOptions {
  return {
    linger: 1000,
    sndbuf: 128 * 1024,
    rcvbuf: 128 * 1024,
    sndtimeo: -1,
    rcvtimeo: -1,
    reconnectIvl: 100,
    reconnectIvlMax: 0,
    sndprio: 8,
    rcvprio: 8,
    ipv4only: 1,
    socketName,
    rcvmaxsize: 1024 * 1024,
    maxttl: 8,
    tcpNodelay: 0,
    tcpKeepalive: 0,
  };
}

type Key = keyof SocketOptions;

const SOCKET_LEVEL: Readonly<Record<number, Key>> = {
  [NN_LINGER]: "linger",
  [NN_SNDBUF]: "sndbuf",
  [NN_RCVBUF]: "rcvbuf",
  [NN_SNDTIMEO]: "sndtimeo",
  [NN_RCVTIMEO]: "rcvtimeo",
  [NN_RECONNECT_IVL]: "reconnectIvl",
  [NN_RECONNECT_IVL_MAX]: "reconnectIvlMax",
  [NN_SNDPRIO]: "sndprio",
  [NN_RCVPRIO]: "rcvprio",
  [NN_IPV4ONLY]: "ipv4only",
  [NN_SOCKET_NAME]: "socketName",
  [NN_RCVMAXSIZE]: "rcvmaxsize",
  [NN_MAXTTL]: "maxttl",
};

/**
 * The option key for a (level, option) pair, or undefined when the pair is
 * not a generic option (the protocol may still know it).
 */
export function optionKey(level: number, option: number): Key | undefined {
  if (level === NN_SOL_SOCKET) return SOCKET_LEVEL[option];
  if (level === NN_TCP && option === NN_TCP_NODELAY) return "tcpNodelay";
  if (level === NN_TCP && option === NN_TCP_KEEPALIVE) return "tcpKeepalive";
  return undefined;
}

/**
 * The longest delay a timer takes, ms (2^31-1, about 24.8 days): a longer
 * one would fire at once, so timeouts, linger and intervals stop here.
 */
export const MAX_DURATION = 0x7fff_ffff;

/** What a numeric option accepts: integers from `min` to `max`. */
interface Range {
  readonly min: number;
  readonly max: number;
  /** Unit and special values, for the message. */
  readonly note: string;
}

const DURATION_OR_FOREVER: Range = { min: -1, max: MAX_DURATION, note: "ms; -1 waits forever" };
const BYTES: Range = { min: 1, max: MAX_DURATION, note: "bytes" };
const INTERVAL: Range = { min: 0, max: MAX_DURATION, note: "ms" };
const PRIORITY: Range = { min: 1, max: 16, note: "1 is the highest priority" };
const FLAG: Range = { min: 0, max: 1, note: "0 or 1" };

const RANGES: Readonly<Record<Exclude<Key, "socketName">, Range>> = {
  linger: DURATION_OR_FOREVER,
  sndtimeo: DURATION_OR_FOREVER,
  rcvtimeo: DURATION_OR_FOREVER,
  sndbuf: BYTES,
  rcvbuf: BYTES,
  reconnectIvl: INTERVAL,
  reconnectIvlMax: INTERVAL,
  sndprio: PRIORITY,
  rcvprio: PRIORITY,
  ipv4only: FLAG,
  tcpNodelay: FLAG,
  tcpKeepalive: FLAG,
  rcvmaxsize: { min: -1, max: Number.MAX_SAFE_INTEGER, note: "bytes; -1 is unlimited" },
  maxttl: { min: 1, max: 255, note: "hops" },
};

/** A value as an error message shows it: strings quoted, anything but a number with its type. */
export function describeValue(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return `the ${typeof value} ${String(value)}`;
}

function checkRange(name: string, value: unknown, range: Range): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw new SpError(
      "EINVAL",
      `${name} must be an integer from ${range.min} to ${range.max} (${range.note}), not ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Checks a per-call timeout (`send`, `recv`, `waitForPeers`) by the rules
 * of SNDTIMEO and RCVTIMEO: an integer from -1 (wait forever) to
 * {@linkcode MAX_DURATION} ms.
 *
 * @throws {SpError} EINVAL for anything else, NaN and fractions included
 */
export function validateTimeout(value: unknown): number {
  return checkRange("timeout", value, DURATION_OR_FOREVER);
}

/**
 * Checks a value against nanomsg's range for the option (durations also
 * against the timer limit) and returns it.
 *
 * @throws {SpError} EINVAL naming the expected type and range, ENOPROTOOPT for an unknown option
 */
export function validateOption<K extends Key>(
  key: K,
  value: unknown,
): SocketOptions[K] {
  if (key === "socketName") {
    if (typeof value !== "string" || new TextEncoder().encode(value).length > 63) {
      throw new SpError("EINVAL", `socketName must be a string of at most 63 bytes, not ${describeValue(value)}`);
    }
    return value as SocketOptions[K];
  }
  const range = (RANGES as Record<string, Range | undefined>)[key];
  if (range === undefined) throw new SpError("ENOPROTOOPT", `unknown option ${String(key)}`);
  return checkRange(key, value, range) as SocketOptions[K];
}
