/**
 * The results chart: one panel per transport, a line per implementation
 * with a point per measured size, and the same bytes for the same results.
 *
 * @module
 */

import assert from "node:assert/strict";
import { throughputChart } from "../../bench/_chart.ts";
import type { Cell, CellResult } from "../../bench/_compare_plan.ts";

function result(transport: string, size: number, medians: Record<string, number>): CellResult {
  const cell = { group: "main", kind: "thr", transport, size } as Cell;
  return {
    cell,
    counts: new Map(),
    medians: new Map(Object.entries(medians)),
    samples: new Map(),
    peakKb: new Map(),
    baselineKb: new Map(),
    deliveredShare: new Map(),
    errors: new Map(),
  };
}

const results = [
  result("tcp", 64, { ours: 2_000_000, libnanomsg: 400_000, nng: 30_000 }),
  result("tcp", 65536, { ours: 20_000, libnanomsg: 25_000, nng: 15_000 }),
  result("tcp", 1048576, { ours: 1_800, libnanomsg: 1_500 }), // nng failed here
  result("ipc", 64, { ours: 2_100_000, libnanomsg: 300_000, nng: 28_000 }),
  result("ipc", 1048576, { ours: 2_700, libnanomsg: 2_400, nng: 2_600 }),
];

Deno.test("throughputChart draws a panel per transport and a point per measured size", () => {
  const svg = throughputChart(results)!;
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  assert.equal((svg.match(/<g /g) ?? []).length, 2);
  assert.equal((svg.match(/<g /g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length);
  assert.equal((svg.match(/<path /g) ?? []).length, 6);
  // tcp: 3 + 3 + 2 points (nng missed 1 MiB), ipc: 2 + 2 + 2, plus 3 legend markers.
  assert.equal((svg.match(/<circle /g) ?? []).length, 8 + 6 + 3);
  assert.match(svg, />tcp</);
  assert.match(svg, />ipc</);
  assert.match(svg, /nng, tcp, 64 KiB: 15000 msg\/s/);
  assert.doesNotMatch(svg, /nng, tcp, 1 MiB/);
});

Deno.test("throughputChart is deterministic and has nothing to draw without throughput results", () => {
  assert.equal(throughputChart(results), throughputChart([...results]));
  assert.equal(throughputChart([]), undefined);
});
