/**
 * Clocks: every timer of a runtime goes through one, so tests can drive
 * reconnects, timeouts and linger without waiting.
 *
 * @module
 */

/** An opaque timer handle. */
export type TimerId = unknown;

/** The timer interface a runtime, its sockets and its machines use. */
export interface Clock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerId;
  /** Cancels a timer; unknown ids are ignored. */
  clearTimeout(id: TimerId): void;
}

/**
 * The real clock, backed by the event loop's timers.
 *
 * @example Usage
 * ```ts
 * import { systemClock } from "@sp/nanomsg";
 * const id = systemClock.setTimeout(() => {}, 10);
 * systemClock.clearTimeout(id);
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as number),
};

/**
 * A clock that moves only when told to: for deterministic tests of
 * reconnect back-off, timeouts and linger.
 *
 * @example Usage
 * ```ts
 * import { ManualClock } from "@sp/nanomsg";
 * const clock = new ManualClock();
 * let fired = false;
 * clock.setTimeout(() => fired = true, 100);
 * clock.advance(100);
 * console.log(fired); // true
 * ```
 */
export class ManualClock implements Clock {
  #now = 0;
  #nextId = 1;
  #timers = new Map<number, { at: number; fn: () => void }>();

  /** The current simulated time in milliseconds. */
  now(): number {
    return this.#now;
  }

  /** Schedules `fn` at now + `ms`. */
  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  /** Cancels a scheduled timer. */
  clearTimeout(id: TimerId): void {
    this.#timers.delete(id as number);
  }

  /** How many timers are scheduled. */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order (timers that
   * fire schedule new ones, which fire too when they fall inside the step).
   *
   * @param ms how far to move
   */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Infinity;
      for (const [id, t] of this.#timers) {
        if (t.at < nextAt) [nextId, nextAt] = [id, t.at];
      }
      if (nextId === undefined || nextAt > target) break;
      const timer = this.#timers.get(nextId)!;
      this.#timers.delete(nextId);
      this.#now = nextAt;
      timer.fn();
    }
    this.#now = target;
  }
}
