/**
 * REQ (cooked) on a manual clock over inproc: request ids, resending,
 * sending with no peer, cancelling, EFSM, receive timeouts, stale and
 * malformed replies, load balancing and the resend option. A raw REP peer
 * shows the backtrace words the REQ puts on the wire.
 *
 * @module
 */

import assert from "node:assert/strict";
import { NN_DONTWAIT, NN_LINGER, NN_SOL_SOCKET } from "../../mod.ts";
import { NN_REQ, NN_REQ_RESEND_IVL } from "../../src/protocols/reqrep/req.ts";
import { text } from "../_helpers.ts";
import {
  advance,
  bench,
  join,
  payload,
  rejectsWith,
  settle,
  settled,
  throwsWith,
  utf8,
  wordAt,
  words,
} from "./_backtrace_fixtures.ts";

Deno.test("a REQ request reaches REP and the reply comes back", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await using req = open("req");
  await join("rr", rep, req);
  await req.send("question");
  assert.equal(text(await rep.recv()), "question");
  await rep.send("answer");
  assert.equal(text(await req.recv()), "answer");
});

Deno.test("REQ recv with no request outstanding is EFSM, also once the reply was taken", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await using req = open("req");
  await rejectsWith(req.recv(), "EFSM");
  await join("efsm", rep, req);
  await req.send("q");
  await rep.recv();
  await rep.send("a");
  assert.equal(text(await req.recv()), "a");
  await rejectsWith(req.recv(), "EFSM");
  await rejectsWith(req.recv(NN_DONTWAIT), "EFSM");
});

Deno.test("REQ request ids start at random, grow by one per request and carry the high bit", async () => {
  const { open } = bench();
  await using raw = open("rep", true);
  await using req = open("req");
  await join("ids", raw, req);
  const seen: number[] = [];
  for (let i = 0; i < 3; i++) {
    await req.send(`r${i}`);
    const { header, body } = await raw.recvmsg();
    assert.equal(header.length, 8, "pipe id + request id");
    assert.equal(wordAt(header) & 0x8000_0000, 0, "the pipe id has the high bit clear");
    assert.equal(text(body), `r${i}`);
    seen.push(wordAt(header, 4));
  }
  for (const id of seen) assert.ok(id >= 0x8000_0000, `id ${id.toString(16)} has the high bit`);
  assert.equal(seen[1], (seen[0]! + 1 >>> 0 | 0x8000_0000) >>> 0);
  assert.equal(seen[2], (seen[1]! + 1 >>> 0 | 0x8000_0000) >>> 0);
});

Deno.test("REQ resends the same request every NN_REQ_RESEND_IVL, 60 s by default", async () => {
  const { clock, open } = bench();
  await using raw = open("rep", true);
  await using req = open("req");
  assert.equal(req.getsockopt(NN_REQ, NN_REQ_RESEND_IVL), 60_000);
  await join("resend", raw, req);
  await req.send("again");
  const first = await raw.recvmsg();
  clock.advance(59_999);
  await rejectsWith(raw.recvmsg(NN_DONTWAIT), "EAGAIN");
  clock.advance(1);
  const second = await raw.recvmsg(NN_DONTWAIT);
  assert.deepEqual(second.header, first.header, "the same request id");
  assert.equal(text(second.body), "again");

  req.setsockopt(NN_REQ, NN_REQ_RESEND_IVL, 250);
  await req.send("faster"); // the interval applies from the next send
  const third = await raw.recvmsg();
  clock.advance(250);
  const fourth = await raw.recvmsg(NN_DONTWAIT);
  assert.deepEqual(fourth.header, third.header);
  await raw.sendmsg({ header: third.header, body: "done" });
  assert.equal(text(await req.recv()), "done");
  clock.advance(1000);
  await rejectsWith(raw.recvmsg(NN_DONTWAIT), "EAGAIN"); // answered: no more resends
});

Deno.test("REQ resends at once when the pipe that carried the request goes away", async () => {
  const { open } = bench();
  await using req = open("req");
  const first = open("rep", true);
  await using second = open("rep", true);
  await join("failover", req, first, second);
  await req.send("important");
  // Round-robin starts with the first pipe attached.
  const taken = await first.recvmsg(NN_DONTWAIT);
  await first.close();
  await settle();
  const resent = await second.recvmsg(NN_DONTWAIT); // no clock advance: at once
  assert.deepEqual(resent.header.subarray(4), taken.header.subarray(4), "same request id");
  await second.sendmsg({ header: resent.header, body: "ok" });
  assert.equal(text(await req.recv()), "ok");
});

Deno.test("REQ send with no peer returns at once; the request goes out when a peer connects", async () => {
  const { open } = bench();
  await using req = open("req");
  await using rep = open("rep");
  assert.ok(await settled(req.send("early")), "send did not wait for a peer");
  const reply = req.recv();
  await join("late-peer", rep, req);
  assert.equal(text(await rep.recv()), "early");
  await rep.send("welcome");
  assert.equal(text(await reply), "welcome");
});

Deno.test("REQ close lingers for a request no peer has taken yet", async () => {
  const { clock, open } = bench();
  const req = open("req");
  req.setsockopt(NN_SOL_SOCKET, NN_LINGER, 500);
  await req.send("nobody listens");
  const closing = req.close();
  assert.equal(await settled(closing), false, "close waits for the unsent request");
  await advance(clock, 500, 100);
  assert.ok(await settled(closing), "close gives up after LINGER");
});

Deno.test("a new REQ send abandons the outstanding request; its late reply is dropped and counted", async () => {
  const { open } = bench();
  await using raw = open("rep", true);
  await using req = open("req");
  await join("cancel", raw, req);
  await req.send("first");
  const first = await raw.recvmsg();
  await req.send("second");
  const second = await raw.recvmsg();
  await raw.sendmsg({ header: first.header, body: "late answer to first" });
  await raw.sendmsg({ header: second.header, body: "answer to second" });
  assert.equal(text(await req.recv()), "answer to second");
  assert.equal(req.stats.messagesDropped, 1);
});

Deno.test("a REQ reply not yet received is dropped and counted when a new request is sent", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await using req = open("req");
  await join("unread", rep, req);
  await req.send("one");
  await rep.recv();
  await rep.send("reply to one");
  await settle();
  await req.send("two");
  assert.equal(req.stats.messagesDropped, 1);
  await rep.recv();
  await rep.send("reply to two");
  assert.equal(text(await req.recv()), "reply to two");
});

Deno.test("after a REQ recv times out the request stays alive and a later recv gets the reply", async () => {
  const { clock, open } = bench();
  await using rep = open("rep");
  await using req = open("req");
  await join("timeout", rep, req);
  await req.send("slow question");
  const timedOut = rejectsWith(req.recv({ timeout: 100 }), "ETIMEDOUT");
  await advance(clock, 100);
  await timedOut;
  assert.equal(text(await rep.recv()), "slow question");
  await rep.send("slow answer");
  assert.equal(text(await req.recv()), "slow answer"); // nanomsg; nng would say ESTATE
});

Deno.test("REQ drops replies with an unknown id, without the id or shorter than a word", async () => {
  const { open } = bench();
  await using raw = open("rep", true);
  await using req = open("req");
  await join("garbage", raw, req);
  await req.send("q");
  const { header } = await raw.recvmsg();
  const pipeId = wordAt(header);
  const id = wordAt(header, 4);
  const bad = [
    words(pipeId, (id + 1) | 0x8000_0000), // another id
    words(pipeId, id & 0x7fff_ffff), // the id without its high bit
    words(pipeId, 0x0000_0007, id), // a hop in front: the first word is not the id
    words(pipeId), // nothing after the pipe id: an empty reply
  ];
  for (const h of bad) await raw.sendmsg({ header: h, body: "x" });
  await raw.sendmsg({ header: words(pipeId), body: new Uint8Array([0x80, 0x00]) }); // 2 bytes
  await settle();
  await rejectsWith(req.recv(NN_DONTWAIT), "EAGAIN");
  assert.equal(req.stats.messagesDropped, 5);
  await raw.sendmsg({ header, body: "good" });
  assert.equal(text(await req.recv()), "good");
  assert.equal(req.stats.currentConnections, 1, "the connection is kept");
});

Deno.test("a second waiting REQ recv gets EFSM once the first took the reply", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await using req = open("req");
  await join("two-waiters", rep, req);
  await req.send("q");
  const first = req.recv();
  const second = req.recv();
  await rep.recv();
  await rep.send("a");
  assert.equal(text(await first), "a");
  await rejectsWith(second, "EFSM");
});

Deno.test("REQ balances requests round-robin over its REP peers", async () => {
  const { open } = bench();
  await using req = open("req");
  await using a = open("rep", true);
  await using b = open("rep", true);
  await join("balance", req, a, b);
  const got: string[] = [];
  for (let i = 0; i < 4; i++) {
    await req.send(`r${i}`);
    await settle();
    for (const [name, peer] of [["a", a], ["b", b]] as const) {
      const m = await peer.recvmsg(NN_DONTWAIT).catch(() => undefined);
      if (m !== undefined) got.push(`${name}:${text(m.body)}`);
    }
  }
  assert.deepEqual(got, ["a:r0", "b:r1", "a:r2", "b:r3"]);
});

Deno.test("NN_REQ_RESEND_IVL takes positive ms; other values are EINVAL, unknown options ENOPROTOOPT", async () => {
  const { open } = bench();
  await using req = open("req");
  await using raw = open("req", true);
  req.setsockopt(NN_REQ, NN_REQ_RESEND_IVL, 1);
  assert.equal(req.getsockopt(NN_REQ, NN_REQ_RESEND_IVL), 1);
  for (const bad of [0, -1, 1.5, "100", utf8("1")]) {
    throwsWith(() => req.setsockopt(NN_REQ, NN_REQ_RESEND_IVL, bad), "EINVAL");
  }
  throwsWith(() => req.setsockopt(NN_REQ, 2, 1), "ENOPROTOOPT");
  throwsWith(() => req.getsockopt(NN_REQ, 2), "ENOPROTOOPT");
  // nanomsg's raw REQ has no protocol options.
  throwsWith(() => raw.setsockopt(NN_REQ, NN_REQ_RESEND_IVL, 100), "ENOPROTOOPT");
  throwsWith(() => raw.getsockopt(NN_REQ, NN_REQ_RESEND_IVL), "ENOPROTOOPT");
  // A cooked REQ takes no header from the application.
  await rejectsWith(req.sendmsg({ header: payload(words(0x8000_0001), ""), body: "x" }), "EINVAL");
});

Deno.test("when its only REP goes away REQ stops resending, then resends to the next REP at once", async () => {
  const { clock, open } = bench();
  await using req = open("req");
  const gone = open("rep", true);
  await join("next-peer", req, gone);
  await req.send("still wanted");
  const first = await gone.recvmsg();
  assert.ok(clock.pending > 0, "the resend timer runs while the request is out");
  await gone.close();
  await settle();
  assert.equal(clock.pending, 0, "no pipe, no resend timer: the request waits for a peer");
  await using next = open("rep", true);
  next.connect("inproc://next-peer");
  const resent = await next.recvmsg();
  assert.deepEqual(resent.header.subarray(4), first.header.subarray(4), "the same request id");
  await next.sendmsg({ header: resent.header, body: "finally" });
  assert.equal(text(await req.recv()), "finally");
});
