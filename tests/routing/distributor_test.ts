/**
 * Unit tests of the distributor (PUB, SURVEYOR and BUS fan-out).
 *
 * @module
 */

import assert from "node:assert/strict";
import { Distributor } from "../../src/routing/distributor.ts";
import { bytes, FakePipe } from "./_fake_pipe.ts";

Deno.test("Distributor sends to every pipe, skipping the excluded one", () => {
  const dist = new Distributor();
  const [a, b, c] = [new FakePipe(1), new FakePipe(2), new FakePipe(3)];
  for (const p of [a, b, c]) dist.add(p);
  assert.equal(dist.send(bytes("all")), 3);
  assert.equal(dist.send(bytes("not b"), undefined, b), 2);
  assert.deepEqual([a.sent, b.sent, c.sent], [["all", "not b"], ["all"], ["all", "not b"]]);
});

Deno.test("Distributor skips pipes that cannot keep up and never blocks", () => {
  const skipped: number[] = [];
  const dist = new Distributor((pipe) => skipped.push(pipe.id));
  const fast = new FakePipe(1);
  const slow = new FakePipe(2, 8, 1);
  dist.add(fast);
  dist.add(slow);
  dist.send(bytes("one"));
  assert.equal(dist.send(bytes("two")), 1);
  assert.deepEqual(slow.sent, ["one"]);
  dist.remove(fast);
  assert.equal(dist.send(bytes("three")), 0);
  assert.equal(dist.size, 1);
  assert.deepEqual(skipped, [2, 2]);
});
