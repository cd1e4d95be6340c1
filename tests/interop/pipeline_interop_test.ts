/**
 * PUSH (0x50) / PULL (0x51) against nanocat and nngcat: our PUSH to their
 * PULL and their PUSH to our PULL over every transport × endpoint role,
 * each checking that the exact bytes arrive, plus 64 KiB binary messages
 * both ways, 1000 small messages in order, and closing right after the
 * last send without losing data, and binding where a killed nanocat left
 * its ipc socket file.
 *
 * @module
 */

import { assertBytesEqual, until } from "../_helpers.ts";
import { InteropAddress, interopTest, PEER_NAMES, spawnPeer, STEP_TIMEOUT_MS } from "./_peers.ts";
import { allMeetings, binaryPayload, meetingName, openOurSocket, receiveFromPeer, sendToPeer } from "./_scenarios.ts";

const encoder = new TextEncoder();

/** Larger than one socket read, with every byte value, NUL and newline included. */
const BINARY_64K = binaryPayload(64 * 1024);

for (const meeting of allMeetings()) {
  const sent = encoder.encode(`push/${meeting.transport}, we ${meeting.we}: ünïcödé ✓ from deno`);
  interopTest(
    meeting.peer,
    `pipeline interop: ${meetingName(meeting, "send")} (our push, their pull)`,
    () =>
      sendToPeer({
        ...meeting,
        ours: "push",
        theirs: "pull",
        messages: [sent],
        format: "raw",
        expectedStdout: sent,
      }),
  );

  interopTest(
    meeting.peer,
    `pipeline interop: ${meetingName(meeting, "receive")} (their push, our pull)`,
    () =>
      receiveFromPeer({
        ...meeting,
        ours: "pull",
        theirs: "push",
        payload: `push/${meeting.transport}, ${meeting.peer} sends: ünïcödé ✓`,
      }),
  );
}

for (const peer of PEER_NAMES) {
  interopTest(peer, `pipeline interop: we push 64 KiB of binary to ${peer} over ipc`, () =>
    sendToPeer({
      peer,
      transport: "ipc",
      we: "bind",
      ours: "push",
      theirs: "pull",
      messages: [BINARY_64K],
      format: "raw",
      expectedStdout: BINARY_64K,
    }));

  interopTest(
    peer,
    `pipeline interop: ${peer} pushes 64 KiB of binary to us over tcp`,
    () => receiveFromPeer({ peer, transport: "tcp", we: "connect", ours: "pull", theirs: "push", payload: BINARY_64K }),
  );
}

for (const peer of PEER_NAMES) {
  // Small messages are coalesced into shared writes; the quoted format shows
  // every message boundary, so a framing slip or reordering would show.
  const messages = Array.from({ length: 1000 }, (_, i) => encoder.encode(`job ${i}`));
  const printed = messages.map((message) => `"${new TextDecoder().decode(message)}"\n`).join("");
  interopTest(peer, `pipeline interop: 1000 small messages reach ${peer} in order over tcp`, () =>
    sendToPeer({
      peer,
      transport: "tcp",
      we: "connect",
      ours: "push",
      theirs: "pull",
      messages,
      format: "quoted",
      expectedStdout: encoder.encode(printed),
    }));
}

// close() lingers until what our pipes hold is written (nanomsg's LINGER
// is a no-op), so closing as soon as the last send resolves must lose
// nothing. Not run against nanocat over ipc: libnanomsg discards what is
// still in its ipc receive buffer once the sender hangs up (a raw Python
// sender doing sendall + close loses data the same way), so such a test
// would measure nanocat, not us.
const LINGER_CASES = [["nanocat", "tcp"], ["nngcat", "tcp"], ["nngcat", "ipc"]] as const;
const ONE_MIB = binaryPayload(1024 * 1024);
for (const [peer, transport] of LINGER_CASES) {
  // Each message is twice SNDBUF (128 KiB), so the last one may still be queued when close() starts.
  const quarters = [0, 1, 2, 3].map((i) => ONE_MIB.subarray(i * 256 * 1024, (i + 1) * 256 * 1024));
  interopTest(
    peer,
    `pipeline interop: we push 1 MiB to ${peer} over ${transport} and close at once; nothing is lost`,
    () =>
      sendToPeer({
        peer,
        transport,
        we: "connect",
        ours: "push",
        theirs: "pull",
        messages: quarters,
        format: "raw",
        expectedStdout: ONE_MIB,
        closeAfterSending: true,
      }),
  );
}

// A peer killed by a signal leaves its ipc socket file behind; binding there
// must clear the stale file rather than fail with EADDRINUSE.
interopTest("nanocat", "pipeline interop: we bind the ipc path a killed nanocat left behind", async () => {
  using address = new InteropAddress("ipc");
  const path = address.url.slice("ipc://".length);
  const socketFileExists = () => {
    try {
      return Deno.lstatSync(path).isSocket === true;
    } catch {
      return false;
    }
  };
  {
    await using killed = spawnPeer({ peer: "nanocat", socket: "pull", endpoint: "bind", url: address.url });
    await until(socketFileExists, STEP_TIMEOUT_MS, `${killed.name} creating its socket file`);
  }
  if (!socketFileExists()) throw new Error(`precondition: the killed nanocat should have left ${path} behind`);

  await using ours = openOurSocket("push");
  await ours.bind(address.url);
  await using peer = spawnPeer({
    peer: "nanocat",
    socket: "pull",
    endpoint: "connect",
    url: address.url,
    format: "raw",
  });
  await peer.guard(ours.send("over the stale file"), STEP_TIMEOUT_MS, "our send");
  const expected = encoder.encode("over the stale file");
  const printed = await peer.waitForStdout((out) => out.length >= expected.length, STEP_TIMEOUT_MS, "nanocat output");
  assertBytesEqual(printed, expected, "what nanocat printed");
});
