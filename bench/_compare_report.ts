/**
 * Renders `compare.ts` results as markdown: machine header, throughput and
 * latency tables with ratios, cross pairs, pipe costs, the project's
 * performance targets and the raw samples.
 *
 * @module
 */

import { type CellResult, sizeLabel } from "./_compare_plan.ts";
import type { PipeCosts } from "./pipe_costs.ts";

/** Everything the report shows. */
export interface ReportInput {
  machine: Record<string, string>;
  results: CellResult[];
  costs: PipeCosts | undefined;
  settings: { quick: boolean; reps: number; targetMs: number; elapsedSec: number };
}

const rate = (v: number | undefined) => v === undefined ? "—" : Math.round(v).toLocaleString("en-US");
const micros = (v: number | undefined) => v === undefined ? "—" : v.toFixed(2);
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? "—" : `${(a / b).toFixed(2)}×`;

function mainTable(results: CellResult[], kind: "thr" | "lat"): string[] {
  const unit = kind === "thr" ? "msg/s" : "µs";
  const lines = [
    `| transport | size | ours ${unit} | libnanomsg ${unit} | nng ${unit} | ours / libnanomsg | ours / nng |`,
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  const fmt = kind === "thr" ? rate : micros;
  for (const r of results.filter((r) => r.cell.group === "main" && r.cell.kind === kind)) {
    const [ours, nanomsg, nng] = ["ours", "libnanomsg", "nng"].map((label) => r.medians.get(label));
    lines.push(
      `| ${r.cell.transport} | ${sizeLabel(r.cell.size)} | ${fmt(ours)} | ${fmt(nanomsg)} | ${fmt(nng)} | ${
        ratio(ours, nanomsg)
      } | ${ratio(ours, nng)} |`,
    );
  }
  return lines;
}

function findMain(results: CellResult[], kind: "thr" | "lat", transport: string, size: number) {
  return results.find((r) =>
    r.cell.group === "main" && r.cell.kind === kind && r.cell.transport === transport && r.cell.size === size
  );
}

function crossTable(results: CellResult[]): string[] {
  const lines = [
    "| test | transport | size | pair | result | ours ↔ ours | libnanomsg ↔ libnanomsg |",
    "|---|---|---:|---|---:|---:|---:|",
  ];
  for (const r of results.filter((r) => r.cell.group === "cross")) {
    const same = findMain(results, r.cell.kind, r.cell.transport, r.cell.size);
    const fmt = r.cell.kind === "thr" ? rate : micros;
    const unit = r.cell.kind === "thr" ? "msg/s" : "µs";
    for (const variant of r.cell.variants) {
      lines.push(
        `| ${r.cell.kind === "thr" ? "throughput" : "latency"} (${unit}) | ${r.cell.transport} | ${
          sizeLabel(r.cell.size)
        } | ${variant.label} | ${fmt(r.medians.get(variant.label))} | ${fmt(same?.medians.get("ours"))} | ${
          fmt(same?.medians.get("libnanomsg"))
        } |`,
      );
    }
  }
  return lines;
}

function costTable(costs: PipeCosts): string[] {
  const lines = [
    "| transport | endpoint cycles/s | socket cycles/s | idle conns | heap/pipe KB | ArrayBuffers/pipe KB | total/pipe KB |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const t of ["inproc", "ipc", "tcp"] as const) {
    const c = costs.cycles[t];
    const m = costs.idle[t];
    lines.push(
      `| ${t} | ${rate(c.endpoint)} | ${rate(c.socket)} | ${m.connections} | ${(m.heapPerPipe / 1000).toFixed(1)} | ${
        (m.externalPerPipe / 1000).toFixed(1)
      } | ${((m.heapPerPipe + m.externalPerPipe) / 1000).toFixed(1)} |`,
    );
  }
  return lines;
}

interface Target {
  what: string;
  measured: number | undefined;
  goal: number;
  higherIsBetter: boolean;
  unit: string;
}

function targets(results: CellResult[], costs: PipeCosts | undefined): Target[] {
  const vsNanomsg = (kind: "thr" | "lat", transport: string, size: number) => {
    const r = findMain(results, kind, transport, size);
    const ours = r?.medians.get("ours");
    const theirs = r?.medians.get("libnanomsg");
    return ours === undefined || theirs === undefined ? undefined : ours / theirs;
  };
  const list: Target[] = [
    {
      what: "tcp 64 B throughput vs libnanomsg",
      measured: vsNanomsg("thr", "tcp", 64),
      goal: 2,
      higherIsBetter: true,
      unit: "×",
    },
    {
      what: "tcp 64 B latency vs libnanomsg",
      measured: vsNanomsg("lat", "tcp", 64),
      goal: 1,
      higherIsBetter: false,
      unit: "×",
    },
    {
      what: "inproc 64 B throughput vs libnanomsg",
      measured: vsNanomsg("thr", "inproc", 64),
      goal: 5,
      higherIsBetter: true,
      unit: "×",
    },
    {
      what: "inproc 64 B latency vs libnanomsg",
      measured: vsNanomsg("lat", "inproc", 64),
      goal: 1,
      higherIsBetter: false,
      unit: "×",
    },
  ];
  list.push({
    what: "ws 64 B throughput vs libnanomsg",
    measured: vsNanomsg("thr", "ws", 64),
    goal: 2,
    higherIsBetter: true,
    unit: "×",
  });
  const ws1MiB = findMain(results, "thr", "ws", 1024 * 1024);
  const wsOurs = ws1MiB?.medians.get("ours");
  const wsNng = ws1MiB?.medians.get("nng");
  list.push({
    what: "ws 1 MiB throughput vs nng",
    measured: wsOurs === undefined || wsNng === undefined ? undefined : wsOurs / wsNng,
    goal: 1,
    higherIsBetter: true,
    unit: "×",
  });
  for (const t of ["tcp", "ipc", "inproc"]) {
    const measured = vsNanomsg("thr", t, 1024 * 1024);
    if (measured !== undefined) {
      list.push({ what: `${t} 1 MiB throughput vs libnanomsg`, measured, goal: 0.9, higherIsBetter: true, unit: "×" });
    }
  }
  if (costs !== undefined) {
    for (const t of ["tcp", "inproc"] as const) {
      list.push({
        what: `${t} connect+handshake+close cycles/s (endpoint cycle)`,
        measured: costs.cycles[t].endpoint,
        goal: 2000,
        higherIsBetter: true,
        unit: "/s",
      });
    }
    for (const t of ["tcp", "ipc", "inproc"] as const) {
      const m = costs.idle[t];
      list.push({
        what: `${t} memory per idle pipe (heap + ArrayBuffers)`,
        measured: (m.heapPerPipe + m.externalPerPipe) / 1000,
        goal: 10,
        higherIsBetter: false,
        unit: " KB",
      });
    }
  }
  return list;
}

function targetTable(list: Target[]): string[] {
  const lines = ["| target | goal | measured | met |", "|---|---:|---:|:---:|"];
  for (const t of list) {
    const value = t.measured === undefined
      ? "—"
      : `${t.unit === "/s" ? rate(t.measured) : t.measured.toFixed(2)}${t.unit}`;
    const met = t.measured === undefined
      ? "?"
      : (t.higherIsBetter ? t.measured >= t.goal : t.measured <= t.goal)
      ? "yes"
      : "**no**";
    lines.push(`| ${t.what} | ${t.higherIsBetter ? "≥" : "≤"} ${t.goal}${t.unit} | ${value} | ${met} |`);
  }
  return lines;
}

function detailTable(results: CellResult[]): string[] {
  const lines = ["| test | variant | count | samples | error |", "|---|---|---:|---|---|"];
  for (const r of results) {
    for (const v of r.cell.variants) {
      const samples = (r.samples.get(v.label) ?? []).map((s) => r.cell.kind === "thr" ? Math.round(s) : s.toFixed(2));
      lines.push(
        `| ${r.cell.title} | ${v.label} | ${r.counts.get(v.label) ?? "—"} | ${samples.join(", ")} | ${
          r.errors.get(v.label) ?? ""
        } |`,
      );
    }
  }
  return lines;
}

/** The whole report. */
export function renderResults(input: ReportInput): string {
  const { machine, results, costs, settings } = input;
  const out = [
    "# PAIR performance: ours vs libnanomsg vs nng",
    "",
    `- date: ${machine.date}`,
    `- machine: \`${machine.uname}\``,
    `- cores (nproc): ${machine.nproc}; CPU: ${machine.cpu}`,
    `- deno: ${machine.deno}; C libraries: ${machine.libraries}`,
    `- run: ${
      settings.quick ? "QUICK (tiny counts, numbers are not meaningful)" : "full"
    }, ${settings.reps} repetition(s) per cell, runs sized to ≈${settings.targetMs} ms, ${
      settings.elapsedSec.toFixed(0)
    } s in all`,
    "",
    "Produced by `deno task bench:compare` (`bench/compare.ts`). Every number is the median over the repetitions;",
    "implementations alternate within each repetition. Each implementation runs its own perf tools",
    "(`bench/perf/*.ts` for ours, `bench/c/*.c` built against libnanomsg and against nng's nanomsg-compat API);",
    "throughput is measured by the receiving side (local_thr), latency by the connecting side (remote_lat),",
    "exactly as nanomsg's perf programs do. inproc runs both ends in one process (C: two threads; ours: one event loop);",
    "our inproc hands the message object over without copying and the C tools copy it into their receive buffer",
    "(`nn_recv` into a buffer), so inproc numbers for large messages compare different amounts of work.",
    "Two cores and loopback make single runs noisy (see the samples at the end): read ratios, not digits.",
    "",
    "## Throughput (msg/s, higher is better)",
    "",
    ...mainTable(results, "thr"),
    "",
    "## Latency (one-way µs = round trip / 2, lower is better)",
    "",
    ...mainTable(results, "lat"),
    "",
    "## Cross pairs (our tools against libnanomsg's, over the wire)",
    "",
    "Throughput pairs read sender → receiver; latency pairs read timing side ⇄ echoing side.",
    "",
    ...crossTable(results),
    "",
  ];
  if (costs !== undefined) {
    out.push(
      "## Pipe costs (ours; `bench/pipe_costs.ts`)",
      "",
      "Endpoint cycle: `connect()` on a long-lived PUSH socket, handshake, attach on both sides (one message passes), `shutdown()`.",
      "Socket cycle: the same with a new socket opened and closed each time. Idle memory: per pipe end, after forced GC.",
      "",
      ...costTable(costs),
      "",
    );
  }
  out.push(
    "## Targets",
    "",
    ...targetTable(targets(results, costs)),
    "",
    "## Counts and samples",
    "",
    ...detailTable(results),
  );
  return out.join("\n");
}
