/**
 * Connection churn probe, run in its own process with `--expose-gc`: many
 * cycles of (new PUSH → connect → handshake → one message → close) against
 * one PULL, measuring after a warm-up and again at the end: the heap after
 * GC, open file descriptors, and the machine actors still running and
 * still reachable. Prints one JSON line; with `--check` it exits 1 unless
 * each figure is back within 5% of its baseline (`deno task churn`).
 *
 * Usage: `deno run -A --v8-flags=--expose-gc tests/faults/_churn_probe.ts URL|tcp CYCLES [--check]`
 *
 * @module
 */

import { type MachineInspectionEvent, openSocket } from "../../mod.ts";

const TOLERANCE = 0.05;
const urlArg = Deno.args[0] ?? "inproc://churn";
const cycles = Number(Deno.args[1] ?? 5_000);
const checking = Deno.args.includes("--check");
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");

function freeTcpUrl(): string {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return `tcp://127.0.0.1:${port}`;
}
const url = urlArg === "tcp" ? freeTcpUrl() : urlArg;

// Every actor the sockets start is counted here without being held:
// "running" ones have not reached a final state, "reachable" ones have
// not been garbage-collected.
let running = 0;
let reachable = 0;
const active = new WeakSet<object>();
const collected = new FinalizationRegistry<void>(() => reachable--);
const inspect = (event: MachineInspectionEvent) => {
  const actor = event.actorRef as object;
  if (event.type === "@xstate.actor") {
    running++;
    reachable++;
    active.add(actor);
    collected.register(actor, undefined);
  } else if (event.type === "@xstate.snapshot" && active.has(actor)) {
    const status = (event as unknown as { snapshot: { status: string } }).snapshot.status;
    if (status !== "active") {
      active.delete(actor);
      running--;
    }
  }
};

const pull = openSocket("pull", { options: { rcvtimeo: 2_000 }, inspect });
await pull.bind(url);

async function cycle(): Promise<void> {
  const push = openSocket("push", { options: { sndtimeo: 2_000 }, inspect });
  push.connect(url);
  await push.send("x");
  await pull.recv();
  await push.close();
}

function openFds(): number {
  let n = 0;
  for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
  return n;
}

interface Figures {
  heap: number;
  fds: number;
  running: number;
  reachable: number;
}

async function measure(): Promise<Figures> {
  // Finalizers run after a collection, on a later turn: collect, wait, collect.
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  gc!();
  return { heap: Deno.memoryUsage().heapUsed, fds: openFds(), running, reachable };
}

// Warm up first: JIT code, pools and caches of fixed size are not a leak.
for (let i = 0; i < Math.min(1_000, cycles); i++) await cycle();
const before = await measure();
const started = performance.now();
const samples: { cycle: number; heap: number }[] = [];
for (let i = 1; i <= cycles; i++) {
  await cycle();
  if (checking && i % Math.max(1, Math.floor(cycles / 10)) === 0) {
    gc!();
    samples.push({ cycle: i, heap: Deno.memoryUsage().heapUsed });
  }
}
const seconds = (performance.now() - started) / 1000;
const after = await measure();
await pull.close();

const result = {
  url,
  cycles,
  seconds: Math.round(seconds * 10) / 10,
  before,
  after,
  bytesPerCycle: (after.heap - before.heap) / cycles,
  samples,
};
console.log(JSON.stringify(result));

if (checking) {
  const failures: string[] = [];
  for (const key of ["heap", "fds", "running", "reachable"] as const) {
    // Small counts (a handful of actors) get one unit of slack: 5% of 3 is nothing.
    const allowed = Math.max(before[key] * TOLERANCE, key === "heap" ? 0 : 1);
    if (after[key] - before[key] > allowed) failures.push(`${key}: ${before[key]} → ${after[key]}`);
  }
  if (failures.length > 0) {
    console.error(`churn: not back to baseline within 5%: ${failures.join("; ")}`);
    Deno.exit(1);
  }
  console.error(`churn: ${cycles} cycles in ${result.seconds} s; heap, fds and actors back within 5% of baseline`);
}
