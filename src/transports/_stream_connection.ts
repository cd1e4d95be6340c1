/**
 * A {@linkcode Connection} over a Deno byte stream (tcp or unix socket):
 * SP header exchange, frame decoding and coalesced writes. Shared by the
 * stream transports; each passes its own {@linkcode FrameFormat}.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";
import type { Connection, ConnectionSink } from "../core/transport.ts";
import { FrameDecoder, type FrameFormat } from "./_frame_decoder.ts";
import { decodeSpHeader, encodeSpHeader } from "./_sp_header.ts";

/** Payloads at least this large are written from the caller's buffer, not copied. */
const COPY_MAX = 64 * 1024;
const BATCH_INITIAL = 16 * 1024;
const NO_BYTES = new Uint8Array(0);

/** The byte stream a {@linkcode StreamConnection} runs on: what `Deno.Conn` offers. */
export interface ByteStream {
  /** Reads into `buffer`; null at end of stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `data`; resolves with how much. */
  write(data: Uint8Array): Promise<number>;
  /** Closes both directions. */
  close(): void;
}

/**
 * One SP connection over a byte stream such as a `Deno.Conn`.
 *
 * @example Usage
 * ```ts ignore
 * const conn = new StreamConnection(await Deno.connect({ port: 5555 }), {}, -1, "tcp 127.0.0.1:5555");
 * const peer = await conn.handshake(0x10, AbortSignal.timeout(1000));
 * ```
 */
export class StreamConnection implements Connection {
  readonly description: string;
  readonly #conn: ByteStream;
  readonly #format: FrameFormat;
  readonly #decoder: FrameDecoder;

  #sink: ConnectionSink | undefined;
  #early: Uint8Array[] = []; // frames that arrived before start()
  #closed = false;
  #closeReason: SpError | undefined;
  #paused = false;
  #resume: (() => void) | undefined;
  #peerHeader: ((protocol: number) => void) | undefined;
  #headerFailed: ((err: SpError) => void) | undefined;

  // Outbound: a batch buffer for small payloads and a list of segments to write.
  // Allocated on the first send after a quiet spell, so an idle pipe holds none.
  #batch: Uint8Array = NO_BYTES;
  // While data keeps flowing, the batch just written is reused for the next one.
  #spare: Uint8Array | undefined;
  #batchBuffers = new WeakSet<ArrayBufferLike>();
  #batchLength = 0;
  #segments: Uint8Array[] = [];
  #pending = 0;
  #flushScheduled = false;
  #writing = false;

  /**
   * @param conn the connected stream
   * @param format the frame layout of the mapping
   * @param maxSize largest payload accepted; -1 is unlimited
   * @param description e.g. `tcp 127.0.0.1:5555`
   */
  constructor(conn: ByteStream, format: FrameFormat, maxSize: number, description: string) {
    this.#conn = conn;
    this.#format = format;
    this.description = description;
    this.#decoder = new FrameDecoder(format, maxSize, {
      header: (bytes) => this.#onHeader(bytes),
      frame: (payload) => this.#onFrame(payload),
    });
  }

  get pendingBytes(): number {
    return this.#pending;
  }

  handshake(selfProtocol: number, signal: AbortSignal): Promise<number> {
    const result = new Promise<number>((resolve, reject) => {
      this.#peerHeader = resolve;
      this.#headerFailed = reject;
    });
    const onAbort = () => this.#fail(new SpError("ETIMEDOUT", `${this.description}: SP handshake timed out`));
    signal.addEventListener("abort", onAbort, { once: true });
    result.finally(() => signal.removeEventListener("abort", onAbort)).catch(() => {});
    this.#writeRaw(encodeSpHeader(selfProtocol));
    this.#readLoop();
    return result;
  }

  start(sink: ConnectionSink): void {
    this.#sink = sink;
    for (const payload of this.#early) sink.message(payload);
    this.#early = [];
    if (this.#closed) sink.closed(this.#closeReason);
  }

  send(payload: Uint8Array, header?: Uint8Array): void {
    if (this.#closed) return;
    const prefix = this.#format.typeByte === undefined ? 8 : 9;
    const headerLength = header?.length ?? 0;
    const size = headerLength + payload.length;
    this.#pending += prefix + size;
    const needed = this.#batchLength + prefix + headerLength + (payload.length < COPY_MAX ? payload.length : 0);
    if (needed > this.#batch.length) this.#growBatch(needed);
    const b = this.#batch;
    let p = this.#batchLength;
    if (this.#format.typeByte !== undefined) b[p++] = this.#format.typeByte;
    const hi = Math.floor(size / 2 ** 32);
    b[p] = hi >>> 24;
    b[p + 1] = hi >>> 16;
    b[p + 2] = hi >>> 8;
    b[p + 3] = hi;
    b[p + 4] = size >>> 24;
    b[p + 5] = size >>> 16;
    b[p + 6] = size >>> 8;
    b[p + 7] = size;
    p += 8;
    if (headerLength > 0) {
      b.set(header!, p);
      p += headerLength;
    }
    if (payload.length < COPY_MAX) {
      b.set(payload, p);
      this.#batchLength = p + payload.length;
    } else {
      this.#batchLength = p;
      this.#sealBatch();
      this.#segments.push(payload);
    }
    this.#scheduleFlush();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const wake = this.#resume;
    this.#resume = undefined;
    wake?.();
  }

  close(): void {
    this.#shutdown(undefined);
  }

  #fail(reason: SpError): void {
    this.#shutdown(reason);
  }

  #shutdown(reason: SpError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    try {
      this.#conn.close();
    } catch { /* already closed by the peer */ }
    this.#segments = [];
    this.#batchLength = 0;
    this.#headerFailed?.(reason ?? new SpError("EPROTO", `${this.description}: closed during the SP handshake`));
    this.#peerHeader = this.#headerFailed = undefined;
    this.resume();
    this.#sink?.closed(reason);
  }

  #onHeader(bytes: Uint8Array): void {
    // A bad header throws into the read loop, whose failure rejects the handshake.
    const protocol = decodeSpHeader(bytes);
    const resolve = this.#peerHeader;
    this.#peerHeader = this.#headerFailed = undefined;
    resolve?.(protocol);
  }

  #onFrame(payload: Uint8Array): void {
    if (this.#sink !== undefined) this.#sink.message(payload);
    else this.#early.push(payload);
  }

  async #readLoop(): Promise<void> {
    try {
      while (!this.#closed) {
        if (this.#paused) {
          await new Promise<void>((resolve) => this.#resume = resolve);
          continue;
        }
        const target = this.#decoder.readTarget();
        const n = await this.#conn.read(target);
        if (this.#closed) return;
        if (n === null) {
          this.#shutdown(
            this.#decoder.midFrame
              ? new SpError("EPROTO", `${this.description}: peer closed the connection in the middle of a frame`)
              : undefined,
          );
          return;
        }
        this.#decoder.advance(n);
      }
    } catch (err) {
      if (this.#closed) return;
      this.#fail(
        err instanceof SpError
          ? err
          : new SpError("ECONNRESET", `${this.description}: ${(err as Error).message}`, { cause: err }),
      );
    }
  }

  #growBatch(needed: number): void {
    if (this.#batchLength === 0 && this.#spare !== undefined && this.#spare.length >= needed) {
      this.#batch = this.#spare;
      this.#spare = undefined;
      return;
    }
    let size = Math.max(this.#batch.length * 2, BATCH_INITIAL);
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    this.#batchBuffers.add(next.buffer);
    next.set(this.#batch.subarray(0, this.#batchLength));
    this.#batch = next;
  }

  /** Moves the batch buffer's bytes into the segment list. */
  #sealBatch(): void {
    if (this.#batchLength === 0) return;
    this.#segments.push(this.#batch.subarray(0, this.#batchLength));
    this.#batch = NO_BYTES;
    this.#batchLength = 0;
  }

  #writeRaw(bytes: Uint8Array): void {
    this.#pending += bytes.length;
    this.#sealBatch();
    this.#segments.push(bytes);
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#writing) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#writing || this.#closed) return;
    this.#writing = true;
    try {
      while (!this.#closed) {
        this.#sealBatch();
        const segments = this.#segments;
        if (segments.length === 0) break;
        this.#segments = [];
        for (const segment of segments) {
          let off = 0;
          while (off < segment.length) {
            off += await this.#conn.write(segment.subarray(off));
            if (this.#closed) return;
          }
          this.#pending -= segment.length;
          if (this.#batchBuffers.has(segment.buffer)) this.#spare = new Uint8Array(segment.buffer);
        }
        this.#sink?.drained();
      }
      this.#spare = undefined; // all written: an idle connection keeps no buffer
    } catch (err) {
      this.#fail(
        new SpError("ECONNRESET", `${this.description}: write failed: ${(err as Error).message}`, { cause: err }),
      );
    } finally {
      this.#writing = false;
    }
  }
}
