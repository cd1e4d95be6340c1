/**
 * BUS (0x70) against nanocat and nngcat over every transport × endpoint
 * role, both directions, and our raw BUS hub (a device loop on one raw
 * socket) relaying between a nanocat and an nngcat that never hear their
 * own messages back. BUS is best effort, so the sending side repeats until
 * the other one has connected.
 *
 * @module
 */

import assert from "node:assert/strict";
import { AF_SP_RAW, isSpError, type Socket } from "../../mod.ts";
import { assertBytesEqual, sleep } from "../_helpers.ts";
import { InteropAddress, interopTest, peerInstalled, spawnPeer, STEP_TIMEOUT_MS } from "./_peers.ts";
import { allMeetings, meetingName } from "./_scenarios.ts";
import { openOurs, quotedLines, sendUntil } from "./_broadcast.ts";

for (const meeting of allMeetings()) {
  const peerEndpoint = meeting.we === "bind" ? "connect" as const : "bind" as const;

  interopTest(meeting.peer, `bus interop: ${meetingName(meeting, "send")}`, async () => {
    using address = new InteropAddress(meeting.transport);
    await using bus = openOurs("bus");
    if (meeting.we === "bind") await bus.bind(address.url);
    await using peer = spawnPeer({
      peer: meeting.peer,
      socket: "bus",
      endpoint: peerEndpoint,
      url: address.url,
      format: "quoted",
    });
    if (meeting.we === "connect") bus.connect(address.url);

    const sent = `bus/${meeting.transport}, we ${meeting.we}: from deno`;
    const printed = await sendUntil(
      bus,
      [sent],
      peer.waitForStdout((out) => quotedLines(out).length > 0, STEP_TIMEOUT_MS, `${peer.name} printing`),
    );
    for (const line of quotedLines(printed)) assert.equal(line, sent, `every message ${peer.name} printed`);
  });

  interopTest(meeting.peer, `bus interop: ${meetingName(meeting, "receive")}`, async () => {
    using address = new InteropAddress(meeting.transport);
    await using bus = openOurs("bus");
    if (meeting.we === "bind") await bus.bind(address.url);
    const payload = `bus/${meeting.transport}: ${meeting.peer} sends ünïcödé ✓`;
    await using peer = spawnPeer({
      peer: meeting.peer,
      socket: "bus",
      endpoint: peerEndpoint,
      url: address.url,
      send: { data: payload },
    });
    if (meeting.we === "connect") bus.connect(address.url);

    const received = await peer.guard(bus.recv(), STEP_TIMEOUT_MS, `our receive from ${peer.name}`);
    assertBytesEqual(received, new TextEncoder().encode(payload), `message from ${peer.name}`);
  });
}

/** nanomsg's device loop on one raw socket: every message goes back out, minus its origin. */
async function loopback(hub: Socket): Promise<void> {
  try {
    for (;;) await hub.sendmsg(await hub.recvmsg());
  } catch (err) {
    if (!isSpError(err, "EBADF") && !isSpError(err, "ETERM")) throw err;
  }
}

// The hub test needs both peers: register it under the one that is
// missing, if any, so it is skipped (or fails on CI) like the others.
const hubPeer = peerInstalled("nanocat") ? "nngcat" : "nanocat";
for (const transport of ["tcp", "ipc"] as const) {
  interopTest(
    hubPeer,
    `bus interop: our raw BUS hub relays between nanocat and nngcat over ${transport}, no echoes`,
    async () => {
      using address = new InteropAddress(transport);
      const hub = openOurs("bus", { domain: AF_SP_RAW });
      await hub.bind(address.url);
      const device = loopback(hub);
      try {
        await using nanocat = spawnPeer({
          peer: "nanocat",
          socket: "bus",
          endpoint: "connect",
          url: address.url,
          format: "quoted",
          send: { data: "from nanocat" },
        });
        await using nngcat = spawnPeer({
          peer: "nngcat",
          socket: "bus",
          endpoint: "connect",
          url: address.url,
          format: "quoted",
          send: { data: "from nngcat" },
        });
        const heard = (lines: string[]) => lines.length > 0;
        const [byNanocat, byNngcat] = await Promise.all([
          nanocat.waitForStdout((out) => heard(quotedLines(out)), STEP_TIMEOUT_MS, "nanocat hearing nngcat"),
          nngcat.waitForStdout((out) => heard(quotedLines(out)), STEP_TIMEOUT_MS, "nngcat hearing nanocat"),
        ]);
        for (const line of quotedLines(byNanocat)) assert.equal(line, "from nngcat", "what nanocat printed");
        for (const line of quotedLines(byNngcat)) assert.equal(line, "from nanocat", "what nngcat printed");
        // Both have been sending to the hub all along: an echo relayed with
        // what the other one heard would have arrived by now.
        await sleep(100);
        for (const [peer, other] of [[nanocat, nngcat], [nngcat, nanocat]] as const) {
          const lines = quotedLines(peer.stdout());
          assert.ok(lines.every((line) => line === `from ${other.name}`), `${peer.name} printed ${lines.join(", ")}`);
        }
      } finally {
        await hub.close();
        await device;
      }
    },
  );
}
