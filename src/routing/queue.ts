/**
 * A FIFO queue on a growable ring buffer: O(1) push and shift, no
 * allocation per element once warm.
 *
 * @module
 */

const EMPTY_ITEMS: never[] = [];

/**
 * A first-in first-out queue.
 *
 * @example Usage
 * ```ts
 * import { Queue } from "./queue.ts";
 * const q = new Queue<number>();
 * q.push(1);
 * q.push(2);
 * console.log(q.shift(), q.length); // 1 1
 * ```
 */
export class Queue<T> {
  // Empty until the first push: a queue that never holds anything (a
  // context's waiting sends) costs no array.
  #items: (T | undefined)[] = EMPTY_ITEMS;
  #head = 0;
  #length = 0;

  /** How many items are queued. */
  get length(): number {
    return this.#length;
  }

  /** Appends an item at the back. */
  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & (this.#items.length - 1)] = item;
    this.#length++;
  }

  /** Removes and returns the front item. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#length--;
    return item;
  }

  /** The front item, left in place. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes every item matching `pred`, keeping order; returns how many. */
  removeWhere(pred: (item: T) => boolean): number {
    const kept: T[] = [];
    let removed = 0;
    while (this.#length > 0) {
      const item = this.shift() as T;
      if (pred(item)) removed++;
      else kept.push(item);
    }
    for (const item of kept) this.push(item);
    return removed;
  }

  /** Removes and returns every item, front first. */
  drain(): T[] {
    const out: T[] = [];
    while (this.#length > 0) out.push(this.shift() as T);
    return out;
  }

  #grow(): void {
    const old = this.#items;
    const next: (T | undefined)[] = new Array(Math.max(8, old.length * 2));
    for (let i = 0; i < this.#length; i++) {
      next[i] = old[(this.#head + i) & (old.length - 1)];
    }
    this.#items = next;
    this.#head = 0;
  }
}
