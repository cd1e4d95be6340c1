/**
 * A {@linkcode Connection} over a Deno byte stream (tcp or unix socket):
 * SP header exchange, frame decoding and coalesced writes. Shared by the
 * stream transports; each passes its own {@linkcode FrameFormat}.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";
import { SEND_COPY_MIN } from "../core/message.ts";
import type { Connection, ConnectionSink } from "../core/transport.ts";
import { FrameDecoder, type FrameFormat } from "./_frame_decoder.ts";
import { Outbound } from "./_outbound.ts";
import { decodeSpHeader, encodeSpHeader } from "./_sp_header.ts";

/** The byte stream a {@linkcode StreamConnection} runs on: what `Deno.Conn` offers. */
export interface ByteStream {
  /** Reads into `buffer`; null at end of stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `data`; resolves with how much. */
  write(data: Uint8Array): Promise<number>;
  /** Closes both directions. */
  close(): void;
  /**
   * Whether each read allocates memory of its own, left to the garbage
   * collector (node sockets hand every chunk over in a new buffer). The
   * decoder then takes new memory for each read chunk rather than reusing
   * chunks given back: the collector is prompted by allocations it sees,
   * and over node:tls those were only ours (tls+tcp 1 MiB, receiving into
   * a buffer: peak RSS 213 MB with new chunks, 760 MB reusing them).
   */
  readonly readsAllocate?: boolean;
}

/** Optional settings of a {@linkcode StreamConnection}. */
export interface StreamConnectionExtras {
  /** Our and the peer's address, when the transport knows them. */
  readonly addresses?: { readonly local: string; readonly remote: string };
  /** ms a write may wait for the peer to take any byte; 0 or absent waits forever. */
  readonly sendStallTimeout?: number;
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
  readonly localAddress: string | undefined;
  readonly remoteAddress: string | undefined;
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

  readonly #out: Outbound;

  /**
   * @param conn the connected stream
   * @param format the frame layout of the mapping
   * @param maxSize largest payload accepted; -1 is unlimited
   * @param description e.g. `tcp 127.0.0.1:5555`
   * @param extras our and the peer's address when the transport knows them, and
   *   `sendStallTimeout`: ms a write may wait for the peer to take any byte
   *   before the connection is taken for dead (ETIMEDOUT); 0 (default) waits forever
   */
  constructor(
    conn: ByteStream,
    format: FrameFormat,
    maxSize: number,
    description: string,
    extras: StreamConnectionExtras = {},
  ) {
    this.#conn = conn;
    this.#format = format;
    this.description = description;
    this.localAddress = extras.addresses?.local;
    this.remoteAddress = extras.addresses?.remote;
    this.#decoder = new FrameDecoder(format, maxSize, {
      reuseChunks: conn.readsAllocate !== true,
      header: (bytes) => this.#onHeader(bytes),
      frame: (payload) => this.#onFrame(payload),
    });
    this.#out = new Outbound(conn, {
      drained: () => this.#sink?.drained(),
      failed: (err) =>
        this.#fail(
          err instanceof SpError
            ? err
            : new SpError("ECONNRESET", `${this.description}: write failed: ${(err as Error).message}`, { cause: err }),
        ),
    }, { sendStallTimeout: extras.sendStallTimeout, description });
  }

  get pendingBytes(): number {
    return this.#out.pending;
  }

  handshake(selfProtocol: number, signal: AbortSignal): Promise<number> {
    const result = new Promise<number>((resolve, reject) => {
      this.#peerHeader = resolve;
      this.#headerFailed = reject;
    });
    const onAbort = () => this.#fail(new SpError("ETIMEDOUT", `${this.description}: SP handshake timed out`));
    signal.addEventListener("abort", onAbort, { once: true });
    result.finally(() => signal.removeEventListener("abort", onAbort)).catch(() => {});
    const greeting = encodeSpHeader(selfProtocol);
    this.#out.pending += greeting.length;
    this.#out.segment(greeting);
    this.#out.schedule();
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
    const out = this.#out;
    const prefix = this.#format.typeByte === undefined ? 8 : 9;
    const headerLength = header?.length ?? 0;
    const size = headerLength + payload.length;
    out.pending += prefix + size;
    const b = out.reserve(prefix + headerLength + (payload.length < SEND_COPY_MIN ? payload.length : 0));
    let p = out.length;
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
    // Bodies of SEND_COPY_MIN or more are the socket's copy: written from where they are.
    if (payload.length < SEND_COPY_MIN) {
      b.set(payload, p);
      out.length = p + payload.length;
    } else {
      out.length = p;
      out.segment(payload);
    }
    out.schedule();
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
    this.#out.stop();
    this.#decoder.close();
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
}
