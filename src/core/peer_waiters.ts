/**
 * Calls waiting for a socket's peers (`waitForPeers`): each resolves once
 * at least its number of pipes is attached, or fails on its timeout (with
 * a message saying what went wrong meanwhile), its signal (ECANCELED) or
 * the socket's close.
 *
 * @module
 */

import type { Clock, TimerId } from "./clock.ts";
import { canceled, failure, SpError } from "./errors.ts";

interface Waiter {
  readonly count: number;
  resolve(count: number): void;
  reject(error: unknown): void;
}

/** Why a wait for peers timed out: words for the message, and the error behind them. */
export interface PeerWaitExplanation {
  /** How many pipes are attached. */
  readonly attached: number;
  /** e.g. `; last trouble (12 ms ago): dialer#1 …`, or empty. */
  readonly text: string;
  /** The last error, as the timeout's `cause`. */
  readonly cause: SpError | undefined;
}

/**
 * The pending `waitForPeers` calls of one socket. Internal to the core.
 *
 * @example Usage
 * ```ts
 * import { systemClock } from "@sp/nanomsg";
 * import { PeerWaiters } from "./peer_waiters.ts";
 * const waiters = new PeerWaiters(systemClock, "socket#1(pub)");
 * const two = waiters.wait(2, 0, -1, undefined, () => ({ attached: 0, text: "", cause: undefined }));
 * waiters.attached(2);
 * console.log(await two); // 2
 * ```
 */
export class PeerWaiters {
  readonly #clock: Clock;
  readonly #socket: string;
  readonly #waiters = new Set<Waiter>();

  /**
   * @param clock the clock timeouts run on
   * @param socket the socket's name, for messages
   */
  constructor(clock: Clock, socket: string) {
    this.#clock = clock;
    this.#socket = socket;
  }

  /**
   * Waits until `count` pipes are attached.
   *
   * @param count how many pipes to wait for
   * @param attached how many are attached now
   * @param timeout ms, -1 forever
   * @param signal cancels the wait
   * @param explain what went wrong meanwhile, asked when the wait times out
   * @returns the number of attached pipes
   */
  wait(
    count: number,
    attached: number,
    timeout: number,
    signal: AbortSignal | undefined,
    explain: () => PeerWaitExplanation,
  ): Promise<number> {
    const what = `${this.#socket}: waitForPeers(${count})`;
    if (attached >= count) return Promise.resolve(attached);
    if (signal?.aborted) return Promise.resolve(failure(canceled(signal, what)));
    return new Promise<number>((resolve) => {
      let timer: TimerId | undefined;
      const onAbort = () => waiter.reject(canceled(signal!, what));
      const finish = () => {
        this.#waiters.delete(waiter);
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        count,
        resolve: (n) => {
          finish();
          resolve(n);
        },
        reject: (error) => {
          finish();
          resolve(failure(error));
        },
      };
      if (timeout >= 0) {
        timer = this.#clock.setTimeout(() => {
          timer = undefined;
          const { attached, text, cause } = explain();
          const message = `${what} gave up after ${timeout} ms with ${attached} attached${text}`;
          waiter.reject(new SpError("ETIMEDOUT", message, { cause }));
        }, timeout);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** `attached` pipes are attached now: resolves the waits that asked for no more. */
  attached(attached: number): void {
    for (const waiter of this.#waiters) if (attached >= waiter.count) waiter.resolve(attached);
  }

  /** Fails every wait (the socket is closing). */
  failAll(error: SpError): void {
    for (const waiter of this.#waiters) waiter.reject(error);
  }
}
