/**
 * Incremental RFC 6455 decoder for the SP WebSocket mapping: frames in,
 * whole messages out (fragments reassembled), control frames reported.
 * Like the stream mappings' decoder it hands out the buffer to read into,
 * so a message that fits in one read is a view of the read chunk and a
 * large frame is read straight into the message buffer. The message size
 * limit (RCVMAXSIZE) is checked against the reassembled size as each
 * frame header arrives, before anything is allocated for it.
 *
 * Anything RFC 6455 forbids, or SP over WebSocket does not use, is a typed
 * {@linkcode SpError} (EPROTO, or EMSGSIZE for a message over the limit):
 * RSV bits (no extension is ever negotiated), unknown opcodes, a server
 * seeing unmasked frames or a client seeing masked ones, control frames
 * over 125 bytes or fragmented, a 64-bit length with its top bit set,
 * continuation frames out of place, invalid UTF-8 in a text message.
 *
 * @module
 */

import { SpError } from "../../core/errors.ts";
import {
  applyMask,
  CLOSE_NO_STATUS,
  CONTROL_PAYLOAD_MAX,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  WORD_MASK_MIN,
} from "./frame.ts";

/** The largest read chunk, and the threshold for reading a big frame in place. */
const CHUNK = 64 * 1024;
/** The first read chunk: small, so an idle connection holds little memory. */
const CHUNK_FIRST = 1024;
/** A message buffer starts at most this large and then grows as bytes arrive. */
const PREALLOCATE_MAX = 4 * 1024 * 1024;
/** Above this a message cannot be held in one JavaScript typed array. */
const HARD_MAX = 2 ** 32 - 1;

/** What the decoder finds. */
export interface WsFrameHandler {
  /** One whole SP message (all its fragments). */
  message(payload: Uint8Array): void;
  /** A ping; the connection answers with a pong carrying `payload`. */
  ping(payload: Uint8Array): void;
  /** The peer's close frame; `code` is 1005 when it carried none. */
  close(code: number): void;
}

/** How the decoder is set up. */
export interface WsDecoderOptions {
  /** `server` expects masked frames (from clients), `client` unmasked ones. */
  role: "server" | "client";
  /** Largest message accepted in bytes; -1 is unlimited. */
  maxSize: number;
  /** Allocates every buffer the decoder uses (tests watch sizes through it). */
  allocate?: (size: number) => Uint8Array;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const FIN_BINARY = 0x80 | OP_BINARY;

/** Unmasks `b[from, to)` in place with key bytes k0..k3 (a small payload: no word view). */
function unmaskSmall(b: Uint8Array, from: number, to: number, k0: number, k1: number, k2: number, k3: number): void {
  let i = from;
  for (; i + 3 < to; i += 4) {
    b[i] = b[i]! ^ k0;
    b[i + 1] = b[i + 1]! ^ k1;
    b[i + 2] = b[i + 2]! ^ k2;
    b[i + 3] = b[i + 3]! ^ k3;
  }
  if (i < to) b[i] = b[i++]! ^ k0;
  if (i < to) b[i] = b[i++]! ^ k1;
  if (i < to) b[i] = b[i]! ^ k2;
}

/**
 * Stateful decoder; call `readTarget()`, read into it, then `advance(n)`.
 *
 * @example Usage
 * ```ts
 * import { WsFrameDecoder } from "./frame_decoder.ts";
 * const got: Uint8Array[] = [];
 * const dec = new WsFrameDecoder({ role: "client", maxSize: -1 }, {
 *   message: (m) => got.push(m),
 *   ping() {},
 *   close() {},
 * });
 * const frame = [0x82, 2, 104, 105];
 * dec.readTarget().set(frame);
 * dec.advance(frame.length);
 * console.log(new TextDecoder().decode(got[0])); // "hi"
 * ```
 */
export class WsFrameDecoder {
  readonly #server: boolean;
  readonly #maxSize: number;
  readonly #handler: WsFrameHandler;
  readonly #allocate: (size: number) => Uint8Array;

  #chunk: Uint8Array;
  #chunkSize = CHUNK_FIRST;
  #start = 0;
  #end = 0;
  #directRead = false;
  #closed = false; // a close frame arrived: ignore whatever follows

  // The frame being read (after its header).
  #inFrame = false;
  #opcode = 0;
  #fin = false;
  #maskKey = new Uint8Array(4);
  #masked = false;
  #frameRemaining = 0;
  #frameDone = 0; // payload bytes of this frame seen so far (the mask phase)

  // The message being assembled from data frames.
  #inMessage = false;
  #messageText = false;
  #body: Uint8Array | undefined;
  #filled = 0;

  // A control frame's payload.
  #control = new Uint8Array(CONTROL_PAYLOAD_MAX);

  /**
   * @param options role, size limit and allocator
   * @param handler receives messages and control frames
   */
  constructor(options: WsDecoderOptions, handler: WsFrameHandler) {
    this.#server = options.role === "server";
    this.#maxSize = options.maxSize;
    this.#handler = handler;
    this.#allocate = options.allocate ?? ((size) => new Uint8Array(size));
    this.#chunk = this.#allocate(0);
  }

  /** Whether a frame or a fragmented message has been started but not finished. */
  get midMessage(): boolean {
    return this.#inFrame || this.#inMessage || this.#end > this.#start;
  }

  /** The buffer the next read should fill. */
  readTarget(): Uint8Array {
    if (this.#inFrame && this.#isData() && this.#start === this.#end && this.#frameRemaining >= CHUNK) {
      this.#directRead = true;
      this.#reserve(CHUNK);
      const room = Math.min(this.#body!.length - this.#filled, this.#frameRemaining);
      return this.#body!.subarray(this.#filled, this.#filled + room);
    }
    this.#directRead = false;
    if (this.#chunk.length - this.#end < this.#chunkSize / 4) {
      const left = this.#end - this.#start; // at most a partial frame header
      const next = this.#allocate(Math.max(this.#chunkSize, 2 * left));
      next.set(this.#chunk.subarray(this.#start, this.#end));
      this.#chunk = next;
      this.#start = 0;
      this.#end = left;
    }
    return this.#chunk.subarray(this.#end);
  }

  /**
   * Parses `n` bytes just read into `readTarget()`.
   *
   * @throws {SpError} EPROTO or EMSGSIZE on bad input
   */
  advance(n: number): void {
    if (this.#closed) return;
    if (this.#directRead) {
      const start = this.#filled;
      this.#filled += n;
      this.#payloadArrived(this.#body!.subarray(start, this.#filled));
      return;
    }
    if (this.#end + n === this.#chunk.length && this.#chunkSize < CHUNK) this.#chunkSize *= 2;
    this.#end += n;
    this.#parse();
  }

  #isData(): boolean {
    return this.#opcode < 0x8;
  }

  #parse(): void {
    const chunk = this.#chunk;
    const server = this.#server;
    const end = this.#end;
    while (this.#start < end && !this.#closed) {
      // The common case first: a whole binary message under 64 KiB in one frame, all in the chunk.
      const p = this.#start;
      if (!this.#inFrame && !this.#inMessage && chunk[p] === FIN_BINARY && end - p >= 4) {
        const b1 = chunk[p + 1]!;
        const len7 = b1 & 0x7f;
        const wide = len7 === 126;
        const length = wide ? (chunk[p + 2]! << 8) | chunk[p + 3]! : len7;
        const keyAt = wide ? p + 4 : p + 2;
        const from = server ? keyAt + 4 : keyAt;
        const allowed = this.#maxSize < 0 || length <= this.#maxSize; // else the full path below refuses it
        if (len7 <= 126 && (b1 >= 0x80) === server && end - from >= length && allowed) {
          const to = from + length;
          if (server && length < WORD_MASK_MIN) {
            unmaskSmall(chunk, from, to, chunk[keyAt]!, chunk[keyAt + 1]!, chunk[keyAt + 2]!, chunk[keyAt + 3]!);
          } else if (server) {
            applyMask(chunk.subarray(from, to), chunk, 0, keyAt);
          }
          this.#start = to;
          this.#handler.message(chunk.subarray(from, to));
          continue;
        }
      }
      if (!this.#inFrame) {
        if (!this.#readHeader(chunk)) return;
        if (this.#frameRemaining === 0) this.#frameComplete();
        continue;
      }
      const take = Math.min(this.#end - this.#start, this.#frameRemaining);
      if (!this.#isData()) {
        this.#control.set(chunk.subarray(this.#start, this.#start + take), this.#frameDone);
        this.#start += take;
        this.#consumeControl(take);
        continue;
      }
      // A whole unfragmented message in the chunk: hand out a view, no copy.
      if (!this.#inMessage && this.#fin && this.#frameDone === 0 && take === this.#frameRemaining) {
        const payload = chunk.subarray(this.#start, this.#start + take);
        this.#start += take;
        if (this.#masked) applyMask(payload, this.#maskKey, 0);
        this.#inFrame = false;
        this.#deliver(payload, this.#opcode === OP_TEXT);
        continue;
      }
      this.#reserve(take);
      const target = this.#body!.subarray(this.#filled, this.#filled + take);
      target.set(chunk.subarray(this.#start, this.#start + take));
      this.#start += take;
      this.#filled += take;
      this.#payloadArrived(target);
    }
  }

  /** Parses one frame header at `#start`; false when it is not all there yet. */
  #readHeader(chunk: Uint8Array): boolean {
    const available = this.#end - this.#start;
    if (available < 2) return false;
    let p = this.#start;
    const b0 = chunk[p]!;
    const b1 = chunk[p + 1]!;
    const len7 = b1 & 0x7f;
    const masked = (b1 & 0x80) !== 0;
    const headerLength = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
    if (available < headerLength) {
      this.#checkFirstBytes(b0, masked, len7); // fail early on what is already wrong
      return false;
    }
    this.#checkFirstBytes(b0, masked, len7);
    p += 2;
    let length = len7;
    if (len7 === 126) {
      length = (chunk[p]! << 8) | chunk[p + 1]!;
      p += 2;
    } else if (len7 === 127) {
      const hi = (chunk[p]! << 24 >>> 0) + (chunk[p + 1]! << 16) + (chunk[p + 2]! << 8) + chunk[p + 3]!;
      const lo = (chunk[p + 4]! << 24 >>> 0) + (chunk[p + 5]! << 16) + (chunk[p + 6]! << 8) + chunk[p + 7]!;
      if (hi >= 2 ** 31) throw new SpError("EPROTO", "frame length has its most significant bit set (RFC 6455 §5.2)");
      if (hi >= 2 ** 21) this.#tooBig(`${hi}·2^32+${lo}`);
      length = hi * 2 ** 32 + lo;
      p += 8;
    }
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    if (opcode >= 0x8) {
      if (length > CONTROL_PAYLOAD_MAX) {
        throw new SpError("EPROTO", `control frame of ${length} bytes; at most ${CONTROL_PAYLOAD_MAX} allowed`);
      }
      if (!fin) throw new SpError("EPROTO", "fragmented control frame");
    } else {
      const total = (opcode === OP_CONTINUATION ? this.#filled : 0) + length;
      if (total > HARD_MAX || (this.#maxSize >= 0 && total > this.#maxSize)) this.#tooBig(String(total));
      if (opcode === OP_CONTINUATION) {
        if (!this.#inMessage) throw new SpError("EPROTO", "continuation frame without a message to continue");
      } else {
        if (this.#inMessage) throw new SpError("EPROTO", "new data frame inside a fragmented message");
        this.#messageText = opcode === OP_TEXT;
        this.#filled = 0;
        this.#body = undefined;
        if (!fin) this.#inMessage = true;
      }
    }
    if (masked) {
      this.#maskKey.set(chunk.subarray(p, p + 4));
      p += 4;
    }
    this.#start = p;
    this.#inFrame = true;
    this.#opcode = opcode;
    this.#fin = fin;
    this.#masked = masked;
    this.#frameRemaining = length;
    this.#frameDone = 0;
    return true;
  }

  #checkFirstBytes(b0: number, masked: boolean, len7: number): void {
    if ((b0 & 0x70) !== 0) throw new SpError("EPROTO", "RSV bits set, but no extension was negotiated");
    const opcode = b0 & 0x0f;
    if (opcode !== OP_CONTINUATION && opcode !== OP_TEXT && opcode !== OP_BINARY && opcode < OP_CLOSE) {
      throw new SpError("EPROTO", `unknown data opcode 0x${opcode.toString(16)}`);
    }
    if (opcode > OP_PONG) throw new SpError("EPROTO", `unknown control opcode 0x${opcode.toString(16)}`);
    if (masked !== this.#server) {
      throw new SpError(
        "EPROTO",
        this.#server ? "unmasked frame from a client (RFC 6455 §5.1)" : "masked frame from a server (RFC 6455 §5.1)",
      );
    }
    if (opcode >= OP_CLOSE && len7 > CONTROL_PAYLOAD_MAX) {
      throw new SpError("EPROTO", `control frame over ${CONTROL_PAYLOAD_MAX} bytes`);
    }
  }

  #tooBig(size: string): never {
    const limit = this.#maxSize >= 0 ? this.#maxSize : HARD_MAX;
    throw new SpError("EMSGSIZE", `peer sent a ${size}-byte message; the limit is ${limit} (RCVMAXSIZE)`);
  }

  /** Data payload bytes just copied or read into the message buffer. */
  #payloadArrived(bytes: Uint8Array): void {
    if (this.#masked) applyMask(bytes, this.#maskKey, this.#frameDone);
    this.#frameDone += bytes.length;
    this.#frameRemaining -= bytes.length;
    if (this.#frameRemaining === 0) this.#frameComplete();
  }

  #consumeControl(n: number): void {
    this.#frameDone += n;
    this.#frameRemaining -= n;
    if (this.#frameRemaining === 0) this.#frameComplete();
  }

  #frameComplete(): void {
    this.#inFrame = false;
    if (this.#isData()) {
      if (!this.#fin) return;
      const body = this.#body;
      const payload = body === undefined ? this.#allocate(0) : body.subarray(0, this.#filled);
      this.#inMessage = false;
      this.#body = undefined;
      this.#filled = 0;
      this.#deliver(payload, this.#messageText);
      return;
    }
    const payload = this.#control.subarray(0, this.#frameDone);
    if (this.#masked) applyMask(payload, this.#maskKey, 0);
    if (this.#opcode === OP_PING) {
      this.#handler.ping(payload.slice());
    } else if (this.#opcode === OP_CLOSE) {
      if (payload.length === 1) throw new SpError("EPROTO", "close frame with a 1-byte payload");
      if (this.#inMessage) throw new SpError("EPROTO", "peer closed in the middle of a fragmented message");
      this.#closed = true;
      this.#handler.close(payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : CLOSE_NO_STATUS);
    }
    // A pong needs nothing.
  }

  #deliver(payload: Uint8Array, text: boolean): void {
    if (text) {
      try {
        utf8.decode(payload);
      } catch {
        throw new SpError("EPROTO", "text message is not valid UTF-8");
      }
    }
    this.#handler.message(payload);
  }

  /**
   * Makes room for `n` more message bytes. The first buffer is the size
   * announced so far (up to 4 MiB); then it doubles as bytes arrive, up to
   * the final size once the last fragment is known, else up to the limit.
   */
  #reserve(n: number): void {
    const body = this.#body;
    const needed = this.#filled + n;
    if (body !== undefined && needed <= body.length) return;
    const announced = this.#filled + this.#frameRemaining;
    const cap = this.#fin ? announced : this.#maxSize >= 0 ? this.#maxSize : HARD_MAX;
    const size = body === undefined
      ? Math.min(announced, Math.max(needed, PREALLOCATE_MAX))
      : Math.min(cap, Math.max(needed, body.length * 2));
    const grown = this.#allocate(size);
    if (body !== undefined) grown.set(body.subarray(0, this.#filled));
    this.#body = grown;
  }
}
