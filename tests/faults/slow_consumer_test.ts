/**
 * Slow consumers stay bounded: a PULL or SUB that stops reading. The
 * sender (its own process) keeps trying for a few seconds with 64 KiB
 * messages; its memory stays within SNDBUF plus what the kernel buffers,
 * PUSH times out per SNDTIMEO, PUB drops and counts. Once the consumer
 * reads again, PUSH's messages all arrive, in order, none lost or
 * repeated.
 *
 * @module
 */

import assert from "node:assert/strict";
import { openSocket } from "../../mod.ts";
import { within } from "../_helpers.ts";

const SENDER = new URL("./_slow_sender.ts", import.meta.url).pathname;
const SECONDS = Deno.env.get("FAULTS_FULL") === "1" ? 20 : 3;
const MiB = 2 ** 20;

interface SenderFigures {
  rssStart: number;
  rssPeak: number;
  usedStart: number;
  usedPeak: number;
  usedAfterGc: number;
  sent: number;
  timeouts: number;
  dropped: number;
  size: number;
}

/**
 * Runs the sender against `url` while nothing reads; hands its figures to
 * `resume` (which reads again) and only then lets it close its socket.
 */
async function withStalledSender(
  kind: "push" | "pub",
  url: string,
  resume: (figures: SenderFigures) => Promise<void>,
): Promise<SenderFigures> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--v8-flags=--expose-gc", SENDER, kind, url, String(SECONDS)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).values();
    let text = "";
    while (!text.includes("\n")) {
      const next = await within(lines.next(), SECONDS * 1000 + 30_000, `${kind} sender figures`);
      if (next.done) throw new Error(`${kind} sender ended without figures`);
      text += next.value;
    }
    const figures: SenderFigures = JSON.parse(text.split("\n")[0]!);
    await resume(figures);
    await child.stdin.close();
    const status = await within(child.status, 30_000, `${kind} sender exit`);
    assert.ok(status.success, `${kind} sender failed`);
    return figures;
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
  }
}

function memory(f: SenderFigures): string {
  const mib = (n: number) => (n / MiB).toFixed(1);
  return `sender RSS +${mib(f.rssPeak - f.rssStart)} MiB at peak; heap+external ${mib(f.usedStart)} → peak ` +
    `${mib(f.usedPeak)} → ${mib(f.usedAfterGc)} MiB after GC`;
}

/** What stays allocated after a GC must not grow with what was sent: SNDBUF and a batch buffer at most. */
const RETAINED_MAX = 8 * MiB;

Deno.test("a PULL that stops reading: PUSH times out per SNDTIMEO, memory bounded, nothing lost on resume", async () => {
  await using pull = openSocket("pull", { options: { rcvbuf: 128 * 1024 } });
  const { url } = await pull.listen("tcp://127.0.0.1:0");
  const figures = await withStalledSender("push", url, async (f) => {
    // Every message whose send succeeded arrives once the PULL reads again, in order.
    for (let next = 0; next < f.sent; next++) {
      const msg = await pull.recv({ timeout: 5_000 });
      assert.equal(new DataView(msg.buffer, msg.byteOffset).getUint32(0), next, "out of order or lost");
    }
  });
  console.log(
    `PUSH to a stalled PULL for ${SECONDS} s: ${figures.sent} × 60 KB sent (all received after resume), ` +
      `${figures.timeouts} sends timed out (SNDTIMEO 100 ms); ${memory(figures)}`,
  );
  assert.ok(figures.timeouts > 0, "PUSH never blocked");
  // SNDBUF 128 KiB + RCVBUF 128 KiB + the kernel's socket buffers (a few MiB) bound what can be in flight.
  assert.ok(figures.sent * figures.size < 64 * MiB, `${figures.sent} messages went into a stalled consumer`);
  assert.ok(figures.usedAfterGc - figures.usedStart < RETAINED_MAX, memory(figures));
});

Deno.test("a SUB that stops reading: PUB drops and counts, memory bounded", async () => {
  await using sub = openSocket("sub", { options: { rcvbuf: 128 * 1024 } });
  sub.setsockopt(0x21, 1, "");
  const { url } = await sub.listen("tcp://127.0.0.1:0");
  let received = 0;
  const figures = await withStalledSender("pub", url, async () => {
    let last = -1;
    for (;;) {
      let msg: Uint8Array;
      try {
        msg = await sub.recv({ timeout: 1_000 });
      } catch {
        break;
      }
      const n = new DataView(msg.buffer, msg.byteOffset).getUint32(0);
      assert.ok(n > last, "out of order");
      last = n;
      received++;
    }
  });
  console.log(
    `PUB to a stalled SUB for ${SECONDS} s: ${figures.sent} sends, ${figures.dropped} dropped and counted, ` +
      `${received} received after resume; ${memory(figures)}`,
  );
  assert.equal(figures.timeouts, 0, "a PUB send waited");
  assert.ok(figures.dropped > 0, "nothing was dropped for a consumer that does not read");
  assert.equal(received, figures.sent - figures.dropped, "every message not dropped arrives");
  assert.ok(figures.usedAfterGc - figures.usedStart < RETAINED_MAX, memory(figures));
});
