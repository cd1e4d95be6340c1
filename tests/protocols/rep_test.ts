/**
 * REP (cooked) on a manual clock over inproc: replies follow the
 * backtrace back to the right peer, EFSM, forgetting an unanswered
 * request, replies that cannot be delivered, fair queueing, and the
 * backtrace checks (hop limit, missing id) fed by a raw REQ peer.
 *
 * @module
 */

import assert from "node:assert/strict";
import { NN_DONTWAIT, NN_MAXTTL, NN_SOL_SOCKET } from "../../mod.ts";
import { text } from "../_helpers.ts";
import { bench, join, rejectsWith, settle, settled, wordAt, words } from "./_backtrace_fixtures.ts";

const ID = 0x8000_0009;

Deno.test("REP send with no request being answered is EFSM, also after the reply went out", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await using req = open("req");
  await rejectsWith(rep.send("unasked"), "EFSM");
  await join("rep-efsm", rep, req);
  await req.send("q");
  await rep.recv();
  await rep.send("a");
  await rejectsWith(rep.send("a again"), "EFSM");
  assert.equal(text(await req.recv()), "a");
});

Deno.test("a new REP recv forgets the unanswered request, so a send after it is EFSM", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await using req = open("req");
  await join("rep-forget", rep, req);
  await req.send("q");
  await rep.recv();
  await rejectsWith(rep.recv(NN_DONTWAIT), "EAGAIN");
  await rejectsWith(rep.send("too late"), "EFSM");
});

Deno.test("each REP reply goes back to the REQ that asked", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await using alice = open("req");
  await using bob = open("req");
  await join("rep-route", rep, alice, bob);
  await alice.send("alice asks");
  await bob.send("bob asks");
  for (let i = 0; i < 2; i++) {
    const question = text(await rep.recv());
    await rep.send(`answer to ${question.split(" ")[0]}`);
  }
  assert.equal(text(await alice.recv()), "answer to alice");
  assert.equal(text(await bob.recv()), "answer to bob");
});

Deno.test("REP carries a multi-hop backtrace back unchanged", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await using raw = open("req", true);
  await join("rep-hops", rep, raw);
  await raw.sendmsg({ header: words(0x0000_0007, ID), body: "hi" });
  assert.equal(text(await rep.recv()), "hi");
  await rep.send("R");
  const reply = await raw.recvmsg();
  assert.deepEqual(reply.header, words(0x0000_0007, ID));
  assert.equal(text(reply.body), "R");
});

Deno.test("a REP reply whose pipe has gone is dropped and counted, and send does not wait", async () => {
  const { open } = bench();
  await using rep = open("rep");
  const req = open("req");
  await join("rep-gone", rep, req);
  await req.send("q");
  await rep.recv();
  await req.close();
  await settle();
  assert.equal(rep.stats.currentConnections, 0);
  assert.ok(await settled(rep.send("nobody to hear it")), "send returned at once");
  assert.equal(rep.stats.messagesDropped, 1);
});

Deno.test("a REP reply to a pipe that cannot take more is dropped, never waits", async () => {
  const { open } = bench();
  await using rep = open("rep", false, { sndbuf: 1 });
  // A raw REQ that does not read its replies: its pipe stops reading after one.
  await using raw = open("req", true, { rcvbuf: 1 });
  await join("rep-full", rep, raw);
  for (let i = 0; i < 3; i++) {
    await raw.sendmsg({ header: words(ID + i), body: `q${i}` });
    assert.equal(text(await rep.recv()), `q${i}`);
    assert.ok(await settled(rep.send(`a${i}`)), `reply ${i} did not wait`);
  }
  assert.equal(rep.stats.messagesDropped, 1, "the third reply found the pipe full");
  assert.equal(rep.stats.currentConnections, 1);
});

Deno.test("REP fair-queues requests from its peers", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await using a = open("req", true);
  await using b = open("req", true);
  await join("rep-fair", rep, a, b);
  for (let i = 0; i < 3; i++) {
    await a.sendmsg({ header: words(ID + i), body: `a${i}` });
    await b.sendmsg({ header: words(ID + i), body: `b${i}` });
  }
  const order: string[] = [];
  for (let i = 0; i < 6; i++) order.push(text(await rep.recv()));
  assert.deepEqual(order, ["a0", "b0", "a1", "b1", "a2", "b2"]);
});

Deno.test("REP delivers 7 hops + id and drops 8 hops + id (NN_MAXTTL 8), keeping the connection", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await using raw = open("req", true);
  await join("rep-ttl", rep, raw);
  const hops = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  await raw.sendmsg({ header: words(...hops(8), ID), body: "too far" });
  await raw.sendmsg({ header: words(...hops(7), ID), body: "just in" });
  assert.equal(text(await rep.recv()), "just in");
  assert.equal(rep.stats.messagesDropped, 1);
  await rep.send("back");
  const reply = await raw.recvmsg();
  assert.deepEqual(reply.header, words(...hops(7), ID));
  assert.equal(rep.stats.currentConnections, 1);
});

Deno.test("REP follows NN_MAXTTL: with 2, one hop passes and two do not", async () => {
  const { open } = bench();
  await using rep = open("rep");
  rep.setsockopt(NN_SOL_SOCKET, NN_MAXTTL, 2);
  await using raw = open("req", true);
  await join("rep-ttl2", rep, raw);
  await raw.sendmsg({ header: words(1, 2, ID), body: "two hops" });
  await raw.sendmsg({ header: words(1, ID), body: "one hop" });
  assert.equal(text(await rep.recv()), "one hop");
  assert.equal(rep.stats.messagesDropped, 1);
});

Deno.test("REP drops requests without a request id or shorter than a word and keeps the connection", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await using raw = open("req", true);
  await join("rep-garbage", rep, raw);
  await raw.send(words(0x0000_000a)); // no word with the high bit
  await raw.send(new Uint8Array([0x80, 0x00])); // 2 bytes
  await raw.send(new Uint8Array(0)); // empty
  await raw.sendmsg({ header: words(1, 2), body: new Uint8Array([0x80, 0, 0]) }); // id cut short
  await raw.sendmsg({ header: words(ID), body: "fine" });
  assert.equal(text(await rep.recv()), "fine");
  assert.equal(rep.stats.messagesDropped, 4);
  assert.equal(rep.stats.currentConnections, 1);
  await rep.send("still here");
  const reply = await raw.recvmsg();
  assert.equal(wordAt(reply.header), ID);
  assert.equal(text(reply.body), "still here");
});

Deno.test("a cooked REP takes no header from the application", async () => {
  const { open } = bench();
  await using rep = open("rep");
  await rejectsWith(rep.sendmsg({ header: words(1, ID), body: "x" }), "EINVAL");
});
