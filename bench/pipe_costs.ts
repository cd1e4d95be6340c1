/**
 * What a pipe costs outside the message path: connect + handshake + attach
 * + close cycles per second, and memory per idle pipe. Prints a small
 * markdown table, or JSON with `--json` (what `compare.ts` reads).
 *
 * Memory: N idle connections are made inside this process (one PUSH socket
 * with N connect endpoints to one PULL socket), so every connection is two
 * pipes, one per side, plus the dialer's endpoint. The heap and external
 * (ArrayBuffer) growth after forced GC, divided by 2N, is the cost per
 * pipe end; RSS growth is shown as well because the runtime's own
 * per-connection state (Rust side) is not in the V8 heap.
 *
 * Usage: `deno run --allow-net --allow-read --allow-write --v8-flags=--expose-gc bench/pipe_costs.ts [--json] [--quick]`
 *
 * @module
 */

import { openSocket } from "../mod.ts";
import { CycleTarget, type CycleTransport, cycleUrl, until } from "./_pipe_cycle.ts";

/** Cycles per second of both kinds of cycle over one transport. */
export interface CycleRates {
  /** New endpoint on a long-lived socket, then `shutdown`. */
  endpoint: number;
  /** New socket per cycle, then `close`. */
  socket: number;
}

/** Memory growth per idle pipe end, bytes. */
export interface IdleCost {
  connections: number;
  heapPerPipe: number;
  externalPerPipe: number;
  rssPerPipe: number;
}

async function rate(cycle: () => Promise<void>, warmup: number, durationMs: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await cycle();
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    await cycle();
    done++;
  }
  return done / ((performance.now() - start) / 1000);
}

/** Measures both cycle rates over `transport`. */
export async function measureCycles(transport: CycleTransport, durationMs: number): Promise<CycleRates> {
  const target = await CycleTarget.open(transport);
  try {
    const endpoint = await rate(() => target.endpointCycle(), 50, durationMs);
    const socket = await rate(() => target.socketCycle(), 50, durationMs);
    return { endpoint, socket };
  } finally {
    await target.close();
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

async function settledMemory(): Promise<Deno.MemoryUsage> {
  // Let pending closes and timers finish, then collect twice: the first
  // pass may only schedule finalization of what the second one frees.
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc?.();
  gc?.();
  return Deno.memoryUsage();
}

/** Measures memory per idle pipe with `connections` idle connections. */
export async function measureIdle(transport: CycleTransport, connections: number): Promise<IdleCost> {
  const url = cycleUrl(transport);
  const listener = openSocket("pull");
  await listener.bind(url);
  const dialer = openSocket("push");
  const before = await settledMemory();
  for (let i = 0; i < connections; i++) dialer.connect(url);
  await until(
    () => dialer.stats.currentConnections === connections && listener.stats.currentConnections === connections,
    30_000,
    `${connections} ${transport} connections`,
  );
  const after = await settledMemory();
  await dialer.close();
  await listener.close();
  const pipes = 2 * connections;
  return {
    connections,
    heapPerPipe: (after.heapUsed - before.heapUsed) / pipes,
    externalPerPipe: (after.external - before.external) / pipes,
    rssPerPipe: (after.rss - before.rss) / pipes,
  };
}

/** Everything this script measures. */
export interface PipeCosts {
  cycles: Record<CycleTransport, CycleRates>;
  idle: Record<CycleTransport, IdleCost>;
  gcExposed: boolean;
}

/** Runs every measurement; `quick` shortens them to a smoke test. */
export async function measurePipeCosts(quick: boolean): Promise<PipeCosts> {
  const transports: CycleTransport[] = ["inproc", "ipc", "tcp"];
  const cycles = {} as Record<CycleTransport, CycleRates>;
  const idle = {} as Record<CycleTransport, IdleCost>;
  for (const t of transports) cycles[t] = await measureCycles(t, quick ? 100 : 1500);
  for (const t of transports) idle[t] = await measureIdle(t, quick ? 20 : t === "inproc" ? 2000 : 500);
  return { cycles, idle, gcExposed: gc !== undefined };
}

const kb = (bytes: number) => (bytes / 1000).toFixed(1);

/** The results as a markdown table. */
export function pipeCostsTable(costs: PipeCosts): string {
  const lines = [
    "| transport | endpoint cycles/s | socket cycles/s | idle conns | heap/pipe KB | external/pipe KB | heap+ext/pipe KB | RSS/pipe KB |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const t of Object.keys(costs.cycles) as CycleTransport[]) {
    const c = costs.cycles[t];
    const m = costs.idle[t];
    lines.push(
      `| ${t} | ${Math.round(c.endpoint)} | ${Math.round(c.socket)} | ${m.connections} | ${kb(m.heapPerPipe)} | ${
        kb(m.externalPerPipe)
      } | ${kb(m.heapPerPipe + m.externalPerPipe)} | ${kb(m.rssPerPipe)} |`,
    );
  }
  if (!costs.gcExposed) lines.push("", "(run with --v8-flags=--expose-gc for exact memory figures)");
  return lines.join("\n");
}

if (import.meta.main) {
  const costs = await measurePipeCosts(Deno.args.includes("--quick"));
  console.log(Deno.args.includes("--json") ? JSON.stringify(costs) : pipeCostsTable(costs));
}
