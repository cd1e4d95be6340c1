/**
 * A {@linkcode Connection} speaking SP over WebSocket on a byte stream (a
 * tcp or TLS connection): our own RFC 6455 implementation, because Deno's
 * `WebSocket` sends every message as one frame (nng refuses frames over
 * 1 MiB) and has no back-pressure. One SP message is one WebSocket
 * message; messages over 1 MiB go out as 1 MiB fragments; client frames
 * are masked; pings are answered; the handshake runs inside `handshake()`,
 * so the pipe's handshake timeout bounds the HTTP upgrade too.
 *
 * @module
 */

import { SpError } from "../../core/errors.ts";
import { SEND_COPY_MIN } from "../../core/message.ts";
import type { Connection, ConnectionSink } from "../../core/transport.ts";
import { Outbound } from "../_outbound.ts";
import type { ByteStream } from "../_stream_connection.ts";
import {
  applyMask,
  copyMasked,
  encodeFrame,
  FIN,
  FRAGMENT_SIZE,
  frameHeaderLength,
  maskedCopy,
  MaskKeys,
  OP_BINARY,
  OP_CONTINUATION,
  OP_PONG,
  WORD_MASK_MIN,
  writeFrameHeader,
} from "./frame.ts";
import { WsFrameDecoder } from "./frame_decoder.ts";
import {
  checkUpgradeResponse,
  chooseSubprotocol,
  headEnd,
  newClientKey,
  parseHttpHead,
  peerOf,
  refusalResponse,
  subprotocol,
  UpgradeRefused,
  type UpgradeRequest,
  upgradeRequest,
  upgradeResponse,
} from "./handshake.ts";

/** How a dialed connection opens: the request it sends. */
export interface WsClientSetup {
  /** We dialed. */
  readonly role: "client";
  /** The `Host` header, e.g. `127.0.0.1:5555`. */
  readonly host: string;
  /** The request target, e.g. `/` or `/chat?x=1`. */
  readonly target: string;
}

/** How an accepted connection opens: the request the server already read. */
export interface WsServerSetup {
  /** We accepted. */
  readonly role: "server";
  /** The client's valid upgrade request. */
  readonly request: UpgradeRequest;
  /** Bytes that followed the request's head. */
  readonly early: Uint8Array;
}

const HEAD_READ = 1024;

/**
 * One SP-over-WebSocket connection.
 *
 * @example Usage
 * ```ts ignore
 * const tcp = await Deno.connect({ port: 5555 });
 * const conn = new WsConnection(tcp, { role: "client", host: "127.0.0.1:5555", target: "/" }, -1, "ws 127.0.0.1:5555");
 * const peer = await conn.handshake(0x30, AbortSignal.timeout(1000)); // 0x31: a REP answered
 * ```
 */
export class WsConnection implements Connection {
  readonly description: string;
  readonly #stream: ByteStream;
  readonly #setup: WsClientSetup | WsServerSetup;
  readonly #decoder: WsFrameDecoder;
  readonly #out: Outbound;
  readonly #keys: MaskKeys | undefined; // clients mask, servers do not

  #sink: ConnectionSink | undefined;
  #early: Uint8Array[] = []; // messages that arrived before start()
  #closed = false;
  #closeReason: SpError | undefined;
  #paused = false;
  #resume: (() => void) | undefined;
  #handshakeFailed: ((err: SpError) => void) | undefined;

  /**
   * @param stream the connected byte stream
   * @param setup the client's request, or the request the server read
   * @param maxSize largest message accepted; -1 is unlimited
   * @param description e.g. `ws 127.0.0.1:5555`
   * @param sendStallTimeout ms a write may wait for the peer to take any
   *   byte before the connection is taken for dead (ETIMEDOUT); 0 waits forever
   */
  constructor(
    stream: ByteStream,
    setup: WsClientSetup | WsServerSetup,
    maxSize: number,
    description: string,
    sendStallTimeout = 0,
  ) {
    this.#stream = stream;
    this.#setup = setup;
    this.description = description;
    this.#keys = setup.role === "client" ? new MaskKeys() : undefined;
    this.#decoder = new WsFrameDecoder({ role: setup.role, maxSize }, {
      message: (payload) => {
        if (this.#sink !== undefined) this.#sink.message(payload);
        else this.#early.push(payload);
      },
      ping: (payload) => this.#control(OP_PONG, payload),
      close: () => this.#shutdown(undefined),
    });
    this.#out = new Outbound(stream, {
      drained: () => this.#sink?.drained(),
      failed: (err) =>
        this.#shutdown(
          err instanceof SpError
            ? err
            : new SpError("ECONNRESET", `${this.description}: write failed: ${(err as Error).message}`, { cause: err }),
        ),
    }, { sendStallTimeout, description });
  }

  get pendingBytes(): number {
    return this.#out.pending;
  }

  handshake(selfProtocol: number, signal: AbortSignal): Promise<number> {
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    this.#handshakeFailed = reject;
    const onAbort = () =>
      this.#shutdown(new SpError("ETIMEDOUT", `${this.description}: WebSocket handshake timed out`));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.finally(() => signal.removeEventListener("abort", onAbort)).catch(() => {});
    const opened = (peer: number) => {
      this.#handshakeFailed = undefined;
      resolve(peer);
    };
    if (this.#setup.role === "server") this.#accept(this.#setup, selfProtocol, opened);
    else this.#open(this.#setup, selfProtocol, opened);
    return promise;
  }

  start(sink: ConnectionSink): void {
    this.#sink = sink;
    for (const payload of this.#early) sink.message(payload);
    this.#early = [];
    if (this.#closed) sink.closed(this.#closeReason);
  }

  send(body: Uint8Array, header?: Uint8Array): void {
    if (this.#closed) return;
    const headerLength = header?.length ?? 0;
    const total = headerLength + body.length;
    if (total <= FRAGMENT_SIZE) {
      this.#frame(FIN | OP_BINARY, header, body);
    } else {
      for (let at = 0; at < total; at += FRAGMENT_SIZE) {
        const end = Math.min(total, at + FRAGMENT_SIZE);
        const first = (at === 0 ? OP_BINARY : OP_CONTINUATION) | (end === total ? FIN : 0);
        const headerPart = at < headerLength ? header!.subarray(at, Math.min(end, headerLength)) : undefined;
        this.#frame(first, headerPart, body.subarray(Math.max(0, at - headerLength), end - headerLength));
      }
    }
    this.#out.schedule();
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

  /** Server side: answer the request the listener read, then read frames. */
  async #accept(setup: WsServerSetup, selfProtocol: number, opened: (peer: number) => void): Promise<void> {
    let protocol: string;
    try {
      protocol = chooseSubprotocol(setup.request, selfProtocol);
    } catch (err) {
      this.#refuse(err as SpError);
      return;
    }
    let response: Uint8Array;
    try {
      response = await upgradeResponse(setup.request.key, protocol);
    } catch (err) {
      this.#shutdown(new SpError("EPROTO", `${this.description}: ${(err as Error).message}`, { cause: err }));
      return;
    }
    if (this.#closed) return;
    this.#raw(response);
    opened(protocol === "" ? 0x10 : peerOf(selfProtocol));
    this.#readLoop(setup.early);
  }

  /** Client side: send the request, read and check the answer, then read frames. */
  async #open(setup: WsClientSetup, selfProtocol: number, opened: (peer: number) => void): Promise<void> {
    let protocol: string;
    try {
      protocol = subprotocol(peerOf(selfProtocol));
    } catch (err) {
      this.#shutdown(err as SpError);
      return;
    }
    const key = newClientKey();
    this.#raw(upgradeRequest(setup.host, setup.target, key, protocol));
    try {
      const { head, rest } = await this.#readHead();
      await checkUpgradeResponse(parseHttpHead(head), key, protocol);
      if (this.#closed) return;
      opened(peerOf(selfProtocol));
      this.#readLoop(rest);
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Answers a refused request with its HTTP status, then closes. */
  #refuse(reason: SpError): void {
    const status = reason instanceof UpgradeRefused ? reason.status : 400;
    this.#stream.write(refusalResponse(status)).catch(() => {}).finally(() => this.#shutdown(reason));
  }

  /** Reads until the HTTP head is complete; returns it and whatever followed. */
  async #readHead(): Promise<{ head: Uint8Array; rest: Uint8Array }> {
    let buffer = new Uint8Array(HEAD_READ);
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        const grown = new Uint8Array(buffer.length * 2);
        grown.set(buffer);
        buffer = grown;
      }
      const n = await this.#stream.read(buffer.subarray(filled));
      if (n === null) throw new SpError("EPROTO", `${this.description}: server closed during the WebSocket handshake`);
      filled += n;
      const end = headEnd(buffer.subarray(0, filled));
      if (end >= 0) return { head: buffer.subarray(0, end), rest: buffer.subarray(end, filled) };
    }
  }

  async #readLoop(early: Uint8Array): Promise<void> {
    const decoder = this.#decoder;
    try {
      for (let at = 0; at < early.length && !this.#closed;) {
        const target = decoder.readTarget();
        const n = Math.min(target.length, early.length - at);
        target.set(early.subarray(at, at + n));
        at += n;
        decoder.advance(n);
      }
      while (!this.#closed) {
        if (this.#paused) {
          await new Promise<void>((resolve) => this.#resume = resolve);
          continue;
        }
        const target = decoder.readTarget();
        const n = await this.#stream.read(target);
        if (this.#closed) return;
        if (n === null) {
          this.#shutdown(
            decoder.midMessage
              ? new SpError("EPROTO", `${this.description}: peer closed the connection in the middle of a message`)
              : undefined,
          );
          return;
        }
        decoder.advance(n);
      }
    } catch (err) {
      this.#fail(err);
    }
  }

  #fail(err: unknown): void {
    if (this.#closed) return;
    this.#shutdown(
      err instanceof SpError
        ? err
        : new SpError("ECONNRESET", `${this.description}: ${(err as Error).message}`, { cause: err }),
    );
  }

  #shutdown(reason: SpError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    try {
      this.#stream.close();
    } catch { /* already closed by the peer */ }
    this.#out.stop();
    this.#handshakeFailed?.(
      reason ?? new SpError("EPROTO", `${this.description}: closed during the WebSocket handshake`),
    );
    this.#handshakeFailed = undefined;
    this.resume();
    this.#sink?.closed(reason);
  }

  /** Queues bytes as they are (the HTTP head). */
  #raw(bytes: Uint8Array): void {
    this.#out.pending += bytes.length;
    this.#out.segment(bytes);
    this.#out.schedule();
  }

  #control(opcode: number, payload: Uint8Array): void {
    if (this.#closed) return;
    this.#raw(encodeFrame(FIN | opcode, payload, this.#keys?.next()));
  }

  /**
   * Queues one frame whose payload is `headerPart` ++ `body`: small ones
   * are copied (and masked) into the batch, a large body goes out from its
   * own buffer (a masked copy when we are the client).
   */
  #frame(first: number, headerPart: Uint8Array | undefined, body: Uint8Array): void {
    const out = this.#out;
    const keys = this.#keys;
    const headerLength = headerPart?.length ?? 0;
    const length = headerLength + body.length;
    const inline = body.length < SEND_COPY_MIN;
    out.pending += frameHeaderLength(length, keys !== undefined) + length;
    const b = out.reserve(14 + headerLength + (inline ? body.length : 0));
    if (keys === undefined) {
      let p = writeFrameHeader(b, out.length, first, length, undefined);
      if (headerLength > 0) {
        b.set(headerPart!, p);
        p += headerLength;
      }
      if (inline) {
        b.set(body, p);
        out.length = p + body.length;
      } else {
        out.length = p;
        out.segment(body);
      }
      return;
    }
    const keyAt = keys.take();
    const key = keys.pool;
    let p = writeFrameHeader(b, out.length, first, length, key, keyAt);
    if (headerLength > 0) p = copyMasked(b, p, headerPart!, key, keyAt, 0);
    if (inline && body.length < WORD_MASK_MIN) {
      out.length = copyMasked(b, p, body, key, keyAt, headerLength);
      return;
    }
    if (inline) {
      b.set(body, p);
      applyMask(b.subarray(p, p + body.length), key, headerLength, keyAt);
      out.length = p + body.length;
      return;
    }
    out.length = p;
    out.segment(maskedCopy(body, key, keyAt, headerLength));
  }
}
