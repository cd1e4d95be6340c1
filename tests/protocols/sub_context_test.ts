/**
 * SUB contexts (nng's): subscriptions of their own, a copy of each
 * matching message per receiver (the socket included), bounded queues
 * that lose their oldest message and count it, nanomsg's lazy filtering
 * back once the last context is closed, and what a context refuses.
 *
 * @module
 */

import assert from "node:assert/strict";
import { AF_SP_RAW, isSpError, NN_DONTWAIT, openSocket, type SocketEvent, type SubSocket } from "../../mod.ts";
import { SUB_CONTEXT_QUEUE_LENGTH } from "../../src/protocols/pubsub/sub_context.ts";
import { text, until } from "../_helpers.ts";

const WAIT_MS = 5_000;
const rejectsWith = (p: Promise<unknown>, code: string) => assert.rejects(p, (e) => isSpError(e, code as never));

/** A PUB listening on a fresh inproc address with one SUB attached. */
async function pubAndSub(name: string) {
  const pub = openSocket("pub");
  const sub = openSocket("sub", { options: { rcvtimeo: WAIT_MS } });
  sub.connect((await pub.listen(`inproc://sub-context-${name}`)).url);
  await pub.waitForPeers(1, { timeout: WAIT_MS });
  return {
    pub,
    sub,
    async [Symbol.asyncDispose]() {
      await sub.close();
      await pub.close();
    },
  };
}

/** Everything a receiver holds right now, as text. */
async function drain(receiver: { recv(options: number): Promise<Uint8Array> }): Promise<string[]> {
  const received: string[] = [];
  for (;;) {
    try {
      received.push(text(await receiver.recv(NN_DONTWAIT)));
    } catch (err) {
      if (isSpError(err, "EAGAIN")) return received;
      throw err;
    }
  }
}

Deno.test("SUB contexts: each receives what its own subscriptions match, the socket what its own match", async () => {
  await using s = await pubAndSub("own");
  using weather = s.sub.openContext();
  using everything = s.sub.openContext();
  using nothing = s.sub.openContext();
  weather.setOption("subscribe", "weather.");
  everything.setOption("subscribe", "");
  s.sub.subscribe("sports.");
  for (const m of ["sports. 2-1", "weather. sunny", "news. none", "weather. rain"]) await s.pub.send(m);
  assert.deepEqual([text(await weather.recv()), text(await weather.recv())], ["weather. sunny", "weather. rain"]);
  assert.equal(text(await everything.recv()), "sports. 2-1");
  assert.deepEqual(await drain(everything), ["weather. sunny", "news. none", "weather. rain"]);
  assert.deepEqual(await drain(s.sub), ["sports. 2-1"]);
  assert.deepEqual(await drain(nothing), []);
  assert.deepEqual(await drain(weather), []);
});

Deno.test("SUB contexts: two receivers of one message get separate copies", async () => {
  await using s = await pubAndSub("copies");
  using a = s.sub.openContext();
  using b = s.sub.openContext();
  a.setOption("subscribe", "x");
  b.setOption("subscribe", "x");
  s.sub.subscribe("x");
  await s.pub.send("xyz");
  const [own, first, second] = [await s.sub.recv(), await a.recv(), await b.recv()];
  own.fill(0);
  first.fill(1);
  assert.equal(text(second), "xyz");
});

Deno.test("SUB contexts: unsubscribing stops a context's deliveries; subscriptions are per context", async () => {
  await using s = await pubAndSub("unsubscribe");
  using a = s.sub.openContext();
  using b = s.sub.openContext();
  a.setOption("subscribe", "t");
  b.setOption("subscribe", "t");
  await s.pub.send("t1");
  assert.equal(text(await a.recv()), "t1");
  a.setOption("unsubscribe", "t");
  await s.pub.send("t2");
  assert.deepEqual([text(await b.recv()), text(await b.recv())], ["t1", "t2"]);
  assert.deepEqual(await drain(a), []);
  assert.throws(() => a.getOption("subscribe"), (e) => isSpError(e, "ENOPROTOOPT"));
});

Deno.test("SUB contexts: a context not read keeps the newest messages and counts each one it lost", async () => {
  await using s = await pubAndSub("full");
  const drops: SocketEvent[] = [];
  s.sub.events.addEventListener("message:dropped", (event) => drops.push(event));
  using slow = s.sub.openContext();
  slow.setOption("subscribe", "");
  const extra = 7;
  const total = SUB_CONTEXT_QUEUE_LENGTH + extra;
  for (let n = 0; n < total; n++) await s.pub.send(`m${n}`);
  await until(() => s.sub.statistics().drops["queue-full"] === extra, WAIT_MS, "drops counted");
  const kept = await drain(slow);
  assert.equal(kept.length, SUB_CONTEXT_QUEUE_LENGTH);
  assert.equal(kept[0], `m${extra}`);
  assert.equal(kept.at(-1), `m${total - 1}`);
  await until(() => drops.length > 0, WAIT_MS, "a message:dropped event");
  assert.equal(drops[0]!.type === "message:dropped" && drops[0]!.reason, "queue-full");
});

Deno.test("SUB contexts: closing one fails its waiting receive; after the last, the socket filters as nanomsg", async () => {
  await using s = await pubAndSub("close");
  s.sub.subscribe("keep");
  const context = s.sub.openContext();
  context.setOption("subscribe", "");
  const waiting = context.recv({ timeout: -1 });
  await s.pub.send("keep 1"); // reaches both
  assert.equal(text(await waiting), "keep 1");
  const waitingAgain = context.recv({ timeout: -1 });
  context.close();
  await rejectsWith(waitingAgain, "EBADF");
  await rejectsWith(context.recv(), "EBADF");
  await s.pub.send("drop");
  await s.pub.send("keep 2");
  // Queued for the socket while the context was open comes first, then the pipe, filtered at receive.
  assert.deepEqual([text(await s.sub.recv()), text(await s.sub.recv())], ["keep 1", "keep 2"]);
  assert.deepEqual(await drain(s.sub), []);
});

Deno.test("SUB contexts: what waited in the pipe before the first context goes to the socket alone", async () => {
  await using s = await pubAndSub("before");
  s.sub.subscribe("");
  await s.pub.send("early");
  await until(() => s.sub.stats.messagesReceived >= 1, WAIT_MS, "the message reached the SUB");
  using late = s.sub.openContext();
  late.setOption("subscribe", "");
  await s.pub.send("later");
  assert.deepEqual([text(await s.sub.recv()), text(await s.sub.recv())], ["early", "later"]);
  assert.deepEqual(await drain(late), ["later"]);
});

Deno.test("SUB contexts: a context sends nothing, raw SUB has none, a closed socket closes them", async () => {
  const sub: SubSocket = openSocket("sub");
  const context = sub.openContext();
  await rejectsWith(context.send("hello"), "ENOTSUP");
  assert.throws(() => context.setOption("subscribe", 5 as never), (e) => isSpError(e, "EINVAL"));
  const waiting = context.recv({ timeout: -1 });
  await sub.close();
  await rejectsWith(waiting, "EBADF");
  assert.equal(context.closed, true);
  await using raw = openSocket("sub", { domain: AF_SP_RAW });
  assert.throws(() => raw.openContext(), (e) => isSpError(e, "ENOTSUP"));
});
