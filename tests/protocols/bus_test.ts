/**
 * BUS semantics, nanomsg's where nanomsg and nng differ: a send reaches
 * every directly connected peer without ever blocking, is never echoed to
 * its sender and never forwarded by a cooked socket; raw BUS names the
 * origin pipe in a 4-byte header and excludes it on send, which makes a
 * raw BUS socket with a device loop a hub; no SP header on the wire.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  AF_SP_RAW,
  isSpError,
  type Message,
  NN_DONTWAIT,
  registerBuiltins,
  Runtime,
  type Socket,
  type SocketInit,
} from "../../mod.ts";
import { busProtocol, NN_BUS } from "../../src/protocols/bus/bus.ts";
import { concat, frame, freshAddress, RawConn, spHeader } from "../bad_input/_raw_peer.ts";
import { assertBytesEqual, text, until, within } from "../_helpers.ts";

const WAIT_MS = 2_000;
const rejectsWith = (p: Promise<unknown>, code: string) => assert.rejects(p, (e) => isSpError(e, code as never));

/**
 * A runtime of our own with the built-ins plus BUS (registered here only
 * while the built-ins lack it: registering twice is EINVAL).
 */
function busRuntime(): Runtime {
  const runtime = registerBuiltins(new Runtime());
  if (!runtime.protocols().some((known) => known.id === busProtocol.id)) runtime.registerProtocol(busProtocol);
  return runtime;
}

interface Star extends AsyncDisposable {
  runtime: Runtime;
  /** Bound at `inproc://bus`. */
  center: Socket;
  /** Connected to the center only. */
  leaves: Socket[];
}

/** A BUS socket bound on inproc with `count` BUS sockets connected to it and nothing else. */
async function star(count: number, center: SocketInit = {}, leaf: SocketInit = {}): Promise<Star> {
  const runtime = busRuntime();
  const hub = runtime.socket("bus", center);
  await hub.bind("inproc://bus");
  const leaves = Array.from({ length: count }, () => {
    const s = runtime.socket("bus", leaf);
    s.connect("inproc://bus");
    return s;
  });
  await until(
    () => hub.stats.currentConnections === count && leaves.every((s) => s.stats.currentConnections === 1),
    WAIT_MS,
    "every leaf attached",
  );
  return { runtime, center: hub, leaves, [Symbol.asyncDispose]: () => runtime.term() };
}

/** Everything `socket` can receive right now, as text. */
async function drain(socket: Socket): Promise<string[]> {
  const received: string[] = [];
  for (;;) {
    try {
      received.push(text(await socket.recv(NN_DONTWAIT)));
    } catch (err) {
      if (isSpError(err, "EAGAIN")) return received;
      throw err;
    }
  }
}

/** Receives with a header on a raw socket, failing after a while. */
const recvmsg = (socket: Socket): Promise<Message> => within(socket.recvmsg(), WAIT_MS, "recvmsg");

/** The 4-byte big-endian value of a raw BUS header. */
const originOf = (header: Uint8Array): number => new DataView(header.buffer, header.byteOffset, 4).getUint32(0);

Deno.test("a BUS send reaches every directly connected peer", async () => {
  await using s = await star(3);
  await s.center.send("to all");
  for (const leaf of s.leaves) assert.deepEqual(await drain(leaf), ["to all"]);
});

Deno.test("a BUS send with no peer succeeds at once", async () => {
  const runtime = busRuntime();
  try {
    const lonely = runtime.socket("bus");
    assert.equal(await lonely.send("anyone?", NN_DONTWAIT), 7);
    await lonely.bind("inproc://alone");
    assert.equal(await lonely.send("still nobody", NN_DONTWAIT), 12);
    assert.equal(lonely.stats.messagesDropped, 0);
  } finally {
    await runtime.term();
  }
});

Deno.test("a BUS message is never echoed back to its sender", async () => {
  await using s = await star(2);
  await s.leaves[0]!.send("from leaf 0");
  await s.center.send("from the center");
  assert.deepEqual(await drain(s.center), ["from leaf 0"]);
  assert.deepEqual(await drain(s.leaves[0]!), ["from the center"]);
});

Deno.test("a cooked BUS does not forward: B's message reaches A but not C", async () => {
  await using s = await star(2);
  const [b, c] = s.leaves as [Socket, Socket];
  await b.send("from B");
  assert.equal(text(await within(s.center.recv(), WAIT_MS, "A's recv")), "from B");
  assert.deepEqual(await drain(c), []);
});

Deno.test("BUS never blocks: a peer that cannot keep up misses messages, counted as dropped", async () => {
  // The slow peer stops reading after 64 bytes and the pipe to it holds at
  // most 64 more; each message is 64 bytes.
  await using s = await star(1, { options: { sndbuf: 64 } });
  const fast = s.leaves[0]!;
  const slow = s.runtime.socket("bus", { options: { rcvbuf: 64 } });
  slow.connect("inproc://bus");
  await until(
    () => s.center.stats.currentConnections === 2 && slow.stats.currentConnections === 1,
    WAIT_MS,
    "slow peer attached",
  );
  const message = (i: number) => `message ${i}`.padEnd(64, ".");
  for (let i = 0; i < 5; i++) assert.equal(await s.center.send(message(i), NN_DONTWAIT), 64);
  assert.equal(s.center.stats.messagesDropped, 3);
  assert.deepEqual(await drain(fast), [0, 1, 2, 3, 4].map(message));
  assert.deepEqual(await drain(slow), [0, 1].map(message));
});

Deno.test("BUS receives fair-queued from its peers", async () => {
  await using s = await star(2);
  const [a, b] = s.leaves as [Socket, Socket];
  for (const m of ["a1", "a2", "a3"]) await a.send(m);
  for (const m of ["b1", "b2"]) await b.send(m);
  assert.deepEqual(await drain(s.center), ["a1", "b1", "a2", "b2", "a3"]);
});

Deno.test("cooked BUS: sendmsg with a header is EINVAL, and recvmsg shows no header", async () => {
  await using s = await star(1);
  await rejectsWith(s.center.sendmsg({ header: new Uint8Array(4), body: "x" }), "EINVAL");
  await s.center.sendmsg({ body: "plain" });
  assert.deepEqual(await recvmsg(s.leaves[0]!), { header: new Uint8Array(0), body: new TextEncoder().encode("plain") });
});

Deno.test("raw BUS: recvmsg's header is the origin pipe id, 4 bytes big-endian, one per peer", async () => {
  await using s = await star(2, { domain: AF_SP_RAW });
  const [b, c] = s.leaves as [Socket, Socket];
  await b.send("b1");
  await c.send("c1");
  await b.send("b2");
  const [fromB1, fromC, fromB2] = [await recvmsg(s.center), await recvmsg(s.center), await recvmsg(s.center)];
  const summary = [fromB1, fromC, fromB2].map((m) => `${m.header.length} bytes + ${text(m.body)}`);
  assert.deepEqual(summary, ["4 bytes + b1", "4 bytes + c1", "4 bytes + b2"]);
  assert.deepEqual(fromB1.header, fromB2.header);
  assert.notDeepEqual(fromB1.header, fromC.header);
  assert.ok(originOf(fromB1.header) > 0 && originOf(fromC.header) > 0);
  // A plain recv on a raw socket gives the body alone.
  await c.send("c2");
  assert.equal(text(await s.center.recv(NN_DONTWAIT)), "c2");
});

Deno.test("raw BUS: sendmsg with an origin header skips that pipe; without a header it goes to all", async () => {
  await using s = await star(2, { domain: AF_SP_RAW });
  const [b, c] = s.leaves as [Socket, Socket];
  await b.send("hello");
  const fromB = await recvmsg(s.center);
  await s.center.sendmsg({ header: fromB.header, body: "not for B" });
  await s.center.sendmsg({ body: "for everyone" });
  await s.center.send("also for everyone");
  assert.deepEqual(await drain(b), ["for everyone", "also for everyone"]);
  assert.deepEqual(await drain(c), ["not for B", "for everyone", "also for everyone"]);
});

Deno.test("raw BUS: a header of any length but 0 or 4 is EINVAL; an unknown pipe id excludes nobody", async () => {
  await using s = await star(1, { domain: AF_SP_RAW });
  await rejectsWith(s.center.sendmsg({ header: new Uint8Array(3), body: "x" }), "EINVAL");
  await rejectsWith(s.center.sendmsg({ header: new Uint8Array(8), body: "x" }), "EINVAL");
  await s.center.sendmsg({ header: new Uint8Array([0xff, 0xff, 0xff, 0xff]), body: "nobody excluded" });
  assert.deepEqual(await drain(s.leaves[0]!), ["nobody excluded"]);
});

Deno.test("raw BUS: a header naming a peer that has left excludes nobody", async () => {
  await using s = await star(2, { domain: AF_SP_RAW });
  const [b, c] = s.leaves as [Socket, Socket];
  await b.send("bye");
  const fromB = await recvmsg(s.center);
  await b.close();
  await until(() => s.center.stats.currentConnections === 1, WAIT_MS, "B's pipe gone");
  await s.center.sendmsg(fromB);
  assert.deepEqual(await drain(c), ["bye"]);
});

/** nanomsg's device loop on one raw socket: every message goes back out, minus its origin. */
async function loopback(hub: Socket): Promise<void> {
  try {
    for (;;) await hub.sendmsg(await hub.recvmsg());
  } catch (err) {
    if (!isSpError(err, "EBADF") && !isSpError(err, "ETERM")) throw err;
  }
}

Deno.test("a raw BUS hub with a device loop relays each message to everyone but its sender", async () => {
  await using s = await star(3, { domain: AF_SP_RAW });
  const device = loopback(s.center);
  const [b, c, d] = s.leaves as [Socket, Socket, Socket];
  await b.send("from B");
  assert.equal(text(await within(c.recv(), WAIT_MS, "C's recv")), "from B");
  assert.equal(text(await within(d.recv(), WAIT_MS, "D's recv")), "from B");
  await c.send("from C");
  assert.equal(text(await within(b.recv(), WAIT_MS, "B's recv")), "from C");
  assert.equal(text(await within(d.recv(), WAIT_MS, "D's recv")), "from C");
  // Each relay is one synchronous sendmsg, so an echo would be here by now.
  assert.deepEqual(await drain(b), []);
  assert.deepEqual(await drain(c), []);
  await s.center.close();
  await within(device, WAIT_MS, "the device loop ending when the hub closes");
});

Deno.test("BUS frames carry no SP header on the wire", async () => {
  const runtime = busRuntime();
  const address = freshAddress("tcp");
  const bus = runtime.socket("bus");
  await bus.bind(address.url);
  const peer = await RawConn.dial(address);
  try {
    await peer.write(concat(spHeader(NN_BUS), frame("tcp", "ping")));
    assert.equal(text(await within(bus.recv(), WAIT_MS, "our recv")), "ping");
    await bus.send("pong");
    const expected = concat(spHeader(NN_BUS), frame("tcp", "pong"));
    await until(() => peer.received.length >= expected.length, WAIT_MS, "the peer receiving pong");
    assertBytesEqual(peer.received, expected, "our header, then one bare frame");
  } finally {
    await peer.close();
    await runtime.term();
  }
});
