/**
 * Unit tests of the backtrace helpers shared by REQ, REP, SURVEYOR and
 * RESPONDENT: splitting at the id word, the hop limit, reply matching and
 * request ids.
 *
 * @module
 */

import assert from "node:assert/strict";
import { bodyFor, encodeWord, readWord, RequestIds, splitBacktrace } from "../../src/routing/backtrace.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("splitBacktrace cuts after the first word with the high bit set", () => {
  const payload = bytes(0, 0, 0, 7, 0x80, 0, 0, 9, 0x68, 0x69);
  const split = splitBacktrace(payload, 8)!;
  assert.deepEqual(split.header, bytes(0, 0, 0, 7, 0x80, 0, 0, 9));
  assert.deepEqual(split.body, bytes(0x68, 0x69));
  assert.deepEqual(splitBacktrace(bytes(0x80, 0, 0, 1), 8)!.body, bytes(), "an empty body is fine");
});

Deno.test("splitBacktrace allows MAXTTL words in all and no more", () => {
  const stack = (hops: number) => {
    const out = new Uint8Array((hops + 1) * 4 + 1);
    out[hops * 4] = 0x80;
    return out;
  };
  assert.ok(splitBacktrace(stack(7), 8), "7 hops + id = 8 words");
  assert.equal(splitBacktrace(stack(8), 8), undefined, "8 hops + id = 9 words");
  assert.ok(splitBacktrace(stack(0), 1));
  assert.equal(splitBacktrace(stack(1), 1), undefined);
});

Deno.test("splitBacktrace refuses payloads without a marked word or cut inside one", () => {
  assert.equal(splitBacktrace(bytes(), 8), undefined);
  assert.equal(splitBacktrace(bytes(0x80, 0), 8), undefined);
  assert.equal(splitBacktrace(bytes(0, 0, 0, 10), 8), undefined);
  assert.equal(splitBacktrace(bytes(0, 0, 0, 1, 0x80, 0, 0), 8), undefined);
});

Deno.test("bodyFor matches the first word against the outstanding id only", () => {
  const reply = bytes(0x80, 0, 0, 5, 0x6f, 0x6b);
  assert.deepEqual(bodyFor(reply, 0x8000_0005), bytes(0x6f, 0x6b));
  assert.equal(bodyFor(reply, 0x8000_0006), undefined);
  assert.equal(bodyFor(bytes(0, 0, 0, 1, 0x80, 0, 0, 5), 0x8000_0005), undefined, "a hop in front");
  assert.equal(bodyFor(bytes(0x80, 0, 0), 0x8000_0000), undefined);
});

Deno.test("encodeWord and readWord are big-endian and can push a word onto a stack", () => {
  assert.deepEqual(encodeWord(0xfa4cada7), bytes(0xfa, 0x4c, 0xad, 0xa7));
  assert.equal(readWord(bytes(0, 0xfa, 0x4c, 0xad, 0xa7), 1), 0xfa4cada7);
  assert.deepEqual(encodeWord(2, bytes(0x80, 0, 0, 1)), bytes(0, 0, 0, 2, 0x80, 0, 0, 1));
});

Deno.test("RequestIds count up by one with the high bit set and wrap around", () => {
  const ids = new RequestIds(0xffff_fffe);
  assert.equal(ids.next(), 0xffff_ffff);
  assert.equal(ids.next(), 0x8000_0000);
  assert.equal(ids.next(), 0x8000_0001);
  const random = [new RequestIds().next(), new RequestIds().next(), new RequestIds().next()];
  for (const id of random) assert.ok(id >= 0x8000_0000 && id <= 0xffff_ffff);
  assert.ok(new Set(random).size > 1, "random starts");
});
