/**
 * Fuzzes the tcp and ipc frame decoder (`src/transports/_frame_decoder.ts`).
 *
 * - A valid stream, cut into reads at any points, decodes to exactly the
 *   frames that were encoded, and frames handed out earlier stay intact
 *   (they are views of the read buffer).
 * - The same while receivers give some frames back (a receive into the
 *   application's buffer, after which the memory is read into again): a
 *   frame is intact when given back, and every frame still held stays
 *   intact to the end.
 * - A valid stream followed by garbage: every frame before the garbage
 *   comes out intact, then at most a typed `SpError` (EPROTO, EMSGSIZE).
 * - Any bytes at all: only `SpError`s escape, no frame is larger than
 *   RCVMAXSIZE, and no buffer the decoder allocates is larger than
 *   max(64 KiB read chunk, RCVMAXSIZE), whatever length a peer announces.
 *
 * The encoders (tests/bad_input/_raw_peer.ts) are written from
 * sp-spec.md §1, not taken from the library.
 *
 * @module
 */

import assert from "node:assert/strict";
import { giveBack } from "../../src/core/received_memory.ts";
import { FrameDecoder } from "../../src/transports/_frame_decoder.ts";
import { concat as join, frame, spHeader as header } from "../bad_input/_raw_peer.ts";
import { check, fc, spErrorOf, splitAt, wireBytes } from "./_fuzz.ts";

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return join(...parts);
}

type Kind = "tcp" | "ipc";
const KINDS: readonly Kind[] = ["tcp", "ipc"];
/**
 * The decoder's largest read chunk (a run of frames of 16 KiB and more is
 * read in chunks of up to 256 KiB): the allocation bound when RCVMAXSIZE
 * is smaller.
 */
const READ_CHUNK = 256 * 1024;
/** A frame is read whole into one buffer: its payload plus the length prefix (and ipc's type byte). */
const PREFIX = 9;

/** Payloads: mostly small, now and then one large enough for the decoder's direct-read path. */
const payload: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 60, arbitrary: wireBytes(64) },
  { weight: 4, arbitrary: fc.integer({ min: 65, max: 3000 }).map((n) => filled(n, n)) },
  { weight: 1, arbitrary: fc.integer({ min: 64 * 1024 - 16, max: 3 * 64 * 1024 }).map((n) => filled(n, n)) },
);

/** `n` bytes of a pattern that differs per seed, cheaply. */
function filled(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

interface Decoded {
  headers: Uint8Array[];
  frames: Uint8Array[];
  largestBuffer: number;
  error: Error | undefined;
}

/** Feeds `pieces` to a fresh decoder the way the read loop does. */
function decode(kind: Kind, maxSize: number, pieces: readonly Uint8Array[]): Decoded {
  const out: Decoded = { headers: [], frames: [], largestBuffer: 0, error: undefined };
  const decoder = new FrameDecoder(kind === "ipc" ? { typeByte: 1 } : {}, maxSize, {
    header: (bytes) => out.headers.push(bytes),
    frame: (bytes) => out.frames.push(bytes),
  });
  out.error = spErrorOf(() => {
    for (const piece of pieces) {
      let offset = 0;
      while (offset < piece.length) {
        const target = decoder.readTarget();
        assert.ok(target.length > 0, "the decoder offered an empty read buffer");
        out.largestBuffer = Math.max(out.largestBuffer, target.buffer.byteLength);
        const n = Math.min(target.length, piece.length - offset);
        target.set(piece.subarray(offset, offset + n));
        decoder.advance(n);
        offset += n;
      }
    }
  });
  return out;
}

function assertFramesEqual(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): void {
  assert.equal(actual.length, expected.length, "frame count");
  for (let i = 0; i < expected.length; i++) {
    assert.deepEqual(actual[i], expected[i], `frame ${i}`);
  }
}

const cuts = fc.array(fc.nat(), { maxLength: 12 });

for (const kind of KINDS) {
  Deno.test(`fuzz ${kind} frames: a valid stream cut at any points decodes to the same frames`, () => {
    check(
      `${kind} frame decoder, valid streams split anywhere`,
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.array(payload, { maxLength: 8 }), cuts, (p, payloads, at) => {
        const stream = concat([header(p), ...payloads.map((x) => frame(kind, x))]);
        const largest = payloads.reduce((n, x) => Math.max(n, x.length), 0);
        const result = decode(kind, largest, splitAt(stream, at));
        assert.equal(result.error, undefined);
        assert.deepEqual(result.headers, [header(p)]);
        assertFramesEqual(result.frames, payloads);
        assert.ok(
          result.largestBuffer <= Math.max(READ_CHUNK, largest + PREFIX),
          `allocated ${result.largestBuffer} bytes`,
        );
      }),
      20_000,
    );
  });

  Deno.test(`fuzz ${kind} frames: frames given back are reused, frames held are never overwritten`, () => {
    check(
      `${kind} frame decoder, some frames given back`,
      fc.property(fc.array(fc.tuple(payload, fc.boolean()), { maxLength: 12 }), cuts, (items, at) => {
        const payloads = items.map(([x]) => x);
        const stream = concat([header(0x10), ...payloads.map((x) => frame(kind, x))]);
        const frames: Uint8Array[] = [];
        const decoder = new FrameDecoder(kind === "ipc" ? { typeByte: 1 } : {}, -1, {
          header() {},
          frame(bytes) {
            const i = frames.length;
            frames.push(bytes);
            if (items[i]![1]) {
              assert.deepEqual(bytes, payloads[i], `frame ${i} before it was given back`);
              giveBack(bytes);
            }
          },
        });
        for (const piece of splitAt(stream, at)) {
          for (let offset = 0; offset < piece.length;) {
            const target = decoder.readTarget();
            const n = Math.min(target.length, piece.length - offset);
            target.set(piece.subarray(offset, offset + n));
            decoder.advance(n);
            offset += n;
          }
        }
        assert.equal(frames.length, payloads.length);
        items.forEach(([x, givenBack], i) => {
          if (!givenBack) assert.deepEqual(frames[i], x, `held frame ${i}`);
        });
      }),
      20_000,
    );
  });

  Deno.test(`fuzz ${kind} frames: garbage after valid frames keeps those frames and fails typed`, () => {
    const maxSize = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant(1024 * 1024));
    check(
      `${kind} frame decoder, valid frames then garbage`,
      fc.property(fc.array(wireBytes(40), { maxLength: 4 }), wireBytes(48), maxSize, cuts, (good, junk, max, at) => {
        const fitting = good.filter((x) => x.length <= max);
        const stream = concat([header(0x50), ...fitting.map((x) => frame(kind, x)), junk]);
        const result = decode(kind, max, splitAt(stream, at));
        assertFramesEqual(result.frames.slice(0, fitting.length), fitting);
        for (const f of result.frames) assert.ok(f.length <= max, `a ${f.length}-byte frame passed a ${max} limit`);
        assert.ok(
          result.largestBuffer <= Math.max(READ_CHUNK, max + PREFIX),
          `allocated ${result.largestBuffer} bytes`,
        );
        if (result.error !== undefined) assert.match(result.error.message, /^(EPROTO|EMSGSIZE):/);
      }),
      50_000,
    );
  });

  Deno.test(`fuzz ${kind} frames: any bytes at all, any announced length, bounded and typed`, () => {
    // Length prefixes are where the CVE-2019-6250 class lives: bias towards huge and boundary values.
    const length = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.constantFrom(2n ** 63n, 2n ** 64n - 1n, 2n ** 53n + 1n, 2n ** 32n, 2n ** 32n - 1n, 2n ** 21n),
      fc.bigInt({ min: 0n, max: 70_000n }),
    );
    const chunk = fc.oneof(
      wireBytes(24),
      length.map((n) => {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, n);
        return b;
      }),
    );
    const maxSize = fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.constant(1024 * 1024));
    check(
      `${kind} frame decoder, arbitrary bytes`,
      fc.property(fc.array(chunk, { maxLength: 6 }), maxSize, cuts, (chunks, max, at) => {
        const stream = concat(chunks);
        const result = decode(kind, max, splitAt(stream, at));
        for (const f of result.frames) assert.ok(f.length <= max);
        assert.ok(
          result.largestBuffer <= Math.max(READ_CHUNK, max + PREFIX),
          `allocated ${result.largestBuffer} bytes`,
        );
        assert.ok(result.headers.length <= 1);
      }),
      50_000,
    );
  });
}
