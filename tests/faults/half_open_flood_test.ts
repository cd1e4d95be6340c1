/**
 * Half-open floods (the CVE-2020-15166 class): thousands of connections
 * that send 0–7 bytes of an SP header and then nothing, while a real PUSH
 * peer keeps sending. Real traffic continues, memory stays bounded, and
 * every half-open connection is closed by the handshake timeout.
 * `deno task test` floods 1,000 connections; `deno task faults`
 * (FAULTS_FULL=1) floods 10,000.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Runtime } from "../../mod.ts";
import { registerBuiltins } from "../../src/builtins.ts";
import { freePort, sleep, within } from "../_helpers.ts";

const FULL = Deno.env.get("FAULTS_FULL") === "1";
const CONNECTIONS = FULL ? 10_000 : 1_000;
const HANDSHAKE_TIMEOUT = 1_000;
const FLOODER = new URL("./_flooder.ts", import.meta.url).pathname;

function rss(): number {
  return Deno.memoryUsage().rss;
}

/** Heap in use, after a full collection when the run allows one (`deno task faults` does). */
function settledHeap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Deno.memoryUsage().heapUsed;
}

Deno.test({
  name: `a flood of ${CONNECTIONS} half-open connections is timed out while real traffic flows`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const runtime = new Runtime({ handshakeTimeout: HANDSHAKE_TIMEOUT });
    registerBuiltins(runtime);
    const port = freePort();
    const pull = runtime.socket("pull");
    const push = runtime.socket("push");
    let sending = true;
    try {
      await pull.bind(`tcp://127.0.0.1:${port}`);
      push.connect(`tcp://127.0.0.1:${port}`);
      await push.send("hello");
      await pull.recv({ timeout: 5_000 });
      const rssBefore = rss();
      let rssPeak = rssBefore;
      const heapBefore = settledHeap();
      let heapPeak = heapBefore;

      // The real peer: one message every 5 ms; the receiver notes the longest silence.
      let received = 0;
      let longestGap = 0;
      let lastAt = Date.now();
      const sender = (async () => {
        for (let i = 0; sending && i < 1_000_000; i++) {
          await push.send(`real ${i}`, { timeout: 10_000 });
          await sleep(5);
        }
      })();
      const receiver = (async () => {
        while (sending) {
          try {
            await pull.recv({ timeout: 500 });
          } catch {
            continue;
          }
          received++;
          const now = Date.now();
          longestGap = Math.max(longestGap, now - lastAt);
          lastAt = now;
          rssPeak = Math.max(rssPeak, rss());
        }
      })();

      // The live heap (after a collection, where allowed) once a second: what the flood holds at once.
      const sampler = setInterval(() => heapPeak = Math.max(heapPeak, settledHeap()), 1_000);
      const deadline = CONNECTIONS * 10 + 30_000;
      const flooder = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-net", FLOODER, String(port), String(CONNECTIONS), String(deadline)],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let out: Deno.CommandOutput;
      try {
        out = await within(flooder.output(), deadline + 30_000, "flooder");
      } finally {
        try {
          flooder.kill("SIGKILL");
        } catch { /* exited */ }
      }
      const flood = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
      clearInterval(sampler);
      const halfOpen = pull.stats.accepted - 1;
      sending = false;
      await sender;
      await receiver;
      const rssAfter = rss();
      const heapAfter = settledHeap();
      const mib = (n: number) => (n / 2 ** 20).toFixed(1);
      console.log(
        `flood of ${CONNECTIONS}: ${flood.opened} opened (${flood.refused} refused) in ${flood.dialedMs} ms, ` +
          `${flood.closedByServer} closed by the server (longest lived ${flood.longestMs} ms), ${flood.stillOpen} left open; ` +
          `server accepted ${halfOpen} and timed out ${pull.stats.protocolErrors}; real peer: ${received} messages, ` +
          `longest gap ${longestGap} ms; RSS ${mib(rssBefore)} → peak ${mib(rssPeak)} → ${mib(rssAfter)} MiB; ` +
          `heap ${mib(heapBefore)} → peak ${mib(heapPeak)} → ${mib(heapAfter)} MiB${
            "gc" in globalThis ? " (live, after GC)" : ""
          }`,
      );
      assert.equal(flood.stillOpen, 0, "half-open connections the server never closed");
      assert.equal(flood.closedByServer, flood.opened);
      assert.equal(pull.stats.protocolErrors, halfOpen, "every accepted half-open connection ends by the timeout");
      assert.equal(pull.stats.currentConnections, 1, "only the real peer is attached");
      assert.ok(received > 0 && longestGap < 5_000, `the real peer stalled for ${longestGap} ms`);
      // A half-open connection holds ~14 KB of heap until its timeout, so what is held at once is bounded by the
      // accept rate × the timeout, not by the size of the flood; once they are gone, so is their memory.
      assert.ok(heapPeak - heapBefore < 128 * 2 ** 20, `heap grew ${mib(heapPeak - heapBefore)} MiB`);
      assert.ok(rssPeak - rssBefore < 512 * 2 ** 20, `RSS grew ${mib(rssPeak - rssBefore)} MiB`);
      if ("gc" in globalThis) {
        assert.ok(heapAfter - heapBefore < 8 * 2 ** 20, `heap kept ${mib(heapAfter - heapBefore)} MiB`);
      }
    } finally {
      sending = false;
      await runtime.term();
    }
  },
});
