/**
 * The pool of send copies: a copy is reused only after every holder let
 * go, never while one still holds it.
 */

import assert from "node:assert/strict";
import { SendCopies } from "../../src/core/send_copies.ts";
import { SEND_COPY_MIN } from "../../src/core/message.ts";

const filled = (size: number, value: number) => new Uint8Array(size).fill(value);

Deno.test("send copies: a copy holds the caller's bytes, not the caller's buffer", () => {
  const copies = new SendCopies();
  const mine = filled(SEND_COPY_MIN + 1, 1);
  const copy = copies.copy(mine);
  mine.fill(2);
  assert.equal(copy.length, SEND_COPY_MIN + 1);
  assert.ok(copy.every((b) => b === 1));
});

Deno.test("send copies: memory returns to the pool only after the last holder releases it", () => {
  const copies = new SendCopies();
  const first = copies.copy(filled(SEND_COPY_MIN, 1));
  assert.ok(copies.hold(first)); // a connection writes it
  copies.release(first); // the socket: the protocol took it
  assert.equal(copies.freeBytes, 0);
  const second = copies.copy(filled(SEND_COPY_MIN, 2));
  assert.notEqual(second.buffer, first.buffer, "still held: a new copy gets other memory");
  assert.ok(first.every((b) => b === 1));
  copies.release(first); // written
  assert.equal(copies.freeBytes, SEND_COPY_MIN);
  const third = copies.copy(filled(SEND_COPY_MIN - 10, 3));
  assert.equal(third.buffer, first.buffer, "released: reused");
  assert.equal(copies.freeBytes, 0);
});

Deno.test("send copies: size classes are powers of two from SEND_COPY_MIN; a small copy reuses its class only", () => {
  const copies = new SendCopies();
  const big = copies.copy(filled(3 * SEND_COPY_MIN, 1));
  assert.equal(big.buffer.byteLength, 4 * SEND_COPY_MIN);
  copies.release(big);
  const small = copies.copy(filled(SEND_COPY_MIN, 2));
  assert.notEqual(small.buffer, big.buffer);
  const again = copies.copy(filled(4 * SEND_COPY_MIN, 3));
  assert.equal(again.buffer, big.buffer);
});

Deno.test("send copies: buffers that are not copies are ignored", () => {
  const copies = new SendCopies();
  const plain = filled(SEND_COPY_MIN, 1);
  assert.equal(copies.hold(plain), false);
  copies.release(plain);
  assert.equal(copies.freeBytes, 0);
});

Deno.test("send copies: the pool holds at most 8 MiB; more is left to the garbage collector", () => {
  const copies = new SendCopies();
  const held = Array.from({ length: 12 }, () => copies.copy(filled(1 << 20, 1)));
  for (const copy of held) copies.release(copy);
  assert.equal(copies.freeBytes, 8 << 20);
});
