/**
 * A socket's counters, after nanomsg's statistics, and how a closed pipe
 * is counted.
 *
 * @module
 */

import type { SpError } from "./errors.ts";

/** Counters of one socket, after nanomsg's statistics. */
export interface SocketStats {
  /** Connections made by dialers. */
  established: number;
  /** Connections accepted by listeners. */
  accepted: number;
  /** Connections closed by us for bad input, a wrong peer or a refused attach. */
  dropped: number;
  /** Working connections that ended (peer closed, error). */
  broken: number;
  /** Failed connection attempts. */
  connectErrors: number;
  /** Failed binds. */
  bindErrors: number;
  /** Failed accepts. */
  acceptErrors: number;
  /** Pipes attached now. */
  currentConnections: number;
  /** Connections refused for malformed greetings, a wrong protocol or bad frames. */
  protocolErrors: number;
  /** Pipes the protocol refused (e.g. PAIR's second peer). */
  rejected: number;
  /** Messages handed to pipes. */
  messagesSent: number;
  /** Messages received from pipes. */
  messagesReceived: number;
  /** Payload bytes handed to pipes. */
  bytesSent: number;
  /** Payload bytes received. */
  bytesReceived: number;
  /** Messages the protocol dropped: malformed, stale, or for a peer that could not keep up. */
  messagesDropped: number;
}

/** Fresh counters, all zero. */
export function emptyStats(): SocketStats {
  return {
    established: 0,
    accepted: 0,
    dropped: 0,
    broken: 0,
    connectErrors: 0,
    bindErrors: 0,
    acceptErrors: 0,
    currentConnections: 0,
    protocolErrors: 0,
    rejected: 0,
    messagesSent: 0,
    messagesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    messagesDropped: 0,
  };
}

/**
 * Counts a pipe that closed: bad input or a silent peer is a protocol
 * error and a dropped connection; the end of a working one while the
 * socket is open is a broken connection.
 */
export function countClosedPipe(
  stats: SocketStats,
  reason: SpError | undefined,
  wasActive: boolean,
  socketOpen: boolean,
): void {
  const code = reason?.code;
  if (code === "EPROTO" || code === "EMSGSIZE" || code === "ETIMEDOUT") {
    stats.protocolErrors++;
    stats.dropped++;
  } else if (wasActive && socketOpen) {
    stats.broken++;
  }
}
