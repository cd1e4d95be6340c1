/**
 * The network-fault scenarios and their bookkeeping: a driver process in
 * one namespace sends numbered messages of a pattern to a peer process in
 * the other while the link is partitioned and healed, the peer is killed
 * and restarted, or packets are lost at random. Then every message is
 * accounted for: delivered once, in order, intact, or lost while in
 * flight on a connection that broke (a suffix of what that connection
 * carried), or sent while no peer was there (PUB, BUS, SURVEYOR send to
 * nobody then), or skipped and counted by a pipe that could not keep up.
 *
 * @module
 */

import { within } from "../_helpers.ts";
import { type DriverSummary, type Pattern, RECONNECT_IVL_MAX } from "./_fault_side.ts";
import type { NetnsPair, NsProcess } from "./_netns.ts";

const SIDE = new URL("./_fault_side.ts", import.meta.url).pathname;
/**
 * After a heal, a connection that survived the cut carries traffic again
 * at TCP's next retransmission, which exponential backoff puts up to one
 * backoff step (~3.2 s after a 5 s cut, more on a loaded machine) later.
 */
const TCP_RESUME_MAX = 6_000;

/** The figures of one run, printed as one line. */
export interface RunReport {
  pattern: Pattern;
  scenario: string;
  sent: number;
  delivered: number;
  /** Lost in flight on a connection that broke. */
  lost: number;
  /** Sent while no peer was connected. */
  unrouted: number;
  /** Skipped (and counted) by a pipe that could not keep up. */
  skipped: number;
  /** Connections the dialer made. */
  connections: number;
  /** ms from the heal to the first delivery after it. */
  resumeMs?: number;
  /** When the dialer's pipe was replaced: ms from losing the old pipe to the first delivery on the new one. */
  reconnectMs?: number;
  /** REQ: slowest round trip, ms. */
  slowestRequestMs?: number;
  /** SURVEY: answered / cleanly timed out. */
  surveys?: string;
  /** Everything that broke a promise; empty when the run passed. */
  failures: string[];
}

/** One peer instance's reports. */
interface PeerRun {
  received: { n: number; at: number }[];
  bad: number;
}

function parsePeer(lines: readonly string[]): PeerRun {
  const run: PeerRun = { received: [], bad: 0 };
  for (const line of lines) {
    const [kind, a, b] = line.split(" ");
    if (kind === "r") run.received.push({ n: Number(a), at: Number(b) });
    else if (kind === "bad") run.bad++;
  }
  return run;
}

async function startPeer(pair: NetnsPair, pattern: Pattern, url: string, keepalive: boolean): Promise<NsProcess> {
  const peer = pair.spawn(pair.b, SIDE, ["peer", pattern, url, keepalive ? "1" : "0"]);
  const deadline = Date.now() + 20_000;
  while (!peer.lines.some((l) => l.startsWith("up "))) {
    if (Date.now() > deadline) {
      throw new Error(`peer did not come up: ${(peer as unknown as { stderr: string }).stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return peer;
}

function startDriver(pair: NetnsPair, pattern: Pattern, url: string, keepalive: boolean, seconds: number): NsProcess {
  return pair.spawn(pair.a, SIDE, ["driver", pattern, url, keepalive ? "1" : "0", String(seconds)]);
}

async function summaryOf(driver: NsProcess, limitMs: number): Promise<DriverSummary> {
  await within(driver.child.status, limitMs, "driver exit");
  await driver.done;
  const line = driver.lines.findLast((l) => l.startsWith("{"));
  if (line === undefined) {
    throw new Error(`driver printed no summary: ${(driver as unknown as { stderr: string }).stderr}`);
  }
  return JSON.parse(line);
}

/**
 * Waits (at most 10 s) until the peer has reported every message the
 * driver's last connection carried: the tail may still be on its way
 * (retransmitted after a loss) when the driver has already exited.
 */
async function settle(peer: NsProcess, summary: DriverSummary): Promise<void> {
  const lastEpoch = Math.max(0, ...summary.epochs);
  const expected = summary.sent.filter((_, i) => summary.epochs[i] === lastEpoch);
  const last = expected.at(-1);
  if (last === undefined) return;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !peer.lines.some((l) => l.startsWith(`r ${last} `))) await sleep(20);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Accounts for every message; `healAt` (ms) checks resumption. */
export function analyse(
  scenario: string,
  summary: DriverSummary,
  peers: readonly PeerRun[],
  healAt?: number,
): RunReport {
  const { pattern } = summary;
  const failures = [...summary.errors];
  const seen = new Map<number, number>();
  for (const [i, peer] of peers.entries()) {
    if (peer.bad > 0) failures.push(`peer ${i}: ${peer.bad} corrupted messages`);
    let last = -1;
    for (const { n } of peer.received) {
      // A REQ resends a request whose reply was lost, so REP may see it again; nothing else repeats.
      if (n < last || (n === last && pattern !== "reqrep")) {
        failures.push(`peer ${i}: message ${n} after ${last} (reordered or duplicated)`);
      }
      last = n;
      seen.set(n, (seen.get(n) ?? 0) + 1);
    }
  }
  if (pattern !== "reqrep") {
    for (const [n, count] of seen) if (count > 1) failures.push(`message ${n} delivered ${count} times`);
  }
  // Lost messages must be a suffix of what their connection carried, and that connection must have
  // broken: a later one was made (it may have carried nothing yet when the driver stopped).
  const lastEpoch = Math.max(summary.established, ...summary.epochs);
  const lastDeliveredInEpoch = new Map<number, number>();
  summary.sent.forEach((n, i) => {
    if (seen.has(n)) lastDeliveredInEpoch.set(summary.epochs[i]!, n);
  });
  let lost = 0;
  summary.sent.forEach((n, i) => {
    if (seen.has(n)) return;
    const epoch = summary.epochs[i]!;
    lost++;
    if (pattern === "reqrep") failures.push(`request ${n} never reached a REP`);
    else if (epoch === lastEpoch) {
      const onIt = summary.sent.filter((_, j) => summary.epochs[j] === epoch);
      failures.push(
        `message ${n} lost on the connection that never broke (connection ${epoch} carried ` +
          `${onIt[0]}…${onIt.at(-1)}, ${onIt.filter((k) => seen.has(k)).length} of ${onIt.length} delivered)`,
      );
    } else if ((lastDeliveredInEpoch.get(epoch) ?? -1) > n) {
      failures.push(`message ${n} lost although a later one on its connection (${epoch}) arrived`);
    }
  });
  if (pattern === "reqrep" && summary.roundTrips.length !== summary.sent.length) {
    failures.push(`${summary.sent.length - summary.roundTrips.length} requests did not complete`);
  }
  const report: RunReport = {
    pattern,
    scenario,
    sent: summary.sent.length + summary.unrouted.length + summary.skipped.length,
    delivered: seen.size,
    lost,
    unrouted: summary.unrouted.length,
    skipped: summary.skipped.length,
    connections: summary.established,
    failures,
  };
  if (summary.sent.length === 0) failures.push("nothing was sent on a connection");
  if (pattern === "reqrep") report.slowestRequestMs = Math.max(0, ...summary.roundTrips);
  if (pattern === "survey") {
    report.surveys = `${summary.surveysAnswered} answered, ${summary.surveysTimedOut} timed out`;
  }
  if (healAt !== undefined) {
    const arrivals = peers.flatMap((p) => p.received.map((r) => r.at));
    const firstAfter = (t: number) => Math.min(...arrivals.filter((at) => at > t));
    const after = firstAfter(healAt);
    if (!Number.isFinite(after)) failures.push("no traffic after the heal");
    else {
      // A connection that survived resumes on TCP's next retransmission, one backoff step
      // (at most a few seconds after a 5 s cut); a replaced one must also reconnect promptly.
      report.resumeMs = after - healAt;
      if (report.resumeMs > TCP_RESUME_MAX) {
        failures.push(`traffic resumed ${report.resumeMs} ms after the heal (bound ${TCP_RESUME_MAX} ms)`);
      }
      // The dialer's connection count as it changed: [0, t0], [1, t1], then [0, lost], [1, new] if replaced.
      const firstUp = summary.connections.findIndex(([count]) => count > 0);
      const lostPipe = summary.connections.slice(firstUp + 1).find(([count]) => count === 0);
      if (firstUp >= 0 && lostPipe !== undefined) {
        const next = firstAfter(lostPipe[1]);
        report.reconnectMs = next - lostPipe[1];
        if (report.reconnectMs > RECONNECT_IVL_MAX + 1_000) {
          failures.push(
            `traffic resumed ${report.reconnectMs} ms after the dialer lost its pipe (bound ${
              RECONNECT_IVL_MAX + 1_000
            } ms)`,
          );
        }
      }
    }
  }
  return report;
}

/** One line of figures. */
export function formatReport(r: RunReport): string {
  const extra = [
    r.resumeMs !== undefined ? `resumed ${r.resumeMs} ms after heal` : "",
    r.reconnectMs !== undefined ? `new pipe carried traffic ${r.reconnectMs} ms after the old one closed` : "",
    r.slowestRequestMs !== undefined ? `slowest request ${r.slowestRequestMs} ms` : "",
    r.surveys ?? "",
  ].filter((x) => x !== "").join(", ");
  return `${r.scenario.padEnd(28)} ${r.pattern.padEnd(9)} sent ${r.sent} delivered ${r.delivered} lost ${r.lost}` +
    ` unrouted ${r.unrouted} skipped ${r.skipped} connections ${r.connections}${extra ? `; ${extra}` : ""}` +
    (r.failures.length > 0 ? `\n  FAILURES: ${r.failures.slice(0, 5).join("; ")}` : "");
}

function urlOf(pair: NetnsPair): string {
  return `tcp://${pair.b.addr}:${20_000 + Math.floor(Math.random() * 20_000)}`;
}

/**
 * Partitions the link silently for `cutMs` under load, then heals it.
 * With keepalive (and fast namespace keepalive timers) the idle receiving
 * side gives the connection up during the cut, so after the heal the
 * dialer's retransmission meets a reset and its pipe is replaced; without,
 * TCP's retransmissions carry the same connection through.
 */
export async function partitionRun(
  pair: NetnsPair,
  pattern: Pattern,
  opts: { keepalive: boolean; cutMs: number; beforeMs: number; afterMs: number },
): Promise<RunReport> {
  const url = urlOf(pair);
  const peer = await startPeer(pair, pattern, url, opts.keepalive);
  const seconds = (opts.beforeMs + opts.cutMs + opts.afterMs) / 1000;
  const driver = startDriver(pair, pattern, url, opts.keepalive, seconds);
  try {
    await sleep(opts.beforeMs);
    await pair.partition();
    await sleep(opts.cutMs);
    await pair.heal();
    const healAt = Date.now();
    const summary = await summaryOf(driver, seconds * 1000 + 60_000);
    await settle(peer, summary);
    await pair.kill(peer);
    const report = analyse(`partition ${opts.cutMs / 1000} s${opts.keepalive ? " +keepalive" : ""}`, summary, [
      parsePeer(peer.lines),
    ], healAt);
    if (opts.keepalive && summary.established < 2 && pattern !== "reqrep") {
      report.failures.push("the dialer kept its pipe: the peer's keepalive did not end the connection");
    }
    return report;
  } finally {
    await pair.heal();
    await pair.kill(driver);
    await pair.kill(peer);
  }
}

/** Kills the peer with SIGKILL and restarts it, `times` times, under load. */
export async function restartRun(pair: NetnsPair, pattern: Pattern, times: number): Promise<RunReport> {
  const url = urlOf(pair);
  const peers: NsProcess[] = [await startPeer(pair, pattern, url, false)];
  const driver = startDriver(pair, pattern, url, false, 3_600);
  try {
    for (let i = 0; i < times; i++) {
      const current = peers.at(-1)!;
      // Let it take some traffic first (bounded: a pattern that sends little still moves on).
      const deadline = Date.now() + 3_000;
      while (current.lines.filter((l) => l.startsWith("r ")).length < 20 && Date.now() < deadline) await sleep(10);
      await pair.kill(current);
      peers.push(await startPeer(pair, pattern, url, false));
    }
    await sleep(1_000);
    Deno.kill(driver.pid, "SIGTERM");
    const summary = await summaryOf(driver, 60_000);
    await settle(peers.at(-1)!, summary);
    await pair.kill(peers.at(-1)!);
    return analyse(`kill -9 and restart ×${times}`, summary, peers.map((p) => parsePeer(p.lines)));
  } finally {
    await pair.kill(driver);
    for (const peer of peers) await pair.kill(peer);
  }
}

/** Drops `percent` % of packets both ways for the whole run. */
export async function lossRun(pair: NetnsPair, pattern: Pattern, percent: number, ms: number): Promise<RunReport> {
  const url = urlOf(pair);
  await pair.loss(percent);
  const peer = await startPeer(pair, pattern, url, false);
  const driver = startDriver(pair, pattern, url, false, ms / 1000);
  try {
    const summary = await summaryOf(driver, ms + 60_000);
    await settle(peer, summary);
    await pair.kill(peer);
    const report = analyse(`${percent}% random loss`, summary, [parsePeer(peer.lines)]);
    if (report.lost > 0) report.failures.push("loss of packets lost messages: TCP should have recovered them all");
    return report;
  } finally {
    await pair.heal();
    await pair.kill(driver);
    await pair.kill(peer);
  }
}

/** How long each side takes to give up on a peer behind a permanent partition. */
export interface DetectionReport {
  /** The sending (dialer) side, through the send-stall watchdog, ms after the cut. */
  senderMs: number | undefined;
  /** The idle receiving side, through the kernel's keepalive probes, ms after the cut. */
  receiverMs: number | undefined;
  /** ms from the heal to the first delivery on a new connection. */
  resumeMs: number | undefined;
}

/**
 * PUSH → PULL with keepalive on; the link is cut for good (until both
 * sides have noticed, at most `limitMs`), then healed.
 */
export async function detectionRun(pair: NetnsPair, limitMs: number): Promise<DetectionReport> {
  const url = urlOf(pair);
  const peer = await startPeer(pair, "pipeline", url, true);
  const driver = startDriver(pair, "pipeline", url, true, (limitMs + 20_000) / 1000);
  const connections = (p: NsProcess) =>
    p.lines.filter((l) => l.startsWith("c ")).map((l) => l.split(" ").map(Number) as [string, number, number]);
  try {
    await sleep(2_000);
    await pair.partition();
    const cutAt = Date.now();
    let senderMs: number | undefined;
    let receiverMs: number | undefined;
    // The driver reports in its summary only; watch the peer live and time the driver afterwards.
    while (Date.now() - cutAt < limitMs) {
      const down = connections(peer).find(([, count, at]) => count === 0 && at > cutAt);
      if (down !== undefined) receiverMs ??= down[2] - cutAt;
      if (receiverMs !== undefined && Date.now() - cutAt > 40_000) break;
      await sleep(100);
    }
    await pair.heal();
    const healAt = Date.now();
    await sleep(5_000);
    Deno.kill(driver.pid, "SIGTERM");
    const summary = await summaryOf(driver, 60_000);
    const lost = summary.connections.find(([count, at]) => count === 0 && at > cutAt);
    if (lost !== undefined) senderMs = lost[1] - cutAt;
    const after = parsePeer(peer.lines).received.filter((r) => r.at > healAt);
    await pair.kill(peer);
    return { senderMs, receiverMs, resumeMs: after.length > 0 ? after[0]!.at - healAt : undefined };
  } finally {
    await pair.heal();
    await pair.kill(driver);
    await pair.kill(peer);
  }
}
