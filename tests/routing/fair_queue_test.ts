/**
 * Unit tests of the fair queue (PULL's receive side).
 *
 * @module
 */

import assert from "node:assert/strict";
import { FairQueue } from "../../src/routing/fair_queue.ts";
import { bytes, FakePipe } from "./_fake_pipe.ts";

const text = (b: Uint8Array | undefined) => b === undefined ? undefined : new TextDecoder().decode(b);

Deno.test("FairQueue alternates between readable pipes", () => {
  const fq = new FairQueue();
  const a = new FakePipe(1);
  const b = new FakePipe(2);
  a.inbound.push(bytes("a1"), bytes("a2"), bytes("a3"));
  b.inbound.push(bytes("b1"));
  fq.add(a);
  fq.add(b);
  const got = [];
  for (let i = 0; i < 4; i++) got.push(text(fq.recv()));
  assert.deepEqual(got, ["a1", "b1", "a2", "a3"]);
  assert.equal(fq.recv(), undefined);
  assert.equal(fq.canRecv, false);
});

Deno.test("FairQueue serves the best receive priority first", () => {
  const fq = new FairQueue();
  const low = new FakePipe(1, 9);
  const high = new FakePipe(2, 1);
  low.inbound.push(bytes("low"));
  high.inbound.push(bytes("high1"), bytes("high2"));
  fq.add(low);
  fq.add(high);
  assert.deepEqual([text(fq.recv()), text(fq.recv()), text(fq.recv())], ["high1", "high2", "low"]);
  assert.equal(fq.lastPipe, low);
});

Deno.test("FairQueue still delivers what a removed pipe had received", () => {
  const fq = new FairQueue();
  const a = new FakePipe(1);
  a.inbound.push(bytes("before close"));
  fq.add(a);
  fq.remove(a);
  assert.equal(text(fq.recv()), "before close");
  assert.equal(fq.recv(), undefined);
});

Deno.test("FairQueue picks a pipe up again when it becomes readable", () => {
  const fq = new FairQueue();
  const a = new FakePipe(1);
  fq.add(a);
  assert.equal(fq.canRecv, false);
  a.inbound.push(bytes("late"));
  fq.readable(a);
  assert.equal(text(fq.recv()), "late");
});
