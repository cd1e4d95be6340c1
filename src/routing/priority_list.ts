/**
 * Sixteen priority slots with round-robin inside each: the shared base of
 * the load balancer and the fair queue (nanomsg's priolist). Priority 1 is
 * the highest.
 *
 * Items turn active and inactive once per message on a busy pipe (readable,
 * then drained), so both are O(1): each slot is a linked list, and an item
 * that goes inactive keeps its node so that coming back costs one lookup.
 * `remove()` forgets an item for good.
 *
 * @module
 */

/** Lowest (best) priority value. */
export const PRIORITY_MIN = 1;
/** Highest (worst) priority value. */
export const PRIORITY_MAX = 16;

interface Node<T> {
  readonly item: T;
  slot: number;
  prev: Node<T> | undefined;
  next: Node<T> | undefined;
  active: boolean;
  /** Forget the item once it goes inactive (it left while still active). */
  leaving: boolean;
}

interface Slot<T> {
  head: Node<T> | undefined;
  tail: Node<T> | undefined;
  cursor: Node<T> | undefined;
}

/**
 * Active items grouped by priority; `current` is the next one in
 * round-robin order within the best non-empty priority. New items join at
 * the end of their priority's round.
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
  #slots: Slot<T>[] = Array.from({ length: PRIORITY_MAX }, () => ({
    head: undefined,
    tail: undefined,
    cursor: undefined,
  }));
  // No slot before this one has items; the slot itself may have emptied
  // since (found out when next asked: a lone busy pipe leaves and comes
  // back once per message, and a scan each time would be wasted).
  #best = PRIORITY_MAX;
  #nodes = new Map<T, Node<T>>();
  #recent: Node<T> | undefined; // the last node looked up: a busy pipe comes back again and again
  #active = 0;

  /** How many items are active. */
  get size(): number {
    return this.#active;
  }

  /** Whether the item is active. */
  has(item: T): boolean {
    return this.#nodes.get(item)?.active === true;
  }

  /** Activates an item at a priority (1…16); already active items stay put. */
  add(item: T, priority: number): void {
    let node = this.#node(item);
    if (node === undefined) {
      const slot = Math.min(PRIORITY_MAX, Math.max(PRIORITY_MIN, priority)) - 1;
      node = { item, slot, prev: undefined, next: undefined, active: false, leaving: false };
      this.#nodes.set(item, node);
      this.#recent = node;
    }
    if (node.active) return;
    node.active = true;
    this.#active++;
    const slot = this.#slots[node.slot]!;
    node.prev = slot.tail;
    node.next = undefined;
    if (slot.tail === undefined) {
      slot.head = slot.tail = slot.cursor = node;
      if (node.slot < this.#best) this.#best = node.slot;
    } else {
      slot.tail.next = node;
      slot.tail = node;
    }
  }

  /** Deactivates an item but remembers it, so that it comes back cheaply. */
  deactivate(item: T): void {
    const node = this.#node(item);
    if (node === undefined) return;
    if (node.active) this.#unlink(node);
    if (node.leaving) this.#forget(node);
  }

  /** Deactivates an item and forgets it; unknown items are ignored. */
  remove(item: T): void {
    const node = this.#node(item);
    if (node === undefined) return;
    if (node.active) this.#unlink(node);
    this.#forget(node);
  }

  /** Keeps an item active until it is next deactivated, then forgets it. */
  retire(item: T): void {
    const node = this.#node(item);
    if (node === undefined) return;
    if (node.active) node.leaving = true;
    else this.#forget(node);
  }

  /** The next item in round-robin order within the best priority. */
  current(): T | undefined {
    const best = this.#findBest();
    return best === PRIORITY_MAX ? undefined : this.#slots[best]!.cursor!.item;
  }

  /** The best active priority (1…16), or undefined when empty. */
  bestPriority(): number | undefined {
    const best = this.#findBest();
    return best === PRIORITY_MAX ? undefined : best + 1;
  }

  /** Moves the round-robin cursor of the best priority one step. */
  advance(): void {
    const best = this.#findBest();
    if (best === PRIORITY_MAX) return;
    const slot = this.#slots[best]!;
    slot.cursor = slot.cursor!.next ?? slot.head;
  }

  #node(item: T): Node<T> | undefined {
    const recent = this.#recent;
    if (recent !== undefined && recent.item === item) return recent;
    const node = this.#nodes.get(item);
    if (node !== undefined) this.#recent = node;
    return node;
  }

  #forget(node: Node<T>): void {
    this.#nodes.delete(node.item);
    if (this.#recent === node) this.#recent = undefined;
  }

  #unlink(node: Node<T>): void {
    node.active = false;
    this.#active--;
    const slot = this.#slots[node.slot]!;
    // The item after the one leaving is next in the round.
    if (slot.cursor === node) slot.cursor = node.next ?? (node.prev === undefined ? undefined : slot.head);
    if (node.prev === undefined) slot.head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) slot.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = undefined;
  }

  #findBest(): number {
    let best = this.#best;
    if (best === PRIORITY_MAX || this.#slots[best]!.head !== undefined) return best;
    if (this.#active === 0) return this.#best = PRIORITY_MAX;
    while (this.#slots[best]!.head === undefined) best++;
    return this.#best = best;
  }
}
