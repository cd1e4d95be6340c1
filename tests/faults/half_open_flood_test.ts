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
      const halfOpen = pull.stats.accepted - 1;
      sending = false;
      await sender;
      await receiver;
      const rssAfter = rss();
      console.log(
        `flood of ${CONNECTIONS}: ${flood.opened} opened (${flood.refused} refused) in ${flood.dialedMs} ms, ` +
          `${flood.closedByServer} closed by the server (longest lived ${flood.longestMs} ms), ${flood.stillOpen} left open; ` +
          `server accepted ${halfOpen} and timed out ${pull.stats.protocolErrors}; real peer: ${received} messages, ` +
          `longest gap ${longestGap} ms; RSS ${(rssBefore / 2 ** 20).toFixed(1)} → peak ${
            (rssPeak / 2 ** 20).toFixed(1)
          }` +
          ` → ${(rssAfter / 2 ** 20).toFixed(1)} MiB`,
      );
      assert.equal(flood.stillOpen, 0, "half-open connections the server never closed");
      assert.equal(flood.closedByServer, flood.opened);
      assert.equal(pull.stats.protocolErrors, halfOpen, "every accepted half-open connection ends by the timeout");
      assert.equal(pull.stats.currentConnections, 1, "only the real peer is attached");
      assert.ok(received > 0 && longestGap < 5_000, `the real peer stalled for ${longestGap} ms`);
      // Each half-open connection holds ~10 KB until its timeout; a leak would be ~all of them at once, for good.
      assert.ok(rssPeak - rssBefore < 200 * 2 ** 20, `RSS grew ${(rssPeak - rssBefore) / 2 ** 20} MiB`);
    } finally {
      sending = false;
      await runtime.term();
    }
  },
});
