/**
 * Callers waiting to send or receive, in arrival order, each with an
 * optional timeout (on the runtime's clock) and an optional AbortSignal.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { SpError } from "./errors.ts";
import { Queue } from "../routing/queue.ts";

interface Waiter<T> {
  readonly payload: Uint8Array | undefined;
  resolve(value: T): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/**
 * A FIFO of pending calls.
 *
 * @example Usage
 * ```ts
 * import { systemClock } from "./clock.ts";
 * import { WaitQueue } from "./wait_queue.ts";
 * const receivers = new WaitQueue<string>(systemClock);
 * const next = receivers.wait(undefined, -1);
 * receivers.resolveNext("hello");
 * console.log(await next); // "hello"
 * ```
 */
export class WaitQueue<T> {
  readonly #clock: Clock;
  #waiters = new Queue<Waiter<T>>();
  #bytes = 0;

  /** @param clock the clock timeouts run on */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** How many calls are waiting. */
  get length(): number {
    return this.#waiters.length;
  }

  /** Bytes of the payloads waiting (for sends). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The payload of the oldest waiting call. */
  peekPayload(): Uint8Array | undefined {
    return this.#waiters.peek()?.payload;
  }

  /**
   * Adds a waiting call.
   *
   * @param payload the message a send waits with, or undefined for a receive
   * @param timeout ms before it fails with ETIMEDOUT; -1 waits forever
   * @param signal cancels the wait with the signal's reason
   */
  wait(payload: Uint8Array | undefined, timeout: number, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      let timer: unknown;
      const fail = (error: unknown) => {
        if (this.#waiters.removeWhere((w) => w === waiter) > 0 && payload !== undefined) {
          this.#bytes -= payload.length;
        }
        waiter.cleanup();
        reject(error);
      };
      const onAbort = () => fail(signal!.reason);
      const waiter: Waiter<T> = {
        payload,
        resolve,
        reject,
        cleanup: () => {
          if (timer !== undefined) this.#clock.clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        },
      };
      if (timeout >= 0) {
        timer = this.#clock.setTimeout(() => {
          timer = undefined;
          const what = payload === undefined ? "no message arrived" : "no peer took the message";
          fail(new SpError("ETIMEDOUT", `${what} within ${timeout} ms`));
        }, timeout);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
      if (payload !== undefined) this.#bytes += payload.length;
    });
  }

  /** Completes the oldest waiting call with `value`. */
  resolveNext(value: T): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) return;
    if (waiter.payload !== undefined) this.#bytes -= waiter.payload.length;
    waiter.cleanup();
    waiter.resolve(value);
  }

  /** Fails every waiting call with `error`. */
  failAll(error: SpError): void {
    for (const waiter of this.#waiters.drain()) {
      waiter.cleanup();
      waiter.reject(error);
    }
    this.#bytes = 0;
  }
}
