/**
 * The project's performance targets (issue 13), checked against one
 * comparison run: ratios against libnanomsg measured in the same run, the
 * pipe costs, the fan-out and the memory of the 1 MiB runs.
 *
 * @module
 */

import { type CellResult, sizeLabel } from "./_compare_plan.ts";
import type { PipeCosts } from "./pipe_costs.ts";

/** One target and what the run measured. */
export interface Target {
  what: string;
  measured: number | undefined;
  goal: number;
  higherIsBetter: boolean;
  unit: string;
  /** e.g. which size was the worst. */
  note?: string;
}

/** The main (or fan-out) cell of a kind, transport and size. */
export function findCell(
  results: CellResult[],
  kind: CellResult["cell"]["kind"],
  transport: string,
  size: number,
): CellResult | undefined {
  return results.find((r) =>
    r.cell.group !== "cross" && r.cell.kind === kind && r.cell.transport === transport && r.cell.size === size
  );
}

function ratio(r: CellResult | undefined, of: (r: CellResult, label: string) => number | undefined) {
  if (r === undefined) return undefined;
  const ours = of(r, "ours");
  const theirs = of(r, "libnanomsg");
  return ours === undefined || theirs === undefined || theirs === 0 ? undefined : ours / theirs;
}

const median = (r: CellResult, label: string) => r.medians.get(label);
const peak = (r: CellResult, label: string) => r.peakKb.get(label);

/** Every target, with what the run measured (undefined where the run did not measure it). */
export function targets(results: CellResult[], costs: PipeCosts | undefined): Target[] {
  const vs = (kind: "thr" | "lat", transport: string, size: number) =>
    ratio(findCell(results, kind, transport, size), median);
  const list: Target[] = [];
  const push = (what: string, measured: number | undefined, goal: number, higherIsBetter: boolean, note?: string) => {
    const target: Target = { what, measured, goal, higherIsBetter, unit: "×" };
    if (note !== undefined) target.note = note;
    list.push(target);
  };
  push("tcp 64 B throughput vs libnanomsg", vs("thr", "tcp", 64), 3, true);
  push("tcp 64 B latency vs libnanomsg", vs("lat", "tcp", 64), 0.8, false);
  for (const t of ["tcp", "ipc"]) push(`${t} 64 KiB throughput vs libnanomsg`, vs("thr", t, 64 * 1024), 1.5, true);
  for (const t of ["tcp", "ipc"]) push(`${t} 64 KiB latency vs libnanomsg`, vs("lat", t, 64 * 1024), 0.8, false);
  for (const t of ["tcp", "ipc"]) push(`${t} 1 MiB throughput vs libnanomsg`, vs("thr", t, 1024 * 1024), 1.5, true);
  for (const t of ["tcp", "ipc", "inproc"]) {
    const rows = results.filter((r) => r.cell.group === "main" && r.cell.kind === "thr" && r.cell.transport === t)
      .map((r) => ({ size: r.cell.size, ratio: ratio(r, median) }))
      .filter((r): r is { size: number; ratio: number } => r.ratio !== undefined);
    const worst = rows.reduce<{ size: number; ratio: number } | undefined>(
      (w, r) => w === undefined || r.ratio < w.ratio ? r : w,
      undefined,
    );
    push(
      `${t} throughput vs libnanomsg at every size`,
      worst?.ratio,
      1,
      true,
      worst === undefined ? undefined : `worst: ${sizeLabel(worst.size)}`,
    );
  }
  push("inproc 64 B throughput vs libnanomsg", vs("thr", "inproc", 64), 10, true);
  push("ws 64 B throughput vs libnanomsg", vs("thr", "ws", 64), 2, true);
  const ws1MiB = findCell(results, "thr", "ws", 1024 * 1024);
  const wsOurs = ws1MiB?.medians.get("ours");
  const wsNng = ws1MiB?.medians.get("nng");
  push("ws 1 MiB throughput vs nng", wsOurs === undefined || wsNng === undefined ? undefined : wsOurs / wsNng, 1, true);
  push("inproc 64 B latency vs libnanomsg", vs("lat", "inproc", 64), 1, false);
  const fanout = results.find((r) => r.cell.kind === "fanout");
  push("fan-out (PUB → SUBs, tcp 64 B) delivered msg/s vs libnanomsg", ratio(fanout, median), 2, true);
  for (const t of ["tcp", "ipc"]) {
    push(`${t} 1 MiB run: peak RSS vs libnanomsg's`, ratio(findCell(results, "thr", t, 1024 * 1024), peak), 2, false);
  }
  if (costs !== undefined) {
    list.push({
      what: "tcp connect+handshake+close cycles/s (endpoint cycle)",
      measured: costs.cycles.tcp.endpoint,
      goal: 5000,
      higherIsBetter: true,
      unit: "/s",
    });
    for (const t of ["tcp", "ipc"] as const) {
      const m = costs.idle[t];
      list.push({
        what: `${t} memory per idle pipe (heap + ArrayBuffers), ${m.connections} on one listener`,
        measured: (m.heapPerPipe + m.externalPerPipe) / 1000,
        goal: 10,
        higherIsBetter: false,
        unit: " KB",
      });
    }
  }
  return list;
}

/** The targets as a markdown table. */
export function targetTable(list: Target[]): string[] {
  const lines = ["| target | goal | measured | met |", "|---|---:|---:|:---:|"];
  for (const t of list) {
    const value = t.measured === undefined
      ? "—"
      : `${t.unit === "/s" ? Math.round(t.measured).toLocaleString("en-US") : t.measured.toFixed(2)}${t.unit}${
        t.note ? ` (${t.note})` : ""
      }`;
    const met = t.measured === undefined
      ? "?"
      : (t.higherIsBetter ? t.measured >= t.goal : t.measured <= t.goal)
      ? "yes"
      : "**no**";
    lines.push(`| ${t.what} | ${t.higherIsBetter ? "≥" : "≤"} ${t.goal}${t.unit} | ${value} | ${met} |`);
  }
  return lines;
}
