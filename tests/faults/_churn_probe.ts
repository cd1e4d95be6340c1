/**
 * Connection churn probe, run in its own process with `--expose-gc`: many
 * cycles of (new PUSH → connect → one message → close) against one PULL,
 * printing the heap after GC before and after as one JSON line. Used by the
 * churn regression test (short) and by hand for long runs.
 *
 * Usage: `deno run -A --v8-flags=--expose-gc tests/faults/_churn_probe.ts URL CYCLES`
 *
 * @module
 */

import { openSocket } from "../../mod.ts";

const url = Deno.args[0] ?? "inproc://churn";
const cycles = Number(Deno.args[1] ?? 5_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");

const pull = openSocket("pull", { options: { rcvtimeo: 2_000 } });
await pull.bind(url);

async function cycle(): Promise<void> {
  const push = openSocket("push", { options: { sndtimeo: 2_000 } });
  push.connect(url);
  await push.send("x");
  await pull.recv();
  await push.close();
}

async function settledHeap(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc!();
  gc!();
  return Deno.memoryUsage().heapUsed;
}

// Warm up first: JIT code, pools and caches of fixed size are not a leak.
for (let i = 0; i < Math.min(1_000, cycles); i++) await cycle();
const before = await settledHeap();
for (let i = 0; i < cycles; i++) await cycle();
const after = await settledHeap();
await pull.close();
console.log(JSON.stringify({ url, cycles, before, after, bytesPerCycle: (after - before) / cycles }));
