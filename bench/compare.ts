/**
 * Compares our PAIR throughput and latency with libnanomsg's and nng's in
 * one run: builds the C tools (`c/build.sh`), runs every implementation's
 * own pair of tools over tcp, ipc and inproc at sizes from 64 B to 1 MiB,
 * alternating implementations within each repetition, and reports medians
 * with ratios. Cross pairs (our sender into libnanomsg's receiver and the
 * other way round) show that the numbers come from nanomsg's wire
 * protocol. Also: a PUB → 100 SUBs fan-out, the peak memory of the 1 MiB
 * runs, and pipe setup rates and idle memory from `pipe_costs.ts`. Writes
 * the results as markdown and the throughput as an SVG chart.
 *
 * Every measurement is sized to take about `--target-ms` (default 800; one
 * or two calibration runs with smaller counts come first), so a fast and a
 * slow implementation are both measured for long enough and the whole run
 * stays within minutes. Progress goes to stderr.
 *
 * Usage: `deno run -A bench/compare.ts [--quick] [--reps N] [--target-ms MS] [--only T,…] [--out FILE] [--no-write]`
 *
 * `--only tcp,ws,tls+tcp` runs the cells of those transports only; `pipes`
 * in that list adds the pipe costs (connection cycles, idle pipes), which
 * a run with `--only` otherwise leaves out. tls+tcp
 * and wss need certificates: a CA and a server certificate are made with
 * openssl in a temporary directory.
 *
 * Defaults: 5 repetitions, ≈800 ms per run; about 15 minutes on a 2-core
 * machine. `--quick`: tiny fixed counts, one repetition, fewer sizes;
 * checks that every tool works (CI). Full runs write `bench/RESULTS.md`
 * and `bench/RESULTS.svg` unless `--no-write`.
 *
 * @module
 */

import { median, type Report, type RunResult, setPerfTls } from "./_procs.ts";
import { type Cell, type CellResult, planCells, type Variant } from "./_compare_plan.ts";
import { throughputChart } from "./_chart.ts";
import { renderResults } from "./_compare_report.ts";
import type { PipeCosts } from "./pipe_costs.ts";

interface Settings {
  quick: boolean;
  only: string[] | undefined;
  reps: number;
  targetMs: number;
  out: string | undefined;
}

function parseSettings(args: string[]): Settings {
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const quick = args.includes("--quick");
  const only = value("--only");
  const settings: Settings = {
    quick,
    only: only === undefined ? undefined : only.split(","),
    reps: Number(value("--reps") ?? (quick ? 1 : 5)),
    targetMs: Number(value("--target-ms") ?? 800),
    out: args.includes("--no-write")
      ? undefined
      : value("--out") ?? (quick ? undefined : new URL("RESULTS.md", import.meta.url).pathname),
  };
  if (!(settings.reps >= 1) || !(settings.targetMs > 0)) {
    console.error(
      "usage: compare.ts [--quick] [--reps N] [--target-ms MS] [--only tcp,ws,…,pipes] [--out FILE] [--no-write]",
    );
    Deno.exit(2);
  }
  return settings;
}

const log = (text: string) => console.error(text);

async function buildCTools(): Promise<void> {
  const script = new URL("c/build.sh", import.meta.url).pathname;
  const out = await new Deno.Command("sh", { args: [script], stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    console.error(new TextDecoder().decode(out.stderr));
    throw new Error("building the C tools failed");
  }
}

/** The number a cell compares: msg/s for throughput and fan-out, µs for latency. */
function metric(cell: Cell, report: Report): number | undefined {
  return cell.kind === "lat" ? report.latencyMicros : report.msgsPerSec;
}

/** Units of count (messages, round trips, published messages) per second, from one run's result. */
function perSecond(cell: Cell, result: RunResult): number | undefined {
  const value = result.ok ? metric(cell, result.report) : undefined;
  if (value === undefined || value <= 0) return undefined;
  // A round trip is two one-way latencies.
  return cell.kind === "lat" ? 1_000_000 / (2 * value) : value / cell.perCount;
}

/**
 * Picks a count for a variant so that one run takes about `targetMs`. A
 * run with the cell's small starting count gives a first rate; when that
 * run was much shorter than the target, a second, longer one refines it,
 * because a short run underrates a JIT-compiled implementation.
 */
async function calibrate(cell: Cell, variant: Variant, targetMs: number): Promise<number> {
  const clamp = (n: number) => Math.min(cell.maxCount, Math.max(cell.startCount, Math.round(n)));
  let rate = perSecond(cell, await variant.run(cell.startCount, 60_000));
  if (rate === undefined) return cell.startCount;
  if (cell.startCount / rate * 1000 < targetMs / 4) {
    rate = perSecond(cell, await variant.run(clamp(rate * targetMs / 2000), 60_000)) ?? rate;
  }
  return clamp(rate * targetMs / 1000);
}

async function runCell(cell: Cell, settings: Settings, progress: Progress): Promise<CellResult> {
  const counts = new Map<string, number>();
  for (const variant of cell.variants) {
    progress.step(`calibrating ${variant.label}`);
    counts.set(variant.label, settings.quick ? cell.startCount : await calibrate(cell, variant, settings.targetMs));
  }
  const values = new Map<string, number[]>(cell.variants.map((v) => [v.label, []]));
  const peaks = new Map<string, number[]>(cell.variants.map((v) => [v.label, []]));
  const shares = new Map<string, number[]>(cell.variants.map((v) => [v.label, []]));
  const errors = new Map<string, string>();
  for (let rep = 0; rep < settings.reps; rep++) {
    progress.step(`repetition ${rep + 1}/${settings.reps}`);
    // Rotate the order each repetition so no implementation always runs
    // first (cold caches) or right after another one (warm CPU clocks).
    const order = cell.variants.map((_, i) => cell.variants[(i + rep) % cell.variants.length]!);
    for (const variant of order) {
      const count = counts.get(variant.label)!;
      // Generous: a stalled run is a bug to report, not something to wait for.
      const timeoutMs = Math.max(30_000, settings.targetMs * 20);
      const result: RunResult = await variant.run(count, timeoutMs);
      const value = result.ok ? metric(cell, result.report) : undefined;
      if (value !== undefined) values.get(variant.label)!.push(value);
      else errors.set(variant.label, result.ok ? "no result in the output" : result.error);
      if (result.ok && result.peakKb !== undefined) peaks.get(variant.label)!.push(result.peakKb);
      if (result.ok && result.report.delivered !== undefined) {
        shares.get(variant.label)!.push(result.report.delivered / (count * cell.perCount));
      }
    }
  }
  const medians = new Map<string, number>();
  for (const [label, list] of values) if (list.length > 0) medians.set(label, median(list));
  const peakKb = new Map<string, number>();
  for (const [label, list] of peaks) if (list.length > 0) peakKb.set(label, median(list));
  const baselineKb = new Map<string, number>();
  if (cell.memory) {
    progress.step("memory of a one-message run");
    for (const variant of cell.variants) {
      const result = await variant.run(1, 30_000);
      if (result.ok && result.peakKb !== undefined) baselineKb.set(variant.label, result.peakKb);
    }
  }
  const deliveredShare = new Map<string, number>();
  for (const [label, list] of shares) if (list.length > 0) deliveredShare.set(label, median(list));
  return { cell, counts, medians, samples: values, peakKb, baselineKb, deliveredShare, errors };
}

/**
 * Progress on stderr, one line per step: which cell of how many, what it
 * is doing, time so far and a rough estimate of the time left (from the
 * cells done so far).
 */
class Progress {
  readonly #total: number;
  readonly #started = performance.now();
  #done = 0;
  #title = "";

  constructor(total: number) {
    this.#total = total;
  }

  begin(title: string): void {
    this.#title = title;
  }

  step(what: string): void {
    const elapsed = (performance.now() - this.#started) / 1000;
    const left = this.#done === 0 ? "" : `, ~${clock(elapsed / this.#done * (this.#total - this.#done))} left`;
    log(`[${this.#done + 1}/${this.#total} ${clock(elapsed)}${left}] ${this.#title}: ${what} …`);
  }

  end(summary: string): void {
    this.#done++;
    log(`[${this.#done}/${this.#total}] ${this.#title}: ${summary}`);
  }
}

/** Seconds as `4m05s`. */
function clock(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** A CA and a certificate for 127.0.0.1 it signed, for the TLS cells; our tools find them through the environment. */
async function makeCertificates(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sp-bench-tls-" });
  const openssl = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" }).output();
    if (!out.success) throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=bench CA");
  await openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=IP:127.0.0.1,DNS:127.0.0.1\nbasicConstraints=CA:FALSE\n");
  await openssl(
    ..."x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2".split(" "),
    ...["-extfile", "ext.cnf"],
  );
  setPerfTls(`${dir}/server.pem`, `${dir}/server.key`, `${dir}/ca.pem`);
}

async function pipeCosts(quick: boolean): Promise<PipeCosts | undefined> {
  const script = new URL("pipe_costs.ts", import.meta.url).pathname;
  const args = [
    "run",
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-run",
    "--v8-flags=--expose-gc",
    script,
    "--json",
  ];
  if (quick) args.push("--quick");
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    log(`pipe_costs.ts failed: ${new TextDecoder().decode(out.stderr)}`);
    return undefined;
  }
  return JSON.parse(new TextDecoder().decode(out.stdout)) as PipeCosts;
}

async function commandText(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "?";
  }
}

/** Date, kernel, cores, CPU and library versions, for the results header. */
async function machineInfo(): Promise<Record<string, string>> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  return {
    date: new Date().toISOString(),
    uname: await commandText("uname", ["-a"]),
    nproc: await commandText("nproc", []),
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "?",
    deno: `${Deno.version.deno} (V8 ${Deno.version.v8})`,
    libraries: await commandText("dpkg-query", ["-W", "-f", "${Package} ${Version}; ", "libnanomsg5", "libnng1"]),
    load: loadAverage(),
  };
}

/** The 1-, 5- and 15-minute load averages (other work on the machine skews every number). */
function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

if (import.meta.main) {
  const settings = parseSettings(Deno.args);
  const started = performance.now();
  const loadAtStart = loadAverage();
  log("building the C tools …");
  await buildCTools();
  const cells = planCells(settings.quick, settings.only);
  if (cells.some((cell) => cell.transport === "tls+tcp")) await makeCertificates();
  const progress = new Progress(cells.length);
  const results: CellResult[] = [];
  for (const cell of cells) {
    const t0 = performance.now();
    progress.begin(cell.title);
    const result = await runCell(cell, settings, progress);
    results.push(result);
    const summary = [...result.medians].map(([label, v]) => `${label}=${v.toFixed(cell.kind === "lat" ? 2 : 0)}`);
    const errors = [...result.errors].map(([label, e]) => `${label} FAILED (${e})`);
    progress.end(`${[...summary, ...errors].join(" ")} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  log("pipe costs (connection cycles, idle pipes) …");
  const wantCosts = settings.only === undefined || settings.only.includes("pipes");
  const costs = wantCosts ? await pipeCosts(settings.quick) : undefined;
  const elapsedSec = (performance.now() - started) / 1000;
  const machine = await machineInfo();
  machine.load = `${machine.load} at the end (${loadAtStart} at the start)`;
  const svg = throughputChart(results);
  const chartPath = settings.out?.replace(/(\.md)?$/, ".svg");
  const markdown = renderResults({
    machine,
    results,
    costs,
    settings: { quick: settings.quick, reps: settings.reps, targetMs: settings.targetMs, elapsedSec },
    ...(svg !== undefined && chartPath !== undefined ? { chart: chartPath.slice(chartPath.lastIndexOf("/") + 1) } : {}),
  });
  console.log(markdown);
  if (settings.out !== undefined) {
    await Deno.writeTextFile(settings.out, markdown + "\n");
    // CI runs `deno fmt --check`; leave the file as the formatter wants it.
    await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", settings.out], stdout: "null", stderr: "null" })
      .output();
    log(`wrote ${settings.out}`);
    if (svg !== undefined && chartPath !== undefined) {
      await Deno.writeTextFile(chartPath, svg);
      log(`wrote ${chartPath}`);
    }
  }
  const failed = results.filter((r) => r.errors.size > 0).length;
  log(`done in ${elapsedSec.toFixed(0)} s${failed > 0 ? `; ${failed} cell(s) had failures` : ""}`);
  if (failed > 0) Deno.exit(1);
}
