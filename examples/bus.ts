/**
 * The bus example (BUS), as in "Getting Started with nanomsg": each node
 * binds its own address and connects to the addresses after it, waits 5 s
 * for the others, sends its name onto the bus and prints what the others
 * sent until nothing has come for 5 s.
 *
 * ```sh
 * deno task example:bus node0 tcp://127.0.0.1:5550 tcp://127.0.0.1:5551 tcp://127.0.0.1:5552 &
 * deno task example:bus node1 tcp://127.0.0.1:5551 tcp://127.0.0.1:5552 tcp://127.0.0.1:5553 &
 * deno task example:bus node2 tcp://127.0.0.1:5552 tcp://127.0.0.1:5553 &
 * deno task example:bus node3 tcp://127.0.0.1:5553 tcp://127.0.0.1:5550
 * ```
 *
 * BUS delivers a message to the directly connected nodes only, so every
 * pair of nodes needs one connection, made by either side (two would
 * deliver everything twice): the commands above make a full mesh of four.
 *
 * @module
 */

import { isSpError, openSocket } from "../mod.ts";
import { isNumbered, runExample, say, scaled, sleep } from "./_cli.ts";

const decoder = new TextDecoder();

/** How long a node waits for the others before sending, and for messages after, ms. */
const WAIT_MS = 5_000;

/** Binds BUS at `own`, connects to `others`, sends `name` and prints the messages until 5 s pass without one. */
async function node(name: string, own: string, others: readonly string[]): Promise<void> {
  await using bus = openSocket("bus");
  await bus.bind(own);
  for (const url of others) bus.connect(url);
  await sleep(WAIT_MS);
  bus.setOption("rcvtimeo", scaled(WAIT_MS));
  say(`[${name}] send ${name} onto bus`);
  await bus.send(name);
  for (;;) {
    let message: Uint8Array;
    try {
      message = await bus.recv();
    } catch (err) {
      if (isSpError(err, "ETIMEDOUT")) return; // The bus has been quiet for the whole timeout.
      throw err;
    }
    say(`[${name}] receive ${decoder.decode(message)} from bus`);
  }
}

await runExample("bus.ts", ["node<n> <own-url> [<peer-url>...]"], (role, rest) => {
  if (!isNumbered(role, "node") || rest.length < 1) return undefined;
  const [own, ...others] = rest as [string, ...string[]];
  return node(role, own, others);
});
