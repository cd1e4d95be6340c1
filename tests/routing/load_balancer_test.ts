/**
 * Unit tests of the load balancer (PUSH's send side).
 *
 * @module
 */

import assert from "node:assert/strict";
import { LoadBalancer } from "../../src/routing/load_balancer.ts";
import { bytes, FakePipe } from "./_fake_pipe.ts";

Deno.test("LoadBalancer sends round-robin over pipes of the same priority", () => {
  const lb = new LoadBalancer();
  const [a, b, c] = [new FakePipe(1), new FakePipe(2), new FakePipe(3)];
  for (const p of [a, b, c]) lb.add(p);
  for (let i = 0; i < 6; i++) assert.ok(lb.send(bytes(`m${i}`)));
  assert.deepEqual(a.sent, ["m0", "m3"]);
  assert.deepEqual(b.sent, ["m1", "m4"]);
  assert.deepEqual(c.sent, ["m2", "m5"]);
});

Deno.test("LoadBalancer prefers the best send priority and falls back when it blocks", () => {
  const lb = new LoadBalancer();
  const fast = new FakePipe(1, 1, 2);
  const slow = new FakePipe(2, 8);
  lb.add(slow);
  lb.add(fast);
  for (let i = 0; i < 4; i++) lb.send(bytes(`m${i}`));
  assert.deepEqual(fast.sent, ["m0", "m1"]);
  assert.deepEqual(slow.sent, ["m2", "m3"]);
  fast.budget = 5;
  lb.writable(fast);
  lb.send(bytes("m4"));
  assert.deepEqual(fast.sent, ["m0", "m1", "m4"]);
});

Deno.test("LoadBalancer reports would-block when no pipe is writable", () => {
  const lb = new LoadBalancer();
  assert.equal(lb.canSend, false);
  assert.equal(lb.send(bytes("x")), false);
  const p = new FakePipe(1, 8, 1);
  lb.add(p);
  assert.equal(lb.send(bytes("x")), true);
  assert.equal(lb.canSend, false);
  assert.equal(lb.send(bytes("y")), false);
  lb.remove(p);
  lb.writable(new FakePipe(2, 8, 0)); // a pipe made writable then removed stays out
  assert.deepEqual(p.sent, ["x"]);
});

Deno.test("LoadBalancer ignores pipes that are not writable when added", () => {
  const lb = new LoadBalancer();
  lb.add(new FakePipe(1, 8, 0));
  assert.equal(lb.canSend, false);
});
