/**
 * Fan-out, publishing side (same arguments and behaviour as `c/fanout_pub.c`):
 * binds a PUB socket and a PULL socket for the start signal, publishes
 * 1-byte sync messages (`s`) until the subscribers' side says "go", then
 * publishes `<msg-count>` messages of `<msg-size>` bytes as fast as PUB
 * takes them (PUB drops for a subscriber that cannot keep up), then end
 * markers (`e`). `fanout_sub` measures.
 *
 * Usage: `deno run -A bench/perf/fanout_pub.ts <bind-url> <sync-bind-url> <msg-size> <msg-count>`
 *
 * @module
 */

import { isSpError, openSocket } from "../../mod.ts";
import { makePayload, parseFanoutArgs } from "./_perf.ts";

const usage = "usage: fanout_pub <bind-to> <sync-bind-to> <msg-size> <msg-count>";
const [url, syncUrl, size, count] = parseFanoutArgs(Deno.args, usage, ["size", "count"]);

const pub = openSocket("pub");
const pull = openSocket("pull");
await pub.bind(url);
await pull.bind(syncUrl);

const SYNC = Uint8Array.of(0x73);
const END = Uint8Array.of(0x65);
const deadline = performance.now() + 60_000;
for (;;) {
  await pub.send(SYNC);
  try {
    await pull.recv({ timeout: 5 });
    break;
  } catch (err) {
    if (!isSpError(err, "ETIMEDOUT")) throw err;
  }
  if (performance.now() > deadline) {
    console.error("fanout_pub: no go signal within 60 s");
    Deno.exit(1);
  }
}

const payload = makePayload(size);
for (let i = 0; i < count; i++) await pub.send(payload);
for (let i = 0; i < 50; i++) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  await pub.send(END);
}
await pull.close();
await pub.close();
