/**
 * The outbound half of a connection over a byte stream: small frames are
 * packed into one batch buffer, large payloads go out from their own
 * buffers, and everything queued in one tick leaves in one flush. Shared by
 * the stream mappings (tcp, ipc, tls+tcp) and the WebSocket mapping, which
 * each write their own frame prefixes into the batch.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";
import { sendCopies } from "../core/send_copies.ts";
import { batchPool } from "./_batch_pool.ts";
import type { ByteStream } from "./_stream_connection.ts";

const NO_BYTES = new Uint8Array(0);

/** What an {@linkcode Outbound} tells its connection. */
export interface OutboundEvents {
  /** Bytes were written; `pending` went down. */
  drained(): void;
  /** A write failed; the outbound queue has stopped. */
  failed(error: unknown): void;
}

/** How an {@linkcode Outbound} watches its writes. */
export interface OutboundOptions {
  /**
   * ms a write may wait for the peer to take any byte before the
   * connection is taken for dead (`failed` with ETIMEDOUT); 0 (default)
   * waits forever.
   */
  readonly sendStallTimeout?: number;
  /** Names the connection in the stall error, e.g. `tcp 127.0.0.1:5555`. */
  readonly description?: string;
}

/**
 * Queued outbound bytes of one connection. The caller writes a frame by
 * `reserve(n)`, filling `batch` from `length` on and moving `length` past
 * what it wrote, or hands a large buffer to `segment()`; then `schedule()`.
 *
 * @example Usage
 * ```ts ignore
 * const out = new Outbound(conn, { drained() {}, failed() {} });
 * const b = out.reserve(2);
 * b[out.length++] = 0x82;
 * b[out.length++] = 0x00;
 * out.pending += 2;
 * out.schedule();
 * ```
 */
export class Outbound {
  /** The batch buffer small frames are written into (valid after `reserve`). */
  batch: Uint8Array = NO_BYTES;
  /** Bytes of `batch` in use. */
  length = 0;
  /** Bytes queued and not yet written; the caller adds, the flush subtracts. */
  pending = 0;

  readonly #stream: ByteStream;
  readonly #events: OutboundEvents;
  // Batches come from the shared pool and go back as soon as they are
  // written, so an idle connection holds none.
  #segments: Uint8Array[] = [];
  #flushScheduled = false;
  #writing = false;
  #stopped = false;
  readonly #sendStallTimeout: number;
  readonly #description: string;

  /**
   * @param stream where the bytes go
   * @param events progress and failure reports
   * @param options the send-stall watchdog
   */
  constructor(stream: ByteStream, events: OutboundEvents, options: OutboundOptions = {}) {
    this.#stream = stream;
    this.#events = events;
    this.#sendStallTimeout = options.sendStallTimeout ?? 0;
    this.#description = options.description ?? "connection";
  }

  /**
   * Makes room for `n` more bytes in the batch.
   *
   * @returns the batch, to fill from `length` on
   */
  reserve(n: number): Uint8Array {
    const needed = this.length + n;
    if (needed <= this.batch.length) return this.batch;
    const next = batchPool.take(Math.max(needed, 2 * this.batch.length));
    next.set(this.batch.subarray(0, this.length));
    if (this.batch !== NO_BYTES) batchPool.give(this.batch);
    this.batch = next;
    return next;
  }

  /** Queues `bytes` as they are, after what the batch holds (the caller counts them in `pending`). */
  segment(bytes: Uint8Array): void {
    this.#seal();
    // A socket's send copy stays ours until written (released after the write).
    sendCopies.hold(bytes);
    this.#segments.push(bytes);
  }

  /** Flushes at the end of this tick, so writes issued together leave together. */
  schedule(): void {
    if (this.#flushScheduled || this.#writing || this.#stopped) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  /** Drops everything queued; nothing is written after this. */
  stop(): void {
    this.#stopped = true;
    this.#segments = [];
    // Not being written: the pool can have it.
    if (this.batch !== NO_BYTES) batchPool.give(this.batch);
    this.batch = NO_BYTES;
    this.length = 0;
  }

  /** Moves the batch buffer's bytes into the segment list. */
  #seal(): void {
    if (this.length === 0) return;
    this.#segments.push(this.batch.subarray(0, this.length));
    this.batch = NO_BYTES;
    this.length = 0;
  }

  /**
   * Awaits a write that may never end: a peer that vanished behind a
   * network (no FIN, no RST) stops taking bytes once the kernel's buffer
   * is full, and TCP itself gives up only after ~15 minutes of
   * retransmissions. Past the stall timeout the queue stops and reports
   * the connection failed, so it is closed, the dialer reconnects and the
   * protocol stops routing into it. (The write itself ends when the
   * connection closes the stream.)
   */
  async #watched(writing: Promise<number>): Promise<number> {
    const timer = setTimeout(() => {
      if (this.#stopped) return;
      this.stop();
      this.#events.failed(
        new SpError(
          "ETIMEDOUT",
          `${this.#description}: the peer took none of our bytes for ${this.#sendStallTimeout} ms; taken for dead`,
        ),
      );
    }, this.#sendStallTimeout);
    try {
      return await writing;
    } finally {
      clearTimeout(timer);
    }
  }

  async #flush(): Promise<void> {
    if (this.#writing || this.#stopped) return;
    this.#writing = true;
    try {
      while (!this.#stopped) {
        this.#seal();
        const segments = this.#segments;
        if (segments.length === 0) break;
        this.#segments = [];
        for (const segment of segments) {
          let off = 0;
          while (off < segment.length) {
            const writing = this.#stream.write(segment.subarray(off));
            off += this.#sendStallTimeout > 0 ? await this.#watched(writing) : await writing;
            if (this.#stopped) return;
          }
          this.pending -= segment.length;
          // Written: the next batch (this connection's or another's) can reuse
          // it, and a send copy is one holder freer.
          if (batchPool.owns(segment.buffer)) batchPool.give(new Uint8Array(segment.buffer));
          else sendCopies.release(segment);
        }
        this.#events.drained();
      }
    } catch (err) {
      if (!this.#stopped) {
        this.stop();
        this.#events.failed(err);
      }
    } finally {
      this.#writing = false;
    }
  }
}
