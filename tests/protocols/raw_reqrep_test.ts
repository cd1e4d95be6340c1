/**
 * Raw (`AF_SP_RAW`) REQ and REP: headers through `sendmsg`/`recvmsg`, the
 * pipe id a raw REP pushes and pops, no state checks, and a `device()`
 * between a raw REP and a raw REQ carrying requests and replies end to end
 * as nanomsg's `nn_device` does (sp-spec.md §2.9).
 *
 * @module
 */

import assert from "node:assert/strict";
import { device, NN_DONTWAIT } from "../../mod.ts";
import { text } from "../_helpers.ts";
import { bench, join, rejectsWith, settle, settled, wordAt, words } from "./_backtrace_fixtures.ts";

const ID = 0x8000_0042;

Deno.test("raw REP recvmsg puts the incoming pipe's id in front of the backtrace", async () => {
  const { open } = bench();
  await using rep = open("rep", true);
  await using req = open("req", true);
  await join("raw-rep-id", rep, req);
  await req.sendmsg({ header: words(7, ID), body: "hello" });
  const { header, body } = await rep.recvmsg();
  assert.equal(header.length, 12);
  assert.equal(wordAt(header) & 0x8000_0000, 0, "a pipe id has the high bit clear");
  assert.deepEqual(header.subarray(4), words(7, ID));
  assert.equal(text(body), "hello");
  await rep.sendmsg({ header, body: "world" });
  const reply = await req.recvmsg();
  assert.deepEqual(reply.header, words(7, ID), "the pipe id was popped");
  assert.equal(text(reply.body), "world");
});

Deno.test("raw REP routes each reply by its pipe id", async () => {
  const { open } = bench();
  await using rep = open("rep", true);
  await using a = open("req");
  await using b = open("req");
  await join("raw-rep-route", rep, a, b);
  await a.send("from a");
  await b.send("from b");
  const first = await rep.recvmsg();
  const second = await rep.recvmsg();
  assert.notEqual(wordAt(first.header), wordAt(second.header));
  // Answer in the opposite order: routing is by header, not by order.
  await rep.sendmsg({ header: second.header, body: `re: ${text(second.body)}` });
  await rep.sendmsg({ header: first.header, body: `re: ${text(first.body)}` });
  assert.equal(text(await a.recv()), "re: from a");
  assert.equal(text(await b.recv()), "re: from b");
});

Deno.test("raw REP send without a header is dropped silently and counted", async () => {
  const { open } = bench();
  await using rep = open("rep", true);
  assert.equal(await rep.send("no header"), 9);
  assert.equal(rep.stats.messagesDropped, 1);
});

Deno.test("raw REP drops replies to an unknown or departed pipe, or with a header shorter than a word", async () => {
  const { open } = bench();
  await using rep = open("rep", true);
  const req = open("req");
  await join("raw-rep-unknown", rep, req);
  await req.send("q");
  const { header } = await rep.recvmsg();
  await rep.sendmsg({ header: words(0x7fff_fff0, ID), body: "unknown pipe" });
  await rep.sendmsg({ header: new Uint8Array([0, 0]), body: "short header" });
  await rep.sendmsg({ header: words(wordAt(header) | 0x8000_0000, ID), body: "an id is not a pipe" });
  assert.equal(rep.stats.messagesDropped, 3);
  await req.close();
  await settle();
  assert.ok(await settled(rep.sendmsg({ header, body: "departed" })), "never waits");
  assert.equal(rep.stats.messagesDropped, 4);
});

Deno.test("raw REQ recv on a fresh socket is EAGAIN with NN_DONTWAIT, not EFSM", async () => {
  const { open } = bench();
  await using req = open("req", true);
  await rejectsWith(req.recv(NN_DONTWAIT), "EAGAIN");
  await rejectsWith(req.recvmsg(NN_DONTWAIT), "EAGAIN");
});

Deno.test("raw REQ send waits for a peer: EAGAIN with NN_DONTWAIT", async () => {
  const { open } = bench();
  await using req = open("req", true);
  await rejectsWith(req.sendmsg({ header: words(ID), body: "x" }, NN_DONTWAIT), "EAGAIN");
});

Deno.test("raw REQ sends header and body as given and splits replies after the id word", async () => {
  const { open } = bench();
  await using req = open("req", true);
  await using rep = open("rep", true);
  await join("raw-req", rep, req);
  await req.sendmsg({ header: words(1, 2, ID), body: "as is" });
  const got = await rep.recvmsg();
  assert.deepEqual(got.header.subarray(4), words(1, 2, ID));
  const pipe = wordAt(got.header);
  await rep.sendmsg({ header: words(pipe, 5, ID), body: "reply" });
  const reply = await req.recvmsg();
  assert.deepEqual(reply.header, words(5, ID));
  assert.equal(text(reply.body), "reply");
});

Deno.test("raw REQ drops replies without an id word or with too many hops", async () => {
  const { open } = bench();
  await using req = open("req", true);
  await using rep = open("rep", true);
  await join("raw-req-bad", rep, req);
  await req.sendmsg({ header: words(ID), body: "q" });
  const pipe = wordAt((await rep.recvmsg()).header);
  await rep.sendmsg({ header: words(pipe, 1, 2), body: "" }); // no id
  await rep.sendmsg({ header: words(pipe, 1, 2, 3, 4, 5, 6, 7, 8, ID), body: "far" }); // 9 words
  await rep.sendmsg({ header: words(pipe), body: new Uint8Array([0x80]) }); // 1 byte
  await rep.sendmsg({ header: words(pipe, ID), body: "ok" });
  const reply = await req.recvmsg();
  assert.equal(text(reply.body), "ok");
  assert.equal(req.stats.messagesDropped, 3);
  // recv() on a raw socket returns the body alone.
  await rep.sendmsg({ header: words(pipe, ID), body: "body only" });
  assert.equal(text(await req.recv()), "body only");
});

Deno.test("device() between raw REP and raw REQ carries requests and replies end to end", async () => {
  const { open } = bench();
  const front = open("rep", true);
  const back = open("req", true);
  await using client = open("req");
  await using server = open("rep", true); // raw, to see the backtrace the device built
  await join("dev-front", front, client);
  await join("dev-back", back, server);
  const running = device(front, back);
  await client.send("hello");
  const request = await server.recvmsg();
  // [server's pipe id][device front pipe id][request id], as exp9 shows on the wire.
  assert.equal(request.header.length, 12);
  assert.equal(wordAt(request.header, 4) & 0x8000_0000, 0, "the hop the device pushed");
  assert.ok(wordAt(request.header, 8) >= 0x8000_0000, "the request id");
  assert.equal(text(request.body), "hello");
  await server.sendmsg({ header: request.header, body: "world" });
  assert.equal(text(await client.recv()), "world");
  await front.close();
  await running;
  await back.close();
});

Deno.test("cooked REQ and REP talk through a device, which counts as one hop for NN_MAXTTL", async () => {
  const { open } = bench();
  const front = open("rep", true);
  const back = open("req", true);
  await using client = open("req");
  await using server = open("rep", false, { maxttl: 1 });
  await join("dev2-front", front, client);
  await join("dev2-back", back, server);
  const running = device(front, back);
  const received = server.recv();
  await client.send("one hop");
  await settle();
  assert.equal(server.stats.messagesDropped, 1, "1 hop + id is more than MAXTTL 1");
  server.setOption("maxttl", 2);
  await client.send("allowed now");
  assert.equal(text(await received), "allowed now");
  await server.send("through the device");
  assert.equal(text(await client.recv()), "through the device");
  await back.close();
  await running;
  await front.close();
});
