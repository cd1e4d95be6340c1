/**
 * PAIR (0x10) against nanocat and nngcat: every transport × endpoint role
 * × direction, each checking that the exact bytes arrive, plus zero-length
 * messages both ways, a refused second peer and reconnecting to a peer
 * that restarted.
 *
 * @module
 */

import { assertBytesEqual, until } from "../_helpers.ts";
import { InteropAddress, interopTest, PEER_NAMES, spawnPeer, STEP_TIMEOUT_MS } from "./_peers.ts";
import { allMeetings, meetingName, openOurSocket, receiveFromPeer, sendToPeer } from "./_scenarios.ts";

const encoder = new TextEncoder();

for (const meeting of allMeetings()) {
  // Non-ASCII text: the peers print raw bytes, so a re-encoding anywhere would show.
  const sent = encoder.encode(`pair/${meeting.transport}, we ${meeting.we}: ünïcödé ✓ from deno`);
  interopTest(meeting.peer, `pair interop: ${meetingName(meeting, "send")}`, () =>
    sendToPeer({
      ...meeting,
      ours: "pair",
      theirs: "pair",
      messages: [sent],
      format: "raw",
      expectedStdout: sent,
    }));

  interopTest(meeting.peer, `pair interop: ${meetingName(meeting, "receive")}`, () =>
    receiveFromPeer({
      ...meeting,
      ours: "pair",
      theirs: "pair",
      payload: `pair/${meeting.transport}, ${meeting.peer} sends: ünïcödé ✓`,
    }));
}

for (const peer of PEER_NAMES) {
  // The quoted format prints an empty message as `""`; the marker after it
  // shows it arrived as a message of its own, in order.
  interopTest(peer, `pair interop: we send a zero-length message to ${peer} over tcp`, () =>
    sendToPeer({
      peer,
      transport: "tcp",
      we: "connect",
      ours: "pair",
      theirs: "pair",
      messages: [new Uint8Array(0), encoder.encode("end")],
      format: "quoted",
      expectedStdout: encoder.encode('""\n"end"\n'),
    }));

  interopTest(
    peer,
    `pair interop: ${peer} sends us a zero-length message over ipc`,
    () => receiveFromPeer({ peer, transport: "ipc", we: "bind", ours: "pair", theirs: "pair", payload: "" }),
  );
}

for (const peer of PEER_NAMES) {
  interopTest(peer, `pair interop: a second ${peer} is refused while the first stays paired (ipc)`, async () => {
    using address = new InteropAddress("ipc");
    await using ours = openOurSocket("pair");
    await ours.bind(address.url);
    await using first = spawnPeer({ peer, socket: "pair", endpoint: "connect", url: address.url, format: "quoted" });
    await until(() => ours.stats.currentConnections === 1, STEP_TIMEOUT_MS, `first ${peer} paired`);
    // It keeps reconnecting after each refusal; one refusal is enough to see.
    await using second = spawnPeer({ peer, socket: "pair", endpoint: "connect", url: address.url, format: "quoted" });
    await until(() => ours.stats.rejected >= 1, STEP_TIMEOUT_MS, `second ${peer} refused`);

    await first.guard(ours.send("to the first"), STEP_TIMEOUT_MS, "our send");
    const expected = encoder.encode('"to the first"\n');
    const printed = await first.waitForStdout((out) => out.length >= expected.length, STEP_TIMEOUT_MS, "first peer");
    assertBytesEqual(printed, expected, `what the first ${peer} printed`);
    assertBytesEqual(second.stdout(), new Uint8Array(0), `what the second ${peer} printed`);
    if (ours.stats.currentConnections !== 1) {
      throw new Error(`expected 1 connection, have ${ours.stats.currentConnections}`);
    }
  });

  interopTest(peer, `pair interop: we reconnect to ${peer} each time it restarts (tcp)`, async () => {
    using address = new InteropAddress("tcp");
    await using ours = openOurSocket("pair");
    ours.connect(address.url);
    for (const round of [1, 2, 3]) {
      // A send before we noticed the last peer go could be written to its dead connection.
      await until(() => ours.stats.currentConnections === 0, STEP_TIMEOUT_MS, `previous ${peer} gone`);
      await using restarted = spawnPeer({ peer, socket: "pair", endpoint: "bind", url: address.url, format: "quoted" });
      await restarted.guard(ours.send(`round ${round}`), STEP_TIMEOUT_MS, `our send in round ${round}`);
      const expected = encoder.encode(`"round ${round}"\n`);
      const printed = await restarted.waitForStdout(
        (out) => out.length >= expected.length,
        STEP_TIMEOUT_MS,
        `${peer} in round ${round}`,
      );
      assertBytesEqual(printed, expected, `what ${peer} printed in round ${round}`);
    }
  });
}
