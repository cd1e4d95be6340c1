/**
 * Keeps calls that complete at once from starving the event loop. A PUB
 * socket's `send` never waits, so `for (…) await pub.send(x)` would run on
 * microtasks alone: no timer, no socket read or write would ever get a
 * turn (its subscribers would see nothing until the loop ended). Every
 * {@linkcode CHECK_EVERY} calls that complete at once, the guard looks at
 * the time; once the event loop has not turned for {@linkcode TURN_BUDGET_MS},
 * the next such call resolves only after a turn of the loop (a macrotask:
 * `setImmediate` where the runtime has it, a `MessageChannel` message in
 * browsers). A loop that yields by itself pays one check per
 * {@linkcode CHECK_EVERY} calls and one scheduled no-op per check.
 *
 * This watches the real event loop, so it reads `performance.now()`, not
 * the runtime's (possibly manual) clock.
 *
 * @module
 */

/** Calls that complete at once between two looks at the time. */
export const CHECK_EVERY = 64;

/** How long the event loop may go without a turn before fast calls wait for one, ms. */
export const TURN_BUDGET_MS = 5;

type Schedule = (callback: () => void) => void;

/** The cheapest macrotask the runtime offers (a timer of 0 ms waits at least 1 ms in Deno). */
function macrotaskScheduler(): Schedule {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  if (typeof immediate === "function") return (callback) => void immediate(callback);
  if (typeof MessageChannel === "function") {
    const callbacks: (() => void)[] = [];
    let channel: MessageChannel | undefined;
    return (callback) => {
      if (channel === undefined) {
        channel = new MessageChannel();
        channel.port1.onmessage = () => callbacks.shift()?.();
      }
      callbacks.push(callback);
      channel.port2.postMessage(undefined);
    };
  }
  return (callback) => void setTimeout(callback, 0);
}

/**
 * One per runtime: whether the event loop has turned lately, and the turn
 * that fast calls wait for when it has not.
 *
 * @example Usage
 * ```ts
 * import { LoopTurns } from "./loop_turns.ts";
 * const turns = new LoopTurns();
 * let waited = 0;
 * const started = performance.now();
 * while (performance.now() - started < 20) {
 *   const turn = turns.pass(); // a call that completed at once
 *   if (turn !== undefined) {
 *     waited++;
 *     await turn;
 *   }
 * }
 * console.log(waited > 0); // true: the loop got its turns
 * ```
 */
export class LoopTurns {
  readonly #schedule: Schedule = macrotaskScheduler();
  /** Calls left before the next look at the time; 0 while a turn is pending (every call waits for it). */
  #countdown = CHECK_EVERY;
  /** When the pending sentinel was scheduled; -1 when none is pending (the loop turned since). */
  #armedAt = -1;
  #turn: Promise<void> | undefined;
  readonly #sentinel = () => {
    this.#armedAt = -1;
  };

  /**
   * Called for each call that completed without waiting.
   *
   * @returns undefined to resolve at once, or a turn of the loop to wait for first
   */
  pass(): Promise<void> | undefined {
    // The fast path: one decrement and one comparison.
    if (--this.#countdown > 0) return undefined;
    return this.#look();
  }

  #look(): Promise<void> | undefined {
    if (this.#turn !== undefined) return this.#turn;
    this.#countdown = CHECK_EVERY;
    const now = performance.now();
    if (this.#armedAt < 0) {
      this.#armedAt = now;
      this.#schedule(this.#sentinel);
      return undefined;
    }
    if (now - this.#armedAt < TURN_BUDGET_MS) return undefined;
    this.#countdown = 0;
    this.#turn = new Promise((resolve) =>
      this.#schedule(() => {
        this.#turn = undefined;
        this.#countdown = CHECK_EVERY;
        resolve();
      })
    );
    return this.#turn;
  }
}
