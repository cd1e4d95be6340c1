/**
 * Microbenchmarks of the stream framing: `FrameDecoder` (parsing what a
 * read delivered into payloads) and `StreamConnection.send` (length prefix,
 * batching, the flush) over a fake byte stream that costs nothing, so only
 * our code is timed.
 *
 * Run: `deno bench bench/framing_bench.ts`
 *
 * @module
 */

import { FrameDecoder, type FrameFormat } from "../src/transports/_frame_decoder.ts";
import { type ByteStream, StreamConnection } from "../src/transports/_stream_connection.ts";

const TCP: FrameFormat = {};
const IPC: FrameFormat = { typeByte: 1 };
const SP_HEADER = [0, 83, 80, 0, 0, 16, 0, 0];

/** `count` frames of `size` bytes as they appear on the wire. */
function wireFrames(format: FrameFormat, size: number, count: number): Uint8Array {
  const prefix = format.typeByte === undefined ? 8 : 9;
  const out = new Uint8Array(count * (prefix + size));
  const view = new DataView(out.buffer);
  for (let i = 0, p = 0; i < count; i++) {
    if (format.typeByte !== undefined) out[p++] = format.typeByte;
    view.setBigUint64(p, BigInt(size));
    p += 8 + size;
  }
  return out;
}

/** A decoder past the SP header, counting the frames it delivers. */
function decoderFor(format: FrameFormat) {
  const counter = { frames: 0, bytes: 0 };
  const decoder = new FrameDecoder(format, -1, {
    header() {},
    frame(payload) {
      counter.frames++;
      counter.bytes += payload.length;
    },
  });
  feed(decoder, Uint8Array.from(SP_HEADER), 64 * 1024);
  return { decoder, counter };
}

/** Feeds `bytes` to the decoder as reads of at most `readSize` bytes each. */
function feed(decoder: FrameDecoder, bytes: Uint8Array, readSize: number): void {
  let at = 0;
  while (at < bytes.length) {
    const target = decoder.readTarget();
    const n = Math.min(target.length, readSize, bytes.length - at);
    target.set(bytes.subarray(at, at + n));
    decoder.advance(n);
    at += n;
  }
}

for (const [label, format] of [["tcp", TCP], ["ipc", IPC]] as const) {
  const small = wireFrames(format, 64, 1000);
  const { decoder: d1 } = decoderFor(format);
  Deno.bench({
    name: `decode ${label} 1000 × 64 B, 64 KiB reads`,
    group: "decode 64 B",
    baseline: label === "tcp",
    fn: () => feed(d1, small, 64 * 1024),
  });
}

const kib = wireFrames(TCP, 1024, 100);
const { decoder: dKib } = decoderFor(TCP);
Deno.bench({
  name: "decode tcp 100 × 1 KiB, 64 KiB reads",
  group: "decode 1 KiB",
  fn: () => feed(dKib, kib, 64 * 1024),
});

// Small reads split most frames' prefixes and payloads across reads: the
// worst case of the slow path (spanning frames).
const { decoder: dSplit } = decoderFor(TCP);
Deno.bench({
  name: "decode tcp 100 × 1 KiB, 1000-byte reads",
  group: "decode 1 KiB",
  fn: () => feed(dSplit, kib, 1000),
});

const mib = wireFrames(TCP, 1024 * 1024, 1);
const { decoder: dMib } = decoderFor(TCP);
Deno.bench({
  name: "decode tcp 1 × 1 MiB, 64 KiB reads (direct into the payload)",
  group: "decode 1 MiB",
  fn: () => feed(dMib, mib, 64 * 1024),
});

/** A byte stream whose writes complete at once; reads never return. */
class NullStream implements ByteStream {
  written = 0;
  writes = 0;
  #onWrite: (() => void) | undefined;
  read(): Promise<number | null> {
    return new Promise(() => {});
  }
  write(data: Uint8Array): Promise<number> {
    this.written += data.length;
    this.writes++;
    this.#onWrite?.();
    return Promise.resolve(data.length);
  }
  close(): void {}
  /** Resolves when `total` bytes have been written in all. */
  until(total: number): Promise<void> {
    if (this.written >= total) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onWrite = () => {
        if (this.written >= total) {
          this.#onWrite = undefined;
          resolve();
        }
      };
    });
  }
}

/** Sends `count` payloads and waits until the stream has taken every byte. */
function sendBench(size: number, count: number) {
  const stream = new NullStream();
  const connection = new StreamConnection(stream, TCP, -1, "bench");
  const payload = new Uint8Array(size).fill(111);
  return async () => {
    const target = stream.written + count * (8 + size);
    for (let i = 0; i < count; i++) connection.send(payload);
    await stream.until(target);
  };
}

Deno.bench({ name: "send tcp 1000 × 64 B + flush", group: "send 64 B", fn: sendBench(64, 1000) });
Deno.bench({ name: "send tcp 1 × 64 B + flush", group: "send 64 B", fn: sendBench(64, 1) });
Deno.bench({ name: "send tcp 100 × 1 KiB + flush", group: "send 1 KiB", fn: sendBench(1024, 100) });
Deno.bench({ name: "send tcp 1 × 64 KiB + flush", group: "send large", fn: sendBench(64 * 1024, 1) });
Deno.bench({ name: "send tcp 1 × 1 MiB + flush", group: "send large", fn: sendBench(1024 * 1024, 1) });
