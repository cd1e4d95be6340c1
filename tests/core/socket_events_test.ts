/**
 * Socket events, one cause each: pipes added, removed and rejected (by a
 * `pipe:adding` listener, by the protocol, by the handshake), connect and
 * accept errors with their retry delays, and dropped messages by reason,
 * aggregated so that a storm of drops makes a handful of events. Plus the
 * subscription forms: `on`/`off`, `once`, `signal`, the `EventTarget`
 * spelling and `for await`.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  AF_SP_RAW,
  isSpError,
  ManualClock,
  NN_REP,
  NN_REQ,
  NN_SUB,
  NN_SUB_SUBSCRIBE,
  openSocket,
  registerBuiltins,
  Runtime,
  type Socket,
  socket,
  type SocketEvent,
  type SocketEventMap,
  type SocketEventType,
} from "../../mod.ts";
import { frame, spHeader } from "../bad_input/_raw_peer.ts";
import { freePort, text, within } from "../_helpers.ts";
import { advance, MockTransport, settle } from "./_mock_transport.ts";

const STEP_MS = 5_000;

/** The next event of `type` on `socket`. */
function next<K extends SocketEventType>(socket: Socket, type: K): Promise<SocketEventMap[K]> {
  return within(new Promise((resolve) => socket.events.on(type, resolve, { once: true })), STEP_MS, type);
}

/** Every event of `socket` from now on, collected. */
function record(socket: Socket): SocketEvent[] {
  const seen: SocketEvent[] = [];
  (async () => {
    for await (const event of socket.events) seen.push(event);
  })();
  return seen;
}

const PIPE_NAME = /^pipe#\d+ tcp 127\.0\.0\.1:\d+⇄127\.0\.0\.1:\d+$/;

Deno.test("events: pipe:adding, pipe:added and pipe:removed tell a pipe's life, with its name and addresses", async () => {
  await using pull = openSocket("pull");
  const push = openSocket("push");
  const seen = record(pull);
  const listener = await pull.listen("tcp://127.0.0.1:0");
  const added = next(pull, "pipe:added");
  push.connect(listener.url);
  const { pipe } = await added;
  assert.match(pipe.name, PIPE_NAME);
  assert.equal(pipe.endpoint, listener.id);
  assert.equal(`tcp://${pipe.localAddress}`, listener.url);
  assert.equal(pipe.name, `pipe#${pipe.id} tcp ${pipe.localAddress}⇄${pipe.remoteAddress}`);
  const removed = next(pull, "pipe:removed");
  await push.close();
  const gone = await removed;
  assert.equal(gone.pipe.id, pipe.id);
  assert.equal(gone.socket, pull.name);
  await pull.close();
  await within(
    (async () => {
      while (seen.at(-1)?.type !== "socket:closed") await new Promise((r) => setTimeout(r, 5));
    })(),
    STEP_MS,
    "socket:closed",
  );
  assert.deepEqual(seen.map((e) => e.type), ["pipe:adding", "pipe:added", "pipe:removed", "socket:closed"]);
});

Deno.test("events: a pipe:adding listener refuses a pipe; it is reported, counted, and the dialer comes back", async () => {
  await using pair = openSocket("pair", { options: { rcvtimeo: STEP_MS } });
  await using peer = openSocket("pair", { options: { reconnectIvl: 20 } });
  let refusals = 0;
  pair.events.on("pipe:adding", (event) => {
    if (refusals++ === 0) event.refuse("not on the first try");
  });
  const rejected = next(pair, "pipe:rejected");
  const { url } = await pair.listen("tcp://127.0.0.1:0");
  peer.connect(url);
  const event = await rejected;
  assert.ok(isSpError(event.reason, "ECONNREFUSED"));
  assert.match(event.reason.message, /refused: not on the first try$/);
  await pair.waitForPeers(1, { timeout: STEP_MS });
  await peer.send("second try");
  assert.equal(text(await pair.recv()), "second try");
  assert.equal(pair.stats.rejected, 1);
  assert.equal(pair.statistics().endpoints[0]!.rejected, 1);
});

Deno.test("events: a peer of the wrong protocol is pipe:rejected with EPROTO", async () => {
  await using pull = openSocket("pull");
  await using pair = openSocket("pair", { options: { reconnectIvl: 50 } });
  const rejected = next(pull, "pipe:rejected");
  pair.connect((await pull.listen("tcp://127.0.0.1:0")).url);
  const event = await rejected;
  assert.ok(isSpError(event.reason, "EPROTO"), String(event.reason));
  assert.match(event.reason.message, /protocol 0x10, expected 0x50/);
});

Deno.test("events: connect:error names the error and the next delay, which backs off", async () => {
  await using push = openSocket("push", { options: { reconnectIvl: 20, reconnectIvlMax: 80 } });
  const delays: number[] = [];
  const errors: string[] = [];
  const enough = Promise.withResolvers<void>();
  push.events.on("connect:error", (event) => {
    delays.push(event.retryIn);
    errors.push(event.error.code);
    assert.equal(event.endpoint.kind, "dialer");
    if (delays.length === 4) enough.resolve();
  });
  const url = `tcp://127.0.0.1:${freePort()}`;
  const id = push.connect(url);
  await within(enough.promise, STEP_MS, "four failed attempts");
  assert.deepEqual(delays.slice(0, 4), [20, 40, 80, 80]);
  assert.deepEqual(errors.slice(0, 4), Array(4).fill("ECONNREFUSED"));
  assert.equal(push.endpoint(id)!.name, `dialer#${id} ${url}`);
  assert.ok(push.statistics().reconnects >= 4);
});

Deno.test("events: an unresolvable host is a connect:error (EHOSTUNREACH)", async () => {
  await using push = openSocket("push", { options: { reconnectIvl: 1000 } });
  // Generous: where no resolver answers, the lookup fails only after its own timeout.
  const failed = within(
    new Promise<SocketEventMap["connect:error"]>((resolve) => push.events.on("connect:error", resolve)),
    15_000,
    "lookup",
  );
  push.connect("tcp://no-such-host.invalid:5555");
  const event = await failed;
  assert.ok(isSpError(event.error, "EHOSTUNREACH") || isSpError(event.error, "EPROTO"), String(event.error));
  assert.match(event.error.message, /no-such-host\.invalid/);
});

Deno.test("events: accept:error names the error and the cool-down", async () => {
  const clock = new ManualClock();
  const runtime = registerBuiltins(new Runtime({ clock }));
  const mock = new MockTransport(clock, 0x50);
  runtime.registerTransport(mock);
  mock.failAccepts = 1;
  const pull = runtime.socket("pull", { options: { linger: 0 } });
  const events: SocketEventMap["accept:error"][] = [];
  pull.events.on("accept:error", (event) => events.push(event));
  await pull.bind("mock://here");
  await settle();
  assert.equal(events.length, 1);
  assert.equal(events[0]!.retryIn, 100);
  assert.equal(events[0]!.error.message, "EPROTO: mock accept failure");
  // The transport reports where it really listens ("mock"), and the name says so.
  assert.equal(events[0]!.endpoint.name, "listener#1 mock://mock");
  await advance(clock, 100);
  assert.equal(pull.statistics().endpoints[0]!.errors, 1);
  await pull.close();
});

Deno.test("drops: a PUB that cannot keep up with a subscriber drops for it (slow-peer), counted and reported in a few events", async () => {
  await using pub = openSocket("pub", { options: { sndbuf: 4096 } });
  await using sub = openSocket("sub");
  sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "");
  sub.connect((await pub.listen("tcp://127.0.0.1:0")).url);
  await pub.waitForPeers(1, { timeout: STEP_MS });
  const events: SocketEventMap["message:dropped"][] = [];
  pub.events.on("message:dropped", (event) => events.push(event));
  const message = new Uint8Array(1024);
  // Sends that do not wait for each other: the pipe's writes happen later,
  // so its outbound bytes pass SNDBUF and the rest of the burst is dropped.
  for (let i = 0; i < 5_000; i++) pub.send(message);
  await new Promise((resolve) => setTimeout(resolve, 10));
  const stats = pub.statistics();
  assert.ok(stats.drops["slow-peer"] > 4_000, `slow-peer drops: ${stats.drops["slow-peer"]}`);
  assert.equal(stats.messagesDropped, stats.drops["slow-peer"]);
  const pipe = stats.endpoints[0]!.pipes[0]!;
  assert.equal(pipe.dropped, stats.drops["slow-peer"]);
  assert.equal(pipe.messagesSent + pipe.dropped, 5_000);
  assert.ok(events.length >= 1 && events.length <= 3, `${events.length} events for a storm of drops`);
  assert.equal(events.reduce((sum, e) => sum + e.count, 0), stats.drops["slow-peer"]);
  assert.equal(events[0]!.reason, "slow-peer");
  assert.equal(events[0]!.pipe?.id, pipe.id);
});

Deno.test("drops: a message above RCVMAXSIZE closes the pipe (EMSGSIZE) and counts an oversize drop", async () => {
  await using pull = openSocket("pull", { options: { rcvmaxsize: 1000 } });
  await using push = openSocket("push");
  const removed = next(pull, "pipe:removed");
  const dropped = next(pull, "message:dropped");
  push.connect((await pull.listen("tcp://127.0.0.1:0")).url);
  await pull.waitForPeers(1, { timeout: STEP_MS });
  await push.send(new Uint8Array(2000));
  assert.ok(isSpError((await removed).reason, "EMSGSIZE"));
  const drop = await dropped;
  assert.deepEqual([drop.reason, drop.count], ["oversize", 1]);
  assert.equal(pull.statistics().drops.oversize, 1);
});

Deno.test("drops: a REP drops requests with too many hops (ttl) or no request id (malformed)", async () => {
  await using rep = socket(AF_SP_RAW, NN_REP);
  await using req = socket(AF_SP_RAW, NN_REQ);
  const dropped: string[] = [];
  rep.events.on("message:dropped", (event) => dropped.push(`${event.reason}×${event.count}`));
  req.connect((await rep.listen("inproc://drops-ttl")).url);
  await req.waitForPeers(1, { timeout: STEP_MS });
  const hops = new Uint8Array(9 * 4); // eight hop words and the id: one hop too many for NN_MAXTTL 8
  hops[8 * 4] = 0x80;
  await req.sendmsg({ header: hops, body: "too far" });
  await req.sendmsg({ body: "no id" });
  await req.sendmsg({ header: new Uint8Array([0x80, 0, 0, 1]), body: "fine" });
  assert.equal(text((await rep.recvmsg({ timeout: STEP_MS })).body), "fine");
  assert.deepEqual(rep.statistics().drops, { ...rep.statistics().drops, ttl: 1, malformed: 1 });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(dropped.sort(), ["malformed×1", "ttl×1"]);
});

Deno.test("drops: a reply whose requester left is a no-peer drop", async () => {
  await using rep = openSocket("rep", { options: { rcvtimeo: STEP_MS } });
  const req = openSocket("req");
  req.connect((await rep.listen("inproc://drops-no-peer")).url);
  await req.send("question");
  await rep.recv();
  const removed = next(rep, "pipe:removed");
  await req.close();
  await removed;
  const dropped = next(rep, "message:dropped");
  await rep.send("answer for nobody");
  assert.equal((await dropped).reason, "no-peer");
  assert.equal(rep.statistics().drops["no-peer"], 1);
});

Deno.test("drops: the late reply to an abandoned request is a stale drop", async () => {
  await using rep = openSocket("rep", { options: { rcvtimeo: STEP_MS } });
  await using req = openSocket("req", { options: { rcvtimeo: STEP_MS } });
  req.connect((await rep.listen("inproc://drops-stale")).url);
  await req.send("first");
  assert.equal(text(await rep.recv()), "first");
  await req.send("second"); // abandons "first"
  const dropped = next(req, "message:dropped");
  await rep.send("answer to first");
  const drop = await dropped;
  assert.equal(drop.reason, "stale");
  assert.equal(text(await rep.recv()), "second");
  await rep.send("answer to second");
  assert.equal(text(await req.recv()), "answer to second");
});

Deno.test("drops: whatever a subscriber sends its PUB is an unexpected drop", async () => {
  await using pub = openSocket("pub");
  const { url } = await pub.listen("tcp://127.0.0.1:0");
  const port = Number(url.slice(url.lastIndexOf(":") + 1));
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const dropped = next(pub, "message:dropped");
  await conn.write(new Uint8Array([...spHeader(NN_SUB), ...frame("tcp", "not for a PUB")]));
  const drop = await dropped;
  assert.deepEqual([drop.reason, drop.count], ["unexpected", 1]);
  assert.match(drop.pipe!.name, PIPE_NAME);
});

Deno.test("events: on/off, once, signal, the EventTarget spelling, and an iterator ending with socket:closed", async () => {
  const pull = openSocket("pull");
  const push = openSocket("push");
  const counts = { on: 0, once: 0, signal: 0, target: 0, removed: 0 };
  const off = pull.events.on("pipe:added", () => counts.on++);
  pull.events.on("pipe:added", () => counts.once++, { once: true });
  const controller = new AbortController();
  pull.events.on("pipe:added", () => counts.signal++, { signal: controller.signal });
  const viaTarget = () => counts.target++;
  pull.events.addEventListener("pipe:added", viaTarget);
  const removedListener = () => counts.removed++;
  pull.events.addEventListener("pipe:added", removedListener);
  pull.events.removeEventListener("pipe:added", removedListener);
  const iterated: string[] = [];
  const iterating = (async () => {
    for await (const event of pull.events) iterated.push(event.type);
  })();
  const { url } = await pull.listen("inproc://events-forms");
  push.connect(url);
  await pull.waitForPeers(1);
  await settle();
  controller.abort();
  off();
  push.connect(url);
  await pull.waitForPeers(2);
  await settle();
  assert.deepEqual(counts, { on: 1, once: 1, signal: 1, target: 2, removed: 0 });
  await push.close();
  await pull.close();
  await within(iterating, STEP_MS, "the iterator ends");
  assert.deepEqual(iterated.filter((type) => type !== "pipe:adding"), [
    "pipe:added",
    "pipe:added",
    "pipe:removed",
    "pipe:removed",
    "socket:closed",
  ]);
});

Deno.test("events: a listener that throws is reported like an EventTarget listener's error; the socket carries on", async () => {
  const reported: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    reported.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    await using pull = openSocket("pull", { options: { rcvtimeo: STEP_MS } });
    await using push = openSocket("push");
    pull.events.on("pipe:added", () => {
      throw new Error("listener bug");
    });
    push.connect((await pull.listen("inproc://events-throw")).url);
    await push.send("still delivered");
    assert.equal(text(await pull.recv()), "still delivered");
    await settle();
    assert.equal((reported[0] as Error)?.message, "listener bug");
  } finally {
    globalThis.removeEventListener("error", onError);
  }
});
