/**
 * PUB (0x20) / SUB (0x21) against nanocat and nngcat over every transport
 * × endpoint role: our PUB to their SUB (subscribed to one topic, so what
 * they print also shows that every message arrived whole and unprefixed),
 * their PUB to our SUB, and our SUB filtering out what a real publisher
 * sends when no subscription matches. Publishing is best effort, so the
 * publishing side repeats until the subscriber has connected.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, NN_DONTWAIT } from "../../mod.ts";
import { NN_SUB, NN_SUB_SUBSCRIBE } from "../../src/protocols/pubsub/sub.ts";
import { assertBytesEqual, until } from "../_helpers.ts";
import {
  InteropAddress,
  interopTest,
  Peer,
  PEER_NAMES,
  peerArgs,
  type PeerSpec,
  spawnPeer,
  STEP_TIMEOUT_MS,
} from "./_peers.ts";
import { allMeetings, binaryPayload, meetingName } from "./_scenarios.ts";
import { openOurs, quotedLines, sendUntil } from "./_broadcast.ts";

const TOPIC = "deno/";

for (const meeting of allMeetings()) {
  const peerEndpoint = meeting.we === "bind" ? "connect" as const : "bind" as const;

  interopTest(
    meeting.peer,
    `pubsub interop: ${meetingName(meeting, "send")} (our pub, their sub subscribed to "${TOPIC}")`,
    async () => {
      using address = new InteropAddress(meeting.transport);
      await using pub = openOurs("pub");
      if (meeting.we === "bind") await pub.bind(address.url);
      const spec: PeerSpec = {
        peer: meeting.peer,
        socket: "sub",
        endpoint: peerEndpoint,
        url: address.url,
        format: "quoted",
      };
      await using peer = new Peer(meeting.peer, [...peerArgs(spec), "--subscribe", TOPIC]);
      if (meeting.we === "connect") pub.connect(address.url);

      const wanted = `${TOPIC}${meeting.transport} ${meeting.we}`;
      const unwanted = `other/${meeting.transport} ${meeting.we}`;
      const printed = await sendUntil(
        pub,
        [unwanted, wanted, unwanted],
        peer.waitForStdout((out) => quotedLines(out).length > 0, STEP_TIMEOUT_MS, `${peer.name} printing`),
      );
      const lines = quotedLines(printed);
      assert.ok(lines.length > 0);
      for (const line of lines) assert.equal(line, wanted, `every message ${peer.name} printed`);
    },
  );

  interopTest(
    meeting.peer,
    `pubsub interop: ${meetingName(meeting, "receive")} (their pub, our sub subscribed to "${TOPIC}")`,
    async () => {
      using address = new InteropAddress(meeting.transport);
      await using sub = openOurs("sub");
      sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, TOPIC);
      if (meeting.we === "bind") await sub.bind(address.url);
      const payload = `${TOPIC}${meeting.peer} publishes over ${meeting.transport}: ünïcödé ✓`;
      await using peer = spawnPeer({
        peer: meeting.peer,
        socket: "pub",
        endpoint: peerEndpoint,
        url: address.url,
        send: { data: payload },
      });
      if (meeting.we === "connect") sub.connect(address.url);

      const received = await peer.guard(sub.recv(), STEP_TIMEOUT_MS, `our receive from ${peer.name}`);
      assertBytesEqual(received, new TextEncoder().encode(payload), `message from ${peer.name}`);
    },
  );
}

for (const peer of PEER_NAMES) {
  interopTest(peer, `pubsub interop: our sub drops what ${peer} publishes when no topic matches`, async () => {
    using address = new InteropAddress("tcp");
    await using sub = openOurs("sub");
    sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "elsewhere/");
    sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, `${TOPIC}x`);
    await sub.bind(address.url);
    await using publisher = spawnPeer({
      peer,
      socket: "pub",
      endpoint: "connect",
      url: address.url,
      send: { data: `${TOPIC}not for us` },
    });
    await publisher.guard(
      until(() => sub.stats.messagesReceived >= 1, STEP_TIMEOUT_MS, "a message arriving"),
      STEP_TIMEOUT_MS,
      `${peer} publishing`,
    );
    await assert.rejects(sub.recv(NN_DONTWAIT), (e) => isSpError(e, "EAGAIN"));
    assert.equal(sub.stats.messagesDropped, 0);
  });

  interopTest(peer, `pubsub interop: we publish 64 KiB of binary to ${peer} over ipc`, async () => {
    const payload = binaryPayload(64 * 1024);
    using address = new InteropAddress("ipc");
    await using pub = openOurs("pub");
    await pub.bind(address.url);
    await using subscriber = spawnPeer({ peer, socket: "sub", endpoint: "connect", url: address.url, format: "raw" });
    // The raw format has no delimiters: wait for at least one whole copy and compare the first.
    const printed = await sendUntil(
      pub,
      [payload],
      subscriber.waitForStdout((out) => out.length >= payload.length, STEP_TIMEOUT_MS, `${peer} printing`),
    );
    assertBytesEqual(printed.subarray(0, payload.length), payload, `what ${peer} printed`);
  });
}
