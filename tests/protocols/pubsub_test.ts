/**
 * PUB/SUB semantics, nanomsg's where nanomsg and nng differ: fan-out to
 * every subscriber without ever blocking, prefix filtering on the SUB side
 * with refcounted subscriptions, raw SUB still filtering, fair-queued
 * receiving, no SP header on the wire, and hostile or pointless input
 * (a SUB that talks, messages nobody subscribed to, 1 MiB topics).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  AF_SP_RAW,
  isSpError,
  NN_DONTWAIT,
  registerBuiltins,
  Runtime,
  type Socket,
  type SocketOptions,
} from "../../mod.ts";
import { NN_PUB, pubProtocol } from "../../src/protocols/pubsub/pub.ts";
import { NN_SUB, NN_SUB_SUBSCRIBE, NN_SUB_UNSUBSCRIBE, subProtocol } from "../../src/protocols/pubsub/sub.ts";
import { concat, frame, freshAddress, RawConn, spHeader } from "../bad_input/_raw_peer.ts";
import { assertBytesEqual, text, until, within } from "../_helpers.ts";

const WAIT_MS = 2_000;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const rejectsWith = (p: Promise<unknown>, code: string) => assert.rejects(p, (e) => isSpError(e, code as never));
const throwsWith = (fn: () => unknown, code: string) => assert.throws(fn, (e) => isSpError(e, code as never));

/**
 * A runtime of our own with the built-ins plus PUB and SUB (registered
 * here only while the built-ins lack them: registering twice is EINVAL).
 */
function pubsubRuntime(): Runtime {
  const runtime = registerBuiltins(new Runtime());
  for (const spec of [pubProtocol, subProtocol]) {
    if (!runtime.protocols().some((known) => known.id === spec.id)) runtime.registerProtocol(spec);
  }
  return runtime;
}

interface Setup extends AsyncDisposable {
  runtime: Runtime;
  pub: Socket;
  subs: Socket[];
}

/**
 * A PUB bound on inproc with `count` SUBs connected (each subscribed to
 * `topics`), resolved once every pipe is attached on both sides.
 */
async function pubWithSubs(
  count: number,
  topics: (string | Uint8Array)[] = [""],
  options: { pub?: Partial<SocketOptions>; subDomain?: number } = {},
): Promise<Setup> {
  const runtime = pubsubRuntime();
  const pub = runtime.socket("pub", { options: options.pub });
  await pub.bind("inproc://news");
  const subs = Array.from({ length: count }, () => {
    const sub = runtime.socket("sub", { domain: options.subDomain });
    for (const topic of topics) sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, topic);
    sub.connect("inproc://news");
    return sub;
  });
  await until(
    () => pub.stats.currentConnections === count && subs.every((s) => s.stats.currentConnections === 1),
    WAIT_MS,
    "subscribers attached",
  );
  return { runtime, pub, subs, [Symbol.asyncDispose]: () => runtime.term() };
}

/** Everything `sub` can receive right now, as text. */
function drain(sub: Socket): Promise<string[]> {
  const received: string[] = [];
  const next = (): Promise<string[]> =>
    sub.recv(NN_DONTWAIT).then(
      (m) => (received.push(text(m)), next()),
      (e) => isSpError(e, "EAGAIN") ? received : Promise.reject(e),
    );
  return next();
}

Deno.test("PUB sends every message to every SUB", async () => {
  await using setup = await pubWithSubs(3);
  for (const m of ["one", "two", "three"]) await setup.pub.send(m);
  for (const sub of setup.subs) assert.deepEqual(await drain(sub), ["one", "two", "three"]);
});

Deno.test("PUB with no subscriber sends at once, and the message goes nowhere", async () => {
  const runtime = pubsubRuntime();
  try {
    const pub = runtime.socket("pub");
    assert.equal(await pub.send("into the void", NN_DONTWAIT), 13);
    await pub.bind("inproc://empty");
    assert.equal(await pub.send("still nobody", NN_DONTWAIT), 12);
    assert.equal(pub.stats.messagesDropped, 0);
  } finally {
    await runtime.term();
  }
});

Deno.test("PUB never blocks: a subscriber that cannot keep up loses messages, counted as dropped", async () => {
  // The slow SUB stops reading after 64 bytes and PUB's pipe to it holds
  // at most 64 more; each message is 64 bytes.
  await using setup = await pubWithSubs(1, [""], { pub: { sndbuf: 64 } });
  const fast = setup.subs[0]!;
  const slow = setup.runtime.socket("sub", { options: { rcvbuf: 64 } });
  slow.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "");
  slow.connect("inproc://news");
  await until(
    () => setup.pub.stats.currentConnections === 2 && slow.stats.currentConnections === 1,
    WAIT_MS,
    "the slow subscriber attached",
  );
  const message = (i: number) => `message ${i}`.padEnd(64, ".");
  for (let i = 0; i < 5; i++) assert.equal(await setup.pub.send(message(i), NN_DONTWAIT), 64);
  assert.equal(setup.pub.stats.messagesDropped, 3, "messages 2, 3 and 4 could not go to the slow subscriber");
  assert.deepEqual(await drain(fast), [0, 1, 2, 3, 4].map(message));
  assert.deepEqual(await drain(slow), [0, 1].map(message));
  // Once it caught up it gets new messages again.
  await setup.pub.send(message(5));
  assert.deepEqual(await drain(slow), [message(5)]);
  assert.deepEqual(await drain(fast), [message(5)]);
});

Deno.test("a subscriber that leaves does not disturb the others", async () => {
  await using setup = await pubWithSubs(2);
  const [stays, leaves] = setup.subs as [Socket, Socket];
  await leaves.close();
  await until(() => setup.pub.stats.currentConnections === 1, WAIT_MS, "pipe removed");
  await setup.pub.send("after");
  assert.deepEqual(await drain(stays), ["after"]);
});

Deno.test("PUB cannot receive and SUB cannot send (ENOTSUP)", async () => {
  await using setup = await pubWithSubs(1);
  await rejectsWith(setup.pub.recv(), "ENOTSUP");
  await rejectsWith(setup.pub.recvmsg(), "ENOTSUP");
  await rejectsWith(setup.subs[0]!.send("up"), "ENOTSUP");
  await rejectsWith(setup.subs[0]!.sendmsg({ body: "up" }), "ENOTSUP");
});

Deno.test("a SUB without subscriptions receives nothing, and that is not counted as a loss", async () => {
  await using setup = await pubWithSubs(1, []);
  const sub = setup.subs[0]!;
  for (const m of ["", "a", "anything"]) await setup.pub.send(m);
  assert.deepEqual(await drain(sub), []);
  assert.equal(sub.stats.messagesReceived, 3, "they did arrive");
  assert.equal(sub.stats.messagesDropped, 0);
});

Deno.test("SUB delivers a message when any subscription is a prefix of it", async () => {
  await using setup = await pubWithSubs(1, ["ab", "abc", "x"]);
  for (const m of ["abcd", "ab", "a", "xyz", "zz"]) await setup.pub.send(m);
  assert.deepEqual(await drain(setup.subs[0]!), ["abcd", "ab", "xyz"]);
});

Deno.test("the empty topic subscribes to everything, empty messages included", async () => {
  await using setup = await pubWithSubs(1, [""]);
  for (const m of ["", "x", "news"]) await setup.pub.send(m);
  assert.deepEqual(await drain(setup.subs[0]!), ["", "x", "news"]);
});

Deno.test("messages nobody subscribed to are skipped, and a matching one behind them arrives", async () => {
  await using setup = await pubWithSubs(1, ["wanted"]);
  const sub = setup.subs[0]!;
  const waiting = sub.recv();
  for (let i = 0; i < 100; i++) await setup.pub.send(`unwanted ${i}`);
  await setup.pub.send("wanted!");
  assert.equal(text(await within(waiting, WAIT_MS, "the waiting recv")), "wanted!");
  for (let i = 0; i < 100; i++) await setup.pub.send(`unwanted ${i}`);
  await rejectsWith(sub.recv(NN_DONTWAIT), "EAGAIN");
  assert.equal(sub.stats.messagesDropped, 0);
});

Deno.test("a queued message is filtered by the subscriptions in force when it is received", async () => {
  await using setup = await pubWithSubs(1, ["early"]);
  const sub = setup.subs[0]!;
  for (const m of ["early 1", "late 1"]) await setup.pub.send(m);
  sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "late");
  sub.setsockopt(NN_SUB, NN_SUB_UNSUBSCRIBE, "early");
  assert.deepEqual(await drain(sub), ["late 1"]);
});

Deno.test("subscriptions are refcounted like nanomsg's: subscribe twice, unsubscribe once, still subscribed", async () => {
  await using setup = await pubWithSubs(1, ["a", "a"]);
  const sub = setup.subs[0]!;
  sub.setsockopt(NN_SUB, NN_SUB_UNSUBSCRIBE, "a");
  await setup.pub.send("a1");
  assert.deepEqual(await drain(sub), ["a1"]);
  sub.setsockopt(NN_SUB, NN_SUB_UNSUBSCRIBE, "a");
  await setup.pub.send("a2");
  assert.deepEqual(await drain(sub), []);
});

Deno.test("unsubscribing a topic that was never subscribed succeeds and changes nothing", async () => {
  await using setup = await pubWithSubs(1, ["news"]);
  const sub = setup.subs[0]!;
  for (const stranger of ["weather", "new", "news.sport", ""]) sub.setsockopt(NN_SUB, NN_SUB_UNSUBSCRIBE, stranger);
  await setup.pub.send("news.sport");
  assert.deepEqual(await drain(sub), ["news.sport"]);
});

Deno.test("topics are strings or bytes; other values, unknown SUB options and reading them are refused", async () => {
  await using setup = await pubWithSubs(1, []);
  const sub = setup.subs[0]!;
  sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, new Uint8Array([0x00, 0xff]));
  sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "ü");
  throwsWith(() => sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, 42), "EINVAL");
  throwsWith(() => sub.setsockopt(NN_SUB, 3, "x"), "ENOPROTOOPT");
  throwsWith(() => sub.getsockopt(NN_SUB, NN_SUB_SUBSCRIBE), "ENOPROTOOPT");
  throwsWith(() => setup.pub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "x"), "ENOPROTOOPT");
  throwsWith(() => setup.pub.setsockopt(NN_PUB, NN_SUB_SUBSCRIBE, "x"), "ENOPROTOOPT");
  await setup.pub.send(new Uint8Array([0x00, 0xff, 0x01]));
  await setup.pub.send("über");
  await setup.pub.send(new Uint8Array([0x00, 0xfe]));
  const received = [await sub.recv(NN_DONTWAIT), await sub.recv(NN_DONTWAIT)];
  assert.deepEqual(received, [new Uint8Array([0x00, 0xff, 0x01]), bytes("über")]);
  await rejectsWith(sub.recv(NN_DONTWAIT), "EAGAIN");
});

Deno.test("a raw SUB still filters (nanomsg does; nng's raw SUB delivers everything)", async () => {
  await using setup = await pubWithSubs(1, ["keep"], { subDomain: AF_SP_RAW });
  const sub = setup.subs[0]!;
  for (const m of ["keep 1", "drop", "keep 2"]) await setup.pub.send(m);
  const first = await sub.recvmsg(NN_DONTWAIT);
  assert.deepEqual(first, { header: new Uint8Array(0), body: bytes("keep 1") });
  assert.deepEqual(await drain(sub), ["keep 2"]);
});

Deno.test("a raw PUB publishes like a cooked one and takes no header", async () => {
  const runtime = pubsubRuntime();
  try {
    const pub = runtime.socket("pub", { domain: AF_SP_RAW });
    await pub.bind("inproc://raw");
    const sub = runtime.socket("sub");
    sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "");
    sub.connect("inproc://raw");
    await until(() => pub.stats.currentConnections === 1, WAIT_MS, "attached");
    await pub.sendmsg({ body: "raw news" });
    await rejectsWith(pub.sendmsg({ header: new Uint8Array(4), body: "x" }), "EINVAL");
    assert.deepEqual(await drain(sub), ["raw news"]);
  } finally {
    await runtime.term();
  }
});

Deno.test("SUB fair-queues between publishers", async () => {
  const runtime = pubsubRuntime();
  try {
    const sub = runtime.socket("sub");
    sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "");
    await sub.bind("inproc://many");
    const [a, b] = [runtime.socket("pub"), runtime.socket("pub")];
    a.connect("inproc://many");
    b.connect("inproc://many");
    await until(
      () =>
        sub.stats.currentConnections === 2 && a.stats.currentConnections === 1 &&
        b.stats.currentConnections === 1,
      WAIT_MS,
      "attached",
    );
    for (const m of ["a1", "a2", "a3"]) await a.send(m);
    for (const m of ["b1", "b2", "b3"]) await b.send(m);
    assert.deepEqual(await drain(sub), ["a1", "b1", "a2", "b2", "a3", "b3"]);
  } finally {
    await runtime.term();
  }
});

Deno.test("1 MiB topics filter messages over a socket", async () => {
  const topic = new Uint8Array(1024 * 1024).map((_, i) => (i * 31 + 7) & 0xff);
  await using setup = await pubWithSubs(1, [topic]);
  const sub = setup.subs[0]!;
  const longer = concat(topic, bytes("!"));
  await setup.pub.send(topic.subarray(0, topic.length - 1));
  await setup.pub.send(longer);
  assertBytesEqual(await sub.recv(NN_DONTWAIT), longer, "the message starting with the topic");
  await rejectsWith(sub.recv(NN_DONTWAIT), "EAGAIN");
  sub.setsockopt(NN_SUB, NN_SUB_UNSUBSCRIBE, topic);
  await setup.pub.send(longer);
  await rejectsWith(sub.recv(NN_DONTWAIT), "EAGAIN");
});

Deno.test("a SUB peer that sends data to our PUB is read and dropped; PUB keeps publishing to it", async () => {
  const runtime = pubsubRuntime();
  const address = freshAddress("tcp");
  const pub = runtime.socket("pub");
  await pub.bind(address.url);
  const peer = await RawConn.dial(address);
  try {
    await peer.write(concat(spHeader(0x21), frame("tcp", "a SUB never says this"), frame("tcp", "nor this")));
    await until(() => pub.stats.messagesDropped === 2, WAIT_MS, "the peer's two messages dropped");
    await pub.send("news");
    const expected = concat(spHeader(NN_PUB), frame("tcp", "news"));
    await until(() => peer.received.length >= expected.length, WAIT_MS, "the peer receiving the news");
    assertBytesEqual(peer.received, expected, "our header, then one frame with no SP header in it");
    assert.equal(peer.closed, false);
    assert.equal(pub.stats.currentConnections, 1);
  } finally {
    await peer.close();
    await runtime.term();
  }
});

Deno.test("a message from a PUB peer reaches our SUB with no SP header taken off it", async () => {
  const runtime = pubsubRuntime();
  const address = freshAddress("ipc");
  const sub = runtime.socket("sub");
  sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "topic1");
  await sub.bind(address.url);
  const peer = await RawConn.dial(address);
  try {
    await peer.write(concat(spHeader(NN_PUB), frame("ipc", "topic2-msg"), frame("ipc", "topic1-msg")));
    assert.equal(text(await within(sub.recv(), WAIT_MS, "our recv")), "topic1-msg");
    await until(() => peer.received.length >= 8, WAIT_MS, "our header");
    assertBytesEqual(peer.received, spHeader(NN_SUB), "a SUB sends its header and nothing else");
  } finally {
    await peer.close();
    await runtime.term();
  }
});
