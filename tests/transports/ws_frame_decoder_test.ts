/**
 * The RFC 6455 decoder, by properties (fast-check): a valid stream split
 * anywhere decodes to the same messages and pings; nothing is allocated
 * above the message limit (or the 64 KiB read chunk) whatever the peer
 * claims; arbitrary bytes only ever raise a typed SpError. Plus the frame
 * header forms at their boundaries.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { isSpError, SpError } from "../../mod.ts";
import {
  applyMask,
  encodeFrame,
  FIN,
  frameHeaderLength,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  writeFrameHeader,
} from "../../src/transports/ws/frame.ts";
import { WsFrameDecoder } from "../../src/transports/ws/frame_decoder.ts";

const CHUNK = 64 * 1024;

interface Decoded {
  messages: Uint8Array[];
  pings: Uint8Array[];
  closes: number[];
  largestAllocation: number;
}

/** Feeds `stream` in pieces cut at `cuts` (offsets), as reads would deliver it. */
function decode(stream: Uint8Array, role: "server" | "client", maxSize: number, cuts: number[]): Decoded {
  const out: Decoded = { messages: [], pings: [], closes: [], largestAllocation: 0 };
  const decoder = new WsFrameDecoder({
    role,
    maxSize,
    allocate: (size) => {
      out.largestAllocation = Math.max(out.largestAllocation, size);
      return new Uint8Array(size);
    },
  }, {
    message: (m) => out.messages.push(m.slice()),
    ping: (p) => out.pings.push(p),
    close: (code) => out.closes.push(code),
  });
  const ends = [...new Set([...cuts.map((c) => c % (stream.length + 1)), stream.length])].sort((a, b) => a - b);
  let at = 0;
  for (const end of ends) {
    while (at < end) {
      const target = decoder.readTarget();
      const n = Math.min(target.length, end - at);
      target.set(stream.subarray(at, at + n));
      at += n;
      decoder.advance(n);
    }
  }
  return out;
}

const key = () => crypto.getRandomValues(new Uint8Array(4));

/** One message as frames: split into `pieces` fragments, with a ping after the first. */
function frames(message: Uint8Array, pieces: number, masked: boolean, ping: Uint8Array | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  const size = Math.ceil(message.length / pieces) || 1;
  const parts: Uint8Array[] = [];
  for (let at = 0; at < message.length; at += size) parts.push(message.subarray(at, at + size));
  if (parts.length === 0) parts.push(message);
  parts.forEach((part, i) => {
    const first = (i === 0 ? OP_BINARY : OP_CONTINUATION) | (i === parts.length - 1 ? FIN : 0);
    out.push(encodeFrame(first, part, masked ? key() : undefined));
    if (i === 0 && ping !== undefined) out.push(encodeFrame(FIN | OP_PING, ping, masked ? key() : undefined));
  });
  return out;
}

const concat = (parts: Uint8Array[]) => {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
};

const messageArb = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 60_000, max: 200_000 }).map((n) => new Uint8Array(n).map((_, i) => i * 13)),
  },
);

Deno.test("ws decoder property: a valid stream split anywhere decodes to the same messages and pings", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          message: messageArb,
          pieces: fc.integer({ min: 1, max: 5 }),
          ping: fc.option(fc.uint8Array({ maxLength: 125 }), { nil: undefined }),
        }),
        { maxLength: 6 },
      ),
      fc.constantFrom("server" as const, "client" as const),
      fc.array(fc.nat(), { maxLength: 20 }),
      (items, role, cuts) => {
        const stream = concat(items.flatMap((m) => frames(m.message, m.pieces, role === "server", m.ping)));
        const got = decode(stream, role, -1, cuts);
        assert.deepEqual(got.messages, items.map((m) => m.message));
        assert.deepEqual(got.pings, items.flatMap((m) => m.ping === undefined ? [] : [m.ping]));
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("ws decoder property: nothing is allocated above the limit, whatever lengths the peer claims", () => {
  const claimedFrame = fc.record({
    first: fc.constantFrom(OP_BINARY, FIN | OP_BINARY, OP_CONTINUATION, FIN | OP_CONTINUATION),
    length: fc.oneof(fc.nat({ max: 300 }), fc.nat({ max: 2 ** 40 }), fc.constant(2 ** 53 - 1)),
    sent: fc.nat({ max: 2000 }),
  });
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.array(claimedFrame, { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (maxSize, claims, cuts) => {
        const parts = claims.map(({ first, length, sent }) => {
          const head = new Uint8Array(frameHeaderLength(length, false));
          writeFrameHeader(head, 0, first, length, undefined);
          return concat([head, new Uint8Array(Math.min(sent, length))]);
        });
        let largest = 0;
        try {
          largest = decode(concat(parts), "client", maxSize, cuts).largestAllocation;
        } catch (err) {
          if (!(err instanceof SpError)) throw err;
          return;
        }
        assert.ok(largest <= Math.max(maxSize, CHUNK), `allocated ${largest} with a limit of ${maxSize}`);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("ws decoder property: arbitrary bytes raise only typed errors", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 400 }),
      fc.constantFrom("server" as const, "client" as const),
      fc.array(fc.nat(), { maxLength: 8 }),
      (stream, role, cuts) => {
        try {
          decode(stream, role, 1000, cuts);
        } catch (err) {
          assert.ok(isSpError(err, "EPROTO") || isSpError(err, "EMSGSIZE"), String(err));
        }
      },
    ),
    { numRuns: 2000 },
  );
});

Deno.test("ws frames: length forms at their boundaries, masking round trip, close codes", () => {
  for (const length of [0, 125, 126, 65535, 65536, 1 << 20]) {
    const payload = new Uint8Array(length).map((_, i) => i);
    const frame = encodeFrame(FIN | OP_BINARY, payload, key());
    assert.equal(frame.length, frameHeaderLength(length, true) + length);
    assert.deepEqual(decode(frame, "server", -1, []).messages, [payload]);
  }
  const bytes = new Uint8Array(100).map((_, i) => i);
  const copy = bytes.slice();
  const k = key();
  applyMask(copy.subarray(3), k, 1);
  applyMask(copy.subarray(3), k, 1);
  assert.deepEqual(copy, bytes);
  assert.deepEqual(decode(encodeFrame(FIN | OP_CLOSE, new Uint8Array([3, 233])), "client", -1, []).closes, [1001]);
  assert.deepEqual(decode(encodeFrame(FIN | OP_CLOSE, new Uint8Array(0)), "client", -1, []).closes, [1005]);
});
