/**
 * PAIR v1 semantics between our own sockets over inproc: the hop count
 * going up by one per raw forwarder and checked against `NN_MAXTTL`,
 * monogamous refusal of a second peer, polyamorous routing by pipe id
 * (nng's rules for sends that name no pipe or a pipe that is gone), raw
 * headers visible through `recvmsg`/`sendmsg`, the `NN_PAIR1_POLY` option
 * and a PAIR v0 peer being refused.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  AF_SP_RAW,
  device,
  type ErrorCode,
  isSpError,
  type Message,
  NN_DONTWAIT,
  NN_PAIR1,
  NN_PAIR1_POLY,
  registerBuiltins,
  Runtime,
  type Socket,
} from "../../mod.ts";
import { text, until, within } from "../_helpers.ts";

const WAIT_MS = 2_000;

const rejectsWith = (p: Promise<unknown>, code: ErrorCode) => assert.rejects(p, (e) => isSpError(e, code));
const throwsWith = (fn: () => unknown, code: ErrorCode) => assert.throws(fn, (e) => isSpError(e, code));

/** The hop count header, written here from sp-spec.md §2.3 rather than with the library's encoder. */
function hops(n: number): Uint8Array {
  return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** A runtime of our own; disposing terminates it and every socket on it. */
function pair1Runtime(): Runtime & AsyncDisposable {
  const runtime = registerBuiltins(new Runtime()) as Runtime & AsyncDisposable;
  runtime[Symbol.asyncDispose] = () => runtime.term();
  return runtime;
}

function open(runtime: Runtime, raw = false, poly = false): Socket {
  const s = runtime.socket("pair1", { domain: raw ? AF_SP_RAW : undefined, options: { linger: 0 } });
  if (poly) s.setsockopt(NN_PAIR1, NN_PAIR1_POLY, 1);
  return s;
}

const attached = (s: Socket, n: number, label: string) =>
  until(() => s.stats.currentConnections === n, WAIT_MS, `${label}: ${n} connection(s)`);

const recvmsg = (s: Socket, label = "recvmsg"): Promise<Message> => within(s.recvmsg(), WAIT_MS, label);

/** Nothing is waiting to be received on `s` right now. */
async function assertNothingWaiting(s: Socket, label: string): Promise<void> {
  await rejectsWith(s.recv(NN_DONTWAIT), "EAGAIN").catch((err) => {
    throw new Error(`${label}: expected nothing to receive`, { cause: err });
  });
}

Deno.test("pair1: identity, and the poly option defaults to 0", async () => {
  await using runtime = pair1Runtime();
  const s = open(runtime);
  assert.equal(s.protocolName, "pair1");
  assert.equal(s.protocolId, 0x11);
  assert.equal(s.peerProtocolId, 0x11);
  assert.equal(s.getsockopt(NN_PAIR1, NN_PAIR1_POLY), 0);
});

Deno.test("pair1: cooked messages both ways, recvmsg shows hop count 1 and the pipe it came from", async () => {
  await using runtime = pair1Runtime();
  const a = open(runtime);
  const b = open(runtime);
  await a.bind("inproc://p1-basic");
  b.connect("inproc://p1-basic");
  await b.send("ping");
  const ping = await recvmsg(a);
  assert.equal(text(ping.body), "ping");
  assert.deepEqual([...ping.header], [...hops(1)]);
  assert.ok(Number.isSafeInteger(ping.pipe) && ping.pipe! > 0, `a pipe id, got ${ping.pipe}`);
  await a.send("pong");
  assert.equal(text(await within(b.recv(), WAIT_MS, "b recv")), "pong");
  await b.send("again");
  assert.equal((await recvmsg(a)).pipe, ping.pipe, "the same connection keeps its pipe id");
});

Deno.test("pair1: each raw forwarder adds one hop; NN_MAXTTL drops what went too far, counted", async () => {
  await using runtime = pair1Runtime();
  // origin -> [raw in | device | raw out] -> [raw in | device | raw out] -> end
  const origin = open(runtime);
  const end = open(runtime);
  const forwarders = [0, 1].map((i) => {
    const inbound = open(runtime, true);
    const outbound = open(runtime, true);
    return { i, inbound, outbound };
  });
  await forwarders[0]!.inbound.bind("inproc://p1-hop-0");
  origin.connect("inproc://p1-hop-0");
  await forwarders[1]!.inbound.bind("inproc://p1-hop-1");
  forwarders[0]!.outbound.connect("inproc://p1-hop-1");
  await end.bind("inproc://p1-hop-end");
  forwarders[1]!.outbound.connect("inproc://p1-hop-end");
  await attached(end, 1, "end");
  await attached(forwarders[1]!.inbound, 1, "second forwarder");
  await attached(forwarders[0]!.inbound, 1, "first forwarder");
  const devices = forwarders.map((f) => device(f.inbound, f.outbound));

  await origin.send("two forwarders");
  const far = await recvmsg(end, "end recvmsg");
  assert.equal(text(far.body), "two forwarders");
  assert.deepEqual([...far.header], [...hops(3)], "1 from the origin + 1 per forwarder");

  // And back the other way through the same devices.
  await end.send("back");
  const back = await recvmsg(origin, "origin recvmsg");
  assert.deepEqual([...back.header], [...hops(3)]);

  end.setOption("maxttl", 2);
  await origin.send("too far");
  // Hop counts are checked when the message is taken from its pipe.
  await until(() => end.stats.messagesReceived === 2, WAIT_MS, "the 3-hop message arrived");
  await rejectsWith(end.recv(NN_DONTWAIT), "EAGAIN");
  assert.equal(end.stats.messagesDropped, 1);
  end.setOption("maxttl", 3);
  await origin.send("just far enough");
  assert.equal(text(await within(end.recv(), WAIT_MS, "end recv")), "just far enough");
  assert.equal(end.stats.messagesDropped, 1);

  for (const f of forwarders) {
    await f.inbound.close();
    await f.outbound.close();
  }
  await Promise.all(devices);
});

Deno.test("pair1 raw: recvmsg shows the hop count as it arrived; sendmsg sends the header's count plus one", async () => {
  await using runtime = pair1Runtime();
  const raw = open(runtime, true);
  const cooked = open(runtime);
  await raw.bind("inproc://p1-raw");
  cooked.connect("inproc://p1-raw");
  await attached(raw, 1, "raw");

  await cooked.send("up");
  const up = await recvmsg(raw);
  assert.deepEqual([...up.header], [...hops(1)]);
  assert.equal(text(up.body), "up");

  await raw.sendmsg({ header: hops(4), body: "down" });
  const down = await recvmsg(cooked);
  assert.deepEqual([...down.header], [...hops(5)]);
  assert.equal(text(down.body), "down");

  // 0xFE is the most a raw send takes; it arrives as 0xFF, beyond any NN_MAXTTL below 255.
  await raw.sendmsg({ header: hops(0xfe), body: "dropped" });
  await raw.sendmsg({ header: hops(0), body: "kept" });
  assert.equal(text(await within(cooked.recv(), WAIT_MS, "cooked recv")), "kept");
  assert.equal(cooked.stats.messagesDropped, 1);
});

Deno.test("pair1 raw: a header that is not a 4-byte count below 0xFF is EINVAL, as is send() without one", async () => {
  await using runtime = pair1Runtime();
  const raw = open(runtime, true);
  await rejectsWith(raw.sendmsg({ body: "no header" }), "EINVAL");
  await rejectsWith(raw.sendmsg({ header: new Uint8Array(3), body: "short" }), "EINVAL");
  await rejectsWith(raw.sendmsg({ header: new Uint8Array(8), body: "long" }), "EINVAL");
  await rejectsWith(raw.sendmsg({ header: hops(0xff), body: "max" }), "EINVAL");
  await rejectsWith(raw.sendmsg({ header: hops(0x100), body: "beyond" }), "EINVAL");
  await rejectsWith(raw.send("plain"), "EINVAL");
});

Deno.test("pair1 cooked: sendmsg replaces any header with a fresh hop count, so a message can be echoed as received", async () => {
  await using runtime = pair1Runtime();
  const a = open(runtime);
  const b = open(runtime);
  await a.bind("inproc://p1-echo");
  b.connect("inproc://p1-echo");
  await b.sendmsg({ header: hops(7), body: "echo me" });
  const received = await recvmsg(a);
  assert.deepEqual([...received.header], [...hops(1)]);
  await a.sendmsg(received);
  const echoed = await recvmsg(b);
  assert.equal(text(echoed.body), "echo me");
  assert.deepEqual([...echoed.header], [...hops(1)]);
  await rejectsWith(a.sendmsg({ body: "x", pipe: -1 }), "EINVAL");
  await rejectsWith(a.sendmsg({ body: "x", pipe: 1.5 }), "EINVAL");
});

Deno.test("pair1 monogamous: a second peer is refused while the first lasts, then taken once it leaves", async () => {
  await using runtime = pair1Runtime();
  const server = open(runtime);
  const first = open(runtime);
  const second = open(runtime);
  second.setOption("reconnectIvl", 10);
  await server.bind("inproc://p1-mono");
  first.connect("inproc://p1-mono");
  await attached(server, 1, "first");
  second.connect("inproc://p1-mono");
  await until(() => server.stats.rejected >= 1, WAIT_MS, "second refused");
  assert.equal(server.stats.currentConnections, 1);
  await server.send("to the first");
  assert.equal(text(await within(first.recv(), WAIT_MS, "first recv")), "to the first");
  await assertNothingWaiting(second, "second");

  await first.close();
  await until(() => second.stats.currentConnections === 1, WAIT_MS, "second attached after the first left");
  await server.send("to the second");
  assert.equal(text(await within(second.recv(), WAIT_MS, "second recv")), "to the second");
});

Deno.test("pair1 monogamous: a send waits for a peer", async () => {
  await using runtime = pair1Runtime();
  const a = open(runtime);
  const b = open(runtime);
  await rejectsWith(a.send("now", NN_DONTWAIT), "EAGAIN");
  const sent = a.send("later");
  await a.bind("inproc://p1-wait");
  b.connect("inproc://p1-wait");
  assert.equal(await within(sent, WAIT_MS, "waiting send"), 5);
  assert.equal(text(await within(b.recv(), WAIT_MS, "b recv")), "later");
});

/** A poly socket bound at `url` with `count` monogamous peers, connected one after the other (oldest first). */
async function polyStar(runtime: Runtime, url: string, count: number) {
  const hub = open(runtime, false, true);
  await hub.bind(url);
  const leaves: Socket[] = [];
  const pipes: number[] = [];
  for (let i = 0; i < count; i++) {
    const leaf = open(runtime);
    leaf.connect(url);
    await attached(hub, i + 1, `leaf ${i}`);
    leaves.push(leaf);
    await leaf.send(`hello from ${i}`);
    const hello = await recvmsg(hub, `hello from ${i}`);
    assert.equal(text(hello.body), `hello from ${i}`);
    pipes.push(hello.pipe!);
  }
  return { hub, leaves, pipes };
}

Deno.test("pair1 poly: receives tell the pipe, and a send naming a pipe reaches only that peer", async () => {
  await using runtime = pair1Runtime();
  const { hub, leaves, pipes } = await polyStar(runtime, "inproc://p1-poly", 3);
  assert.equal(new Set(pipes).size, 3, "three distinct pipe ids");
  for (const [i, pipe] of [...pipes.entries()].reverse()) await hub.sendmsg({ body: `for ${i}`, pipe });
  for (const [i, leaf] of leaves.entries()) {
    const got = await recvmsg(leaf, `leaf ${i}`);
    assert.equal(text(got.body), `for ${i}`);
    assert.deepEqual([...got.header], [...hops(1)]);
    await assertNothingWaiting(leaf, `leaf ${i} after its own message`);
  }
  // Messages from several peers are all delivered, each with its origin.
  await leaves[2]!.send("second round 2");
  await leaves[0]!.send("second round 0");
  const seen = new Map<string, number>();
  for (let n = 0; n < 2; n++) {
    const m = await recvmsg(hub);
    seen.set(text(m.body), m.pipe!);
  }
  assert.deepEqual(seen, new Map([["second round 2", pipes[2]!], ["second round 0", pipes[0]!]]));
});

Deno.test("pair1 poly: a send naming no pipe goes to the longest-connected peer; one for a gone pipe is dropped, counted", async () => {
  await using runtime = pair1Runtime();
  const { hub, leaves, pipes } = await polyStar(runtime, "inproc://p1-poly-default", 3);
  await hub.send("to the oldest");
  assert.equal(text(await within(leaves[0]!.recv(), WAIT_MS, "oldest recv")), "to the oldest");
  await assertNothingWaiting(leaves[1]!, "leaf 1");
  await assertNothingWaiting(leaves[2]!, "leaf 2");

  await leaves[0]!.close();
  await attached(hub, 2, "hub after leaf 0 left");
  assert.equal(await within(hub.sendmsg({ body: "to a gone pipe", pipe: pipes[0]! }), WAIT_MS, "send"), 14);
  assert.equal(hub.stats.messagesDropped, 1);
  await hub.send("to the next oldest");
  assert.equal(text(await within(leaves[1]!.recv(), WAIT_MS, "leaf 1 recv")), "to the next oldest");
  await assertNothingWaiting(leaves[2]!, "leaf 2");
});

Deno.test("pair1 poly: with no peer at all, a send naming no pipe waits for one", async () => {
  await using runtime = pair1Runtime();
  const hub = open(runtime, false, true);
  await hub.bind("inproc://p1-poly-wait");
  const waiting = hub.send("first peer gets this");
  const leaf = open(runtime);
  leaf.connect("inproc://p1-poly-wait");
  await within(waiting, WAIT_MS, "waiting send");
  assert.equal(text(await within(leaf.recv(), WAIT_MS, "leaf recv")), "first peer gets this");
});

Deno.test("pair1: NN_PAIR1_POLY is 0 or 1, cooked only, and fixed once a peer has connected", async () => {
  await using runtime = pair1Runtime();
  const a = open(runtime);
  throwsWith(() => a.setsockopt(NN_PAIR1, NN_PAIR1_POLY, 2), "EINVAL");
  throwsWith(() => a.setsockopt(NN_PAIR1, 99, 1), "ENOPROTOOPT");
  throwsWith(() => a.getsockopt(NN_PAIR1, 99), "ENOPROTOOPT");
  a.setsockopt(NN_PAIR1, NN_PAIR1_POLY, 1);
  assert.equal(a.getsockopt(NN_PAIR1, NN_PAIR1_POLY), 1);
  a.setsockopt(NN_PAIR1, NN_PAIR1_POLY, 0);
  assert.equal(a.getsockopt(NN_PAIR1, NN_PAIR1_POLY), 0);

  const raw = open(runtime, true);
  throwsWith(() => raw.setsockopt(NN_PAIR1, NN_PAIR1_POLY, 1), "ENOTSUP");
  raw.setsockopt(NN_PAIR1, NN_PAIR1_POLY, 0);

  const b = open(runtime);
  await a.bind("inproc://p1-opt");
  b.connect("inproc://p1-opt");
  await attached(a, 1, "a");
  throwsWith(() => a.setsockopt(NN_PAIR1, NN_PAIR1_POLY, 1), "EFSM");
  a.setsockopt(NN_PAIR1, NN_PAIR1_POLY, 0); // unchanged is fine
});

Deno.test("pair1 does not pair with PAIR v0: the connection is refused at the SP handshake on both sides", async () => {
  await using runtime = pair1Runtime();
  const v1 = open(runtime);
  const v0 = runtime.socket("pair", { options: { linger: 0, reconnectIvl: 10 } });
  await v1.bind("inproc://p1-v0");
  v0.connect("inproc://p1-v0");
  await until(() => v1.stats.protocolErrors >= 1 && v0.stats.protocolErrors >= 1, WAIT_MS, "both refuse");
  assert.equal(v1.stats.currentConnections, 0);
  assert.equal(v0.stats.currentConnections, 0);
  await rejectsWith(v0.send("lost?", NN_DONTWAIT), "EAGAIN");
});
