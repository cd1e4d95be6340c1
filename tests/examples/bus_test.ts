/**
 * `examples/bus.ts`: four of our nodes in the original's full mesh (each
 * pair joined once), and one of our nodes on a bus with `nanocat`
 * (libnanomsg), checking the printed lines exactly (what arrives from
 * several nodes at once may come in any order). The 5 s wait and timeout
 * run at a fifth (`SP_EXAMPLE_TIME_SCALE=0.2`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { InteropAddress, interopTest, Peer } from "../interop/_peers.ts";
import { freePort, until } from "../_helpers.ts";
import { type ExampleExit, startExample, STEP_TIMEOUT_MS } from "./_example_process.ts";

const timeScale = 0.2;

/** Checks a node's whole output: its send, then one receive per other node, in any order. */
function assertNodeOutput(exit: ExampleExit, name: string, others: readonly string[]): void {
  assert.equal(exit.code, 0, `${name} exit status (stderr: ${exit.stderr})`);
  const [first, ...received] = exit.lines;
  assert.equal(first, `[${name}] send ${name} onto bus`);
  assert.deepEqual(received.toSorted(), others.map((other) => `[${name}] receive ${other} from bus`).toSorted());
  assert.equal(exit.stderr, "");
}

Deno.test("bus example: four nodes in a full mesh, over tcp", async () => {
  const urls = [0, 1, 2, 3].map(() => `tcp://127.0.0.1:${freePort()}`);
  const url = (n: number) => urls[n]!;
  // The original's topology: node0→1,2; node1→2,3; node2→3; node3→0.
  const dials = [[1, 2], [2, 3], [3], [0]];
  const nodes = dials.map((peers, n) => startExample("bus", [`node${n}`, url(n), ...peers.map(url)], { timeScale }));
  try {
    const exits = await Promise.all(nodes.map((node) => node.exit()));
    for (const [n, exit] of exits.entries()) {
      const others = [0, 1, 2, 3].filter((other) => other !== n).map((other) => `node${other}`);
      assertNodeOutput(exit, `node${n}`, others);
    }
  } finally {
    await Promise.all(nodes.map((node) => node[Symbol.asyncDispose]()));
  }
});

interopTest("nanocat", "bus example: our node5 and nanocat --bus", async () => {
  using own = new InteropAddress("tcp");
  using theirs = new InteropAddress("tcp");
  // nanocat sends once, 0.6 s after starting (we are connected by then and
  // send at 1 s), and keeps printing what it receives.
  await using peer = new Peer("nanocat", ["--bus", "--bind", theirs.url, "-D", "nanocat", "-d", "0.6", "--quoted"]);
  await using node = startExample("bus", ["node5", own.url, theirs.url], { timeScale });
  assertNodeOutput(await peer.guard(node.exit(), STEP_TIMEOUT_MS, "our node"), "node5", ["nanocat"]);
  await until(() => peer.stdout().length > 0, STEP_TIMEOUT_MS, "nanocat printing");
  assert.equal(new TextDecoder().decode(peer.stdout()), '"node5"\n');
});
