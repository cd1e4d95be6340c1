/**
 * Sixteen priority slots with round-robin inside each: the shared base of
 * the load balancer and the fair queue (nanomsg's priolist). Priority 1 is
 * the highest.
 *
 * @module
 */

/** Lowest (best) priority value. */
export const PRIORITY_MIN = 1;
/** Highest (worst) priority value. */
export const PRIORITY_MAX = 16;

interface Slot<T> {
  items: T[];
  cursor: number;
}

/**
 * Active items grouped by priority; `current` is the next one in
 * round-robin order within the best non-empty priority.
 *
 * @example Usage
 * ```ts
 * import { PriorityList } from "./priority_list.ts";
 * const list = new PriorityList<string>();
 * list.add("a", 8);
 * list.add("b", 8);
 * list.add("c", 9);
 * console.log(list.current()); // "a"
 * list.advance();
 * console.log(list.current()); // "b"
 * ```
 */
export class PriorityList<T> {
  #slots: Slot<T>[] = Array.from({ length: PRIORITY_MAX }, () => ({ items: [], cursor: 0 }));
  #best = PRIORITY_MAX; // index of the best non-empty slot, or PRIORITY_MAX when none
  #prio = new Map<T, number>();

  /** How many items are active. */
  get size(): number {
    return this.#prio.size;
  }

  /** Whether the item is active. */
  has(item: T): boolean {
    return this.#prio.has(item);
  }

  /** Activates an item at a priority (1…16); already active items stay put. */
  add(item: T, priority: number): void {
    if (this.#prio.has(item)) return;
    const index = Math.min(PRIORITY_MAX, Math.max(PRIORITY_MIN, priority)) - 1;
    this.#prio.set(item, index);
    this.#slots[index]!.items.push(item);
    if (index < this.#best) this.#best = index;
  }

  /** Deactivates an item; unknown items are ignored. */
  remove(item: T): void {
    const index = this.#prio.get(item);
    if (index === undefined) return;
    this.#prio.delete(item);
    const slot = this.#slots[index]!;
    const at = slot.items.indexOf(item);
    slot.items.splice(at, 1);
    if (at < slot.cursor) slot.cursor--;
    if (slot.cursor >= slot.items.length) slot.cursor = 0;
    if (slot.items.length === 0 && index === this.#best) this.#findBest();
  }

  /** The next item in round-robin order within the best priority. */
  current(): T | undefined {
    if (this.#best === PRIORITY_MAX) return undefined;
    const slot = this.#slots[this.#best]!;
    return slot.items[slot.cursor];
  }

  /** The best active priority (1…16), or undefined when empty. */
  bestPriority(): number | undefined {
    return this.#best === PRIORITY_MAX ? undefined : this.#best + 1;
  }

  /** Moves the round-robin cursor of the best priority one step. */
  advance(): void {
    if (this.#best === PRIORITY_MAX) return;
    const slot = this.#slots[this.#best]!;
    slot.cursor = (slot.cursor + 1) % slot.items.length;
  }

  #findBest(): void {
    this.#best = this.#slots.findIndex((s) => s.items.length > 0);
    if (this.#best < 0) this.#best = PRIORITY_MAX;
  }
}
