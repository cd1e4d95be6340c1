/**
 * What `compare.ts` measures: the cells of the table (kind × transport ×
 * size), the implementations or cross pairs run in each, and the message
 * counts they start from.
 *
 * @module
 */

import { freeIpcPath, freePort, type Impl, runPair, type RunResult, runSingle } from "./_procs.ts";

/** Where the cells go in the report. */
export type Group = "main" | "cross";

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
  kind: "thr" | "lat";
  transport: "tcp" | "ipc" | "inproc" | "ws" | "tls+tcp";
  size: number;
  title: string;
  /** Count of the calibration run (and of every run with `--quick`). */
  startCount: number;
  /** Upper bound for the calibrated count. */
  maxCount: number;
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
  /** Why a variant produced no number. */
  errors: Map<string, string>;
}

/** The report's name for each implementation. */
export const IMPL_LABEL: Record<Impl, string> = { ours: "ours", nanomsg: "libnanomsg", nng: "nng" };

const KIB = 1024;
const MIB = 1024 * 1024;

/** A human-readable size: 64 B, 1 KiB, 64 KiB, 1 MiB. */
export function sizeLabel(size: number): string {
  if (size >= MIB && size % MIB === 0) return `${size / MIB} MiB`;
  if (size >= KIB && size % KIB === 0) return `${size / KIB} KiB`;
  return `${size} B`;
}

/** A fresh address; ws without a path, which nanomsg's listeners require. */
function url(transport: WireTransport): string {
  return transport === "ipc" ? `ipc://${freeIpcPath()}` : `${transport}://127.0.0.1:${freePort()}`;
}

/** The transports with a wire. */
type WireTransport = Exclude<Cell["transport"], "inproc">;

/** Both sides of one implementation against each other (or the single inproc program). */
function ownPair(kind: "thr" | "lat", transport: Cell["transport"], size: number, impl: Impl): Variant {
  return {
    label: IMPL_LABEL[impl],
    run: (count, timeoutMs) => {
      if (transport === "inproc") {
        return runSingle(impl, kind === "thr" ? "inproc_thr" : "inproc_lat", [size, count], timeoutMs);
      }
      return kind === "thr"
        ? runPair(
          { impl, tool: "local_thr" },
          { impl, tool: "remote_thr" },
          url(transport),
          [size, count],
          "bind",
          timeoutMs,
        )
        : runPair(
          { impl, tool: "local_lat" },
          { impl, tool: "remote_lat" },
          url(transport),
          [size, count],
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
function crossPair(kind: "thr" | "lat", transport: WireTransport, size: number, a: Impl, b: Impl): Variant {
  if (kind === "thr") {
    return {
      label: `${IMPL_LABEL[a]} → ${IMPL_LABEL[b]}`,
      run: (count, timeoutMs) =>
        runPair(
          { impl: b, tool: "local_thr" },
          { impl: a, tool: "remote_thr" },
          url(transport),
          [size, count],
          "bind",
          timeoutMs,
        ),
    };
  }
  return {
    label: `${IMPL_LABEL[a]} ⇄ ${IMPL_LABEL[b]}`,
    run: (count, timeoutMs) =>
      runPair(
        { impl: b, tool: "local_lat" },
        { impl: a, tool: "remote_lat" },
        url(transport),
        [size, count],
        "connect",
        timeoutMs,
      ),
  };
}

/** Calibration counts (also the `--quick` counts) and caps, by message size. */
const THR_COUNTS: Record<number, { full: number; quick: number; max: number }> = {
  [64]: { full: 20_000, quick: 2_000, max: 20_000_000 },
  [KIB]: { full: 20_000, quick: 2_000, max: 10_000_000 },
  [64 * KIB]: { full: 2_000, quick: 100, max: 5_000_000 },
  [MIB]: { full: 100, quick: 20, max: 2_000_000 },
};

function counts(kind: "thr" | "lat", size: number, quick: boolean): { startCount: number; maxCount: number } {
  if (kind === "lat") return { startCount: quick ? 100 : size >= 64 * KIB ? 300 : 1_000, maxCount: 2_000_000 };
  const row = THR_COUNTS[size] ?? { full: 1_000, quick: 20, max: 1_000_000 };
  return { startCount: quick ? row.quick : row.full, maxCount: row.max };
}

/**
 * The cells of a full or quick comparison, in running order; `only`
 * keeps the cells of those transports. tls+tcp runs ours alone: the C
 * tools speak nanomsg's API, which has no way to give nng certificates.
 */
export function planCells(quick: boolean, only?: readonly string[]): Cell[] {
  return allCells(quick).filter((cell) => only === undefined || only.includes(cell.transport));
}

function allCells(quick: boolean): Cell[] {
  const impls: Impl[] = ["ours", "nanomsg", "nng"];
  const transports: Cell["transport"][] = ["tcp", "ipc", "inproc", "ws", "tls+tcp"];
  const thrSizes = quick ? [64, MIB] : [64, KIB, 64 * KIB, MIB];
  const latSizes = quick ? [64] : [64, KIB, 64 * KIB];
  const implsFor = (transport: Cell["transport"]) => transport === "tls+tcp" ? impls.slice(0, 1) : impls;
  const cells: Cell[] = [];
  const add = (group: Group, kind: "thr" | "lat", transport: Cell["transport"], size: number, variants: Variant[]) =>
    cells.push({
      group,
      kind,
      transport,
      size,
      title: `${kind === "thr" ? "throughput" : "latency"} ${transport} ${sizeLabel(size)}${
        group === "cross" ? " (cross)" : ""
      }`,
      ...counts(kind, size, quick),
      variants,
    });
  // A quick run (CI) checks that ws and tls+tcp work with one cell each.
  const newTransport = (transport: Cell["transport"]) => transport === "ws" || transport === "tls+tcp";
  for (const transport of transports) {
    for (const size of quick && newTransport(transport) ? [64] : thrSizes) {
      add(
        "main",
        "thr",
        transport,
        size,
        implsFor(transport).map((i) => ownPair("thr", transport, size, i)),
      );
    }
    for (const size of quick && newTransport(transport) ? [] : latSizes) {
      add(
        "main",
        "lat",
        transport,
        size,
        implsFor(transport).map((i) => ownPair("lat", transport, size, i)),
      );
    }
  }
  for (const size of quick ? [64] : [64, MIB]) {
    add("cross", "thr", "tcp", size, [
      crossPair("thr", "tcp", size, "ours", "nanomsg"),
      crossPair("thr", "tcp", size, "nanomsg", "ours"),
    ]);
  }
  add("cross", "lat", "tcp", 64, [
    crossPair("lat", "tcp", 64, "ours", "nanomsg"),
    crossPair("lat", "tcp", 64, "nanomsg", "ours"),
  ]);
  if (!quick) {
    add("cross", "thr", "ws", 64, [
      crossPair("thr", "ws", 64, "ours", "nanomsg"),
      crossPair("thr", "ws", 64, "nanomsg", "ours"),
    ]);
    add("cross", "thr", "ipc", 64, [
      crossPair("thr", "ipc", 64, "ours", "nanomsg"),
      crossPair("thr", "ipc", 64, "nanomsg", "ours"),
    ]);
  }
  return cells;
}
