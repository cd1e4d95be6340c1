/**
 * The dialer, pipe and socket machines driven by a manual clock: back-off,
 * handshake timeout, linger. No real waiting.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, ManualClock, NN_PAIR, NN_PUSH, registerBuiltins, Runtime } from "../../mod.ts";
import { advance, MockConnection, MockTransport, settle } from "./_mock_transport.ts";

function setup(peer: number | undefined) {
  const clock = new ManualClock();
  const runtime = registerBuiltins(new Runtime({ clock }));
  const mock = new MockTransport(clock, peer);
  runtime.registerTransport(mock);
  return { clock, runtime, mock };
}

Deno.test("dialer retries after RECONNECT_IVL and doubles up to RECONNECT_IVL_MAX", async () => {
  const { clock, runtime, mock } = setup(NN_PAIR);
  const s = runtime.socket("pair", { options: { reconnectIvl: 100, reconnectIvlMax: 800, linger: 0 } });
  s.connect("mock://peer");
  await settle();
  await advance(clock, 4000);
  const gaps = mock.dialTimes.slice(1).map((t, i) => t - mock.dialTimes[i]!);
  assert.deepEqual(gaps.slice(0, 6), [100, 200, 400, 800, 800, 800]);
  assert.equal(s.stats.connectErrors, mock.dialTimes.length);
  await s.close();
});

Deno.test("dialer without RECONNECT_IVL_MAX retries at a steady RECONNECT_IVL", async () => {
  const { clock, runtime, mock } = setup(NN_PAIR);
  const s = runtime.socket("pair", { options: { reconnectIvl: 100, linger: 0 } });
  s.connect("mock://peer");
  await settle();
  await advance(clock, 1000);
  const gaps = mock.dialTimes.slice(1).map((t, i) => t - mock.dialTimes[i]!);
  assert.ok(gaps.length >= 8);
  assert.ok(gaps.every((g) => g === 100), `gaps ${gaps}`);
  await s.close();
});

Deno.test("a working connection resets the back-off; its loss redials after RECONNECT_IVL", async () => {
  const { clock, runtime, mock } = setup(NN_PAIR);
  const s = runtime.socket("pair", { options: { reconnectIvl: 100, reconnectIvlMax: 10_000, linger: 0 } });
  s.connect("mock://peer");
  await settle();
  await advance(clock, 1500); // 0, 100, 300, 700, 1500: the delay has grown to 1600
  mock.accepting = true;
  await advance(clock, 1700);
  assert.equal(s.stats.currentConnections, 1);
  const before = mock.dialTimes.length;
  mock.connections.at(-1)!.peerCloses();
  await settle();
  await advance(clock, 100);
  assert.equal(mock.dialTimes.length, before + 1);
  assert.equal(s.stats.broken, 1);
  await s.close();
});

Deno.test("a peer that never sends its SP header is dropped after the handshake timeout", async () => {
  const { clock, runtime, mock } = setup(undefined);
  mock.accepting = true;
  const s = runtime.socket("pair", { options: { reconnectIvl: 100, linger: 0 } });
  s.connect("mock://silent");
  await settle();
  await advance(clock, 990);
  assert.equal(mock.connections[0]!.closed, false);
  await advance(clock, 20);
  assert.equal(mock.connections[0]!.closed, true);
  assert.equal(s.stats.protocolErrors, 1);
  await advance(clock, 100);
  assert.equal(mock.dialTimes.length, 2, "the dialer tried again");
  await s.close();
});

Deno.test("a peer of the wrong protocol is dropped and counted; the dialer retries", async () => {
  const { clock, runtime, mock } = setup(0x30);
  mock.accepting = true;
  const s = runtime.socket("pair", { options: { reconnectIvl: 100, linger: 0 } });
  s.connect("mock://req");
  await settle();
  assert.equal(mock.connections[0]!.closed, true);
  assert.equal(s.stats.protocolErrors, 1);
  assert.equal(s.stats.currentConnections, 0);
  await advance(clock, 100);
  assert.equal(mock.dialTimes.length, 2);
  await s.close();
});

Deno.test("linger keeps a waiting send alive until a peer appears, then closes", async () => {
  const { clock, runtime, mock } = setup(0x51);
  const s = runtime.socket("push", { options: { reconnectIvl: 100, linger: 1000 } });
  s.connect("mock://pull");
  const sent = s.send("last words");
  const closed = s.close();
  await advance(clock, 300);
  assert.equal(s.actor.getSnapshot().status, "active", "still lingering");
  mock.accepting = true;
  await advance(clock, 100);
  assert.equal(await sent, 10);
  await closed;
  assert.equal(new TextDecoder().decode(mock.connections[0]!.sent[0]), "last words");
});

Deno.test("linger gives up after LINGER ms: the waiting send fails with EBADF", async () => {
  const { clock, runtime } = setup(NN_PUSH);
  const s = runtime.socket("push", { options: { linger: 500 } });
  s.connect("mock://nobody");
  const sent = s.send("lost");
  const closed = s.close();
  const outcome = sent.catch((e) => e);
  await advance(clock, 490);
  assert.equal(s.actor.getSnapshot().status, "active");
  await advance(clock, 20);
  assert.ok(isSpError(await outcome, "EBADF"));
  await closed;
});

Deno.test("RCVTIMEO and SNDTIMEO run on the runtime's clock", async () => {
  const { clock, runtime } = setup(NN_PAIR);
  const s = runtime.socket("pair", { options: { rcvtimeo: 250, sndtimeo: 50, linger: 0 } });
  const recv = s.recv().catch((e) => e);
  const send = s.send("x").catch((e) => e);
  clock.advance(60);
  assert.ok(isSpError(await send, "ETIMEDOUT"));
  clock.advance(200);
  assert.ok(isSpError(await recv, "ETIMEDOUT"));
  await s.close();
});

Deno.test("a connection that arrives after its endpoint closed while connecting is closed at once", async () => {
  const { runtime } = setup(NN_PAIR);
  let arrive: ((conn: MockConnection) => void) | undefined;
  let aborted = false;
  runtime.registerTransport({
    scheme: "late",
    checkAddress() {},
    listen: () => Promise.reject(new Error("not here")),
    // Ignores the abort, as a transport may: the connection comes anyway.
    dial: (_address, _options, signal) => {
      signal.addEventListener("abort", () => aborted = true);
      return new Promise((resolve) => arrive = resolve);
    },
  });
  const s = runtime.socket("pair", { options: { linger: 0 } });
  const endpoint = s.connect("late://peer");
  await settle();
  await s.shutdown(endpoint);
  assert.ok(aborted);
  const conn = new MockConnection(NN_PAIR);
  arrive!(conn);
  await settle();
  assert.equal(conn.closed, true);
  assert.equal(s.stats.currentConnections, 0);
  await s.close();
});
