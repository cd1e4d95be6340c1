/**
 * REQ (0x30) / REP (0x31) against nanocat and nngcat: our REQ asks their
 * REP and our REP answers their REQ, over tcp and ipc, with our side
 * binding and connecting; and a device of ours (raw REP | raw REQ) between
 * nngcat's REQ and nanocat's REP, as in sp-spec.md's exp9.
 *
 * @module
 */

import assert from "node:assert/strict";
import { device } from "../../mod.ts";
import { PEERS_REQUIRED, text } from "../_helpers.ts";
import { backtraceExchange, openBacktraceSocket, spawnBacktracePeer } from "./_backtrace_exchange.ts";
import { InteropAddress, interopTest, peerInstalled, STEP_TIMEOUT_MS } from "./_peers.ts";
import { allMeetings, meetingName } from "./_scenarios.ts";

for (const meeting of allMeetings()) {
  interopTest(
    meeting.peer,
    `reqrep interop: ${meetingName(meeting, "send")} a request (our req, their rep)`,
    () => backtraceExchange(meeting, "req"),
  );
  interopTest(
    meeting.peer,
    `reqrep interop: ${meetingName(meeting, "receive")} a request (their req, our rep)`,
    () => backtraceExchange(meeting, "rep"),
  );
}

const bothPeers = peerInstalled("nanocat") && peerInstalled("nngcat");
Deno.test({
  name: "reqrep interop: nngcat's REQ reaches nanocat's REP through our raw REP | raw REQ device",
  ignore: !bothPeers && !PEERS_REQUIRED,
  async fn() {
    if (!bothPeers) throw new Error("nanocat and nngcat must be on PATH when CI=true");
    using front = new InteropAddress("tcp");
    using back = new InteropAddress("ipc");
    const frontSocket = openBacktraceSocket("rep", true);
    const backSocket = openBacktraceSocket("req", true);
    await frontSocket.bind(front.url);
    await backSocket.bind(back.url);
    const running = device(frontSocket, backSocket);
    try {
      await using server = spawnBacktracePeer("nanocat", "rep", "connect", back.url, "served through the device");
      await using client = spawnBacktracePeer("nngcat", "req", "connect", front.url, "asked through the device");
      await server.waitForStdout(
        (out) => text(out).includes(`"asked through the device"\n`),
        STEP_TIMEOUT_MS,
        "nanocat printing the request",
      );
      const printed = await client.waitForStdout(
        (out) => text(out).includes(`"served through the device"\n`),
        STEP_TIMEOUT_MS,
        "nngcat printing the reply",
      );
      assert.ok(printed.length > 0);
    } finally {
      await frontSocket.close();
      await running;
      await backSocket.close();
    }
  },
});
