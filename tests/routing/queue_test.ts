/**
 * Unit tests of the ring-buffer queue.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Queue } from "../../src/routing/queue.ts";

Deno.test("Queue keeps FIFO order across growth and wrap-around", () => {
  const q = new Queue<number>();
  let next = 0;
  let expected = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 7; i++) q.push(next++);
    for (let i = 0; i < 5; i++) assert.equal(q.shift(), expected++);
  }
  assert.equal(q.length, 100);
  while (q.length > 0) assert.equal(q.shift(), expected++);
  assert.equal(q.shift(), undefined);
  assert.equal(q.peek(), undefined);
});

Deno.test("Queue.removeWhere() removes matches and keeps the rest in order", () => {
  const q = new Queue<number>();
  for (let i = 0; i < 10; i++) q.push(i);
  assert.equal(q.removeWhere((n) => n % 3 === 0), 4);
  assert.deepEqual(q.drain(), [1, 2, 4, 5, 7, 8]);
  assert.equal(q.length, 0);
});
