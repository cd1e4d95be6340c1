/**
 * A socket whose sends never wait (PUB) must not starve the event loop:
 * during a long `await pub.send()` loop, timers fire and a tcp subscriber
 * receives. Each loop is bounded by a count it would reach only if the
 * loop never turned (a few seconds at full speed).
 *
 * @module
 */

import assert from "node:assert/strict";
import { NN_SUB, NN_SUB_SUBSCRIBE, openSocket } from "../../mod.ts";

const BOUND = 20_000_000;
const payload = new Uint8Array(16);

Deno.test("a tight await pub.send() loop lets a timer fire", async () => {
  await using pub = openSocket("pub");
  let fired = false;
  const timer = setTimeout(() => fired = true, 1);
  let sent = 0;
  try {
    while (!fired && sent < BOUND) {
      await pub.send(payload);
      sent++;
    }
  } finally {
    clearTimeout(timer);
  }
  assert.ok(fired, `the timer never fired during ${sent} sends`);
});

Deno.test("a tight await pub.send() loop lets a tcp subscriber receive while it runs", async () => {
  await using pub = openSocket("pub");
  await using sub = openSocket("sub");
  sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "");
  sub.connect((await pub.listen("tcp://127.0.0.1:0")).url);
  await pub.waitForPeers(1, { timeout: 5_000 });
  let received = 0;
  const receiving = (async () => {
    for await (const _ of sub) received++;
  })();
  let sent = 0;
  while (received === 0 && sent < BOUND) {
    await pub.send(payload);
    sent++;
  }
  assert.ok(received > 0, `nothing arrived during ${sent} sends`);
  // Most of the burst met a full pipe: told apart from delivery by the slow-peer count.
  const stats = pub.statistics();
  assert.equal(stats.messagesSent + stats.drops["slow-peer"], sent);
  await sub.close();
  await receiving;
});
