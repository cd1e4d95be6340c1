/**
 * One side of a network-fault run, started inside a network namespace by
 * the fault suite (`_fault_rig.ts`):
 *
 * - `peer PATTERN URL KEEPALIVE`: binds the receiving socket of a pattern (PULL,
 *   REP, SUB, RESPONDENT, PAIR, BUS), checks every message's body, answers
 *   where the pattern answers, and reports each message as it arrives on
 *   stdout (`r N MS`, written synchronously so a kill -9 loses no report),
 *   plus connection changes (`c COUNT MS`) and corrupted bodies (`bad …`).
 * - `driver PATTERN URL KEEPALIVE SECONDS`: dials with the sending socket
 *   and sends numbered messages at a steady rate for SECONDS, then stops
 *   sending, waits for what is in flight, and prints one JSON summary:
 *   what was sent on which connection ("epoch": the dialer's connection
 *   count when the message was handed to a pipe), REQ round trips, SURVEY
 *   outcomes, connection changes, and any error that is not expected.
 *
 * Every loop is bounded in time and the process ends by itself.
 *
 * @module
 */

import { isSpError, NN_REQ, NN_REQ_RESEND_IVL, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, openSocket } from "../../mod.ts";
import type { Socket } from "../../mod.ts";

/** Sending and receiving socket of each pattern. */
export const PATTERNS = {
  pair: { driver: "pair", peer: "pair" },
  pipeline: { driver: "push", peer: "pull" },
  reqrep: { driver: "req", peer: "rep" },
  pubsub: { driver: "pub", peer: "sub" },
  survey: { driver: "surveyor", peer: "respondent" },
  bus: { driver: "bus", peer: "bus" },
} as const;

/** A pattern's name. */
export type Pattern = keyof typeof PATTERNS;

/** Dialer back-off used by the driver: the resume bound is this + 1 s. */
export const RECONNECT_IVL_MAX = 1_000;
/** REQ resends an unanswered request this often (and at once when its pipe goes). */
export const REQ_RESEND_IVL = 1_000;
/** A survey stays open this long. */
export const SURVEY_DEADLINE = 300;
/** Messages per second the driver aims at. */
const RATE = 1_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The body of message `n`: its number and a filler derived from it, so corruption shows. */
export function body(n: number): Uint8Array {
  const head = `${n}:`;
  const fill = 16 + (n % 97);
  const out = new Uint8Array(head.length + fill);
  out.set(encoder.encode(head));
  for (let i = 0; i < fill; i++) out[head.length + i] = (n * 7 + i * 13) & 0xff;
  return out;
}

/** The number in a body, or -1 when the body is not exactly what `body(n)` makes. */
export function numberOf(bytes: Uint8Array): number {
  const colon = bytes.indexOf(0x3a);
  if (colon <= 0) return -1;
  const n = Number(decoder.decode(bytes.subarray(0, colon)));
  if (!Number.isSafeInteger(n)) return -1;
  const expected = body(n);
  if (expected.length !== bytes.length) return -1;
  for (let i = 0; i < bytes.length; i++) if (expected[i] !== bytes[i]) return -1;
  return n;
}

function say(line: string): void {
  const bytes = encoder.encode(line + "\n");
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function watchConnections(socket: Socket, report: (count: number) => void): ReturnType<typeof setInterval> {
  let last = -1;
  return setInterval(() => {
    const now = socket.stats.currentConnections;
    if (now !== last) report(last = now);
  }, 20);
}

async function runPeer(pattern: Pattern, url: string, keepalive: boolean): Promise<void> {
  const socket = openSocket(PATTERNS[pattern].peer, { options: { tcpKeepalive: keepalive ? 1 : 0 } });
  if (pattern === "pubsub") socket.setOption("rcvbuf", 128 * 1024);
  if (pattern === "pubsub") socket.setsockopt(0x21, 1, ""); // NN_SUB_SUBSCRIBE to everything
  await socket.bind(url);
  watchConnections(socket, (count) => say(`c ${count} ${Date.now()}`));
  say(`up ${Date.now()}`);
  const answers = pattern === "reqrep" || pattern === "survey";
  for (;;) {
    const msg = await socket.recv();
    const n = numberOf(msg);
    if (n < 0) say(`bad ${msg.length}`);
    else say(`r ${n} ${Date.now()}`);
    if (answers) await socket.send(msg).catch(() => {});
  }
}

/** What the driver prints when it is done. */
export interface DriverSummary {
  pattern: Pattern;
  /** Message numbers handed to a pipe, with the connection (epoch) they went on. */
  sent: number[];
  epochs: number[];
  /** Messages sent while no peer was connected (PUB, BUS, SURVEYOR send to nobody then). */
  unrouted: number[];
  /** Messages a pipe that could not keep up skipped (counted in messagesDropped). */
  skipped: number[];
  /** Sends that failed (PUSH/PAIR: no pipe within the send timeout). */
  sendTimeouts: number;
  /** REQ: round-trip ms of every request (all must complete). */
  roundTrips: number[];
  /** SURVEY: surveys answered, and surveys that ended in a clean ETIMEDOUT with no answer. */
  surveysAnswered: number;
  surveysTimedOut: number;
  /** Connection changes seen by the dialer: [count, ms]. */
  connections: [number, number][];
  /** Connections the dialer made, in all. */
  established: number;
  broken: number;
  dropped: number;
  /** Anything thrown that the pattern does not explain. */
  errors: string[];
}

/** A summary with nothing in it yet. */
export function emptySummary(pattern: Pattern): DriverSummary {
  return {
    pattern,
    sent: [],
    epochs: [],
    unrouted: [],
    skipped: [],
    sendTimeouts: 0,
    roundTrips: [],
    surveysAnswered: 0,
    surveysTimedOut: 0,
    connections: [],
    established: 0,
    broken: 0,
    dropped: 0,
    errors: [],
  };
}

async function runDriver(pattern: Pattern, url: string, seconds: number, keepalive: boolean): Promise<void> {
  const socket = openSocket(PATTERNS[pattern].driver, {
    options: { reconnectIvl: 100, reconnectIvlMax: RECONNECT_IVL_MAX, tcpKeepalive: keepalive ? 1 : 0 },
  });
  if (pattern === "reqrep") socket.setsockopt(NN_REQ, NN_REQ_RESEND_IVL, REQ_RESEND_IVL);
  if (pattern === "survey") socket.setsockopt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE, SURVEY_DEADLINE);
  const summary = emptySummary(pattern);
  const watcher = watchConnections(socket, (count) => summary.connections.push([count, Date.now()]));
  socket.connect(url);
  const started = Date.now();
  let end = started + seconds * 1000;
  // SIGTERM from the rig ends the sending early; what is in flight still arrives.
  Deno.addSignalListener("SIGTERM", () => end = 0);
  let n = 0;
  // PUB, BUS and SURVEYOR hand a message to the pipes there are at the call, synchronously: what
  // they did with it is read right after the call, before any microtask (a handshake finishing in
  // one would attach a pipe that never saw the message).
  const neverWaits = pattern === "pubsub" || pattern === "bus" || pattern === "survey";
  const record = (k: number, outcome: "unrouted" | "skipped" | "sent", epoch: number) => {
    if (outcome === "unrouted") summary.unrouted.push(k);
    else if (outcome === "skipped") summary.skipped.push(k);
    else {
      summary.sent.push(k);
      summary.epochs.push(epoch);
    }
  };
  const sendOne = async (k: number, timeout: number): Promise<void> => {
    const droppedBefore = socket.stats.messagesDropped;
    const connectedBefore = socket.stats.currentConnections;
    const sending = socket.send(body(k), { timeout });
    if (neverWaits) {
      const outcome = connectedBefore === 0
        ? "unrouted"
        : socket.stats.messagesDropped > droppedBefore
        ? "skipped"
        : "sent";
      record(k, outcome, socket.stats.established);
      await sending;
      return;
    }
    await sending;
    record(k, "sent", socket.stats.established);
  };
  try {
    while (Date.now() < end) {
      if (pattern === "reqrep") {
        const k = ++n;
        const t0 = Date.now();
        await socket.send(body(k));
        summary.sent.push(k);
        summary.epochs.push(socket.stats.established);
        const reply = await socket.recv({ timeout: 30_000 });
        if (numberOf(reply) !== k) summary.errors.push(`request ${k} got reply ${numberOf(reply)}`);
        summary.roundTrips.push(Date.now() - t0);
        await sleep(1);
        continue;
      }
      if (pattern === "survey") {
        const k = ++n;
        await sendOne(k, 2_000);
        let answered = false;
        for (;;) {
          try {
            const answer = await socket.recv({ timeout: 5_000 });
            if (numberOf(answer) !== k) summary.errors.push(`survey ${k} got answer ${numberOf(answer)}`);
            answered = true;
          } catch (err) {
            if (isSpError(err, "ETIMEDOUT")) break;
            throw err;
          }
        }
        if (answered) summary.surveysAnswered++;
        else summary.surveysTimedOut++;
        continue;
      }
      // One-way patterns: catch up with the target rate, then let timers and I/O run.
      const due = Math.min(n + 50, Math.floor(((Date.now() - started) * RATE) / 1000));
      while (n < due) {
        const k = ++n;
        try {
          await sendOne(k, 2_000);
        } catch (err) {
          if (!isSpError(err, "ETIMEDOUT")) throw err;
          summary.sendTimeouts++;
          n = Math.max(n, Math.floor(((Date.now() - started) * RATE) / 1000)); // no burst after an outage
        }
      }
      await sleep(1);
    }
    // Let what is in flight arrive before the summary is taken.
    await sleep(1_500);
  } catch (err) {
    summary.errors.push(String(err));
  }
  clearInterval(watcher);
  summary.established = socket.stats.established;
  summary.broken = socket.stats.broken;
  summary.dropped = socket.stats.dropped;
  say(JSON.stringify(summary));
  await socket.close().catch(() => {});
  Deno.exit(0);
}

if (import.meta.main) {
  const [role, pattern, url, keepalive, seconds] = Deno.args;
  if (!(pattern! in PATTERNS)) throw new Error(`unknown pattern ${pattern}`);
  if (role === "peer") await runPeer(pattern as Pattern, url!, keepalive === "1");
  else await runDriver(pattern as Pattern, url!, Number(seconds), keepalive === "1");
}
