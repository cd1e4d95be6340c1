/**
 * How a stream connection writes large frames: on an idle connection a
 * payload below 128 KiB leaves with its prefix in one write; behind a write
 * in flight, and from 128 KiB on, the payload is written from its own
 * buffer after a write of the prefix. The bytes on the wire are the same
 * either way.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type ByteStream, StreamConnection } from "../../src/transports/_stream_connection.ts";

/** A stream whose writes complete when the test says so; it records each write and the buffer it came from. */
class RecordingStream implements ByteStream {
  writes: { bytes: Uint8Array; source: ArrayBufferLike }[] = [];
  #pending: (() => void)[] = [];
  read(): Promise<number | null> {
    return new Promise(() => {});
  }
  write(data: Uint8Array): Promise<number> {
    this.writes.push({ bytes: data.slice(), source: data.buffer });
    return new Promise((resolve) => this.#pending.push(() => resolve(data.length)));
  }
  close(): void {}
  get inFlight(): number {
    return this.#pending.length;
  }
  async completeAll(): Promise<void> {
    await tick();
    while (this.#pending.length > 0) {
      this.#pending.shift()!();
      await tick();
    }
  }
  wire(): Uint8Array {
    const all = new Uint8Array(this.writes.reduce((n, w) => n + w.bytes.length, 0));
    let at = 0;
    for (const w of this.writes) {
      all.set(w.bytes, at);
      at += w.bytes.length;
    }
    return all;
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function payload(size: number, fill: number): Uint8Array {
  return new Uint8Array(size).fill(fill);
}

/** The tcp mapping's frame: u64 big-endian length, then the payload. */
function frame(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(body.length));
  out.set(body, 8);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("an idle stream connection writes a 64 KiB frame, prefix and payload, in one write", async () => {
  const stream = new RecordingStream();
  const conn = new StreamConnection(stream, {}, -1, "test");
  const body = payload(64 * 1024, 7);
  conn.send(body);
  await stream.completeAll();
  assert.equal(stream.writes.length, 1);
  assert.deepEqual(stream.wire(), frame(body));
  assert.notEqual(stream.writes[0]!.source, body.buffer);
  assert.equal(conn.pendingBytes, 0);
});

Deno.test("behind a write in flight a 64 KiB payload is written from its own buffer", async () => {
  const stream = new RecordingStream();
  const conn = new StreamConnection(stream, {}, -1, "test");
  const first = payload(64 * 1024, 1);
  const second = payload(64 * 1024, 2);
  conn.send(first);
  await tick();
  assert.equal(stream.inFlight, 1);
  conn.send(second);
  await stream.completeAll();
  assert.deepEqual(stream.wire(), concat(frame(first), frame(second)));
  // The first frame in one write; the second as its prefix, then the payload itself.
  assert.equal(stream.writes.length, 3);
  assert.equal(stream.writes[1]!.bytes.length, 8);
  assert.equal(stream.writes[2]!.source, second.buffer);
});

Deno.test("payloads of 128 KiB and more are written from their own buffer, idle or not", async () => {
  const stream = new RecordingStream();
  const conn = new StreamConnection(stream, {}, -1, "test");
  const body = payload(128 * 1024, 3);
  conn.send(body);
  await stream.completeAll();
  assert.equal(stream.writes.length, 2);
  assert.equal(stream.writes[1]!.source, body.buffer);
  assert.deepEqual(stream.wire(), frame(body));
});

Deno.test("the ipc mapping's type byte and an SP header precede an inlined payload", async () => {
  const stream = new RecordingStream();
  const conn = new StreamConnection(stream, { typeByte: 1 }, -1, "test");
  const header = new Uint8Array([0x80, 0, 0, 1]);
  const body = payload(70_000, 9);
  conn.send(body, header);
  await stream.completeAll();
  assert.equal(stream.writes.length, 1);
  const expected = new Uint8Array(9 + 4 + body.length);
  expected[0] = 1;
  new DataView(expected.buffer).setBigUint64(1, BigInt(4 + body.length));
  expected.set(header, 9);
  expected.set(body, 13);
  assert.deepEqual(stream.wire(), expected);
});
