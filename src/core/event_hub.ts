/**
 * The socket side of {@linkcode SocketEvents}: who listens, and delivery.
 * Listeners of each type in a set; each `for await` over the events an
 * {@linkcode EventIterator} with a bounded buffer. Events are queued and
 * delivered in a microtask (`pipe:adding` at once), and a listener's
 * exception goes to the global error handler, as an `EventTarget`'s would.
 *
 * @module
 */

import {
  ITERATOR_BUFFER,
  type ListenOptions,
  type SocketEvent,
  type SocketEventListener,
  type SocketEvents,
  type SocketEventType,
} from "./socket_events.ts";

type AnyListener = (event: SocketEvent) => void;

/**
 * Reports a listener's exception as an `EventTarget` would: to the global
 * error handler. Internal to the core.
 */
export function reportListenerError(err: unknown): void {
  const reportError = (globalThis as { reportError?: (err: unknown) => void }).reportError;
  if (typeof reportError === "function") return reportError(err);
  queueMicrotask(() => {
    throw err;
  });
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
  /** `once` listeners by what the caller passed, so `off()` finds them. */
  readonly #wrapped = new WeakMap<AnyListener, AnyListener>();
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
          reportListenerError(err);
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
