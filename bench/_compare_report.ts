/**
 * Renders `compare.ts` results as markdown: machine header, throughput and
 * latency tables with ratios, cross pairs, fan-out, memory of the 1 MiB
 * runs, pipe costs, the project's performance targets and the raw samples.
 *
 * @module
 */

import { type CellResult, sizeLabel } from "./_compare_plan.ts";
import { findCell, targets, targetTable } from "./_compare_targets.ts";
import { idleLabel, type PipeCosts } from "./pipe_costs.ts";
import { inspectorTable } from "./_inspector_cell.ts";

/** Everything the report shows. */
export interface ReportInput {
  machine: Record<string, string>;
  results: CellResult[];
  costs: PipeCosts | undefined;
  settings: { quick: boolean; reps: number; targetMs: number; elapsedSec: number };
  /** The chart's file name, relative to the report, when one was written. */
  chart?: string;
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

function crossTable(results: CellResult[]): string[] {
  const lines = [
    "| test | transport | size | pair | result | ours ↔ ours | libnanomsg ↔ libnanomsg |",
    "|---|---|---:|---|---:|---:|---:|",
  ];
  for (const r of results.filter((r) => r.cell.group === "cross")) {
    const same = findCell(results, r.cell.kind, r.cell.transport, r.cell.size);
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

function fanoutTable(results: CellResult[]): string[] {
  const lines = [
    "| case | implementation | delivered msg/s | vs libnanomsg | share of published messages delivered |",
    "|---|---|---:|---:|---:|",
  ];
  for (const r of results.filter((r) => r.cell.kind === "fanout")) {
    const theirs = r.medians.get("libnanomsg");
    for (const v of r.cell.variants) {
      const share = r.deliveredShare.get(v.label);
      lines.push(
        `| ${r.cell.title.replace(/^fan-out /, "")} | ${v.label} | ${rate(r.medians.get(v.label))} | ${
          ratio(r.medians.get(v.label), theirs)
        } | ${share === undefined ? "—" : `${(100 * share).toFixed(1)}%`} |`,
      );
    }
  }
  return lines;
}

const mb = (kb: number | undefined) => kb === undefined ? "—" : (kb / 1024).toFixed(1);

function memoryTable(results: CellResult[]): string[] {
  const lines = [
    "| transport | implementation | peak RSS MB | with one message MB | traffic MB | peak vs libnanomsg |",
    "|---|---|---:|---:|---:|---:|",
  ];
  for (const r of results.filter((r) => r.cell.memory)) {
    const theirs = r.peakKb.get("libnanomsg");
    for (const v of r.cell.variants) {
      const peak = r.peakKb.get(v.label);
      const base = r.baselineKb.get(v.label);
      lines.push(
        `| ${r.cell.transport} | ${v.label} | ${mb(peak)} | ${mb(base)} | ${
          peak === undefined || base === undefined ? "—" : mb(Math.max(0, peak - base))
        } | ${ratio(peak, theirs)} |`,
      );
    }
  }
  return lines;
}

function costTable(costs: PipeCosts): string[] {
  const lines = [
    "| transport | endpoint cycles/s | socket cycles/s | idle pipes | heap/pipe KB | ArrayBuffers/pipe KB | total/pipe KB | RSS/pipe KB |",
    "|---|---:|---:|---|---:|---:|---:|---:|",
  ];
  for (const t of ["inproc", "ipc", "tcp"] as const) {
    const c = costs.cycles[t];
    const m = costs.idle[t];
    lines.push(
      `| ${t} | ${rate(c.endpoint)} | ${rate(c.socket)} | ${idleLabel(m)} | ${(m.heapPerPipe / 1000).toFixed(1)} | ${
        (m.externalPerPipe / 1000).toFixed(1)
      } | ${((m.heapPerPipe + m.externalPerPipe) / 1000).toFixed(1)} | ${(m.rssPerPipe / 1000).toFixed(1)} |`,
    );
  }
  return lines;
}

function detailTable(results: CellResult[]): string[] {
  const lines = ["| test | variant | count | samples | error |", "|---|---|---:|---|---|"];
  for (const r of results) {
    for (const v of r.cell.variants) {
      const samples = (r.samples.get(v.label) ?? []).map((s) => r.cell.kind === "lat" ? s.toFixed(2) : Math.round(s));
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
  const { chart } = input;
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
    } s in all; load average ${machine.load}`,
    "",
    "Produced by `deno task bench:compare` (`bench/compare.ts`). Every number is the median over the repetitions;",
    "implementations alternate within each repetition. Each implementation runs its own perf tools",
    "(`bench/perf/*.ts` for ours, `bench/c/*.c` built against libnanomsg and against nng's nanomsg-compat API);",
    "throughput is measured by the receiving side (local_thr), latency by the connecting side (remote_lat),",
    "exactly as nanomsg's perf programs do. inproc runs both ends in one process (C: two threads; ours: one event loop);",
    "every tool's send copies the message (as `nn_send` does); the C tools receive each one into one buffer",
    "(`nn_recv`), ours does so with `recv({ into })` from 16 KiB on and takes smaller ones as views, with no copy.",
    "Two cores and loopback make single runs noisy (see the samples at the end): read ratios, not digits.",
    "",
    "## Throughput (msg/s, higher is better)",
    "",
    ...(chart === undefined ? [] : [`![Throughput by message size: ours, libnanomsg and nng](${chart})`, ""]),
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
    "## Fan-out (messages delivered per second at the subscribers, higher is better)",
    "",
    "One process publishes (`fanout_pub`: PUB, as fast as PUB takes messages; PUB drops for a subscriber that cannot",
    "keep up), another holds every subscriber (`fanout_sub`) and counts what arrives, from the first arrival to the last.",
    "",
    ...fanoutTable(results),
    "",
    "## Memory of the 1 MiB throughput runs",
    "",
    'Peak RSS (VmHWM) of the sending and the receiving process together, median over the repetitions; "with one',
    'message" is the same pair of tools sending a single message (runtime, libraries, connection), and "traffic" the',
    "difference (the one-message column is mostly the runtimes themselves: V8 and Deno against a C program).",
    "",
    ...memoryTable(results),
    "",
    ...inspectorTable(results),
  ];
  if (costs !== undefined) {
    out.push(
      "## Pipe costs (ours; `bench/pipe_costs.ts`)",
      "",
      "Endpoint cycle: `connect()` on a long-lived PUSH socket, handshake, attach on both sides (one message passes), `shutdown()`.",
      "Socket cycle: the same with a new socket opened and closed each time. Idle memory after forced GC: tcp and ipc",
      "per pipe of one PULL listener whose peers are plain sockets in another process; inproc per pipe end, both ends",
      "in one process.",
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
