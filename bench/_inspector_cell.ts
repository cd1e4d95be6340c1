/**
 * What the live inspector costs: tcp 64 B throughput of our own pair of
 * tools with the inspector off, and with it open and its page connected
 * in headless Chromium (`perf/local_thr_inspected.ts`), the two
 * alternating within each repetition. The goal: on costs little, at
 * least 90% of off.
 *
 * @module
 */

import type { Cell, CellResult, Variant } from "./_compare_plan.ts";
import { freePort, parseReport, runPair, type RunResult, toolCommand, waitBound } from "./_procs.ts";

const INSPECTED = new URL("perf/local_thr_inspected.ts", import.meta.url).pathname;

/** The label of each variant. */
export const INSPECTOR_OFF = "ours, inspector off";
/** The label of the variant with the inspector open and a page connected. */
export const INSPECTOR_ON = "ours, inspector on + page";

/** The least share of the plain rate the inspected one must keep. */
export const INSPECTOR_GOAL = 0.9;

/**
 * The inspector cell of a full or quick comparison.
 *
 * @param quick tiny counts (CI checks that the tools run)
 * @returns the cell
 */
export function inspectorCell(quick: boolean): Cell {
  const off: Variant = {
    label: INSPECTOR_OFF,
    run: (count, timeoutMs) => {
      const url = `tcp://127.0.0.1:${freePort()}`;
      return runPair(
        { impl: "ours", tool: "local_thr", args: [url, 64, count] },
        { impl: "ours", tool: "remote_thr", args: [url, 64, count] },
        url,
        "bind",
        timeoutMs,
      );
    },
  };
  return {
    group: "inspector",
    kind: "thr",
    transport: "tcp",
    size: 64,
    title: "throughput tcp 64 B, inspector off vs on",
    startCount: quick ? 2_000 : 20_000,
    maxCount: 20_000_000,
    perCount: 1,
    memory: false,
    variants: [off, { label: INSPECTOR_ON, run: runInspected }],
  };
}

function stop(child: Deno.ChildProcess | undefined): Promise<unknown> {
  if (child === undefined) return Promise.resolve();
  try {
    child.kill("SIGKILL");
  } catch { /* gone */ }
  return child.status;
}

/**
 * Our `remote_thr` into `local_thr_inspected.ts`. That tool starts a
 * browser, so it runs with `--allow-run` (the plain tools do not); it binds
 * once its page is connected.
 */
async function runInspected(count: number, timeoutMs: number): Promise<RunResult> {
  const url = `tcp://127.0.0.1:${freePort()}`;
  const args = [url, "64", String(count)];
  const receiver = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-run", INSPECTED, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = receiver.output();
  let sender: Deno.ChildProcess | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    if (!(await waitBound(url, receiver, 30_000))) {
      await stop(receiver);
      const stderr = new TextDecoder().decode((await output).stderr).trim();
      return { ok: false, error: `local_thr_inspected did not bind: ${stderr}` };
    }
    const [command, commandArgs] = toolCommand("ours", "remote_thr", args);
    sender = new Deno.Command(command, { args: commandArgs, stdout: "null", stderr: "null" }).spawn();
    const timedOut = new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), timeoutMs));
    const result = await Promise.race([output, timedOut]);
    if (result === undefined) return { ok: false, error: "local_thr_inspected: timed out" };
    if (!result.success) {
      const stderr = new TextDecoder().decode(result.stderr).trim().split("\n").slice(-2).join(" / ");
      return { ok: false, error: `local_thr_inspected: exit ${result.code}: ${stderr}` };
    }
    return { ok: true, report: parseReport(new TextDecoder().decode(result.stdout)) };
  } finally {
    clearTimeout(timer);
    await Promise.all([stop(sender), stop(receiver)]);
  }
}

/**
 * The report's table for the inspector cell.
 *
 * @param results every cell's results
 * @returns markdown lines (none when the cell did not run)
 */
export function inspectorTable(results: readonly CellResult[]): string[] {
  const result = results.find((r) => r.cell.group === "inspector");
  if (result === undefined) return [];
  const off = result.medians.get(INSPECTOR_OFF);
  const on = result.medians.get(INSPECTOR_ON);
  const rate = (v: number | undefined) => v === undefined ? "—" : Math.round(v).toLocaleString("en-US");
  const share = off === undefined || on === undefined ? undefined : on / off;
  return [
    "## The live inspector's cost (tcp 64 B throughput, msg/s)",
    "",
    "The receiving process serves `serveInspector()` with its page open in headless Chromium",
    "(`bench/perf/local_thr_inspected.ts`); the two variants alternate within each repetition.",
    "",
    `| inspector off | inspector on, page connected | on / off | goal |`,
    "|---:|---:|---:|---:|",
    `| ${rate(off)} | ${rate(on)} | ${share === undefined ? "—" : `${(share * 100).toFixed(0)}%`} | ≥ ${
      INSPECTOR_GOAL * 100
    }% |`,
    "",
  ];
}
