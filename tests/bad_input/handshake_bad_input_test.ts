/**
 * Hostile peers against our listening sockets during the SP header exchange
 * (sp-spec.md §1.1, eco.md §3.4 item 1): garbage, a wrong magic, version or
 * reserved byte, an incompatible protocol, a truncated header, silence, and
 * the legitimate-but-awkward cases (a header trickling in byte by byte, a
 * header with data behind it in the same write). Each runs on tcp and ipc.
 *
 * In every bad case the connection must be closed promptly, the drop
 * counted, and a well-behaved peer must still get through afterwards.
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { text, until, within } from "../_helpers.ts";
import {
  assertPairWorks,
  bound,
  closeAll,
  impatientRuntime,
  MESSAGE_MS,
  patientRuntime,
  PROMPT_MS,
  SHORT_HANDSHAKE_MS,
  statReaches,
} from "./_fixtures.ts";
import { concat, frame, PROTO, RawConn, spHeader, STREAM_KINDS } from "./_raw_peer.ts";

const encoder = new TextEncoder();

/** Headers our PAIR listener must refuse, and why. */
const BAD_HEADERS: readonly { name: string; bytes: Uint8Array }[] = [
  { name: "is an HTTP request line instead of an SP header", bytes: encoder.encode("GET / HTTP/1.1\r\n") },
  { name: "starts with a non-zero byte instead of the magic", bytes: spHeader(PROTO.pair, { 0: 0x01 }) },
  { name: "spells the magic wrong ('SQ' for 'SP')", bytes: spHeader(PROTO.pair, { 2: 0x51 }) },
  { name: "has version byte 1", bytes: spHeader(PROTO.pair, { 3: 0x01 }) },
  { name: "has version byte 0xff", bytes: spHeader(PROTO.pair, { 3: 0xff }) },
  { name: "has a non-zero first reserved byte", bytes: spHeader(PROTO.pair, { 6: 0x01 }) },
  { name: "has a non-zero second reserved byte", bytes: spHeader(PROTO.pair, { 7: 0x80 }) },
  { name: "announces REQ (0x30) to our PAIR", bytes: spHeader(PROTO.req) },
  { name: "announces PUSH (0x50) to our PAIR", bytes: spHeader(PROTO.push) },
  { name: "announces PAIR v1 (0x11) to our PAIR v0", bytes: spHeader(0x11) },
];

/** Whatever we sent before dropping the peer is (a prefix of) our own header. */
function assertOnlyOurHeader(raw: RawConn): void {
  const got = raw.received;
  ok(got.length <= 8, `expected at most our 8-byte header, got ${got.length} bytes`);
  deepStrictEqual(got, spHeader(PROTO.pair).subarray(0, got.length));
}

for (const kind of STREAM_KINDS) {
  for (const bad of BAD_HEADERS) {
    Deno.test(`${kind} listener drops a peer whose header ${bad.name}`, async () => {
      const { socket, address } = await bound(patientRuntime, "pair", kind);
      const raw = await RawConn.dial(address);
      try {
        await raw.write(bad.bytes);
        await raw.waitClosed(PROMPT_MS, "bad header");
        assertOnlyOurHeader(raw);
        // Counted as soon as it is refused, not when the handshake would have timed out.
        await statReaches(socket, "protocolErrors", 1);
        strictEqual(socket.stats.dropped, 1);
        strictEqual(socket.stats.currentConnections, 0);
        await assertPairWorks(patientRuntime, socket, address);
        strictEqual(socket.stats.protocolErrors, 1);
      } finally {
        await closeAll(raw, socket);
      }
    });
  }

  Deno.test(`${kind} listener drops a peer that sends half a header and closes`, async () => {
    const { socket, address } = await bound(patientRuntime, "pair", kind);
    const raw = await RawConn.dial(address);
    try {
      await raw.write(spHeader(PROTO.pair).subarray(0, 5));
      await raw.shutdownWrite();
      await raw.waitClosed(PROMPT_MS, "truncated header");
      await statReaches(socket, "protocolErrors", 1);
      strictEqual(socket.stats.dropped, 1);
      await assertPairWorks(patientRuntime, socket, address);
    } finally {
      await closeAll(raw, socket);
    }
  });

  Deno.test(`${kind} listener drops a peer that connects and closes without a byte`, async () => {
    const { socket, address } = await bound(patientRuntime, "pair", kind);
    const raw = await RawConn.dial(address);
    try {
      await raw.shutdownWrite();
      await raw.waitClosed(PROMPT_MS, "empty greeting");
      await statReaches(socket, "dropped", 1);
      strictEqual(socket.stats.currentConnections, 0);
      await assertPairWorks(patientRuntime, socket, address);
    } finally {
      await closeAll(raw, socket);
    }
  });

  Deno.test(`${kind} listener drops a silent peer after the handshake timeout`, async () => {
    const { socket, address } = await bound(impatientRuntime, "pair", kind);
    const raw = await RawConn.dial(address);
    const start = performance.now();
    try {
      await raw.waitClosed(SHORT_HANDSHAKE_MS + MESSAGE_MS, "silent peer");
      const waited = raw.closedAt - start;
      // Timers may fire a little early relative to our own clock reading; allow slack.
      ok(waited >= SHORT_HANDSHAKE_MS - 30, `dropped after ${waited.toFixed(0)} ms, before the timeout`);
      deepStrictEqual(raw.received, spHeader(PROTO.pair)); // we still announced ourselves
      await statReaches(socket, "protocolErrors", 1);
      strictEqual(socket.stats.dropped, 1);
      await assertPairWorks(impatientRuntime, socket, address);
    } finally {
      await closeAll(raw, socket);
    }
  });

  Deno.test(`${kind} listener drops a peer that stalls after 3 header bytes`, async () => {
    const { socket, address } = await bound(impatientRuntime, "pair", kind);
    const raw = await RawConn.dial(address);
    try {
      await raw.write(spHeader(PROTO.pair).subarray(0, 3));
      await raw.waitClosed(SHORT_HANDSHAKE_MS + MESSAGE_MS, "stalled peer");
      await statReaches(socket, "protocolErrors", 1);
      await assertPairWorks(impatientRuntime, socket, address);
    } finally {
      await closeAll(raw, socket);
    }
  });

  Deno.test(`${kind} listener serves a well-behaved peer while silent peers hold connections`, async () => {
    // Slowloris: half-open handshakes must not block the accept loop.
    const { socket, address } = await bound(patientRuntime, "pair", kind);
    const silent: RawConn[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const raw = await RawConn.dial(address);
        silent.push(raw);
        await raw.write(spHeader(PROTO.pair).subarray(0, i % 8));
      }
      await statReaches(socket, "accepted", 8, MESSAGE_MS);
      await assertPairWorks(patientRuntime, socket, address);
      ok(silent.every((raw) => !raw.closed), "the silent peers are still within their handshake time");
    } finally {
      await closeAll(...silent, socket);
    }
  });

  Deno.test(`${kind} listener accepts a header that arrives one byte at a time`, async () => {
    const { socket, address } = await bound(patientRuntime, "pair", kind);
    const raw = await RawConn.dial(address);
    try {
      // 10 ms apart, so each byte is most likely a read of its own.
      ok(await raw.writeInPieces(spHeader(PROTO.pair), [1], 10));
      ok(await raw.write(frame(kind, "hello")));
      deepStrictEqual(text(await within(socket.recv(), MESSAGE_MS, "recv")), "hello");
      await within(socket.send("world"), MESSAGE_MS, "send");
      const expected = concat(spHeader(PROTO.pair), frame(kind, "world"));
      await until(() => raw.received.length >= expected.length, MESSAGE_MS, "reply on the wire");
      deepStrictEqual(raw.received, expected);
      strictEqual(socket.stats.protocolErrors, 0);
      ok(!raw.closed);
    } finally {
      await closeAll(raw, socket);
    }
  });

  Deno.test(`${kind} listener accepts data in the same write as the header`, async () => {
    const { socket, address } = await bound(patientRuntime, "pair", kind);
    const raw = await RawConn.dial(address);
    try {
      ok(await raw.write(concat(spHeader(PROTO.pair), frame(kind, "first"), frame(kind, ""), frame(kind, "third"))));
      const got = [];
      for (let i = 0; i < 3; i++) got.push(text(await within(socket.recv(), MESSAGE_MS, `recv ${i}`)));
      deepStrictEqual(got, ["first", "", "third"]);
      strictEqual(socket.stats.currentConnections, 1);
      strictEqual(socket.stats.protocolErrors, 0);
    } finally {
      await closeAll(raw, socket);
    }
  });

  Deno.test(`${kind} listener survives a peer that closes right after a valid header`, async () => {
    // nanomsg#603: this used to abort nanocat.
    const { socket, address } = await bound(patientRuntime, "pair", kind);
    const raw = await RawConn.dial(address);
    try {
      ok(await raw.write(spHeader(PROTO.pair)));
      await statReaches(socket, "currentConnections", 1, MESSAGE_MS);
      await raw.shutdownWrite();
      await raw.waitClosed(PROMPT_MS, "after header");
      await statReaches(socket, "broken", 1);
      strictEqual(socket.stats.currentConnections, 0);
      strictEqual(socket.stats.protocolErrors, 0); // a clean close between frames is no violation
      await assertPairWorks(patientRuntime, socket, address);
    } finally {
      await closeAll(raw, socket);
    }
  });
}

Deno.test("tcp listener drops a bad peer without disturbing an established one", async () => {
  const { socket, address } = await bound(patientRuntime, "pair", "tcp");
  const good = patientRuntime.socket("pair", { options: { linger: 0 } });
  try {
    good.connect(address.url);
    await statReaches(socket, "currentConnections", 1, MESSAGE_MS);
    const bad = await RawConn.dial(address);
    try {
      await bad.write(encoder.encode("\x00SP\x01garbage after a bad version"));
      await bad.waitClosed(PROMPT_MS, "bad version");
    } finally {
      await bad.close();
    }
    await within(good.send("still paired"), MESSAGE_MS, "send");
    deepStrictEqual(text(await within(socket.recv(), MESSAGE_MS, "recv")), "still paired");
    strictEqual(socket.stats.currentConnections, 1);
  } finally {
    await closeAll(good, socket);
  }
});
