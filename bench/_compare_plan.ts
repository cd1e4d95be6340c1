/**
 * What `compare.ts` measures: the cells of the tables (kind × transport ×
 * size), the implementations or cross pairs run in each, and the message
 * counts they start from. Transports are rows of {@linkcode TRANSPORTS}:
 * a new one (ws, tls) is one more entry saying how to make an address and
 * which implementations speak it.
 *
 * @module
 */

import { freeIpcPath, freePort, type Impl, runPair, type RunResult, runSingle } from "./_procs.ts";
import { inspectorCell } from "./_inspector_cell.ts";

/** Where the cells go in the report. */
export type Group = "main" | "cross" | "fanout" | "inspector";

/** What a cell measures: throughput, latency, or delivered messages of a fan-out. */
export type Kind = "thr" | "lat" | "fanout";

/** One way of producing a number for a cell. */
export interface Variant {
  /** Column label, e.g. `ours`, `libnanomsg`, `ours → libnanomsg`. */
  label: string;
  /** Runs once with `count` messages or round trips. */
  run(count: number, timeoutMs: number): Promise<RunResult>;
}

/** One row of the comparison. */
export interface Cell {
  group: Group;
  kind: Kind;
  transport: string;
  size: number;
  title: string;
  /** Count of the calibration run (and of every run with `--quick`). */
  startCount: number;
  /** Upper bound for the calibrated count. */
  maxCount: number;
  /** Messages measured per unit of count (fan-out: one per subscriber). */
  perCount: number;
  /** Whether the runs record the peak RSS of their processes. */
  memory: boolean;
  variants: Variant[];
}

/** What one cell produced. */
export interface CellResult {
  cell: Cell;
  /** The count each variant ran with. */
  counts: Map<string, number>;
  /** Median per variant label. */
  medians: Map<string, number>;
  /** Every sample per variant label. */
  samples: Map<string, number[]>;
  /** Median peak RSS of both processes, KiB, per variant label (memory cells). */
  peakKb: Map<string, number>;
  /** Peak RSS of both processes in a run of one message, KiB: what the tools take without traffic. */
  baselineKb: Map<string, number>;
  /** Median share of the published messages that arrived, per variant label (fan-out cells). */
  deliveredShare: Map<string, number>;
  /** Why a variant produced no number. */
  errors: Map<string, string>;
}

/** The report's name for each implementation. */
export const IMPL_LABEL: Record<Impl, string> = { ours: "ours", nanomsg: "libnanomsg", nng: "nng" };

/** The implementations compared, in column order. */
export const IMPLS: readonly Impl[] = ["ours", "nanomsg", "nng"];

const KIB = 1024;
const MIB = 1024 * 1024;

/** A human-readable size: 64 B, 1 KiB, 64 KiB, 1 MiB. */
export function sizeLabel(size: number): string {
  if (size >= MIB && size % MIB === 0) return `${size / MIB} MiB`;
  if (size >= KIB && size % KIB === 0) return `${size / KIB} KiB`;
  return `${size} B`;
}

/** One transport the comparison runs over. */
export interface TransportPlan {
  /** Its scheme, as the tables show it. */
  name: string;
  /** A fresh address; undefined for inproc (both ends in one process). */
  url?: () => string;
  /** The implementations that speak it. */
  impls: readonly Impl[];
  /** Added after the first round: a quick run (CI) checks it with one 64 B throughput cell. */
  quickOneCell?: boolean;
}

/**
 * The transports, in table order. tls+tcp runs ours alone: the C tools
 * speak nanomsg's API, which has no way to give nng certificates. ws
 * addresses have no path, which nanomsg's listeners require.
 */
export const TRANSPORTS: readonly TransportPlan[] = [
  { name: "tcp", url: () => `tcp://127.0.0.1:${freePort()}`, impls: IMPLS },
  { name: "ipc", url: () => `ipc://${freeIpcPath()}`, impls: IMPLS },
  { name: "inproc", impls: IMPLS },
  { name: "ws", url: () => `ws://127.0.0.1:${freePort()}`, impls: IMPLS, quickOneCell: true },
  { name: "tls+tcp", url: () => `tls+tcp://127.0.0.1:${freePort()}`, impls: ["ours"], quickOneCell: true },
];

/** Throughput sizes: powers of four, so no cliff hides between two rows. */
export const THROUGHPUT_SIZES: readonly number[] = [64, KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB];
/** Latency sizes. */
export const LATENCY_SIZES: readonly number[] = [64, KIB, 4 * KIB, 16 * KIB, 64 * KIB];
/** Subscribers of the fan-out cell (PUB → SUBs over tcp, 64 B). */
export const FANOUT_SUBSCRIBERS = 100;

/** Both sides of one implementation against each other (or the single inproc program). */
function ownPair(kind: "thr" | "lat", transport: TransportPlan, size: number, impl: Impl, memory: boolean): Variant {
  return {
    label: IMPL_LABEL[impl],
    run: (count, timeoutMs) => {
      if (transport.url === undefined) {
        return runSingle(impl, kind === "thr" ? "inproc_thr" : "inproc_lat", [size, count], timeoutMs);
      }
      const url = transport.url();
      return kind === "thr"
        ? runPair(
          { impl, tool: "local_thr", args: [url, size, count] },
          { impl, tool: "remote_thr", args: [url, size, count] },
          url,
          "bind",
          timeoutMs,
          memory,
        )
        : runPair(
          { impl, tool: "local_lat", args: [url, size, count] },
          { impl, tool: "remote_lat", args: [url, size, count] },
          url,
          "connect",
          timeoutMs,
        );
    },
  };
}

/**
 * A mixed pair. For throughput the label reads sender → receiver; for
 * latency it reads timing side ⇄ echoing side.
 */
function crossPair(kind: "thr" | "lat", transport: TransportPlan, size: number, a: Impl, b: Impl): Variant {
  const url = transport.url!;
  if (kind === "thr") {
    return {
      label: `${IMPL_LABEL[a]} → ${IMPL_LABEL[b]}`,
      run: (count, timeoutMs) => {
        const u = url();
        return runPair(
          { impl: b, tool: "local_thr", args: [u, size, count] },
          { impl: a, tool: "remote_thr", args: [u, size, count] },
          u,
          "bind",
          timeoutMs,
        );
      },
    };
  }
  return {
    label: `${IMPL_LABEL[a]} ⇄ ${IMPL_LABEL[b]}`,
    run: (count, timeoutMs) => {
      const u = url();
      return runPair(
        { impl: b, tool: "local_lat", args: [u, size, count] },
        { impl: a, tool: "remote_lat", args: [u, size, count] },
        u,
        "connect",
        timeoutMs,
      );
    },
  };
}

/** PUB → `subscribers` SUBs of one implementation over tcp. */
function fanOut(impl: Impl, subscribers: number, size: number): Variant {
  return {
    label: IMPL_LABEL[impl],
    run: (count, timeoutMs) => {
      const url = `tcp://127.0.0.1:${freePort()}`;
      const sync = `tcp://127.0.0.1:${freePort()}`;
      return runPair(
        { impl, tool: "fanout_pub", args: [url, sync, size, count] },
        { impl, tool: "fanout_sub", args: [url, sync, subscribers, size] },
        url,
        "connect",
        timeoutMs,
      );
    },
  };
}

/** Calibration counts (also the `--quick` counts) and caps, by message size. */
const THR_COUNTS: Record<number, { full: number; quick: number; max: number }> = {
  [64]: { full: 20_000, quick: 2_000, max: 20_000_000 },
  [KIB]: { full: 20_000, quick: 2_000, max: 10_000_000 },
  [4 * KIB]: { full: 10_000, quick: 1_000, max: 10_000_000 },
  [16 * KIB]: { full: 5_000, quick: 500, max: 5_000_000 },
  [64 * KIB]: { full: 2_000, quick: 100, max: 5_000_000 },
  [256 * KIB]: { full: 500, quick: 50, max: 2_000_000 },
  [MIB]: { full: 100, quick: 20, max: 2_000_000 },
};

function counts(kind: "thr" | "lat", size: number, quick: boolean): { startCount: number; maxCount: number } {
  if (kind === "lat") return { startCount: quick ? 100 : size >= 64 * KIB ? 300 : 1_000, maxCount: 2_000_000 };
  const row = THR_COUNTS[size] ?? { full: 1_000, quick: 20, max: 1_000_000 };
  return { startCount: quick ? row.quick : row.full, maxCount: row.max };
}

function title(group: Group, kind: Kind, transport: string, size: number): string {
  const what = kind === "thr" ? "throughput" : kind === "lat" ? "latency" : "fan-out";
  return `${what} ${transport} ${sizeLabel(size)}${group === "cross" ? " (cross)" : ""}`;
}

/**
 * The cells of a full or quick comparison, in running order; `only` keeps
 * the cells of those transports (and the fan-out when it names tcp).
 */
export function planCells(quick: boolean, only?: readonly string[]): Cell[] {
  return allCells(quick).filter((cell) => only === undefined || only.includes(cell.transport));
}

function allCells(quick: boolean): Cell[] {
  const cells: Cell[] = [];
  const add = (
    group: Group,
    kind: "thr" | "lat",
    transport: TransportPlan,
    size: number,
    variants: Variant[],
    memory = false,
  ) =>
    cells.push({
      group,
      kind,
      transport: transport.name,
      size,
      title: title(group, kind, transport.name, size),
      ...counts(kind, size, quick),
      perCount: 1,
      memory,
      variants,
    });
  for (const transport of TRANSPORTS) {
    const oneCell = quick && transport.quickOneCell === true;
    const thrSizes = oneCell ? [64] : quick ? [64, MIB] : THROUGHPUT_SIZES;
    const latSizes = oneCell ? [] : quick ? [64] : LATENCY_SIZES;
    for (const size of thrSizes) {
      // The 1 MiB runs over the wire also record how much memory they take.
      const memory = size === MIB && transport.url !== undefined;
      add(
        "main",
        "thr",
        transport,
        size,
        transport.impls.map((i) => ownPair("thr", transport, size, i, memory)),
        memory,
      );
    }
    for (const size of latSizes) {
      add("main", "lat", transport, size, transport.impls.map((i) => ownPair("lat", transport, size, i, false)));
    }
  }
  const tcp = TRANSPORTS.find((t) => t.name === "tcp")!;
  const ipc = TRANSPORTS.find((t) => t.name === "ipc")!;
  const ws = TRANSPORTS.find((t) => t.name === "ws")!;
  for (const size of quick ? [64] : [64, MIB]) {
    add("cross", "thr", tcp, size, [
      crossPair("thr", tcp, size, "ours", "nanomsg"),
      crossPair("thr", tcp, size, "nanomsg", "ours"),
    ]);
  }
  add("cross", "lat", tcp, 64, [
    crossPair("lat", tcp, 64, "ours", "nanomsg"),
    crossPair("lat", tcp, 64, "nanomsg", "ours"),
  ]);
  if (!quick) {
    add("cross", "thr", ws, 64, [
      crossPair("thr", ws, 64, "ours", "nanomsg"),
      crossPair("thr", ws, 64, "nanomsg", "ours"),
    ]);
    add("cross", "thr", ipc, 64, [
      crossPair("thr", ipc, 64, "ours", "nanomsg"),
      crossPair("thr", ipc, 64, "nanomsg", "ours"),
    ]);
  }
  cells.push(inspectorCell(quick));
  const subscribers = quick ? 10 : FANOUT_SUBSCRIBERS;
  cells.push({
    group: "fanout",
    kind: "fanout",
    transport: "tcp",
    size: 64,
    title: `fan-out tcp 64 B, PUB → ${subscribers} SUBs`,
    startCount: quick ? 200 : 2_000,
    maxCount: 1_000_000,
    perCount: subscribers,
    memory: false,
    variants: IMPLS.map((impl) => fanOut(impl, subscribers, 64)),
  });
  return cells;
}
