/**
 * Fuzzes the RFC 6455 decoder of the ws transports
 * (`src/transports/ws/frame_decoder.ts`).
 *
 * - A valid stream (binary and text messages in 1 to 5 fragments, pings
 *   between fragments, masked towards a server, unmasked towards a
 *   client), cut into reads at any points, decodes to exactly the messages
 *   and pings that were encoded; a close frame ends it with its code.
 * - Frames with any first byte (RSV bits, every opcode, FIN or not), any
 *   mask bit and any length form: only typed `SpError`s escape (EPROTO,
 *   EMSGSIZE), nothing the decoder allocates is larger than
 *   max(64 KiB read chunk, RCVMAXSIZE) whatever length a peer announces
 *   (up to 2^64 - 1), and every message delivered is within RCVMAXSIZE.
 * - Any bytes at all: only typed errors.
 *
 * The encoder here is written from RFC 6455 §5.2, not taken from the
 * library, so a mistake shared by both sides cannot hide.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError } from "../../mod.ts";
import { WsFrameDecoder } from "../../src/transports/ws/frame_decoder.ts";
import { concat as join } from "../bad_input/_raw_peer.ts";
import { check, fc, splitAt, wireBytes } from "./_fuzz.ts";

type Role = "server" | "client";
const ROLES: readonly Role[] = ["server", "client"];
/** The decoder's read chunk: the allocation bound when RCVMAXSIZE is smaller. */
const READ_CHUNK = 64 * 1024;

const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/**
 * One frame as RFC 6455 §5.2 lays it out: FIN, RSV1-3 and the opcode in
 * the first byte; the mask bit and a 7-bit length (126: 16-bit length
 * follows, 127: 64-bit); the masking key; the payload XORed with the key.
 * `claimed` writes a length other than the payload's (hostile frames).
 */
function wireFrame(first: number, payload: Uint8Array, mask: Uint8Array | undefined, claimed = payload.length) {
  const extended = claimed < 126 ? 0 : claimed < 65536 ? 2 : 8;
  const head = new Uint8Array(2 + extended + (mask === undefined ? 0 : 4));
  head[0] = first;
  head[1] = (mask === undefined ? 0 : 0x80) | (extended === 0 ? claimed : extended === 2 ? 126 : 127);
  const view = new DataView(head.buffer);
  if (extended === 2) view.setUint16(2, claimed);
  if (extended === 8) view.setBigUint64(2, BigInt(claimed));
  const body = payload.slice();
  if (mask !== undefined) {
    head.set(mask, 2 + extended);
    for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  }
  return concat([head, body]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return join(...parts);
}

interface Decoded {
  messages: Uint8Array[];
  pings: Uint8Array[];
  closes: number[];
  largestAllocation: number;
  error: Error | undefined;
}

/** Feeds `pieces` to a fresh decoder the way the connection's read loop does. */
function decode(role: Role, maxSize: number, pieces: readonly Uint8Array[]): Decoded {
  const out: Decoded = { messages: [], pings: [], closes: [], largestAllocation: 0, error: undefined };
  const decoder = new WsFrameDecoder({
    role,
    maxSize,
    allocate: (size) => {
      out.largestAllocation = Math.max(out.largestAllocation, size);
      return new Uint8Array(size);
    },
  }, {
    // Views of the read buffer, valid during the call: the connection hands them on at once.
    message: (m) => out.messages.push(m.slice()),
    ping: (p) => out.pings.push(p.slice()),
    close: (code) => out.closes.push(code),
  });
  try {
    for (const piece of pieces) {
      let offset = 0;
      while (offset < piece.length) {
        const target = decoder.readTarget();
        assert.ok(target.length > 0, "the decoder offered an empty read buffer");
        const n = Math.min(target.length, piece.length - offset);
        target.set(piece.subarray(offset, offset + n));
        decoder.advance(n);
        offset += n;
      }
    }
  } catch (err) {
    if (!isSpError(err, "EPROTO") && !isSpError(err, "EMSGSIZE")) throw err;
    out.error = err as Error;
  }
  return out;
}

/** `n` bytes of a pattern that differs per seed, cheaply. */
function filled(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Payloads: mostly small, now and then past the 16-bit length form or the read chunk. */
const payload: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 60, arbitrary: wireBytes(130) },
  { weight: 4, arbitrary: fc.integer({ min: 126, max: 3000 }).map((n) => filled(n, n)) },
  { weight: 1, arbitrary: fc.integer({ min: 65_530, max: 3 * 64 * 1024 }).map((n) => filled(n, n)) },
);
const maskKey = fc.uint8Array({ minLength: 4, maxLength: 4 });
const cuts = fc.array(fc.nat(), { maxLength: 12 });

/** A message, how many fragments it goes in, and a ping after its first fragment (or none). */
const item: fc.Arbitrary<Item> = fc.record({
  message: payload,
  text: fc.boolean(),
  pieces: fc.integer({ min: 1, max: 5 }),
  ping: fc.option(wireBytes(125), { nil: undefined }),
  key: maskKey,
});

/** One message to send, as `item` draws it. */
interface Item {
  message: Uint8Array;
  text: boolean;
  pieces: number;
  ping: Uint8Array | undefined;
  key: Uint8Array;
}

/** The frames of one message as the peer of a decoder in `role` sends them. */
function messageFrames(role: Role, m: Item): Uint8Array[] {
  const mask = role === "server" ? m.key : undefined;
  const size = Math.max(1, Math.ceil(m.message.length / m.pieces));
  const parts: Uint8Array[] = [];
  for (let at = 0; at < m.message.length; at += size) parts.push(m.message.subarray(at, at + size));
  if (parts.length === 0) parts.push(m.message);
  return parts.flatMap((part, i) => {
    const opcode = i > 0 ? OPCODE.continuation : m.text ? OPCODE.text : OPCODE.binary;
    const frames = [wireFrame((i === parts.length - 1 ? 0x80 : 0) | opcode, part, mask)];
    if (i === 0 && m.ping !== undefined) frames.push(wireFrame(0x80 | OPCODE.ping, m.ping, mask));
    return frames;
  });
}

/** A text message must be UTF-8: a binary pattern is sent as text only when it decodes. */
function validText(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

for (const role of ROLES) {
  Deno.test(`fuzz ws frames (${role}): a valid stream cut at any points decodes to the same messages and pings`, () => {
    check(
      `ws frame decoder (${role}), valid streams split anywhere`,
      fc.property(
        fc.array(item, { maxLength: 6 }),
        fc.integer({ min: 1000, max: 4999 }),
        cuts,
        (drawn, closeCode, at) => {
          const items = drawn.map((m) => ({ ...m, text: m.text && validText(m.message) }));
          const mask = role === "server" ? new Uint8Array([1, 2, 3, 4]) : undefined;
          const stream = concat([
            ...items.flatMap((m) => messageFrames(role, m)),
            wireFrame(0x80 | OPCODE.close, new Uint8Array([closeCode >> 8, closeCode & 0xff]), mask),
          ]);
          const result = decode(role, -1, splitAt(stream, at));
          assert.equal(result.error, undefined);
          assert.deepEqual(result.messages, items.map((m) => m.message));
          assert.deepEqual(result.pings, items.flatMap((m) => m.ping === undefined ? [] : [m.ping]));
          assert.deepEqual(result.closes, [closeCode]);
        },
      ),
      10_000,
    );
  });

  Deno.test(`fuzz ws frames (${role}): any header, any claimed length: typed errors, bounded allocation`, () => {
    const frame = fc.record({
      first: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x02, 0x82, 0x00, 0x80, 0x89, 0x88, 0x81)),
      masked: fc.boolean(),
      claimed: fc.oneof(
        fc.nat({ max: 300 }),
        fc.integer({ min: 65_536, max: 2 ** 20 }),
        fc.constantFrom(125, 126, 65_535, 2 ** 32, 2 ** 53 - 1),
      ),
      sent: fc.nat({ max: 2000 }),
      key: maskKey,
    });
    const maxSize = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 1_000_000 }), fc.constant(-1));
    check(
      `ws frame decoder (${role}), any header and claimed length`,
      fc.property(maxSize, fc.array(frame, { minLength: 1, maxLength: 5 }), cuts, (max, frames, at) => {
        const stream = concat(frames.map((f) => {
          const body = filled(Math.min(f.sent, f.claimed), f.first);
          return wireFrame(f.first, body, f.masked ? f.key : undefined, f.claimed);
        }));
        const result = decode(role, max, splitAt(stream, at));
        const limit = max < 0 ? Infinity : max;
        for (const m of result.messages) assert.ok(m.length <= limit, `a ${m.length}-byte message over ${max}`);
        if (max >= 0) {
          const bound = Math.max(READ_CHUNK, max);
          assert.ok(result.largestAllocation <= bound, `allocated ${result.largestAllocation} with a limit of ${max}`);
        } else {
          // Unlimited: still never more than what was announced and could have arrived, plus one read chunk.
          assert.ok(result.largestAllocation <= Math.max(READ_CHUNK, 4 * 1024 * 1024), "allocated ahead of the bytes");
        }
      }),
      10_000,
    );
  });

  Deno.test(`fuzz ws frames (${role}): arbitrary bytes raise only typed errors`, () => {
    check(
      `ws frame decoder (${role}), arbitrary bytes`,
      fc.property(wireBytes(400), fc.integer({ min: -1, max: 2000 }), cuts, (bytes, max, at) => {
        decode(role, max, splitAt(bytes, at));
      }),
      20_000,
    );
  });
}
