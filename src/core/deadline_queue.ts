/**
 * Deadlines that all lie the same time ahead (a runtime's handshake
 * timeout) share one timer: they come due in the order they were set, so
 * they wait in a FIFO and only the oldest one still standing has a timer
 * on the clock. Setting and cancelling one is a push and a field write
 * while others stand; once none stands, the timer is cleared (nothing is
 * left pending on the clock, and nothing keeps the process alive).
 *
 * @module
 */

import type { Clock, TimerId } from "./clock.ts";
import { Queue } from "../routing/queue.ts";

/** One deadline; `cancel()` it when it is no longer wanted. */
export interface Deadline {
  /** Drops the deadline: its callback will not run. */
  cancel(): void;
}

/** What the queue's timer field holds while deadlines run (no timer is armed then). */
const FIRING: unique symbol = Symbol("firing");

class Entry implements Deadline {
  constructor(readonly queue: DeadlineQueue, readonly at: number, public due: (() => void) | undefined) {}

  cancel(): void {
    if (this.due === undefined) return;
    this.due = undefined; // left in the queue, skipped when its turn comes
    this.queue.cancelled();
  }
}

/**
 * Deadlines of one fixed delay on a clock, with one timer among them.
 *
 * @example Usage
 * ```ts
 * import { ManualClock } from "@sp/nanomsg";
 * import { DeadlineQueue } from "./deadline_queue.ts";
 * const clock = new ManualClock();
 * const deadlines = new DeadlineQueue(clock, 1000);
 * const fired: string[] = [];
 * deadlines.set(() => fired.push("a"));
 * const b = deadlines.set(() => fired.push("b"));
 * b.cancel();
 * clock.advance(1000);
 * console.log(fired); // ["a"]
 * ```
 */
export class DeadlineQueue {
  readonly #clock: Clock;
  readonly #delay: number;
  #entries = new Queue<Entry>();
  /** Deadlines set and neither run nor cancelled. */
  #standing = 0;
  /** The one timer, for the oldest deadline still standing; {@linkcode FIRING} while deadlines run. */
  #timer: TimerId | undefined;

  /**
   * @param clock the clock deadlines run on
   * @param delay ms from setting a deadline to its callback
   */
  constructor(clock: Clock, delay: number) {
    this.#clock = clock;
    this.#delay = delay;
  }

  /**
   * Runs `due` once the delay has passed, unless cancelled first.
   *
   * @returns the deadline, to cancel
   */
  set(due: () => void): Deadline {
    const entry = new Entry(this, this.#clock.now() + this.#delay, due);
    this.#entries.push(entry);
    this.#standing++;
    if (this.#timer === undefined) this.#arm(entry.at);
    return entry;
  }

  /** A deadline was cancelled (called by the deadline). */
  cancelled(): void {
    if (--this.#standing > 0 || this.#timer === FIRING) return;
    // None stands: no timer, and the cancelled ones can go at once.
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#entries = new Queue();
  }

  #arm(at: number): void {
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.max(0, at - this.#clock.now()));
  }

  #fire(): void {
    // A deadline set by a callback below joins the queue without a timer
    // of its own; the one timer is armed once the due ones have run.
    this.#timer = FIRING;
    const now = this.#clock.now();
    let head = this.#entries.peek();
    // Cancelled deadlines go whenever they reach the front, due or not.
    while (head !== undefined && (head.due === undefined || head.at <= now)) {
      this.#entries.shift();
      const due = head.due;
      if (due !== undefined) {
        head.due = undefined;
        this.#standing--;
        due();
      }
      head = this.#entries.peek();
    }
    this.#timer = undefined;
    if (head !== undefined) this.#arm(head.at);
  }
}
