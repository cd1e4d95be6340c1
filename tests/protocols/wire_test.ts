/**
 * REQ/REP and SURVEYOR/RESPONDENT on the wire, against raw tcp peers that
 * write and read bytes written from sp-spec.md §1 and §2 (not with the
 * library's encoders): the golden requests and surveys of §2.5 and §2.8,
 * exp9's device hop, and hostile backtraces dropped with the connection
 * kept.
 *
 * @module
 */

import assert from "node:assert/strict";
import { AF_SP, AF_SP_RAW, device, type Socket } from "../../mod.ts";
import { NN_SURVEYOR_DEADLINE } from "../../src/protocols/survey/surveyor.ts";
import { assertBytesEqual, text, until, within } from "../_helpers.ts";
import { concat, frame, freshAddress, RawConn, RawListener, spHeader } from "../bad_input/_raw_peer.ts";
import { protocolRuntime, rejectsWith, utf8, words } from "./_backtrace_fixtures.ts";

const runtime = protocolRuntime();
const MS = 2_000;
const REQ = 0x30;
const REP = 0x31;
const SURVEYOR = 0x62;
const RESPONDENT = 0x63;

/** Bytes from a hex dump such as "fa 4c ad a7". */
function hex(dump: string): Uint8Array {
  return new Uint8Array(dump.trim().split(/\s+/).map((b) => parseInt(b, 16)));
}

/** Waits until `conn` has received at least `n` bytes and returns them. */
async function receivedAtLeast(conn: RawConn, n: number, label: string): Promise<Uint8Array> {
  await until(() => conn.received.length >= n, MS, label);
  return conn.received;
}

/** Our socket listening on a fresh tcp address, with a raw peer connected and past the SP header. */
async function ourListenerWithRawPeer(protocol: string, peerId: number, raw = false) {
  const address = freshAddress("tcp");
  const ours = runtime.socket(protocol, { domain: raw ? AF_SP_RAW : AF_SP, options: { linger: 0 } });
  await ours.bind(address.url);
  const peer = await RawConn.dial(address);
  assert.ok(await peer.write(spHeader(peerId)));
  await until(() => ours.stats.currentConnections === 1, MS, "our socket attached the raw peer");
  return { ours, peer };
}

async function closeBoth(ours: Socket, peer: RawConn): Promise<void> {
  await ours.close();
  await peer.close();
}

Deno.test("REQ on tcp sends [request id][body]; a reply frame with that id is delivered", async () => {
  const listener = new RawListener("tcp");
  const req = runtime.socket("req", { options: { linger: 0 } });
  try {
    req.connect(listener.address.url);
    const peer = await listener.accept(MS, "REQ dials the raw REP");
    assert.ok(await peer.write(spHeader(REP)));
    await req.send("hello");
    const wire = await receivedAtLeast(peer, 8 + 8 + 9, "the request frame");
    assertBytesEqual(wire.subarray(0, 8), spHeader(REQ), "REQ's SP header");
    assertBytesEqual(wire.subarray(8, 16), hex("00 00 00 00 00 00 00 09"), "length: id + 5 bytes");
    const id = wire.subarray(16, 20);
    assert.ok(id[0]! >= 0x80, "the request id has the high bit set");
    assertBytesEqual(wire.subarray(20, 25), utf8("hello"), "the body");
    assert.ok(await peer.write(frame("tcp", concat(id, utf8("world")))));
    assert.equal(text(await within(req.recv(), MS, "REQ recv")), "world");
  } finally {
    await req.close();
    await listener.close();
  }
});

Deno.test("raw REQ puts sp-spec §2.5's golden request on the wire byte for byte", async () => {
  const listener = new RawListener("tcp");
  const req = runtime.socket("req", { domain: AF_SP_RAW, options: { linger: 0 } });
  try {
    req.connect(listener.address.url);
    const peer = await listener.accept(MS, "raw REQ dials");
    assert.ok(await peer.write(spHeader(REP)));
    await req.sendmsg({ header: hex("fa 4c ad a7"), body: "hello" });
    const expected = hex("00 53 50 00 00 30 00 00  00 00 00 00 00 00 00 09  fa 4c ad a7 68 65 6c 6c 6f");
    assertBytesEqual(await receivedAtLeast(peer, expected.length, "golden request"), expected, "wire bytes");
  } finally {
    await req.close();
    await listener.close();
  }
});

Deno.test("REP answers the golden request fa4cada7 'hello' with the same id on the wire", async () => {
  const { ours: rep, peer } = await ourListenerWithRawPeer("rep", REQ);
  try {
    assert.ok(await peer.write(frame("tcp", hex("fa 4c ad a7 68 65 6c 6c 6f"))));
    assert.equal(text(await within(rep.recv(), MS, "REP recv")), "hello");
    await rep.send("world");
    const expected = hex("00 53 50 00 00 31 00 00  00 00 00 00 00 00 00 09  fa 4c ad a7 77 6f 72 6c 64");
    assertBytesEqual(await receivedAtLeast(peer, expected.length, "golden reply"), expected, "wire bytes");
  } finally {
    await closeBoth(rep, peer);
  }
});

Deno.test("REP on tcp drops bad backtraces, keeps the connection and answers exp10's 1-hop request", async () => {
  const { ours: rep, peer } = await ourListenerWithRawPeer("rep", REQ);
  try {
    const nineWords = words(1, 2, 3, 4, 5, 6, 7, 8, 0x8000_0009);
    for (const bad of [hex("00 00 00 0a"), hex("80 00"), new Uint8Array(0), concat(nineWords, utf8("x"))]) {
      assert.ok(await peer.write(frame("tcp", bad)));
    }
    assert.ok(await peer.write(frame("tcp", hex("00 00 00 07 80 00 00 09 68 69"))));
    assert.equal(text(await within(rep.recv(), MS, "REP recv")), "hi");
    assert.equal(rep.stats.messagesDropped, 4);
    await rep.send("R");
    const reply = hex("00 00 00 00 00 00 00 09  00 00 00 07 80 00 00 09 52");
    const wire = await receivedAtLeast(peer, 8 + reply.length, "the reply");
    assertBytesEqual(wire.subarray(8), reply, "both words come back");
    assert.equal(peer.closed, false);
    assert.equal(rep.stats.currentConnections, 1);
  } finally {
    await closeBoth(rep, peer);
  }
});

Deno.test("RESPONDENT answers sp-spec §2.8's survey b23e97a5 'ping' with the same id", async () => {
  const { ours: respondent, peer } = await ourListenerWithRawPeer("respondent", SURVEYOR);
  try {
    assert.ok(await peer.write(hex("00 00 00 00 00 00 00 08 b2 3e 97 a5 70 69 6e 67")));
    assert.equal(text(await within(respondent.recv(), MS, "RESPONDENT recv")), "ping");
    await respondent.send("pong");
    const expected = hex("00 53 50 00 00 63 00 00  00 00 00 00 00 00 00 08  b2 3e 97 a5 70 6f 6e 67");
    assertBytesEqual(await receivedAtLeast(peer, expected.length, "the answer"), expected, "wire bytes");
  } finally {
    await closeBoth(respondent, peer);
  }
});

Deno.test("SURVEYOR on tcp sends [survey id][body] and takes only answers with that id", async () => {
  const listener = new RawListener("tcp");
  const surveyor = runtime.socket("surveyor", { options: { linger: 0 } });
  surveyor.setsockopt(SURVEYOR, NN_SURVEYOR_DEADLINE, 300);
  try {
    surveyor.connect(listener.address.url);
    const peer = await listener.accept(MS, "SURVEYOR dials the raw RESPONDENT");
    assert.ok(await peer.write(spHeader(RESPONDENT)));
    await until(() => surveyor.stats.currentConnections === 1, MS, "attached");
    await surveyor.send("ping");
    const wire = await receivedAtLeast(peer, 8 + 8 + 8, "the survey frame");
    assertBytesEqual(wire.subarray(0, 16), concat(spHeader(SURVEYOR), hex("00 00 00 00 00 00 00 08")), "header");
    const id = wire.subarray(16, 20);
    assert.ok(id[0]! >= 0x80);
    const otherId = Uint8Array.from(id);
    otherId[3] = otherId[3]! ^ 1;
    assert.ok(await peer.write(frame("tcp", concat(otherId, utf8("stale")))));
    assert.ok(await peer.write(frame("tcp", concat(id, utf8("pong")))));
    assert.equal(text(await within(surveyor.recv(), MS, "SURVEYOR recv")), "pong");
    assert.equal(surveyor.stats.messagesDropped, 1);
    // Waiting out the deadline also leaves no timer behind when the socket closes.
    await rejectsWith(within(surveyor.recv(), MS, "deadline"), "ETIMEDOUT");
  } finally {
    await surveyor.close();
    await listener.close();
  }
});

Deno.test("RESPONDENT on tcp drops surveys with too many hops or no id and keeps the connection", async () => {
  const { ours: respondent, peer } = await ourListenerWithRawPeer("respondent", SURVEYOR);
  try {
    assert.ok(await peer.write(frame("tcp", words(1, 2, 3, 4, 5, 6, 7, 8, 0x8000_0001))));
    assert.ok(await peer.write(frame("tcp", hex("7f ff ff ff 00"))));
    assert.ok(await peer.write(frame("tcp", hex("80 00 00"))));
    assert.ok(await peer.write(frame("tcp", concat(words(0x8000_0002), utf8("ok")))));
    assert.equal(text(await within(respondent.recv(), MS, "RESPONDENT recv")), "ok");
    assert.equal(respondent.stats.messagesDropped, 3);
    assert.equal(peer.closed, false);
  } finally {
    await closeBoth(respondent, peer);
  }
});

Deno.test("a raw REP | raw REQ device pushes one pipe-id hop onto the wire, as exp9 shows", async () => {
  const { ours: front, peer: client } = await ourListenerWithRawPeer("rep", REQ, true);
  const { ours: back, peer: server } = await ourListenerWithRawPeer("req", REP, true);
  const running = device(front, back);
  try {
    assert.ok(await client.write(frame("tcp", hex("db 55 52 14 68 65 6c 6c 6f"))));
    const wire = await receivedAtLeast(server, 8 + 8 + 13, "the forwarded request");
    assertBytesEqual(wire.subarray(8, 16), hex("00 00 00 00 00 00 00 0d"), "length: hop + id + 5");
    const hop = wire.subarray(16, 20);
    assert.ok(hop[0]! < 0x80, "the device's pipe id has the high bit clear");
    assertBytesEqual(wire.subarray(20, 29), hex("db 55 52 14 68 65 6c 6c 6f"), "id and body unchanged");
    assert.ok(await server.write(frame("tcp", concat(hop, hex("db 55 52 14 77 6f 72 6c 64")))));
    const reply = hex("00 00 00 00 00 00 00 09  db 55 52 14 77 6f 72 6c 64");
    const back2client = await receivedAtLeast(client, 8 + reply.length, "the reply");
    assertBytesEqual(back2client.subarray(8), reply, "the hop was popped");
  } finally {
    await front.close();
    await running;
    await back.close();
    await client.close();
    await server.close();
  }
});
