/**
 * Dead-peer detection: `NN_TCP_KEEPALIVE` switches on the kernel's
 * keepalive probes on every tcp and ws connection (dialed, accepted, and
 * dialed from a chosen local interface; Deno's TLS connections cannot)
 * and a user-space watchdog, in the outbound queue every tcp-borne
 * transport shares, that closes a connection whose written bytes stop
 * draining. The full measurement, a
 * real silent partition between network namespaces, is in `deno task
 * faults`; here the mechanism is checked on loopback.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, NN_TCP, NN_TCP_KEEPALIVE, openSocket } from "../../mod.ts";
import { Outbound } from "../../src/transports/_outbound.ts";
import { StreamConnection } from "../../src/transports/_stream_connection.ts";
import { freePort, hasCommand, until, within } from "../_helpers.ts";

Deno.test("NN_TCP_KEEPALIVE is a 0/1 option at level NN_TCP, off by default", async () => {
  await using push = openSocket("push");
  assert.equal(push.getsockopt(NN_TCP, NN_TCP_KEEPALIVE), 0);
  push.setsockopt(NN_TCP, NN_TCP_KEEPALIVE, 1);
  assert.equal(push.getOption("tcpKeepalive"), 1);
  assert.throws(() => push.setsockopt(NN_TCP, NN_TCP_KEEPALIVE, 2), (err) => isSpError(err, "EINVAL"));
});

/** The keepalive timers `ss` shows on established connections to or from `port`. */
function keepaliveTimers(port: number): { local: string; keepalive: boolean }[] {
  const out = new Deno.Command("ss", { args: ["-tno", "state", "established"] }).outputSync();
  return new TextDecoder().decode(out.stdout).split("\n").slice(1)
    .filter((line) => line.includes(`:${port} `))
    .map((line) => ({ local: line.trim().split(/\s+/)[2]!, keepalive: line.includes("timer:(keepalive") }));
}

/** The ways a connection that honours SO_KEEPALIVE is made: tcp dialed, tcp from a local interface, ws. */
const KEEPALIVE_DIALS = [
  { name: "a tcp connection", url: (port: number) => `tcp://127.0.0.1:${port}` },
  {
    name: "a tcp connection dialed from a local interface",
    url: (port: number) => `tcp://127.0.0.1;127.0.0.1:${port}`,
  },
  { name: "a ws connection", url: (port: number) => `ws://127.0.0.1:${port}/` },
];

for (const dial of KEEPALIVE_DIALS) {
  Deno.test(
    `with NN_TCP_KEEPALIVE both ends of ${dial.name} probe`,
    { ignore: !hasCommand("ss") },
    async () => {
      const port = freePort();
      const bound = dial.url(port).replace("127.0.0.1;", "");
      await using pull = openSocket("pull", { options: { tcpKeepalive: 1 } });
      await using push = openSocket("push", { options: { tcpKeepalive: 1 } });
      await using plain = openSocket("push");
      await pull.bind(bound);
      push.connect(dial.url(port));
      await push.send("with keepalive");
      await pull.recv({ timeout: 5_000 });
      // While bytes are unacknowledged `ss` shows the retransmission timer instead: poll.
      await until(
        () => {
          const timers = keepaliveTimers(port);
          return timers.length === 2 && timers.every((conn) => conn.keepalive);
        },
        5_000,
        "keepalive timers on both ends",
      );
      // Without the option, a dialed connection has no such timer (the accepted end has: its socket has it on).
      plain.connect(bound);
      await until(() => plain.stats.currentConnections === 1, 5_000, "plain connection");
      const timers = keepaliveTimers(port);
      assert.ok(timers.some((conn) => !conn.keepalive), "a connection without the option still probes");
    },
  );
}

/** A byte stream whose peer takes nothing: every write stays pending until close. */
class StalledStream {
  closed = false;
  writes = 0;
  #reject: ((err: Error) => void)[] = [];
  #readEnd: ((n: number | null) => void) | undefined;
  #headerSent = false;

  read(buffer: Uint8Array): Promise<number | null> {
    if (!this.#headerSent) {
      this.#headerSent = true;
      buffer.set([0, 0x53, 0x50, 0, 0, 0x51, 0, 0]);
      return Promise.resolve(8);
    }
    return new Promise((resolve) => this.#readEnd = resolve);
  }

  write(data: Uint8Array): Promise<number> {
    this.writes++;
    // The SP header goes out; after that the peer is gone.
    if (data.length === 8 && data[1] === 0x53) return Promise.resolve(8);
    return new Promise((_, reject) => this.#reject.push(reject));
  }

  close(): void {
    this.closed = true;
    for (const reject of this.#reject) reject(new Error("closed"));
    this.#readEnd?.(null);
  }
}

Deno.test("a connection whose written bytes stop draining is closed with ETIMEDOUT after the stall timeout", async () => {
  const stream = new StalledStream();
  const conn = new StreamConnection(stream, {}, -1, "stalled", { sendStallTimeout: 300 });
  assert.equal(await conn.handshake(0x50, AbortSignal.timeout(1_000)), 0x51);
  const closed = Promise.withResolvers<Error | undefined>();
  conn.start({ message() {}, drained() {}, closed: (reason) => closed.resolve(reason) });
  const started = performance.now();
  conn.send(new Uint8Array(100));
  const reason = await within(closed.promise, 5_000, "stall detection");
  const elapsed = performance.now() - started;
  assert.ok(isSpError(reason, "ETIMEDOUT"), String(reason));
  assert.ok(elapsed >= 250, `closed after ${elapsed} ms, before the stall timeout`);
  assert.ok(stream.closed);
});

Deno.test("without a stall timeout a stalled write waits (back-pressure, not death)", async () => {
  const stream = new StalledStream();
  const conn = new StreamConnection(stream, {}, -1, "stalled");
  await conn.handshake(0x50, AbortSignal.timeout(1_000));
  let closed = false;
  conn.start({ message() {}, drained() {}, closed: () => closed = true });
  conn.send(new Uint8Array(100));
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(closed, false);
  assert.ok(conn.pendingBytes > 0);
  conn.close();
});

Deno.test("the shared outbound queue (tcp, ipc, tls+tcp, ws, wss) stops and fails with ETIMEDOUT on a stalled write", async () => {
  const stream = new StalledStream();
  const failed = Promise.withResolvers<unknown>();
  const out = new Outbound(stream, { drained() {}, failed: (err) => failed.resolve(err) }, {
    sendStallTimeout: 200,
    description: "ws stalled",
  });
  out.pending += 100;
  out.segment(new Uint8Array(100));
  out.schedule();
  const err = await within(failed.promise, 5_000, "stall detection");
  assert.ok(isSpError(err, "ETIMEDOUT"), String(err));
  assert.match((err as Error).message, /ws stalled: the peer took none of our bytes for 200 ms/);
  // Nothing more is written after the stall; closing the stream is the connection's part.
  const writes = stream.writes;
  out.pending += 10;
  out.segment(new Uint8Array(10));
  out.schedule();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(stream.writes, writes);
  stream.close();
});
