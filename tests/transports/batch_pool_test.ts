/**
 * Unit tests of the shared write-batch pool, and of two stream connections
 * drawing on it at once: a batch goes back to the pool only once it has
 * been written, so no connection ever writes bytes another one put there.
 *
 * @module
 */

import assert from "node:assert/strict";
import { BATCH_MIN, BatchPool } from "../../src/transports/_batch_pool.ts";
import { type ByteStream, StreamConnection } from "../../src/transports/_stream_connection.ts";

Deno.test("BatchPool hands out powers of two and takes them back by size", () => {
  const pool = new BatchPool();
  const small = pool.take(1);
  const big = pool.take(BATCH_MIN + 1);
  assert.equal(small.length, BATCH_MIN);
  assert.equal(big.length, 2 * BATCH_MIN);
  assert.ok(pool.owns(small.buffer) && pool.owns(big.buffer));
  assert.equal(pool.owns(new Uint8Array(BATCH_MIN).buffer), false);
  pool.give(small);
  pool.give(big);
  assert.equal(pool.take(BATCH_MIN * 2), big);
  assert.equal(pool.take(10), small);
  assert.notEqual(pool.take(10), small);
});

Deno.test("BatchPool keeps at most 4 MiB and no batch above 1 MiB", () => {
  const pool = new BatchPool();
  const huge = pool.take(2 * 1024 * 1024);
  pool.give(huge);
  assert.notEqual(pool.take(2 * 1024 * 1024), huge);
  const batches = Array.from({ length: 5 }, () => pool.take(1024 * 1024));
  for (const b of batches) pool.give(b);
  const back = Array.from({ length: 5 }, () => pool.take(1024 * 1024));
  assert.equal(back.filter((b) => batches.includes(b)).length, 4);
});

/** A stream whose writes complete one at a time, when the test says so; it records the bytes. */
class SlowStream implements ByteStream {
  written: number[] = [];
  #pending: (() => void)[] = [];
  read(): Promise<number | null> {
    return new Promise(() => {});
  }
  write(data: Uint8Array): Promise<number> {
    // Copy only when the write completes: a reused buffer would show.
    return new Promise((resolve) =>
      this.#pending.push(() => {
        this.written.push(...data);
        resolve(data.length);
      })
    );
  }
  close(): void {}
  async completeAll(): Promise<void> {
    while (this.#pending.length > 0) {
      this.#pending.shift()!();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
}

function expectedFrames(payloads: Uint8Array[]): number[] {
  const out: number[] = [];
  for (const p of payloads) out.push(0, 0, 0, 0, 0, 0, 0, p.length, ...p);
  return out;
}

Deno.test("Stream connections sharing the pool never write another's bytes", async () => {
  const streams = [new SlowStream(), new SlowStream()];
  const conns = streams.map((s, i) => new StreamConnection(s, {}, -1, `test ${i}`));
  const sent: Uint8Array[][] = [[], []];
  for (let round = 0; round < 20; round++) {
    for (const [i, conn] of conns.entries()) {
      for (let k = 0; k < 3; k++) {
        const payload = new Uint8Array(100).fill((i * 100 + round * 3 + k) & 0xff);
        sent[i]!.push(payload);
        conn.send(payload);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Complete one side's writes, so its batches return while the other's are in flight.
    await streams[round % 2]!.completeAll();
  }
  await streams[0]!.completeAll();
  await streams[1]!.completeAll();
  for (const [i, stream] of streams.entries()) assert.deepEqual(stream.written, expectedFrames(sent[i]!));
  for (const conn of conns) conn.close();
});
