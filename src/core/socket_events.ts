/**
 * A socket's lifecycle events: pipes coming and going, connect and accept
 * errors, dropped messages. Never one per message: drops are counted
 * always and reported as events only while someone listens, at most one
 * event per reason every {@linkcode DROP_REPORT_INTERVAL} ms with the
 * count since the last. An event costs nothing while nobody listens for
 * its type.
 *
 * Subscribe with `socket.events.on(type, listener)` (or the
 * `addEventListener` spelling), or iterate every event with
 * `for await (const event of socket.events)`. Listeners run in a microtask
 * after the change, outside the machines, except `pipe:adding`, which runs
 * synchronously before the pipe attaches so that it can refuse it (nng's
 * `NNG_PIPE_EV_ADD_PRE`).
 *
 * @module
 */

import type { SpError } from "./errors.ts";

/** How many events an iterator keeps for a consumer that is behind. */
export const ITERATOR_BUFFER = 1024;

/**
 * Why a message was dropped:
 * - `oversize`: larger than the receiver's RCVMAXSIZE; the connection is closed;
 * - `ttl`: no request id within NN_MAXTTL backtrace words (too many hops);
 * - `malformed`: a header that cannot be read (shorter than a backtrace word…);
 * - `no-peer`: the pipe it is addressed to is gone (a reply whose requester left);
 * - `slow-peer`: its pipe could not take it (best effort: PUB, SURVEYOR, BUS, replies);
 * - `queue-full`: a receiver's queue was full and lost its oldest message (a SUB context not read);
 * - `stale`: a reply or answer to a request or survey that is no longer open;
 * - `unexpected`: sent by a peer that should send nothing (a SUB talking to its PUB).
 */
export type DropReason =
  | "oversize"
  | "ttl"
  | "malformed"
  | "no-peer"
  | "slow-peer"
  | "queue-full"
  | "stale"
  | "unexpected";

/** Every drop reason, in the order statistics list them. */
export const DROP_REASONS: readonly DropReason[] = [
  "oversize",
  "ttl",
  "malformed",
  "no-peer",
  "slow-peer",
  "queue-full",
  "stale",
  "unexpected",
];

/** How often at most a `message:dropped` event is emitted per reason, ms. */
export const DROP_REPORT_INTERVAL = 100;

/** What an event tells about a pipe. */
export interface PipeInfo {
  /** Unique within the runtime, never reused. */
  readonly id: number;
  /** e.g. `pipe#17 tcp 127.0.0.1:5555⇄127.0.0.1:40122` (local⇄remote). */
  readonly name: string;
  /** The id of the endpoint that made it. */
  readonly endpoint: number;
  /** Our side's address, e.g. `127.0.0.1:5555`. */
  readonly localAddress: string;
  /** The peer's address, e.g. `127.0.0.1:40122`. */
  readonly remoteAddress: string;
}

/** What an event tells about an endpoint. */
export interface EndpointInfo {
  /** The id `bind` or `connect` returned. */
  readonly id: number;
  /** e.g. `dialer#2 tcp://127.0.0.1:5555`. */
  readonly name: string;
  /** `listener` (bind) or `dialer` (connect). */
  readonly kind: "listener" | "dialer";
  /** The endpoint's URL (a listener's with the port it really got). */
  readonly url: string;
}

/** What every socket event carries. */
export interface SocketEventBase<T extends string> {
  /** The event's name. */
  readonly type: T;
  /** The socket's name, e.g. `socket#3(req)`. */
  readonly socket: string;
  /** When it happened, on the runtime's clock (ms). */
  readonly time: number;
}

/**
 * A pipe finished its handshake and is about to attach. A listener may
 * call `refuse()`: the pipe is then closed instead (and reported as
 * `pipe:rejected`). Runs synchronously; do nothing else with the socket here.
 */
export interface PipeAddingEvent extends SocketEventBase<"pipe:adding"> {
  /** The new pipe. */
  readonly pipe: PipeInfo;
  /** Refuses the pipe; `reason` goes into the `pipe:rejected` event. */
  refuse(reason?: string): void;
}

/** A pipe attached: messages flow. */
export interface PipeAddedEvent extends SocketEventBase<"pipe:added"> {
  /** The pipe. */
  readonly pipe: PipeInfo;
}

/** An attached pipe is gone. */
export interface PipeRemovedEvent extends SocketEventBase<"pipe:removed"> {
  /** The pipe. */
  readonly pipe: PipeInfo;
  /** Why, when it ended on an error (ECONNRESET, EMSGSIZE, EPROTO…); undefined for a clean close. */
  readonly reason: SpError | undefined;
}

/**
 * A connection never attached: a failed handshake (EPROTO: a wrong or
 * malformed header, ETIMEDOUT: none in time), the protocol refused it
 * (EISCONN: PAIR has its peer), or a `pipe:adding` listener did (ECONNREFUSED).
 */
export interface PipeRejectedEvent extends SocketEventBase<"pipe:rejected"> {
  /** The pipe. */
  readonly pipe: PipeInfo;
  /** Why it was refused. */
  readonly reason: SpError;
}

/** A dialer's attempt failed; it tries again after `retryIn` ms. */
export interface ConnectErrorEvent extends SocketEventBase<"connect:error"> {
  /** The dialer. */
  readonly endpoint: EndpointInfo;
  /** What failed: ECONNREFUSED, EHOSTUNREACH (no such host), EACCES… */
  readonly error: SpError;
  /** The delay before the next attempt, ms. */
  readonly retryIn: number;
}

/** A listener failed to accept a connection; it accepts again after `retryIn` ms. */
export interface AcceptErrorEvent extends SocketEventBase<"accept:error"> {
  /** The listener. */
  readonly endpoint: EndpointInfo;
  /** What failed. */
  readonly error: SpError;
  /** The pause before accepting again, ms. */
  readonly retryIn: number;
}

/** Messages were dropped for one reason since the last such event. */
export interface MessageDroppedEvent extends SocketEventBase<"message:dropped"> {
  /** Why. */
  readonly reason: DropReason;
  /** How many since the last event of this reason. */
  readonly count: number;
  /** The pipe of the last one, when a pipe was involved. */
  readonly pipe: PipeInfo | undefined;
  /** The reason in words. */
  readonly detail: string;
}

/** The socket has closed; iterators end after this event. */
export type SocketClosedEvent = SocketEventBase<"socket:closed">;

/** Event types and what they carry. */
export interface SocketEventMap {
  /** Before a pipe attaches; may refuse it. */
  "pipe:adding": PipeAddingEvent;
  /** A pipe attached. */
  "pipe:added": PipeAddedEvent;
  /** A pipe is gone. */
  "pipe:removed": PipeRemovedEvent;
  /** A connection never attached. */
  "pipe:rejected": PipeRejectedEvent;
  /** A connect attempt failed. */
  "connect:error": ConnectErrorEvent;
  /** An accept failed. */
  "accept:error": AcceptErrorEvent;
  /** Messages were dropped. */
  "message:dropped": MessageDroppedEvent;
  /** The socket closed. */
  "socket:closed": SocketClosedEvent;
}

/** The name of an event, e.g. `"pipe:added"`. */
export type SocketEventType = keyof SocketEventMap;

/** Any socket event; `type` tells which. */
export type SocketEvent = SocketEventMap[SocketEventType];

/** A listener for events of type `K`. */
export type SocketEventListener<K extends SocketEventType> = (event: SocketEventMap[K]) => void;

/** Options of a subscription. */
export interface ListenOptions {
  /** Unsubscribes when aborted. */
  signal?: AbortSignal;
  /** Unsubscribes after the first event. */
  once?: boolean;
}

/**
 * A socket's events (`socket.events`): subscribe per type, or iterate all.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * await using pull = openSocket("pull");
 * await using push = openSocket("push");
 * const stop = pull.events.on("pipe:added", (event) => console.log(event.pipe.name));
 * const { url } = await pull.listen("inproc://events-doc");
 * push.connect(url);
 * await pull.waitForPeers(1); // prints "pipe#… inproc events-doc⇄events-doc"
 * stop();
 * ```
 */
export interface SocketEvents extends AsyncIterable<SocketEvent> {
  /**
   * Calls `listener` for each event of `type` until the returned function
   * is called (or `options.signal` aborts).
   *
   * @returns a function that unsubscribes
   */
  on<K extends SocketEventType>(type: K, listener: SocketEventListener<K>, options?: ListenOptions): () => void;
  /** Stops calling `listener` for `type`. */
  off<K extends SocketEventType>(type: K, listener: SocketEventListener<K>): void;
  /** `EventTarget`'s spelling of {@linkcode SocketEvents.on}. */
  addEventListener<K extends SocketEventType>(type: K, listener: SocketEventListener<K>, options?: ListenOptions): void;
  /** `EventTarget`'s spelling of {@linkcode SocketEvents.off}. */
  removeEventListener<K extends SocketEventType>(type: K, listener: SocketEventListener<K>): void;
  /**
   * Every event from now on, until the socket closes (the iterator yields
   * `socket:closed` and ends) or the loop breaks. One that falls more than
   * {@linkcode ITERATOR_BUFFER} events behind loses the oldest.
   */
  [Symbol.asyncIterator](): AsyncIterator<SocketEvent>;
}
