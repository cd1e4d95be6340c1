/**
 * DeadlineQueue: deadlines of one delay share one timer, run in order at
 * their time, and cancelled ones never run. Manual clock, no waiting.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Clock, ManualClock } from "../../mod.ts";
import { DeadlineQueue } from "../../src/core/deadline_queue.ts";

/** A manual clock that counts the timers set on it. */
function countingClock(): { clock: ManualClock & Clock; armed: () => number } {
  const clock = new ManualClock();
  let armed = 0;
  const setTimeout = clock.setTimeout.bind(clock);
  clock.setTimeout = (fn, ms) => {
    armed++;
    return setTimeout(fn, ms);
  };
  return { clock, armed: () => armed };
}

Deno.test("deadlines run in order at their time, cancelled ones never", () => {
  const { clock } = countingClock();
  const deadlines = new DeadlineQueue(clock, 1000);
  const fired: string[] = [];
  deadlines.set(() => fired.push("a"));
  clock.advance(100);
  const b = deadlines.set(() => fired.push("b"));
  clock.advance(100);
  deadlines.set(() => fired.push("c"));
  b.cancel();
  clock.advance(799);
  assert.deepEqual(fired, []);
  clock.advance(1); // t = 1000
  assert.deepEqual(fired, ["a"]);
  clock.advance(199); // t = 1199: b's time has passed, c's not yet
  assert.deepEqual(fired, ["a"]);
  clock.advance(1); // t = 1200
  assert.deepEqual(fired, ["a", "c"]);
});

Deno.test("deadlines share one timer: while one stands, a thousand set and cancelled arm none of their own", () => {
  const { clock, armed } = countingClock();
  const deadlines = new DeadlineQueue(clock, 1000);
  let fired = 0;
  const standing = deadlines.set(() => fired++);
  for (let i = 0; i < 1000; i++) {
    deadlines.set(() => fired++).cancel();
    clock.advance(0.5);
  }
  assert.equal(armed(), 1);
  clock.advance(500); // t = 1000
  assert.equal(fired, 1);
  standing.cancel(); // it has run: nothing changes
  clock.advance(2000);
  assert.equal(fired, 1);
  assert.equal(armed(), 1, "the cancelled ones were dropped when the timer fired, with no timer for them");
});

Deno.test("once no deadline stands, no timer is pending", () => {
  const { clock, armed } = countingClock();
  const deadlines = new DeadlineQueue(clock, 1000);
  let fired = 0;
  const a = deadlines.set(() => fired++);
  const b = deadlines.set(() => fired++);
  a.cancel();
  assert.equal(clock.pending, 1);
  b.cancel();
  assert.equal(clock.pending, 0);
  const c = deadlines.set(() => fired++);
  assert.equal(clock.pending, 1);
  assert.equal(armed(), 2);
  clock.advance(1000);
  assert.equal(fired, 1);
  assert.equal(clock.pending, 0);
  c.cancel();
  assert.equal(clock.pending, 0);
});

Deno.test("a deadline set while deadlines run waits its full delay, with still one timer", () => {
  const { clock, armed } = countingClock();
  const deadlines = new DeadlineQueue(clock, 100);
  const fired: number[] = [];
  deadlines.set(() => {
    fired.push(clock.now());
    deadlines.set(() => fired.push(clock.now()));
  });
  clock.advance(100);
  assert.deepEqual(fired, [100]);
  clock.advance(99);
  assert.deepEqual(fired, [100]);
  clock.advance(1);
  assert.deepEqual(fired, [100, 200]);
  assert.equal(armed(), 2);
});

Deno.test("cancelling a deadline that has run, or twice, does nothing", () => {
  const clock = new ManualClock();
  const deadlines = new DeadlineQueue(clock, 10);
  let fired = 0;
  const d = deadlines.set(() => fired++);
  clock.advance(10);
  d.cancel();
  d.cancel();
  assert.equal(fired, 1);
});
