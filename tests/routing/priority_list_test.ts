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
