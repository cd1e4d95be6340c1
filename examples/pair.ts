/**
 * The pair example (PAIR), as in "Getting Started with nanomsg": node1
 * binds, node2 connects, and they take turns forever, each sending its
 * name a second after it received the other's.
 *
 * ```sh
 * deno task example:pair node1 tcp://127.0.0.1:5555 &
 * deno task example:pair node2 tcp://127.0.0.1:5555
 * ```
 *
 * The original's usage shows node2 with a message argument that its code
 * then refuses; here node2 accepts it and ignores it.
 *
 * @module
 */

import { openSocket } from "../mod.ts";
import { runExample, say, sleep } from "./_cli.ts";

const decoder = new TextDecoder();

/** Binds PAIR at `url`; forever: receive, wait a second, answer `Node1`. */
async function node1(url: string): Promise<void> {
  await using pair = openSocket("pair");
  await pair.bind(url);
  for (;;) {
    say(`[Node1] received ${decoder.decode(await pair.recv())}`);
    await sleep(1_000);
    say("[Node1] send Node1");
    await pair.send("Node1");
  }
}

/** Connects PAIR to `url`; forever: send `Node2`, wait a second, receive. */
async function node2(url: string): Promise<void> {
  await using pair = openSocket("pair");
  pair.connect(url);
  for (;;) {
    say("[Node2] send Node2");
    await pair.send("Node2");
    await sleep(1_000);
    say(`[Node2] received ${decoder.decode(await pair.recv())}`);
  }
}

await runExample("pair.ts", ["node1 <url>", "node2 <url> [<msg>]"], (role, rest) => {
  if (role === "node1" && rest.length === 1) return node1(rest[0]!);
  if (role === "node2" && (rest.length === 1 || rest.length === 2)) return node2(rest[0]!);
  return undefined;
});
