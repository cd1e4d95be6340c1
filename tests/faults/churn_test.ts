/**
 * Connection churn must not grow the heap: a server that accepts
 * connections for weeks stays the same size. Regression test for the
 * per-pipe XState transition-cache entry (~220 B per connection).
 *
 * @module
 */

import assert from "node:assert/strict";
import { freePort } from "../_helpers.ts";

const PROBE = new URL("./_churn_probe.ts", import.meta.url).pathname;
/** Before the fix: ~220-280 B per cycle, linear. After: noise around zero. */
const MAX_BYTES_PER_CYCLE = 40;

interface Figures {
  heap: number;
  fds: number;
  running: number;
  reachable: number;
}

async function churn(url: string, cycles: number): Promise<{ bytesPerCycle: number; before: Figures; after: Figures }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", PROBE, url, String(cycles)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `churn probe failed: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

for (
  const [name, url] of [["inproc", () => "inproc://churn"], ["tcp", () => `tcp://127.0.0.1:${freePort()}`]] as const
) {
  Deno.test(`churn over ${name}: 8,000 connect/send/close cycles leave the heap where it was`, async () => {
    const result = await churn(url(), 8_000);
    assert.ok(
      result.bytesPerCycle < MAX_BYTES_PER_CYCLE,
      `heap grew ${result.bytesPerCycle.toFixed(1)} B per cycle (${result.before.heap} → ${result.after.heap})`,
    );
    // Every connection's descriptor is closed and every pipe actor has ended and been collected.
    // (Deno's runtime may open a descriptor or two of its own meanwhile; a leak would be thousands.)
    assert.ok(
      result.after.fds <= result.before.fds + 2,
      `open file descriptors ${result.before.fds} → ${result.after.fds}`,
    );
    assert.equal(result.after.running, result.before.running, "running actors");
    assert.ok(result.after.reachable <= result.before.reachable + 1, "reachable actors");
  });
}
