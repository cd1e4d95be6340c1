/**
 * Callers waiting to send or receive, in arrival order, each with an
 * optional timeout (on the runtime's clock) and an optional AbortSignal.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { failure, type SpError } from "./errors.ts";
import { Queue } from "../routing/queue.ts";

/** The errors a wait fails with when it times out or is aborted. */
export interface WaitErrors {
  /** ETIMEDOUT after `timeout` ms. */
  timedOut(timeout: number): SpError;
  /** ECANCELED for an aborted signal. */
  canceled(signal: AbortSignal): SpError;
}

interface Waiter<T, W> {
  readonly item: W;
  readonly size: number;
  /** Settles the call: with its value, or with a {@linkcode failure} to fail it. */
  resolve(value: T | PromiseLike<T>): void;
  cleanup(): void;
}

/** The cleanup of a wait that has no timer and no signal. */
function nothing(): void {}

/**
 * A FIFO of pending calls; each carries an item (the message a send waits
 * with, or what a receive wants) and its size in bytes.
 *
 * @example Usage
 * ```ts
 * import { SpError, systemClock } from "@sp/nanomsg";
 * import { WaitQueue } from "./wait_queue.ts";
 * const receivers = new WaitQueue<string, undefined>(systemClock, {
 *   timedOut: (ms) => new SpError("ETIMEDOUT", `nothing within ${ms} ms`),
 *   canceled: (signal) => new SpError("ECANCELED", "aborted", { cause: signal.reason }),
 * });
 * const next = receivers.wait(undefined, 0, -1);
 * receivers.resolveNext("hello");
 * console.log(await next); // "hello"
 * ```
 */
export class WaitQueue<T, W> {
  readonly #clock: Clock;
  readonly #errors: WaitErrors;
  #waiters = new Queue<Waiter<T, W>>();
  #bytes = 0;

  /**
   * @param clock the clock timeouts run on
   * @param errors makes the errors of timed-out and aborted waits
   */
  constructor(clock: Clock, errors: WaitErrors) {
    this.#clock = clock;
    this.#errors = errors;
  }

  /** How many calls are waiting. */
  get length(): number {
    return this.#waiters.length;
  }

  /** Bytes of the payloads waiting (for sends). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The item of the oldest waiting call. */
  peekItem(): W | undefined {
    return this.#waiters.peek()?.item;
  }

  /**
   * Adds a waiting call.
   *
   * @param item what the call waits with
   * @param size the item's size in bytes (0 for a receive)
   * @param timeout ms before it fails with ETIMEDOUT; -1 waits forever
   * @param signal cancels the wait (ECANCELED)
   * @returns the call's result; its errors are made where the caller awaits it (see {@linkcode failure})
   */
  wait(item: W, size: number, timeout: number, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.resolve(failure(this.#errors.canceled(signal)));
    if (timeout < 0 && signal === undefined) {
      // The common wait (no timeout, no signal): nothing to clean up, so no
      // closures beyond the promise's own; a receive waiting for each
      // message of a stream makes one of these per message.
      return new Promise<T>((resolve) => {
        this.#waiters.push({ item, size, resolve, cleanup: nothing });
        this.#bytes += size;
      });
    }
    return new Promise<T>((resolve) => {
      let timer: unknown;
      const fail = (error: unknown) => {
        if (this.#waiters.removeWhere((w) => w === waiter) > 0) this.#bytes -= size;
        waiter.cleanup();
        resolve(failure(error));
      };
      const onAbort = () => fail(this.#errors.canceled(signal!));
      const waiter: Waiter<T, W> = {
        item,
        size,
        resolve,
        cleanup: () => {
          if (timer !== undefined) this.#clock.clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        },
      };
      if (timeout >= 0) {
        timer = this.#clock.setTimeout(() => {
          timer = undefined;
          fail(this.#errors.timedOut(timeout));
        }, timeout);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#bytes += size;
    });
  }

  /** Completes the oldest waiting call with `value`. */
  resolveNext(value: T): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) return;
    this.#bytes -= waiter.size;
    waiter.cleanup();
    waiter.resolve(value);
  }

  /** Fails the oldest waiting call with `error`. */
  rejectNext(error: unknown): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) return;
    this.#bytes -= waiter.size;
    waiter.cleanup();
    waiter.resolve(failure(error));
  }

  /** Fails every waiting call with `error`. */
  failAll(error: SpError): void {
    for (const waiter of this.#waiters.drain()) {
      waiter.cleanup();
      waiter.resolve(failure(error));
    }
    this.#bytes = 0;
  }
}
