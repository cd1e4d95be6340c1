/**
 * Fan-out, subscribing side (same arguments, behaviour and report as
 * `c/fanout_sub.c`): `<subscribers>` SUB sockets in this process, all
 * subscribed to everything and connected to `<connect-url>`; once each has
 * seen a sync message it says "go" over PUSH to `<sync-connect-url>`, then
 * counts the `<msg-size>`-byte messages they all receive until each has
 * seen an end marker (or nothing arrives for a second). Prints the
 * messages delivered per second over all subscribers, from the first
 * arrival to the last.
 *
 * Usage: `deno run -A bench/perf/fanout_sub.ts <connect-url> <sync-connect-url> <subscribers> <msg-size>`
 *
 * @module
 */

import { isSpError, NN_SUB, NN_SUB_SUBSCRIBE, openSocket, type Socket } from "../../mod.ts";
import { parseFanoutArgs } from "./_perf.ts";

const usage = "usage: fanout_sub <connect-to> <sync-connect-to> <subscribers> <msg-size>";
const [url, syncUrl, n, size] = parseFanoutArgs(Deno.args, usage, ["count", "size"]);

const IDLE_LIMIT_MS = 1000;
const subs: Socket[] = [];
for (let i = 0; i < n; i++) {
  const sub = openSocket("sub");
  sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "");
  sub.connect(url);
  subs.push(sub);
}

// Every subscriber connected and subscribed: each has a sync message.
const deadline = AbortSignal.timeout(60_000);
try {
  await Promise.all(subs.map((sub) => sub.recv({ signal: deadline })));
} catch {
  console.error(`fanout_sub: not every subscriber synced within 60 s`);
  Deno.exit(1);
}
const push = openSocket("push");
push.connect(syncUrl);
await push.send("go");

let delivered = 0;
let first = 0; // ms, performance.now() of the first arrival
let last = 0; // … of the last arrival timed
let timed = 0; // arrivals up to and including the last one timed
let ended = 0;

/** Receives on one subscriber until its end marker (or until the sockets close when the run goes quiet). */
async function drain(sub: Socket): Promise<void> {
  for (;;) {
    let message: Uint8Array;
    try {
      message = await sub.recv();
    } catch (err) {
      if (isSpError(err, "EBADF")) return;
      throw err;
    }
    if (message.length === size) {
      // Reading the clock is an op in Deno: time every 16th arrival (and
      // the first), and the rate over exactly the arrivals timed.
      if ((delivered++ & 15) === 0) {
        last = performance.now();
        timed = delivered;
        if (delivered === 1) first = last;
      }
    } else if (message.length === 1 && message[0] === 0x65) {
      ended++;
      return;
    }
  }
}

// One watchdog for all (as the C tool's poll timeout): once nothing has
// arrived for a second, the end markers were dropped too.
const quiet = new Promise<void>((resolve) => {
  const watchdog = setInterval(() => {
    if (ended === n || (delivered > 0 && performance.now() - last >= IDLE_LIMIT_MS)) {
      clearInterval(watchdog);
      resolve();
    }
  }, 50);
});
await Promise.race([Promise.all(subs.map(drain)), quiet]);

if (timed < 2) {
  console.error(`fanout_sub: only ${delivered} messages delivered`);
  Deno.exit(1);
}
console.log(
  [
    `subscribers: ${n}`,
    `message size: ${size} [B]`,
    `messages delivered: ${delivered}`,
    `throughput: ${Math.trunc((timed - 1) / Math.max(0.001, last - first) * 1000)} [msg/s]`,
  ].join("\n"),
);
Deno.exit(0); // closing a hundred sockets is not part of the run
