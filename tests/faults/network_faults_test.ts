/**
 * Real network faults between two processes in two network namespaces
 * (see `_netns.ts`, `_fault_rig.ts`): silent partitions that heal, peers
 * killed with SIGKILL and restarted, random packet loss, and how long a
 * dead peer takes to be found. Every message is accounted for; the
 * figures of each run are printed (sent / delivered / lost …).
 *
 * `deno task test` runs a short version (two patterns, a 3 s cut, three
 * restarts, a few seconds of loss); `deno task faults` (FAULTS_FULL=1)
 * runs every pattern: 5 s cuts with and without keepalive, 100 restarts,
 * 5% loss, delay where netem exists, and the detection measurement.
 * Needs root, iproute2 and nftables; skipped with a message elsewhere.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  analyse,
  detectionRun,
  formatReport,
  lossRun,
  partitionRun,
  restartRun,
  type RunReport,
} from "./_fault_rig.ts";
import { emptySummary, type Pattern, PATTERNS } from "./_fault_side.ts";
import { NetnsPair, netnsUnavailable } from "./_netns.ts";

const unavailable = netnsUnavailable();
const FULL = Deno.env.get("FAULTS_FULL") === "1";
const ALL = Object.keys(PATTERNS) as Pattern[];
const patterns: Pattern[] = FULL ? ALL : ["pipeline", "reqrep"];
if (unavailable !== undefined) console.log(`network fault suite skipped: ${unavailable}`);

/** Fast keepalive timers inside the namespaces: the idle side gives a silent peer up after ~1 s + probes. */
const FAST_KEEPALIVE = { probes: FULL ? 2 : 1 };

async function withPair(fn: (pair: NetnsPair) => Promise<void>): Promise<void> {
  const pair = await NetnsPair.create();
  try {
    await pair.sysctl({
      "net.ipv4.tcp_keepalive_time": 1,
      "net.ipv4.tcp_keepalive_intvl": 1,
      "net.ipv4.tcp_keepalive_probes": FAST_KEEPALIVE.probes,
    });
    await fn(pair);
  } finally {
    await pair.destroy();
  }
}

function settle(reports: RunReport[]): void {
  for (const r of reports) console.log(formatReport(r));
  const failed = reports.filter((r) => r.failures.length > 0);
  assert.equal(failed.length, 0, failed.map(formatReport).join("\n"));
}

const options = { ignore: unavailable !== undefined, sanitizeOps: false, sanitizeResources: false };

Deno.test({
  ...options,
  name: `silent partition then heal, under load (${patterns.join(", ")})`,
  fn: () =>
    withPair(async (pair) => {
      const reports: RunReport[] = [];
      const cutMs = FULL ? 5_000 : 3_000;
      for (const pattern of patterns) {
        reports.push(await partitionRun(pair, pattern, { keepalive: true, cutMs, beforeMs: 2_000, afterMs: 6_000 }));
        if (FULL) {
          reports.push(await partitionRun(pair, pattern, { keepalive: false, cutMs, beforeMs: 2_000, afterMs: 6_000 }));
        }
      }
      settle(reports);
    }),
});

Deno.test({
  ...options,
  name: `kill -9 and restart the peer under load (${FULL ? "100 times, every pattern" : "3 times"})`,
  fn: () =>
    withPair(async (pair) => {
      const reports: RunReport[] = [];
      for (const pattern of FULL ? ALL : ["pipeline" as const]) {
        reports.push(await restartRun(pair, pattern, FULL ? 100 : 3));
      }
      settle(reports);
    }),
});

Deno.test({
  ...options,
  name: "5% random packet loss both ways",
  fn: () =>
    withPair(async (pair) => {
      const reports: RunReport[] = [];
      for (const pattern of FULL ? ALL : ["pipeline" as const]) {
        reports.push(await lossRun(pair, pattern, 5, FULL ? 8_000 : 3_000));
      }
      settle(reports);
    }),
});

Deno.test({
  ...options,
  name: "50 ms ± 20 ms delay (needs tc netem)",
  fn: () =>
    withPair(async (pair) => {
      if (!(await pair.hasNetem())) {
        console.log("delay skipped: this kernel has no tc netem (Specified qdisc kind is unknown)");
        return;
      }
      await pair.delay(50, 20);
      const reports: RunReport[] = [];
      for (const pattern of patterns) reports.push(await lossRun(pair, pattern, 0, FULL ? 8_000 : 3_000));
      settle(reports);
    }),
});

Deno.test({
  ...options,
  ignore: options.ignore || !FULL,
  name: "a peer gone for good is found (keepalive on): detection time on each side",
  fn: () =>
    withPair(async (pair) => {
      const result = await detectionRun(pair, 90_000);
      console.log(
        `dead peer: sender (stall watchdog) gave up after ${result.senderMs} ms, ` +
          `receiver (kernel keepalive, namespace timers 1 s + ${FAST_KEEPALIVE.probes}×1 s) after ${result.receiverMs} ms; ` +
          `traffic resumed ${result.resumeMs} ms after the heal`,
      );
      assert.ok(result.senderMs !== undefined, "the sending side never gave up its pipe");
      assert.ok(result.receiverMs !== undefined, "the receiving side never gave up its pipe");
      assert.ok(result.resumeMs !== undefined, "no traffic after the heal");
    }),
});

// The bookkeeping itself: a lost message that is not a suffix of its connection is caught.
Deno.test("fault bookkeeping flags a message lost from the middle of a connection", () => {
  const summary = { ...emptySummary("pipeline"), sent: [1, 2, 3, 4], epochs: [1, 1, 1, 2], established: 2 };
  const ok = analyse("t", summary, [{ received: [{ n: 1, at: 0 }, { n: 4, at: 1 }], bad: 0 }]);
  assert.deepEqual(ok.failures, []);
  assert.equal(ok.lost, 2);
  const hole = analyse("t", summary, [{ received: [{ n: 1, at: 0 }, { n: 3, at: 0 }, { n: 4, at: 1 }], bad: 0 }]);
  assert.match(hole.failures.join(), /later one on its connection/);
  const tail = analyse("t", summary, [{ received: [{ n: 1, at: 0 }, { n: 2, at: 0 }, { n: 3, at: 0 }], bad: 0 }]);
  assert.match(tail.failures.join(), /never broke/);
  const dup = analyse(
    "t",
    summary,
    [{ received: [{ n: 1, at: 0 }, { n: 2, at: 0 }] }, {
      received: [{ n: 2, at: 1 }, { n: 3, at: 1 }, { n: 4, at: 1 }],
    }].map((p) => ({ bad: 0, ...p })),
  );
  assert.match(dup.failures.join(), /delivered 2 times/);
});
