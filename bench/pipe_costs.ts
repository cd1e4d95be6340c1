/**
 * What a pipe costs outside the message path: connect + handshake + attach
 * + close cycles per second, and memory per idle pipe. Prints a small
 * markdown table, or JSON with `--json` (what `compare.ts` reads).
 *
 * Memory per idle pipe on one listener: a PULL socket here accepts N
 * connections that a child process (`_idle_peers.ts`, plain sockets) opens
 * and leaves idle (10,000 over tcp and ipc). The heap and external
 * (ArrayBuffer) growth after forced GC, divided by N, is the cost per
 * pipe; RSS growth is shown as well because the runtime's own
 * per-connection state (Rust side) is not in the V8 heap. inproc has no
 * other process to put the peers in: there N connections are made inside
 * this process (one PUSH socket with N connect endpoints) and the growth
 * is divided by the 2N pipe ends.
 *
 * Usage: `deno run --allow-net --allow-read --allow-write --allow-run --v8-flags=--expose-gc bench/pipe_costs.ts [--json] [--quick]`
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

/** Memory growth per idle pipe, bytes. */
export interface IdleCost {
  connections: number;
  /** Whether only the listener's pipes are in this process (tcp, ipc) or both ends (inproc). */
  listenerOnly: boolean;
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

/** Measures memory per idle pipe end with `connections` idle connections, both ends in this process. */
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
  return perPipe(connections, 2 * connections, false, before, after);
}

/**
 * Measures memory per idle pipe on one listener, the `connections` peers
 * being plain sockets in a child process.
 */
export async function measureListenerIdle(transport: "tcp" | "ipc", connections: number): Promise<IdleCost> {
  const url = cycleUrl(transport);
  const listener = openSocket("pull");
  await listener.bind(url);
  const before = await settledMemory();
  const script = new URL("_idle_peers.ts", import.meta.url).pathname;
  const peers = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-write", script, url, String(connections)],
    stdin: "piped",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    await until(
      () => listener.stats.currentConnections === connections,
      120_000,
      `${connections} idle ${transport} peers`,
    );
    const after = await settledMemory();
    return perPipe(connections, connections, true, before, after);
  } finally {
    await peers.stdin.close().catch(() => {});
    try {
      peers.kill("SIGKILL");
    } catch { /* gone */ }
    await peers.status;
    await listener.close();
  }
}

function perPipe(
  connections: number,
  pipes: number,
  listenerOnly: boolean,
  before: Deno.MemoryUsage,
  after: Deno.MemoryUsage,
): IdleCost {
  return {
    connections,
    listenerOnly,
    heapPerPipe: (after.heapUsed - before.heapUsed) / pipes,
    externalPerPipe: (after.external - before.external) / pipes,
    rssPerPipe: (after.rss - before.rss) / pipes,
  };
}

/** Idle connections on one listener (tcp, ipc) in a full run. */
export const IDLE_PEERS = 10_000;

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
  idle.inproc = await measureIdle("inproc", quick ? 20 : 2000);
  for (const t of ["tcp", "ipc"] as const) idle[t] = await measureListenerIdle(t, quick ? 100 : IDLE_PEERS);
  return { cycles, idle, gcExposed: gc !== undefined };
}

const kb = (bytes: number) => (bytes / 1000).toFixed(1);

/** How the idle pipes were made, for the tables. */
export function idleLabel(m: IdleCost): string {
  return m.listenerOnly ? `${m.connections} on one listener` : `${m.connections} conns, both ends`;
}

/** The results as a markdown table. */
export function pipeCostsTable(costs: PipeCosts): string {
  const lines = [
    "| transport | endpoint cycles/s | socket cycles/s | idle pipes | heap/pipe KB | external/pipe KB | heap+ext/pipe KB | RSS/pipe KB |",
    "|---|---:|---:|---|---:|---:|---:|---:|",
  ];
  for (const t of Object.keys(costs.cycles) as CycleTransport[]) {
    const c = costs.cycles[t];
    const m = costs.idle[t];
    lines.push(
      `| ${t} | ${Math.round(c.endpoint)} | ${Math.round(c.socket)} | ${idleLabel(m)} | ${kb(m.heapPerPipe)} | ${
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
