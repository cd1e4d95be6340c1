/**
 * `examples/pair.ts`: node1 and node2 taking turns with each other and
 * with `nanocat --pair` (libnanomsg) in the other role, checking the
 * printed lines of two rounds exactly. The examples' 1 s sleeps run at a
 * tenth (`SP_EXAMPLE_TIME_SCALE=0.1`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { InteropAddress, interopTest, Peer } from "../interop/_peers.ts";
import { startExample, STEP_TIMEOUT_MS } from "./_example_process.ts";

const timeScale = 0.1;

const NODE1_ROUNDS = ["[Node1] received Node2", "[Node1] send Node1", "[Node1] received Node2", "[Node1] send Node1"];
const NODE2_ROUNDS = ["[Node2] send Node2", "[Node2] received Node1", "[Node2] send Node2", "[Node2] received Node1"];

/** Waits until the peer has printed `line` (quoted) `times` times. */
async function peerPrinted(peer: Peer, line: string, times: number): Promise<void> {
  const expected = `"${line}"\n`.repeat(times);
  const out = await peer.waitForStdout((bytes) => bytes.length >= expected.length, STEP_TIMEOUT_MS, "peer printing");
  assert.equal(new TextDecoder().decode(out).slice(0, expected.length), expected);
}

Deno.test("pair example: node1 and node2 take two turns, over tcp", async () => {
  using address = new InteropAddress("tcp");
  await using node1 = startExample("pair", ["node1", address.url], { timeScale });
  await using node2 = startExample("pair", ["node2", address.url], { timeScale });
  assert.deepEqual(await node2.waitForLines(4), NODE2_ROUNDS);
  assert.deepEqual(await node1.waitForLines(4), NODE1_ROUNDS);
});

Deno.test("pair example: without a time scale the turns take the original second", async () => {
  using address = new InteropAddress("tcp");
  await using node1 = startExample("pair", ["node1", address.url]);
  await using node2 = startExample("pair", ["node2", address.url]);
  await node2.waitForLines(1);
  const sent = performance.now();
  assert.deepEqual(await node2.waitForLines(2), NODE2_ROUNDS.slice(0, 2));
  // node2 sleeps 1 s after sending, node1 1 s after receiving: the two overlap.
  const elapsed = performance.now() - sent;
  assert.ok(elapsed >= 900, `the answer came after ${Math.round(elapsed)} ms`);
  assert.deepEqual(await node1.waitForLines(2), NODE1_ROUNDS.slice(0, 2));
});

interopTest("nanocat", "pair example: our node2 (with the ignored message argument) and nanocat", async () => {
  using address = new InteropAddress("tcp");
  await using peer = new Peer("nanocat", ["--pair", "--bind", address.url, "-D", "Node1", "-i", "0.1", "--quoted"]);
  await using node2 = startExample("pair", ["node2", address.url, "ignored message"], { timeScale });
  assert.deepEqual(await peer.guard(node2.waitForLines(4), STEP_TIMEOUT_MS, "our node2"), NODE2_ROUNDS);
  await peerPrinted(peer, "Node2", 2);
});

interopTest("nanocat", "pair example: our node1 and nanocat", async () => {
  using address = new InteropAddress("tcp");
  await using node1 = startExample("pair", ["node1", address.url], { timeScale });
  await using peer = new Peer("nanocat", ["--pair", "--connect", address.url, "-D", "Node2", "-i", "0.1", "--quoted"]);
  assert.deepEqual(await peer.guard(node1.waitForLines(4), STEP_TIMEOUT_MS, "our node1"), NODE1_ROUNDS);
  await peerPrinted(peer, "Node1", 2);
});
