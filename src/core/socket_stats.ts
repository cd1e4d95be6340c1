/**
 * Statistics: plain integer counters per socket, per endpoint and per pipe
 * (after nanomsg's `nn_get_statistic` and nng's statistics tree), and the
 * plain JSON snapshot `socket.statistics()` returns. Pipes count their own
 * traffic on the data path (four additions per message, no allocation);
 * an endpoint and its socket add up their live pipes when a snapshot is
 * taken, plus what the pipes that closed had counted.
 *
 * @module
 */

import { DROP_REASONS, type DropReason } from "./socket_events.ts";
import type { SpError } from "./errors.ts";

/** Counters of one socket, after nanomsg's statistics (`socket.stats`). */
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
  /** Pipes refused after their handshake (by the protocol, e.g. PAIR's second peer, or a `pipe:adding` listener). */
  rejected: number;
  /** Messages handed to pipes. */
  messagesSent: number;
  /** Messages received from pipes. */
  messagesReceived: number;
  /** Payload bytes handed to pipes. */
  bytesSent: number;
  /** Payload bytes received. */
  bytesReceived: number;
  /** Messages dropped, for any reason (`drops` in a snapshot tells which). */
  messagesDropped: number;
}

/** Traffic counters: a pipe's own, or the sum over pipes. */
export interface Traffic {
  /** Messages handed to the pipe(s). */
  messagesSent: number;
  /** Messages received from the pipe(s). */
  messagesReceived: number;
  /** Bytes handed to the pipe(s), SP headers included. */
  bytesSent: number;
  /** Bytes received from the pipe(s), SP headers included. */
  bytesReceived: number;
}

/** One pipe in a snapshot. */
export interface PipeStatistics extends Traffic {
  /** Unique within the runtime. */
  id: number;
  /** e.g. `pipe#17 tcp 127.0.0.1:5555⇄127.0.0.1:40122`. */
  name: string;
  /** Our side's address. */
  localAddress: string;
  /** The peer's address. */
  remoteAddress: string;
  /** Messages dropped on this pipe (a slow peer missing a broadcast, a stale reply…). */
  dropped: number;
  /** Outbound bytes queued and not yet written. */
  pendingBytes: number;
  /** Received messages waiting for the socket to take them. */
  inboundMessages: number;
  /** Their bytes (reading pauses at RCVBUF). */
  inboundBytes: number;
  /** Back-pressure on sending: the outbound queue is at SNDBUF, so the protocol skips this pipe or waits. */
  sendBlocked: boolean;
  /** Back-pressure on receiving: reading from the connection is paused until the socket takes messages. */
  recvPaused: boolean;
}

/** One endpoint in a snapshot. */
export interface EndpointStatistics extends Traffic {
  /** The id `bind` or `connect` returned. */
  id: number;
  /** e.g. `listener#1 tcp://127.0.0.1:5555`. */
  name: string;
  /** `listener` or `dialer`. */
  kind: "listener" | "dialer";
  /** The URL (a listener's with its real port). */
  url: string;
  /** Connections made (dialer) or accepted (listener). */
  connections: number;
  /** Failed connects (dialer) or accepts (listener). */
  errors: number;
  /** Times a dialer went back to connecting after a failure or a lost connection. */
  reconnects: number;
  /** Pipes refused after their handshake. */
  rejected: number;
  /** Connections closed for malformed greetings, a wrong protocol or bad frames. */
  protocolErrors: number;
  /** Connections closed by us (protocol errors and refused pipes). */
  dropped: number;
  /** Working connections that ended. */
  broken: number;
  /** Pipes attached now. */
  currentConnections: number;
  /** Its attached pipes. */
  pipes: PipeStatistics[];
}

/** Everything about one socket, as plain data (`JSON.stringify` it as it is). */
export interface SocketStatistics extends SocketStats {
  /** The socket's number within its runtime. */
  id: number;
  /** e.g. `socket#3(req)`. */
  name: string;
  /** The protocol's name. */
  protocol: string;
  /** Whether it is `AF_SP_RAW`. */
  raw: boolean;
  /** `NN_SOCKET_NAME`. */
  socketName: string;
  /** `open`, `closing` or `closed`. */
  state: "open" | "closing" | "closed";
  /** Times its dialers went back to connecting. */
  reconnects: number;
  /** Dropped messages by reason. */
  drops: Record<DropReason, number>;
  /** `send` calls waiting for a peer to take their message. */
  waitingSends: number;
  /** The bytes of those messages (up to SNDBUF). */
  waitingSendBytes: number;
  /** `recv` calls waiting for a message. */
  waitingRecvs: number;
  /** Its endpoints with their pipes. */
  endpoints: EndpointStatistics[];
}

/** Connection counters an endpoint keeps. Internal to the core. */
export interface EndpointCounters {
  connections: number;
  errors: number;
  reconnects: number;
  rejected: number;
  protocolErrors: number;
  broken: number;
  /** Connections closed by us (bad input, refused). */
  dropped: number;
}

/** Fresh endpoint counters, all zero. Internal to the core. */
export function emptyEndpointCounters(): EndpointCounters {
  return { connections: 0, errors: 0, reconnects: 0, rejected: 0, protocolErrors: 0, broken: 0, dropped: 0 };
}

/** Fresh traffic counters. Internal to the core. */
export function emptyTraffic(): Traffic {
  return { messagesSent: 0, messagesReceived: 0, bytesSent: 0, bytesReceived: 0 };
}

/** Adds `from` into `into`. Internal to the core. */
export function addTraffic(into: Traffic, from: Traffic): void {
  into.messagesSent += from.messagesSent;
  into.messagesReceived += from.messagesReceived;
  into.bytesSent += from.bytesSent;
  into.bytesReceived += from.bytesReceived;
}

/** Counters of dropped messages by reason, all zero. Internal to the core. */
export function emptyDrops(): Record<DropReason, number> {
  const drops = {} as Record<DropReason, number>;
  for (const reason of DROP_REASONS) drops[reason] = 0;
  return drops;
}

/**
 * How a closed pipe counts: bad input or a silent peer is a protocol error
 * and a connection we dropped; the end of a working one while the socket
 * is open is a broken connection. Internal to the core.
 */
export function closedPipeKind(
  reason: SpError | undefined,
  wasActive: boolean,
  socketOpen: boolean,
): "protocolError" | "broken" | "clean" {
  const code = reason?.code;
  if (code === "EPROTO" || code === "EMSGSIZE" || code === "ETIMEDOUT") return "protocolError";
  return wasActive && socketOpen ? "broken" : "clean";
}
