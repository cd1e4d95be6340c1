/**
 * REQ contexts and `request()` on a manual clock over inproc: each context
 * has a request of its own (nng's rules), replies find their context by
 * id, the socket's own nanomsg exchange is left alone, and closing fails
 * what waits. A raw REP peer shows what goes on the wire.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, NN_DONTWAIT } from "../../mod.ts";
import { text } from "../_helpers.ts";
import { advance, rejectsWith, settle, settled, throwsWith, wordAt } from "./_backtrace_fixtures.ts";
import { contextBench, joinAll } from "./_context_fixtures.ts";

Deno.test("1,000 concurrent request()s on one REQ socket each get their own reply", async () => {
  const { open } = contextBench();
  await using rep = open("rep");
  await using req = open("req");
  await joinAll(rep, req);
  const serving = rep.serve((request) => `reply to ${text(request)}`, { concurrency: 7 });
  const replies = await Promise.all(Array.from({ length: 1000 }, (_, i) => req.request(`request ${i}`)));
  replies.forEach((reply, i) => assert.equal(text(reply), `reply to request ${i}`));
  assert.equal(req.statistics().drops.stale, 0);
  await rep.close();
  await serving;
});

Deno.test("a REP answering through two contexts may answer in any order; each reply reaches its request", async () => {
  const { open } = contextBench();
  await using rep = open("rep");
  await using req = open("req");
  await joinAll(rep, req);
  using first = rep.openContext();
  using second = rep.openContext();
  const asked = [req.request("one"), req.request("two")];
  const [a, b] = [await first.recv(), await second.recv()];
  assert.deepEqual([text(a), text(b)], ["one", "two"]);
  await second.send("answer two");
  const two = await asked[1]!;
  assert.equal(await settled(asked[0]!), false, "the first request still waits");
  await first.send("answer one");
  assert.equal(text(two), "answer two");
  assert.equal(text(await asked[0]!), "answer one");
});

Deno.test("contexts leave the socket's own nanomsg exchange alone, and the other way round", async () => {
  const { open } = contextBench();
  await using raw = open("rep", true);
  await using req = open("req");
  await joinAll(raw, req);
  using context = req.openContext();
  await req.send("socket's");
  await context.send("context's");
  const one = await raw.recvmsg();
  const two = await raw.recvmsg();
  assert.notEqual(wordAt(one.header, 4), wordAt(two.header, 4), "one id sequence, two ids");
  // Answer the context first, then the socket.
  await raw.sendmsg({ header: two.header, body: "to the context" });
  await raw.sendmsg({ header: one.header, body: "to the socket" });
  assert.equal(text(await req.recv()), "to the socket");
  assert.equal(text(await context.recv()), "to the context");
  await rejectsWith(context.recv(NN_DONTWAIT), "EFSM");
  await rejectsWith(req.recv(NN_DONTWAIT), "EFSM");
});

Deno.test("a context's send waits for a pipe (nng), unlike the socket's; dontwait is EAGAIN, a timeout ETIMEDOUT", async () => {
  const { clock, open } = contextBench();
  await using req = open("req");
  using context = req.openContext();
  await rejectsWith(context.send("now", NN_DONTWAIT), "EAGAIN");
  await rejectsWith(context.recv(NN_DONTWAIT), "EFSM"); // nothing was accepted
  const timedOut = rejectsWith(context.send("soon", { timeout: 50 }), "ETIMEDOUT");
  await advance(clock, 60);
  await timedOut;
  const waiting = context.send("when a peer comes");
  assert.equal(await settled(waiting), false);
  await using raw = open("rep", true);
  await joinAll(raw, req);
  assert.equal(await waiting, "when a peer comes".length);
  assert.equal(text((await raw.recvmsg()).body), "when a peer comes");
});

Deno.test("a context's recv that gives up abandons its request (nng): the next recv is EFSM, the late reply is stale", async () => {
  const { clock, open } = contextBench();
  await using raw = open("rep", true);
  await using req = open("req");
  await joinAll(raw, req);
  using context = req.openContext();
  await context.send("slow");
  const request = await raw.recvmsg();
  const recv = rejectsWith(context.recv({ timeout: 100 }), "ETIMEDOUT");
  await advance(clock, 110);
  await recv;
  await rejectsWith(context.recv(NN_DONTWAIT), "EFSM");
  await raw.sendmsg({ header: request.header, body: "late" });
  await settle();
  assert.equal(req.statistics().drops.stale, 1);
});

Deno.test("a new request on a context fails the receive waiting for the old one with ECANCELED", async () => {
  const { open } = contextBench();
  await using raw = open("rep", true);
  await using req = open("req");
  await joinAll(raw, req);
  using context = req.openContext();
  await context.send("first");
  const waiting = context.recv();
  await context.send("second");
  await rejectsWith(waiting, "ECANCELED");
  await raw.recvmsg(); // first
  const second = await raw.recvmsg();
  await raw.sendmsg({ header: second.header, body: "for the second" });
  assert.equal(text(await context.recv()), "for the second");
});

Deno.test("each context resends on its own interval, with the same id", async () => {
  const { clock, open } = contextBench();
  await using raw = open("rep", true);
  await using req = open("req");
  req.setOption("resendIvl", 1_000);
  await joinAll(raw, req);
  using fast = req.openContext();
  assert.equal(fast.getOption("resendIvl"), 1_000, "a new context starts with the socket's interval");
  fast.setOption("resendIvl", 100);
  using slow = req.openContext();
  await fast.send("fast");
  await slow.send("slow");
  const first = [await raw.recvmsg(), await raw.recvmsg()];
  await advance(clock, 350);
  const again: string[] = [];
  for (
    let m = await raw.recvmsg(NN_DONTWAIT).catch(() => undefined);
    m;
    m = await raw.recvmsg(NN_DONTWAIT).catch(() => undefined)
  ) {
    assert.equal(wordAt(m.header, 4), wordAt(first[0]!.header, 4), "the fast context's id, again");
    again.push(text(m.body));
  }
  assert.deepEqual(again, ["fast", "fast", "fast"]);
  throwsWith(() => fast.setOption("resendIvl", 0), "EINVAL");
  assert.equal(req.getOption("resendIvl"), 1_000);
});

Deno.test("request() takes a timeout for the whole exchange and a signal; the late reply is dropped", async () => {
  const { clock, open } = contextBench();
  await using raw = open("rep", true);
  await using req = open("req");
  await joinAll(raw, req);
  const timedOut = rejectsWith(req.request("q1", { timeout: 200 }), "ETIMEDOUT");
  const first = await raw.recvmsg();
  await advance(clock, 210);
  await timedOut;
  const controller = new AbortController();
  const aborted = req.request("q2", { signal: controller.signal });
  await raw.recvmsg();
  controller.abort(new Error("not needed any more"));
  await assert.rejects(
    aborted,
    (e) => isSpError(e, "ECANCELED") && (e.cause as Error).message === "not needed any more",
  );
  await raw.sendmsg({ header: first.header, body: "too late" });
  await settle();
  assert.equal(req.statistics().drops.stale, 1);
  await rejectsWith(req.request("q3", { timeout: -2 }), "EINVAL");
  await rejectsWith(req.request("never sent", { signal: AbortSignal.abort() }), "ECANCELED");
  await rejectsWith(raw.recvmsg(NN_DONTWAIT), "EAGAIN");
});

Deno.test("request() waits by the socket's RCVTIMEO when it names no timeout", async () => {
  const { clock, open } = contextBench();
  await using req = open("req");
  req.setOption("rcvtimeo", 300);
  const asked = rejectsWith(req.request("nobody is there"), "ETIMEDOUT");
  await advance(clock, 310);
  await asked;
});

Deno.test("closing a context fails its waiting calls with EBADF; closing the socket closes its contexts", async () => {
  const { open } = contextBench();
  await using raw = open("rep", true);
  const req = open("req");
  await joinAll(raw, req);
  const context = req.openContext();
  await context.send("q");
  const waiting = context.recv();
  context.close();
  await rejectsWith(waiting, "EBADF");
  throwsWith(() => context.close(), "EBADF");
  await rejectsWith(context.send("again"), "EBADF");
  const other = req.openContext();
  await other.send("q");
  const pending = [other.recv(), req.request("r")];
  await req.close();
  for (const call of pending) await rejectsWith(call, "EBADF");
  assert.ok(other.closed);
  throwsWith(() => req.openContext(), "EBADF");
});

Deno.test("term() fails context calls with ETERM", async () => {
  const { runtime, open } = contextBench();
  const req = open("req");
  using context = req.openContext();
  const waiting = context.send("never");
  await runtime.term();
  await rejectsWith(waiting, "ETERM");
});

Deno.test("raw REQ sockets have no contexts: openContext() and request() are ENOTSUP", async () => {
  const { open } = contextBench();
  await using raw = open("req", true);
  throwsWith(() => raw.openContext(), "ENOTSUP");
  await rejectsWith(raw.request("x"), "ENOTSUP");
});

Deno.test("REQ's resend interval by name matches NN_REQ_RESEND_IVL; unknown names are ENOPROTOOPT", async () => {
  const { open } = contextBench();
  await using req = open("req");
  req.setOption("resendIvl", 2_500);
  assert.equal(req.getsockopt(0x30, 1), 2_500);
  req.setsockopt(0x30, 1, 700);
  assert.equal(req.getOption("resendIvl"), 700);
  throwsWith(() => req.setOption("resendIvl", -1), "EINVAL");
  throwsWith(() => req.setOption("resendInterval" as never, 1 as never), "ENOPROTOOPT");
  using context = req.openContext();
  throwsWith(() => context.setOption("rcvtimeo" as never, 1 as never), "ENOPROTOOPT");
});
