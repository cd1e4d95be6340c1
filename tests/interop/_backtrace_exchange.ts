/**
 * The exchange every REQ/REP and SURVEYOR/RESPONDENT interop test is made
 * of: one question and its answer between one of our sockets and a real
 * peer (`nanocat` or `nngcat`) in the opposite role, over one transport,
 * with either side binding. The peer always answers with `-D` and asks
 * again every interval, so a question sent before the connection was up
 * (which a surveyor simply loses) is repeated.
 *
 * @module
 */

import assert from "node:assert/strict";
import { AF_SP, AF_SP_RAW, isSpError, type Socket } from "../../mod.ts";
import { NN_SURVEYOR, NN_SURVEYOR_DEADLINE } from "../../src/protocols/survey/surveyor.ts";
import { text, until } from "../_helpers.ts";
import { protocolRuntime } from "../protocols/_backtrace_fixtures.ts";
import { InteropAddress, Peer, type PeerName, STEP_TIMEOUT_MS } from "./_peers.ts";
import type { Meeting } from "./_scenarios.ts";

/** The roles of the two backtrace protocols. */
export type BacktraceRole = "req" | "rep" | "surveyor" | "respondent";

/** The role facing each role. */
export const OPPOSITE: Readonly<Record<BacktraceRole, BacktraceRole>> = {
  req: "rep",
  rep: "req",
  surveyor: "respondent",
  respondent: "surveyor",
};

// nanocat spells the roles plainly; nngcat wants its versioned names.
const ROLE_FLAG: Record<PeerName, Record<BacktraceRole, string>> = {
  nanocat: { req: "--req", rep: "--rep", surveyor: "--surveyor", respondent: "--respondent" },
  nngcat: { req: "--req0", rep: "--rep0", surveyor: "--surveyor0", respondent: "--respondent0" },
};

/** nanocat takes fractions of a second; nngcat only whole seconds. */
const INTERVAL: Record<PeerName, string> = { nanocat: "0.1", nngcat: "1" };

// Peers need a few milliseconds to start listening; our dialer's first
// attempts fail until then, so retry sooner than nanomsg's default 100 ms.
const RECONNECT_IVL_MS = 20;

/**
 * How long our surveys stay open, ms: the peer is connected before we ask
 * and answers within milliseconds; the test then waits the deadline out.
 */
const SURVEY_DEADLINE_MS = 300;

const runtime = protocolRuntime();

/** Opens one of our sockets on the runtime that knows the backtrace protocols. */
export function openBacktraceSocket(role: BacktraceRole, raw = false): Socket {
  return runtime.socket(role, {
    domain: raw ? AF_SP_RAW : AF_SP,
    options: { reconnectIvl: RECONNECT_IVL_MS, linger: 0 },
  });
}

/**
 * Starts `peer` in `role` at `url`. Askers (REQ, SURVEYOR) send `data`
 * every interval; answerers (REP, RESPONDENT) reply `data` to everything.
 * Either prints what it receives, one quoted line per message.
 */
export function spawnBacktracePeer(
  peer: PeerName,
  role: BacktraceRole,
  endpoint: "bind" | "connect",
  url: string,
  data: string,
): Peer {
  const args = [ROLE_FLAG[peer][role], `--${endpoint}`, url, "--quoted", "--data", data];
  if (role === "req" || role === "surveyor") args.push("--interval", INTERVAL[peer]);
  return new Peer(peer, args);
}

/** One question and its answer between `ours` and the peer in the opposite role. */
export async function backtraceExchange(meeting: Meeting, ours: BacktraceRole): Promise<void> {
  const theirs = OPPOSITE[ours];
  const asking = ours === "req" || ours === "surveyor";
  // The peer prints what we send in its quoted format, which escapes
  // non-ASCII bytes, so only what it sends carries UTF-8.
  const question = asking ? `our ${ours} asks over ${meeting.transport}` : `their ${theirs} asks ✓ ünïcödé`;
  const answer = asking ? `their ${theirs} answers ✓ ünïcödé` : `our ${ours} answers over ${meeting.transport}`;

  using address = new InteropAddress(meeting.transport);
  await using socket = openBacktraceSocket(ours);
  if (ours === "surveyor") socket.setsockopt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE, SURVEY_DEADLINE_MS);
  if (meeting.we === "bind") await socket.bind(address.url);
  await using peer = spawnBacktracePeer(
    meeting.peer,
    theirs,
    meeting.we === "bind" ? "connect" : "bind",
    address.url,
    asking ? answer : question,
  );
  if (meeting.we === "connect") socket.connect(address.url);

  if (asking) {
    // A survey sent before the respondent is attached reaches nobody.
    if (ours === "surveyor") {
      await peer.guard(
        until(() => socket.stats.currentConnections > 0, STEP_TIMEOUT_MS, "attached"),
        STEP_TIMEOUT_MS,
        "connecting",
      );
    }
    await peer.guard(socket.send(question), STEP_TIMEOUT_MS, `our ${ours} send`);
    const got = await peer.guard(socket.recv(), STEP_TIMEOUT_MS, `our ${ours} receiving the answer`);
    assert.equal(text(got), answer);
    if (ours === "surveyor") {
      // Waiting the deadline out is the check, and leaves no timer behind.
      const end = await peer.guard(socket.recv().then(() => "an answer", (e) => e), STEP_TIMEOUT_MS, "deadline");
      assert.ok(isSpError(end, "ETIMEDOUT"), `the survey ended with ${String(end)}`);
    }
  } else {
    const got = await peer.guard(socket.recv(), STEP_TIMEOUT_MS, `our ${ours} receiving the question`);
    assert.equal(text(got), question);
    await socket.send(answer);
  }
  const printed = asking ? question : answer;
  const line = `"${printed}"\n`;
  await peer.waitForStdout(
    (out) => new TextDecoder().decode(out).includes(line),
    STEP_TIMEOUT_MS,
    `${meeting.peer} printing ${JSON.stringify(printed)}`,
  );
}
