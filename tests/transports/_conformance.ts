/**
 * The transport conformance suite: the same cases run against every
 * transport (after mangos' shared transport tests). A transport's test file
 * calls {@linkcode runTransportConformance} with a URL factory.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type EndpointOptions, isSpError, openSocket, type PipeRejectedEvent, type Socket } from "../../mod.ts";
import { text, until, within } from "../_helpers.ts";

/** A raw byte-level client, for transports that have a wire. */
export interface RawClient {
  write(bytes: Uint8Array): Promise<void>;
  close(): void;
}

/** A payload framed as the tcp mapping frames it (also inside TLS): 8-byte big-endian length, then the bytes. */
export function tcpFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(payload.length));
  out.set(payload, 8);
  return out;
}

/** Wraps a connection of Deno's as a {@linkcode RawClient}. */
export function rawClientOf(conn: Deno.Conn): RawClient {
  return {
    async write(bytes) {
      let off = 0;
      while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    },
    close: () => conn.close(),
  };
}

/** How the suite reaches one transport. */
export interface ConformanceTarget {
  /** e.g. "tcp" */
  name: string;
  /** A fresh URL nobody uses (for dialing before anything listens, or binding the same address again). */
  url(): string;
  /**
   * The URL that binds any free address (`tcp://127.0.0.1:0`, `ipc://`);
   * absent when the transport has no such form (inproc), then `url()` is used.
   */
  anyUrl?: string;
  /** Opens a raw connection to a bound URL; absent for wire-less transports. */
  raw?(url: string): Promise<RawClient>;
  /** The frame bytes for a payload on this transport's wire. */
  frame?(payload: Uint8Array): Uint8Array;
  /**
   * What a raw PUSH client sends before its frames: the SP header by
   * default; empty where `raw()` has already made the transport's own
   * handshake (WebSocket).
   */
  greeting?: Uint8Array;
  /** Endpoint options for every bind (TLS certificates). */
  bindOptions?: EndpointOptions;
  /** Endpoint options for every connect (the CA to trust). */
  connectOptions?: EndpointOptions;
}

async function closeAll(...sockets: Socket[]): Promise<void> {
  for (const s of sockets) await s[Symbol.asyncDispose]();
}

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Registers every conformance case for a transport. */
export function runTransportConformance(t: ConformanceTarget): void {
  const test = (name: string, fn: () => Promise<void>) => Deno.test(`${t.name} conformance: ${name}`, fn);
  /** Binds the transport's any-address form and returns the URL peers connect to. */
  const listen = async (socket: Socket) => (await socket.listen(t.anyUrl ?? t.url(), t.bindOptions)).url;

  test("a listener on any free address reports its URL; waitForPeers sees every peer attach", async () => {
    const listener = openSocket("pull", { options: { rcvtimeo: 5000 } });
    const pushers = [0, 1, 2].map(() => openSocket("push"));
    try {
      const endpoint = await listener.listen(t.anyUrl ?? t.url(), t.bindOptions);
      if (t.anyUrl !== undefined) assert.notEqual(endpoint.url, t.anyUrl);
      assert.equal(endpoint.name, `listener#${endpoint.id} ${endpoint.url}`);
      assert.equal(listener.endpoint(endpoint.id), endpoint);
      for (const p of pushers) p.connect(endpoint.url, t.connectOptions);
      assert.equal(await listener.waitForPeers(3, { timeout: 5000 }), 3);
      assert.equal(endpoint.currentConnections, 3);
      for (const p of pushers) assert.equal(await p.waitForPeers(1, { timeout: 5000 }), 1);
      await pushers[2]!.send("through the reported URL");
      assert.equal(text(await listener.recv()), "through the reported URL");
      const stats = listener.statistics();
      assert.equal(stats.endpoints[0]!.pipes.length, 3);
      assert.equal(stats.endpoints[0]!.url, endpoint.url);
    } finally {
      await closeAll(listener, ...pushers);
    }
  });

  test("bind, connect, exchange in both directions", async () => {
    const a = openSocket("pair", { options: { rcvtimeo: 5000 } });
    const b = openSocket("pair", { options: { rcvtimeo: 5000 } });
    try {
      const url = await listen(a);
      b.connect(url, t.connectOptions);
      await b.send("ping");
      assert.equal(text(await a.recv()), "ping");
      await a.send("pong");
      assert.equal(text(await b.recv()), "pong");
    } finally {
      await closeAll(a, b);
    }
  });

  test("a sent buffer may be reused once send resolves: queued messages keep what was sent", async () => {
    // nn_send copies; a caller that refills one buffer per message must
    // not change messages already sent but not yet written or received.
    const big = { rcvbuf: 16 << 20, sndbuf: 16 << 20, rcvmaxsize: -1, rcvtimeo: 10_000 };
    const a = openSocket("pair", { options: big });
    const b = openSocket("pair", { options: big });
    try {
      b.connect(await listen(a), t.connectOptions);
      await a.waitForPeers(1, { timeout: 5000 });
      await b.waitForPeers(1, { timeout: 5000 });
      for (const [from, to] of [[a, b], [b, a]] as const) {
        for (const size of [64, 100_000, 1 << 20]) {
          const buffer = new Uint8Array(size);
          for (let seed = 1; seed <= 3; seed++) {
            buffer.set(pattern(size, seed));
            await from.send(buffer);
          }
          buffer.fill(0xee);
          for (let seed = 1; seed <= 3; seed++) {
            const received = await to.recv();
            assert.deepEqual(received, pattern(size, seed), `${size} B message ${seed} was changed after send`);
          }
        }
      }
    } finally {
      await closeAll(a, b);
    }
  });

  test("a buffer sent to several peers at once (PUB) may be reused once send resolves", async () => {
    const big = { rcvbuf: 16 << 20, sndbuf: 16 << 20, rcvmaxsize: -1, rcvtimeo: 10_000 };
    const pub = openSocket("pub", { options: big });
    const subs = [0, 1, 2].map(() => openSocket("sub", { options: big }));
    try {
      const url = await listen(pub);
      for (const sub of subs) {
        sub.subscribe("");
        sub.connect(url, t.connectOptions);
      }
      await pub.waitForPeers(3, { timeout: 5000 });
      // A subscription reaches PUB after the connection: probe until every SUB hears.
      for (const sub of subs) {
        const deadline = Date.now() + 5000;
        for (;;) {
          await pub.send("probe");
          if ((await sub.recv({ timeout: 50 }).catch(() => undefined)) !== undefined) break;
          assert.ok(Date.now() < deadline, "a subscription never reached PUB");
        }
      }
      const size = 300_000;
      const buffer = new Uint8Array(size);
      for (let seed = 1; seed <= 4; seed++) {
        buffer.set(pattern(size, seed));
        await pub.send(buffer);
      }
      buffer.fill(0xee);
      for (const sub of subs) {
        for (let seed = 1; seed <= 4;) {
          const received = await sub.recv();
          if (received.length !== size) continue; // a late probe
          assert.deepEqual(received, pattern(size, seed), `message ${seed} was changed after send`);
          seed++;
        }
      }
    } finally {
      await closeAll(pub, ...subs);
    }
  });

  test("recv into a buffer: what fits lands there, larger messages come whole, messages kept stay intact", async () => {
    const big = { rcvbuf: 16 << 20, sndbuf: 16 << 20, rcvmaxsize: -1, rcvtimeo: 10_000 };
    const a = openSocket("pair", { options: big });
    const b = openSocket("pair", { options: big });
    try {
      b.connect(await listen(a), t.connectOptions);
      const sizes = [100_000, 5, 70_000, 200_000, 16_384, 0, 100_000, 1 << 20, 3, 65_536];
      const into = new Uint8Array(100_000);
      const kept: [Uint8Array, Uint8Array][] = [];
      const sending = (async () => {
        for (let i = 0; i < 60; i++) await b.send(pattern(sizes[i % sizes.length]!, i));
      })();
      for (let i = 0; i < 60; i++) {
        const expected = pattern(sizes[i % sizes.length]!, i);
        if (i % 3 === 0) {
          kept.push([await a.recv(), expected]);
          continue;
        }
        const received = await a.recv({ into });
        assert.deepEqual(received, expected, `message ${i}`);
        assert.equal(received.buffer === into.buffer, expected.length <= into.length, `message ${i} in into`);
      }
      await sending;
      kept.forEach(([received, expected], i) => assert.deepEqual(received, expected, `kept message ${i}`));
    } finally {
      await closeAll(a, b);
    }
  });

  test("REP receiving requests into one buffer still answers each request", async () => {
    // Requests follow each other on one pipe (REQ contexts): while REP works
    // on one, the next are read, into memory earlier ones were given back in.
    const rep = openSocket("rep", { options: { rcvtimeo: 10_000, rcvmaxsize: -1 } });
    const req = openSocket("req", { options: { rcvmaxsize: -1 } });
    try {
      req.connect(await listen(rep), t.connectOptions);
      await rep.waitForPeers(1, { timeout: 5000 });
      const count = 8;
      const into = new Uint8Array(1 << 17);
      const serving = (async () => {
        for (let i = 0; i < count; i++) {
          const request = await rep.recv({ into });
          const answer = request.slice(0, 2);
          await new Promise((resolve) => setTimeout(resolve, 10));
          await rep.send(answer);
        }
      })();
      // Requests come faster than REP answers them.
      const answers = await Promise.all(Array.from({ length: count }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, 4 * i));
        return await req.request(new Uint8Array(80_000).fill(i), { timeout: 10_000 });
      }));
      answers.forEach((answer, i) => assert.deepEqual(answer, new Uint8Array([i, i]), `request ${i}`));
      await serving;
    } finally {
      await closeAll(rep, req);
    }
  });

  test("connect before listen: the dialer keeps trying until a listener appears", async () => {
    const url = t.url();
    const a = openSocket("pair", { options: { rcvtimeo: 5000, reconnectIvl: 20 } });
    const b = openSocket("pair", { options: { rcvtimeo: 5000 } });
    try {
      a.connect(url, t.connectOptions);
      await until(() => a.stats.connectErrors >= 2, 3000, "failed attempts");
      await b.bind(url, t.bindOptions);
      await a.send("late");
      assert.equal(text(await b.recv()), "late");
    } finally {
      await closeAll(a, b);
    }
  });

  test("reconnect after the listener restarts", async () => {
    const url = t.url();
    const dialer = openSocket("pair", { options: { rcvtimeo: 5000, reconnectIvl: 20 } });
    let listener = openSocket("pair", { options: { rcvtimeo: 5000 } });
    try {
      await listener.bind(url, t.bindOptions);
      dialer.connect(url, t.connectOptions);
      await dialer.send("one");
      assert.equal(text(await listener.recv()), "one");
      await listener.close();
      await until(() => dialer.stats.currentConnections === 0, 3000, "dialer notices the loss");
      listener = openSocket("pair", { options: { rcvtimeo: 5000 } });
      await listener.bind(url, t.bindOptions);
      await dialer.send("two");
      assert.equal(text(await listener.recv()), "two");
      assert.ok(dialer.stats.established >= 2);
    } finally {
      await closeAll(dialer, listener);
    }
  });

  test("binding an address twice fails with EADDRINUSE, and close frees it", async () => {
    const url = t.url(); // bound again after close: an address that stays (a fresh ipc path goes with its listener)
    const a = openSocket("pair");
    const b = openSocket("pair");
    try {
      await a.bind(url, t.bindOptions);
      await assert.rejects(b.bind(url, t.bindOptions), (e) => isSpError(e, "EADDRINUSE"));
      await a.close();
      await b.bind(url, t.bindOptions);
    } finally {
      await closeAll(a, b);
    }
  });

  test("zero-length messages arrive as empty messages", async () => {
    const a = openSocket("pull", { options: { rcvtimeo: 5000 } });
    const b = openSocket("push");
    try {
      b.connect(await listen(a), t.connectOptions);
      await b.send(new Uint8Array(0));
      await b.send("after");
      assert.equal((await a.recv()).length, 0);
      assert.equal(text(await a.recv()), "after");
    } finally {
      await closeAll(a, b);
    }
  });

  test("large messages arrive intact (1 MiB by default, 8 MiB when unlimited)", async () => {
    const url = t.url();
    const a = openSocket("pull", { options: { rcvtimeo: 10000 } });
    const b = openSocket("push");
    try {
      await a.bind(url, t.bindOptions);
      b.connect(url, t.connectOptions);
      const mib = pattern(1024 * 1024, 1);
      await b.send(mib);
      assert.deepEqual(await a.recv(), mib);
      a.setOption("rcvmaxsize", -1);
      await a.shutdown(a.endpoints[0]!);
      // A message sent before the pusher notices the loss would go down the dead connection.
      await until(() => b.stats.currentConnections === 0, 3000, "pusher notices the old listener is gone");
      await a.bind(url, t.bindOptions);
      await b.waitForPeers(1, { timeout: 5000 });
      const big = pattern(8 * 1024 * 1024, 2);
      await b.send(big);
      assert.deepEqual(await a.recv(), big);
    } finally {
      await closeAll(a, b);
    }
  });

  test("10 000 messages keep their order through back-pressure", async () => {
    const a = openSocket("pull", { options: { rcvtimeo: 10000, rcvbuf: 4096 } });
    const b = openSocket("push", { options: { sndbuf: 4096 } });
    try {
      b.connect(await listen(a), t.connectOptions);
      const sending = (async () => {
        for (let i = 0; i < 10_000; i++) await b.send(`message ${i}`);
      })();
      for (let i = 0; i < 10_000; i++) assert.equal(text(await a.recv()), `message ${i}`);
      await sending;
    } finally {
      await closeAll(a, b);
    }
  });

  test("many pipes: 40 pushers into one puller, nothing lost", async () => {
    const pull = openSocket("pull", { options: { rcvtimeo: 10000 } });
    const pushers = Array.from({ length: 40 }, () => openSocket("push"));
    try {
      const url = await listen(pull);
      for (const p of pushers) p.connect(url, t.connectOptions);
      await Promise.all(pushers.map(async (p, i) => {
        for (let j = 0; j < 5; j++) await p.send(`${i}:${j}`);
      }));
      const got = new Set<string>();
      for (let k = 0; k < 200; k++) got.add(text(await pull.recv()));
      assert.equal(got.size, 200);
      assert.equal(pull.stats.currentConnections, 40);
    } finally {
      await closeAll(pull, ...pushers);
    }
  });

  test("PAIR refuses a second peer and keeps the first", async () => {
    const a = openSocket("pair", { options: { rcvtimeo: 5000 } });
    const first = openSocket("pair", { options: { rcvtimeo: 5000 } });
    const second = openSocket("pair", { options: { reconnectIvl: 50 } });
    try {
      const url = await listen(a);
      first.connect(url, t.connectOptions);
      await first.send("first");
      assert.equal(text(await a.recv()), "first");
      const rejected = new Promise<PipeRejectedEvent>((resolve) => a.events.on("pipe:rejected", resolve));
      second.connect(url, t.connectOptions);
      const event = await within(rejected, 3000, "second peer refused");
      assert.ok(isSpError(event.reason, "EISCONN"), String(event.reason));
      assert.ok(a.stats.rejected >= 1);
      await assert.rejects(second.send("x", { dontwait: true }), (e) => isSpError(e, "EAGAIN"));
      await a.send("still first");
      assert.equal(text(await first.recv()), "still first");
    } finally {
      await closeAll(a, first, second);
    }
  });

  test("linger flushes a message sent just before close", async () => {
    const a = openSocket("pull", { options: { rcvtimeo: 5000 } });
    const b = openSocket("push");
    try {
      b.connect(await listen(a), t.connectOptions);
      await b.send(pattern(512 * 1024, 3));
      await b.close();
      assert.equal((await a.recv()).length, 512 * 1024);
    } finally {
      await closeAll(a, b);
    }
  });

  const raw = t.raw;
  const frame = t.frame;
  Deno.test({
    name: `${t.name} conformance: a peer closing mid-frame is dropped; earlier messages arrive`,
    ignore: raw === undefined || frame === undefined,
    async fn() {
      const pull = openSocket("pull", { options: { rcvtimeo: 5000 } });
      try {
        const url = await listen(pull);
        const client = await raw!(url);
        const whole = frame!(new TextEncoder().encode("complete"));
        const partial = frame!(new Uint8Array(100)).subarray(0, 50);
        const header = t.greeting ?? new Uint8Array([0, 0x53, 0x50, 0, 0, 0x50, 0, 0]);
        await client.write(new Uint8Array([...header, ...whole, ...partial]));
        assert.equal(text(await within(pull.recv(), 5000, "complete message")), "complete");
        client.close();
        await until(() => pull.stats.dropped + pull.stats.broken >= 1, 3000, "mid-frame close noticed");
        await assert.rejects(pull.recv({ dontwait: true }), (e) => isSpError(e, "EAGAIN"));
      } finally {
        await pull.close();
      }
    },
  });
}
