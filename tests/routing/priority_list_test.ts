/**
 * Unit tests of the priority list behind the load balancer and fair queue.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PriorityList } from "../../src/routing/priority_list.ts";

function order(list: PriorityList<string>, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(list.current()!);
    list.advance();
  }
  return out;
}

Deno.test("PriorityList round-robins within the best priority only", () => {
  const list = new PriorityList<string>();
  list.add("low", 9);
  list.add("a", 2);
  list.add("b", 2);
  assert.equal(list.bestPriority(), 2);
  assert.deepEqual(order(list, 4), ["a", "b", "a", "b"]);
});

Deno.test("PriorityList falls back to the next priority when the best empties", () => {
  const list = new PriorityList<string>();
  list.add("a", 1);
  list.add("x", 8);
  list.add("y", 8);
  list.remove("a");
  assert.equal(list.bestPriority(), 8);
  assert.deepEqual(order(list, 3), ["x", "y", "x"]);
  list.remove("x");
  list.remove("y");
  assert.equal(list.current(), undefined);
  assert.equal(list.bestPriority(), undefined);
  assert.equal(list.size, 0);
});

Deno.test("PriorityList.remove() keeps the round-robin position fair", () => {
  const list = new PriorityList<string>();
  for (const name of ["a", "b", "c", "d"]) list.add(name, 8);
  list.advance(); // at b
  list.advance(); // at c
  list.remove("a"); // items before the cursor shift it back
  assert.equal(list.current(), "c");
  list.remove("c"); // the current item leaves: its successor is next
  assert.equal(list.current(), "d");
  list.advance();
  assert.equal(list.current(), "b");
});

Deno.test("PriorityList ignores duplicate adds and clamps priorities to 1…16", () => {
  const list = new PriorityList<string>();
  list.add("a", 0);
  list.add("a", 5);
  list.add("b", 99);
  assert.equal(list.size, 2);
  assert.equal(list.bestPriority(), 1);
  list.remove("a");
  assert.equal(list.bestPriority(), 16);
});

Deno.test("PriorityList.deactivate() takes an item out of the round and add() puts it back at the end", () => {
  const list = new PriorityList<string>();
  for (const name of ["a", "b", "c"]) list.add(name, 8);
  list.deactivate("a");
  assert.equal(list.has("a"), false);
  assert.equal(list.size, 2);
  assert.deepEqual(order(list, 2), ["b", "c"]);
  list.add("a", 8);
  assert.deepEqual(order(list, 4), ["b", "c", "a", "b"]);
  list.deactivate("c");
  list.deactivate("a");
  list.deactivate("b");
  assert.equal(list.current(), undefined);
  list.add("c", 8);
  assert.equal(list.current(), "c");
});

Deno.test("PriorityList.retire() keeps an active item until it goes inactive, then forgets it", () => {
  const list = new PriorityList<string>();
  list.add("a", 3);
  list.retire("a");
  assert.equal(list.current(), "a");
  list.deactivate("a");
  assert.equal(list.bestPriority(), undefined);
  // Forgotten: a new add takes the new priority.
  list.add("a", 5);
  assert.equal(list.bestPriority(), 5);
  list.deactivate("a");
  list.retire("a");
  list.add("a", 7);
  assert.equal(list.bestPriority(), 7);
});

Deno.test("PriorityList survives heavy activate/deactivate churn across priorities", () => {
  const list = new PriorityList<number>();
  const active = new Set<number>();
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 5000; i++) {
    const item = next() % 20;
    const op = next() % 3;
    if (op === 0) {
      list.add(item, 1 + (item % 4));
      active.add(item);
    } else if (op === 1) {
      list.deactivate(item);
      active.delete(item);
    } else {
      list.advance();
    }
    assert.equal(list.size, active.size);
    const best = Math.min(...[...active].map((x) => 1 + (x % 4)));
    assert.equal(list.bestPriority(), active.size === 0 ? undefined : best);
    const cur = list.current();
    if (cur !== undefined) assert.ok(active.has(cur) && 1 + (cur % 4) === best);
  }
});
