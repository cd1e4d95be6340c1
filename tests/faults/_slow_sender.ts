/**
 * The sending side of the slow-consumer test, in its own process so its
 * memory can be measured: PUSH or PUB sending ~60 KB messages as fast as
 * it may for SECONDS to a peer that has stopped reading, then printing
 * one JSON line (RSS and heap + external memory at start, at their peak
 * and after a GC; messages sent; sends that timed out; messages dropped).
 * It keeps its socket open until its stdin closes (at most a minute), so
 * the consumer can resume and receive what is still buffered.
 *
 * Usage: `deno run --allow-net --v8-flags=--expose-gc tests/faults/_slow_sender.ts push|pub URL SECONDS`
 *
 * @module
 */

import { isSpError, openSocket } from "../../mod.ts";

const [kind, url, seconds] = Deno.args as [string, string, string];
// Below the transport's copy threshold, so one buffer can be reused for every send.
const SIZE = 60_000;
const gc = (globalThis as { gc?: () => void }).gc!;
const used = () => {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
};
const socket = openSocket(kind, { options: { sndtimeo: 100, sndbuf: 128 * 1024 } });
socket.connect(url);
while (socket.stats.currentConnections === 0) await new Promise((resolve) => setTimeout(resolve, 10));
gc();
const rssStart = Deno.memoryUsage().rss;
let rssPeak = rssStart;
const usedStart = used();
let usedPeak = usedStart;
let sent = 0;
let timeouts = 0;
const end = Date.now() + Number(seconds) * 1000;
const payload = new Uint8Array(SIZE);
while (Date.now() < end) {
  const view = new DataView(payload.buffer);
  view.setUint32(0, sent);
  try {
    await socket.send(payload);
    sent++;
  } catch (err) {
    if (!isSpError(err, "ETIMEDOUT")) throw err;
    timeouts++;
  }
  // A PUB send never waits: let timers and I/O run now and then.
  if ((sent + timeouts) % 16 === 0) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    rssPeak = Math.max(rssPeak, Deno.memoryUsage().rss);
    usedPeak = Math.max(usedPeak, used());
  }
}
gc();
const usedAfterGc = used();
const dropped = socket.stats.messagesDropped;
console.log(
  JSON.stringify({ rssStart, rssPeak, usedStart, usedPeak, usedAfterGc, sent, timeouts, dropped, size: SIZE }),
);
const stdinClosed = (async () => {
  for await (const _ of Deno.stdin.readable);
})();
await Promise.race([stdinClosed, new Promise((resolve) => setTimeout(resolve, 60_000))]);
await socket.close();
Deno.exit(0);
