/**
 * Back-pressure over ws: a sender whose peer stops reading gets EAGAIN
 * once SNDBUF is full instead of queueing without bound; what it did
 * queue then arrives, in order, once the peer reads. The same holds for
 * the browser transport (run here on Deno's own WebSocket API, whose
 * `send()` never blocks: `bufferedAmount` is what SNDBUF is held against).
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, registerBuiltins, Runtime, type Socket } from "../../mod.ts";
import { registerBrowserBuiltins } from "../../src/builtins_browser.ts";
import { until } from "../_helpers.ts";

const CHUNK = 64 * 1024;
const SNDBUF = 256 * 1024;
/** Far more than SNDBUF + RCVBUF + the kernel's socket buffers: a sender that never blocks would pass it. */
const UNBOUNDED = 256 * 1024 * 1024;

/**
 * Sends 64 KiB messages without waiting, pausing on EAGAIN, until sends
 * stay refused for a while (every buffer on the way is full); returns how
 * many were accepted.
 */
async function fillUntilStalled(sender: Socket): Promise<number> {
  const message = new Uint8Array(CHUNK);
  let accepted = 0;
  let refusals = 0;
  while (refusals < 10) {
    new DataView(message.buffer).setUint32(0, accepted);
    try {
      await sender.send(message, { dontwait: true });
      accepted++;
      refusals = 0;
    } catch (err) {
      if (!isSpError(err, "EAGAIN")) throw err;
      refusals++;
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    if (accepted * CHUNK > UNBOUNDED) throw new Error("the sender queued 256 MiB without being refused");
  }
  return accepted;
}

async function drainInOrder(receiver: Socket, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const message = await receiver.recv();
    assert.equal(new DataView(message.buffer, message.byteOffset).getUint32(0), i);
  }
}

for (const dialer of ["ours", "browser"] as const) {
  Deno.test(`ws back-pressure (${dialer} dialer): a stalled peer makes sends fail with EAGAIN; nothing is lost`, async () => {
    const senderRuntime = dialer === "ours" ? registerBuiltins(new Runtime()) : registerBrowserBuiltins(new Runtime());
    await using receiver = registerBuiltins(new Runtime()).socket("pull", {
      options: { rcvtimeo: 10_000, rcvbuf: 128 * 1024 },
    });
    await using sender = senderRuntime.socket("push", { options: { sndbuf: SNDBUF } });
    const { url } = await receiver.listen("ws://127.0.0.1:0/bp");
    sender.connect(url);
    await until(() => sender.stats.currentConnections === 1, 5000, "connected");
    const heapBefore = Deno.memoryUsage().heapUsed;
    const accepted = await fillUntilStalled(sender);
    const queuedBytes = accepted * CHUNK;
    const heapGrowth = Deno.memoryUsage().heapUsed - heapBefore;
    console.log(
      `${dialer}: ${accepted} × 64 KiB accepted before sends stayed refused (${
        (queuedBytes / 2 ** 20).toFixed(1)
      } MiB ` +
        `in SNDBUF, RCVBUF and the kernel), heap +${(heapGrowth / 2 ** 20).toFixed(1)} MiB`,
    );
    assert.ok(accepted > SNDBUF / CHUNK, "more than SNDBUF went out while the peer still read into RCVBUF");
    assert.ok(sender.stats.currentConnections === 1 && receiver.stats.messagesReceived < accepted);
    await drainInOrder(receiver, accepted);
  });
}
