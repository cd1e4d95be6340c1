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

/**
 * Why a message was dropped:
 * - `oversize`: larger than the receiver's RCVMAXSIZE; the connection is closed;
 * - `ttl`: no request id within NN_MAXTTL backtrace words (too many hops);
 * - `malformed`: a header that cannot be read (shorter than a backtrace word…);
 * - `no-peer`: the pipe it is addressed to is gone (a reply whose requester left);
 * - `slow-peer`: its pipe could not take it (best effort: PUB, SURVEYOR, BUS, replies);
 * - `stale`: a reply or answer to a request or survey that is no longer open;
 * - `unexpected`: sent by a peer that should send nothing (a SUB talking to its PUB).
 */
export type DropReason = "oversize" | "ttl" | "malformed" | "no-peer" | "slow-peer" | "stale" | "unexpected";

/** Every drop reason, in the order statistics list them. */
export const DROP_REASONS: readonly DropReason[] = [
  "oversize",
  "ttl",
  "malformed",
  "no-peer",
  "slow-peer",
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

/** How many events an iterator keeps for a consumer that is behind. */
export const ITERATOR_BUFFER = 1024;

type AnyListener = (event: SocketEvent) => void;

function report(err: unknown): void {
  const reportError = (globalThis as { reportError?: (err: unknown) => void }).reportError;
  if (typeof reportError === "function") reportError(err);
  else {queueMicrotask(() => {
      throw err;
    });}
}

/** One `for await` over the events. */
class EventIterator implements AsyncIterator<SocketEvent> {
  readonly #buffer: SocketEvent[] = [];
  #waiting: ((result: IteratorResult<SocketEvent>) => void) | undefined;
  #done = false;
  readonly #detach: (it: EventIterator) => void;

  constructor(detach: (it: EventIterator) => void) {
    this.#detach = detach;
  }

  push(event: SocketEvent): void {
    if (this.#done) return;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting({ value: event, done: false });
    } else {
      if (this.#buffer.length >= ITERATOR_BUFFER) this.#buffer.shift();
      this.#buffer.push(event);
    }
  }

  /** No more events will come: the consumer gets what is buffered, then the end. */
  finish(): void {
    this.#done = true;
    if (this.#buffer.length === 0) this.#resolveEnd();
  }

  next(): Promise<IteratorResult<SocketEvent>> {
    const event = this.#buffer.shift();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting = resolve);
  }

  return(): Promise<IteratorResult<SocketEvent>> {
    this.#done = true;
    this.#buffer.length = 0;
    this.#detach(this);
    this.#resolveEnd();
    return Promise.resolve({ value: undefined, done: true });
  }

  #resolveEnd(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }
}

/**
 * The socket side of {@linkcode SocketEvents}: who listens, and delivery.
 * Internal to the core.
 */
export class EventHub implements SocketEvents {
  readonly #listeners = new Map<SocketEventType, Set<AnyListener>>();
  readonly #iterators = new Set<EventIterator>();
  #queue: SocketEvent[] = [];
  #closed = false;
  readonly #flush = () => this.#deliverQueued();

  /** Whether anybody would see an event of `type`: build it only then. */
  wants(type: SocketEventType): boolean {
    return this.#iterators.size > 0 || (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  /** Queues an event for delivery in a microtask (outside the machine transition that caused it). */
  emit(event: SocketEvent): void {
    if (this.#closed) return;
    if (this.#queue.length === 0) queueMicrotask(this.#flush);
    this.#queue.push(event);
    if (event.type === "socket:closed") this.#closed = true;
  }

  /** Delivers an event at once (`pipe:adding`, whose listeners decide before the pipe attaches). */
  emitNow(event: SocketEvent): void {
    this.#deliver(event);
  }

  on<K extends SocketEventType>(type: K, listener: SocketEventListener<K>, options?: ListenOptions): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, set = new Set());
    const signal = options?.signal;
    if (signal?.aborted) return () => {};
    const registered: AnyListener = options?.once
      ? (event) => {
        off();
        (listener as AnyListener)(event);
      }
      : listener as AnyListener;
    const onAbort = () => off();
    const off = () => {
      set.delete(registered);
      signal?.removeEventListener("abort", onAbort);
    };
    set.add(registered);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (registered !== listener) this.#wrapped.set(listener as AnyListener, registered);
    return off;
  }

  readonly #wrapped = new WeakMap<AnyListener, AnyListener>();

  off<K extends SocketEventType>(type: K, listener: SocketEventListener<K>): void {
    const set = this.#listeners.get(type);
    if (set === undefined) return;
    set.delete(listener as AnyListener);
    const wrapped = this.#wrapped.get(listener as AnyListener);
    if (wrapped !== undefined) set.delete(wrapped);
  }

  addEventListener<K extends SocketEventType>(
    type: K,
    listener: SocketEventListener<K>,
    options?: ListenOptions,
  ): void {
    this.on(type, listener, options);
  }

  removeEventListener<K extends SocketEventType>(type: K, listener: SocketEventListener<K>): void {
    this.off(type, listener);
  }

  [Symbol.asyncIterator](): AsyncIterator<SocketEvent> {
    const iterator = new EventIterator((it) => this.#iterators.delete(it));
    if (this.#closed) iterator.finish();
    else this.#iterators.add(iterator);
    return iterator;
  }

  #deliverQueued(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const event of queue) this.#deliver(event);
  }

  #deliver(event: SocketEvent): void {
    const set = this.#listeners.get(event.type);
    if (set !== undefined) {
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch (err) {
          report(err);
        }
      }
    }
    for (const iterator of this.#iterators) iterator.push(event);
    if (event.type === "socket:closed") {
      for (const iterator of this.#iterators) iterator.finish();
      this.#iterators.clear();
      this.#listeners.clear();
    }
  }
}
