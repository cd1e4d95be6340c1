/**
 * Unit tests of the stream frame decoder: header then length-prefixed
 * frames, any split of the input, limits checked before allocating.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError } from "../../src/core/errors.ts";
import { giveBack } from "../../src/core/received_memory.ts";
import { FrameDecoder, type FrameFormat } from "../../src/transports/_frame_decoder.ts";
import { encodeSpHeader } from "../../src/transports/_sp_header.ts";

function frame(payload: Uint8Array, typeByte?: number): Uint8Array {
  const prefix = typeByte === undefined ? 8 : 9;
  const out = new Uint8Array(prefix + payload.length);
  const view = new DataView(out.buffer);
  if (typeByte !== undefined) out[0] = typeByte;
  view.setBigUint64(prefix - 8, BigInt(payload.length));
  out.set(payload, prefix);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Feeds `input` to a decoder in pieces of the given sizes (cycled). */
function decode(input: Uint8Array, pieces: number[], format: FrameFormat = {}, maxSize = -1) {
  const frames: Uint8Array[] = [];
  const headers: Uint8Array[] = [];
  const dec = new FrameDecoder(format, maxSize, {
    header: (h) => headers.push(h),
    frame: (p) => frames.push(p.slice()),
  });
  let at = 0;
  let i = 0;
  while (at < input.length) {
    const target = dec.readTarget();
    const n = Math.min(target.length, pieces[i++ % pieces.length]!, input.length - at);
    target.set(input.subarray(at, at + n));
    dec.advance(n);
    at += n;
  }
  return { frames, headers, midFrame: dec.midFrame };
}

const payloads = [
  new Uint8Array(0),
  new TextEncoder().encode("hello"),
  new Uint8Array(70_000).map((_, i) => i & 0xff),
  new Uint8Array(3),
  new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff),
];

for (const format of [{}, { typeByte: 1 }] as FrameFormat[]) {
  const kind = format.typeByte === undefined ? "tcp" : "ipc";
  const stream = concat([encodeSpHeader(0x10), ...payloads.map((p) => frame(p, format.typeByte))]);
  for (const pieces of [[stream.length], [1], [3, 5, 7], [8], [9], [65_536], [100_000, 1]]) {
    Deno.test(`FrameDecoder decodes ${kind} frames fed in pieces of ${pieces.join("/")}`, () => {
      const { frames, headers, midFrame } = decode(stream, pieces, format);
      assert.equal(headers.length, 1);
      assert.deepEqual(headers[0], encodeSpHeader(0x10));
      assert.equal(frames.length, payloads.length);
      frames.forEach((f, i) => assert.deepEqual(f, payloads[i]));
      assert.equal(midFrame, false);
    });
  }
}

Deno.test("FrameDecoder reports a frame left unfinished", () => {
  const stream = concat([encodeSpHeader(0x10), frame(new Uint8Array(10)).subarray(0, 12)]);
  assert.equal(decode(stream, [stream.length]).midFrame, true);
});

Deno.test("FrameDecoder accepts exactly RCVMAXSIZE and refuses one byte more before allocating", () => {
  const ok = concat([encodeSpHeader(0x10), frame(new Uint8Array(1000))]);
  assert.equal(decode(ok, [4096], {}, 1000).frames.length, 1);
  const tooBig = concat([encodeSpHeader(0x10), frame(new Uint8Array(1001)).subarray(0, 8)]);
  assert.throws(() => decode(tooBig, [4096], {}, 1000), (e) => isSpError(e, "EMSGSIZE"));
});

for (const claimed of [2n ** 63n, 2n ** 64n - 1n, 2n ** 53n + 1n, 2n ** 32n]) {
  Deno.test(`FrameDecoder refuses a claimed length of ${claimed} even when unlimited`, () => {
    const head = new Uint8Array(8);
    new DataView(head.buffer).setBigUint64(0, claimed);
    const stream = concat([encodeSpHeader(0x10), head]);
    assert.throws(() => decode(stream, [4096], {}, -1), (e) => isSpError(e, "EMSGSIZE"));
  });
}

for (const typeByte of [0x00, 0x02, 0xff]) {
  Deno.test(`FrameDecoder refuses ipc message type ${typeByte}`, () => {
    const stream = concat([encodeSpHeader(0x10), frame(new Uint8Array(4), typeByte)]);
    assert.throws(() => decode(stream, [4096], { typeByte: 1 }), (e) => isSpError(e, "EPROTO"));
  });
}

Deno.test("FrameDecoder hands out complete frames as views of the read chunk", () => {
  const seen: Uint8Array[] = [];
  const dec = new FrameDecoder({}, -1, { header() {}, frame: (p) => seen.push(p) });
  const stream = concat([encodeSpHeader(0x10), frame(new Uint8Array([1, 2])), frame(new Uint8Array([3]))]);
  const target = dec.readTarget();
  target.set(stream);
  dec.advance(stream.length);
  assert.equal(seen.length, 2);
  assert.equal(seen[0]!.buffer, seen[1]!.buffer);
});

Deno.test("FrameDecoder reads a large frame in place once frames of its size are flowing", () => {
  const seen: Uint8Array[] = [];
  const dec = new FrameDecoder({ typeByte: 1 }, -1, { header() {}, frame: (p) => seen.push(p) });
  const payload = new Uint8Array(100_000).map((_, i) => i & 0xff);
  const one = frame(payload, 1);
  const targets: ArrayBufferLike[] = [];
  feedIn(dec, concat([encodeSpHeader(0x10), one]), 30_000, targets);
  targets.length = 0;
  feedIn(dec, one, 30_000, targets);
  feedIn(dec, one, 30_000, targets);
  assert.equal(seen.length, 3);
  seen.forEach((p) => assert.deepEqual(p, payload));
  // The second and third frames were read straight into the buffers they were delivered in.
  assert.ok(targets.includes(seen[1]!.buffer));
  assert.ok(targets.includes(seen[2]!.buffer));
  assert.equal(seen[1]!.byteOffset, 9);
});

Deno.test("FrameDecoder copies a small frame out of a chunk sized for large ones and then reads into a small chunk", () => {
  const seen: Uint8Array[] = [];
  const dec = new FrameDecoder({}, -1, { header() {}, frame: (p) => seen.push(p) });
  const big = frame(new Uint8Array(300_000));
  const first = dec.readTarget();
  const start = concat([encodeSpHeader(0x10), big]);
  let at = 0;
  for (let target = first; at < start.length; target = dec.readTarget()) {
    const n = Math.min(target.length, start.length - at);
    target.set(start.subarray(at, at + n));
    dec.advance(n);
    at += n;
  }
  const chunk = dec.readTarget();
  assert.ok(chunk.length >= 300_008);
  const small = frame(new Uint8Array([7, 8, 9]));
  chunk.set(small);
  dec.advance(small.length);
  assert.deepEqual(seen.at(-1), new Uint8Array([7, 8, 9]));
  assert.equal(seen.at(-1)!.buffer.byteLength, 3);
  // An idle connection after a large message does not keep a large buffer.
  assert.ok(dec.readTarget().length <= 64 * 1024);
});

/** Feeds `bytes` to `dec` in reads of at most `readSize` bytes, recording the buffers read into. */
function feedIn(dec: FrameDecoder, bytes: Uint8Array, readSize: number, targets: ArrayBufferLike[] = []): void {
  for (let at = 0; at < bytes.length;) {
    const target = dec.readTarget();
    targets.push(target.buffer);
    const n = Math.min(target.length, readSize, bytes.length - at);
    target.set(bytes.subarray(at, at + n));
    dec.advance(n);
    at += n;
  }
}

Deno.test("FrameDecoder reads into a chunk again once every frame handed out of it is given back", () => {
  const seen: Uint8Array[] = [];
  const dec = new FrameDecoder({}, -1, { header() {}, frame: (p) => seen.push(p) });
  const payload = (seed: number) => new Uint8Array(70_000).fill(seed);
  feedIn(dec, concat([encodeSpHeader(0x10), frame(payload(1))]), 1 << 20);
  feedIn(dec, frame(payload(2)), 1 << 20);
  feedIn(dec, frame(payload(3)), 1 << 20);
  assert.equal(seen.length, 3);
  // Nothing given back: every frame keeps its bytes.
  seen.forEach((p, i) => assert.ok(p.every((b) => b === i + 1)));
  for (const p of seen) giveBack(p);
  const targets: ArrayBufferLike[] = [];
  const given = new Set(seen.map((p) => p.buffer));
  for (let seed = 4; seed < 8; seed++) {
    feedIn(dec, frame(payload(seed)), 1 << 20, targets);
    const last = seen.at(-1)!;
    assert.ok(last.every((b) => b === seed));
    giveBack(last);
  }
  // Frames given back at once: the same warm memory, no new chunk per frame.
  assert.ok(targets.every((t) => given.has(t)), "read into memory that was given back");
  assert.ok(new Set(targets).size <= 2);
});

Deno.test("FrameDecoder never reads over a frame still held, whatever else was given back", () => {
  const seen: Uint8Array[] = [];
  const dec = new FrameDecoder({}, -1, { header() {}, frame: (p) => seen.push(p) });
  const sizes = [70_000, 10, 20_000, 300_000, 5, 70_000, 70_000, 1_000, 150_000, 3, 70_000];
  const expected: Uint8Array[] = [];
  feedIn(dec, encodeSpHeader(0x10), 8);
  let n = 0;
  for (let round = 0; round < 40; round++) {
    const size = sizes[round % sizes.length]!;
    const payload = new Uint8Array(size).map((_, i) => (i * 7 + round) & 0xff);
    expected.push(payload);
    feedIn(dec, frame(payload), [4096, 65536, 1 << 20][round % 3]!);
    // Every other frame is given back (after a check), the rest held to the end.
    for (; n < seen.length; n++) {
      assert.deepEqual(seen[n], expected[n]);
      if (n % 2 === 0) giveBack(seen[n]!);
    }
  }
  for (let i = 1; i < seen.length; i += 2) assert.deepEqual(seen[i], expected[i], `held frame ${i} was overwritten`);
});

Deno.test("FrameDecoder with reuseChunks false never reads over a frame, even one given back", () => {
  const seen: Uint8Array[] = [];
  const dec = new FrameDecoder({}, -1, { reuseChunks: false, header() {}, frame: (p) => seen.push(p) });
  feedIn(dec, encodeSpHeader(0x10), 8);
  for (let i = 1; i <= 12; i++) {
    feedIn(dec, frame(new Uint8Array(70_000).fill(i)), 1 << 20);
    giveBack(seen.at(-1)!);
  }
  seen.forEach((p, i) => assert.ok(p.every((b) => b === i + 1), `frame ${i + 1} was read over`));
});

Deno.test("FrameDecoder closed: chunks given back afterwards are not kept as spares", () => {
  const seen: Uint8Array[] = [];
  const dec = new FrameDecoder({}, -1, { header() {}, frame: (p) => seen.push(p) });
  feedIn(dec, encodeSpHeader(0x10), 8);
  for (let i = 1; i <= 3; i++) feedIn(dec, frame(new Uint8Array(300_000).fill(i)), 1 << 20);
  dec.close();
  for (const p of seen) giveBack(p);
  // Were it read again, the chunks it had moved on from would not come back
  // (the last one is still its own).
  const targets: ArrayBufferLike[] = [];
  feedIn(dec, frame(new Uint8Array(300_000).fill(9)), 1 << 20, targets);
  feedIn(dec, frame(new Uint8Array(300_000).fill(10)), 1 << 20, targets);
  const given = new Set(seen.slice(0, 2).map((p) => p.buffer));
  assert.ok(targets.every((t) => !given.has(t)), "a given-back chunk was kept after close");
});
