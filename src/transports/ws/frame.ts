/**
 * RFC 6455 framing as the SP WebSocket mapping uses it: opcodes, frame
 * headers, masking, and the sizes the real peers impose (nng refuses a
 * frame over 1 MiB, so longer messages go out as 1 MiB fragments, as nng's
 * own dialer sends them).
 *
 * ```
 *  0               1               2               3
 *  FIN RSV1-3 op   MASK len7       [len16 | len64]  [mask key]  payload
 * ```
 *
 * @module
 */

/** Continues a fragmented message. */
export const OP_CONTINUATION = 0x0;
/** A text data frame (UTF-8). */
export const OP_TEXT = 0x1;
/** A binary data frame: how SP messages travel. */
export const OP_BINARY = 0x2;
/** Closes the connection. */
export const OP_CLOSE = 0x8;
/** Asks for a pong. */
export const OP_PING = 0x9;
/** Answers a ping. */
export const OP_PONG = 0xa;
/** The FIN bit of the first header byte. */
export const FIN = 0x80;

/** Control frames (close, ping, pong) carry at most this many payload bytes, unfragmented. */
export const CONTROL_PAYLOAD_MAX = 125;
/** Outgoing messages above this are split into fragments of this size (nng refuses bigger frames). */
export const FRAGMENT_SIZE = 1024 * 1024;
/** The longest frame header: 2 bytes, a 64-bit length, a mask key. */
export const FRAME_HEADER_MAX = 14;

/** Close status: normal closure. */
export const CLOSE_NORMAL = 1000;
/** Close status: no status code was present. */
export const CLOSE_NO_STATUS = 1005;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Below this many bytes a byte loop beats making a word view. */
export const WORD_MASK_MIN = 256;

/**
 * The length of a frame header for a payload of `length` bytes.
 *
 * @example Usage
 * ```ts
 * import { frameHeaderLength } from "./frame.ts";
 * console.log(frameHeaderLength(64, true)); // 6
 * ```
 */
export function frameHeaderLength(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Writes a frame header at `b[p]`: `first` is FIN | opcode, then the
 * length in the shortest form, then the mask key if there is one (4
 * bytes of `maskKey` from `maskAt`).
 *
 * @example Usage
 * ```ts
 * import { FIN, OP_BINARY, writeFrameHeader } from "./frame.ts";
 * const b = new Uint8Array(14);
 * console.log(writeFrameHeader(b, 0, FIN | OP_BINARY, 300, undefined)); // 4
 * ```
 *
 * @returns the offset after the header
 */
export function writeFrameHeader(
  b: Uint8Array,
  p: number,
  first: number,
  length: number,
  maskKey: Uint8Array | undefined,
  maskAt = 0,
): number {
  const maskBit = maskKey === undefined ? 0 : 0x80;
  b[p++] = first;
  if (length < 126) {
    b[p++] = maskBit | length;
  } else if (length < 65536) {
    b[p++] = maskBit | 126;
    b[p++] = length >>> 8;
    b[p++] = length;
  } else {
    b[p++] = maskBit | 127;
    const hi = Math.floor(length / 2 ** 32);
    b[p++] = hi >>> 24;
    b[p++] = hi >>> 16;
    b[p++] = hi >>> 8;
    b[p++] = hi;
    b[p++] = length >>> 24;
    b[p++] = length >>> 16;
    b[p++] = length >>> 8;
    b[p++] = length;
  }
  if (maskKey !== undefined) {
    b[p++] = maskKey[maskAt]!;
    b[p++] = maskKey[maskAt + 1]!;
    b[p++] = maskKey[maskAt + 2]!;
    b[p++] = maskKey[maskAt + 3]!;
  }
  return p;
}

/**
 * XORs `bytes` in place with the mask key (4 bytes of `key` from
 * `keyAt`), starting at key byte `phase` (the offset of `bytes[0]` in its
 * frame's payload). Masking twice unmasks.
 *
 * @example Usage
 * ```ts
 * import { applyMask } from "./frame.ts";
 * const bytes = new Uint8Array([1, 2, 3]);
 * applyMask(bytes, new Uint8Array([1, 1, 1, 1]), 0);
 * console.log([...bytes]); // [0, 3, 2]
 * ```
 */
export function applyMask(bytes: Uint8Array, key: Uint8Array, phase: number, keyAt = 0): void {
  const n = bytes.length;
  let i = 0;
  if (n >= WORD_MASK_MIN) {
    const base = bytes.byteOffset;
    while (((base + i) & 3) !== 0) {
      bytes[i] = bytes[i]! ^ key[keyAt + ((phase + i) & 3)]!;
      i++;
    }
    const words = (n - i) >>> 2;
    const word = keyWord(key, keyAt, phase + i);
    const view = new Int32Array(bytes.buffer, base + i, words);
    for (let j = 0; j < words; j++) view[j] = view[j]! ^ word;
    i += words * 4;
  }
  for (; i < n; i++) bytes[i] = bytes[i]! ^ key[keyAt + ((phase + i) & 3)]!;
}

/** The mask key as one native-endian word, rotated to start at key byte `phase`. */
function keyWord(key: Uint8Array, at: number, phase: number): number {
  const k0 = key[at + (phase & 3)]!, k1 = key[at + ((phase + 1) & 3)]!;
  const k2 = key[at + ((phase + 2) & 3)]!, k3 = key[at + ((phase + 3) & 3)]!;
  return LITTLE_ENDIAN ? (k0 | (k1 << 8) | (k2 << 16) | (k3 << 24)) : ((k0 << 24) | (k1 << 16) | (k2 << 8) | k3);
}

/**
 * A masked copy of `src` (key at `key[keyAt]`, starting at key byte
 * `phase`), made in one pass of 32-bit words when `src` is word-aligned.
 *
 * @example Usage
 * ```ts
 * import { maskedCopy } from "./frame.ts";
 * console.log([...maskedCopy(new Uint8Array([1, 1]), new Uint8Array([1, 3, 0, 0]), 0, 0)]); // [0, 2]
 * ```
 */
export function maskedCopy(src: Uint8Array, key: Uint8Array, keyAt: number, phase: number): Uint8Array {
  const n = src.length;
  const out = new Uint8Array(n);
  if ((src.byteOffset & 3) !== 0 || n < WORD_MASK_MIN) {
    copyMasked(out, 0, src, key, keyAt, phase);
    return out;
  }
  const words = n >>> 2;
  const word = keyWord(key, keyAt, phase);
  const from = new Int32Array(src.buffer, src.byteOffset, words);
  const to = new Int32Array(out.buffer, 0, words);
  for (let i = 0; i < words; i++) to[i] = from[i]! ^ word;
  for (let i = words * 4; i < n; i++) out[i] = src[i]! ^ key[keyAt + ((phase + i) & 3)]!;
  return out;
}

/**
 * Mask keys from the platform's strong random source, drawn in blocks
 * (RFC 6455 §5.3 asks for unpredictable keys; one `getRandomValues` per
 * small message would cost more than the message). A key is 4 bytes of
 * `pool` from the offset `take()` returns, valid until the next `take()`.
 *
 * @example Usage
 * ```ts
 * import { MaskKeys } from "./frame.ts";
 * const keys = new MaskKeys();
 * const at = keys.take();
 * console.log(keys.pool.subarray(at, at + 4).length); // 4
 * ```
 */
export class MaskKeys {
  /** Where the keys are. */
  readonly pool: Uint8Array = new Uint8Array(4096);
  #next = this.pool.length;

  /** The offset of a fresh key in `pool`. */
  take(): number {
    if (this.#next === this.pool.length) {
      crypto.getRandomValues(this.pool);
      this.#next = 0;
    }
    const at = this.#next;
    this.#next += 4;
    return at;
  }

  /** A fresh key as its own 4 bytes. */
  next(): Uint8Array {
    const at = this.take();
    return this.pool.slice(at, at + 4);
  }
}

/**
 * Copies `src` to `dst[at]`, masking it with the key at `key[keyAt]`,
 * starting at key byte `phase`: one pass for small payloads.
 *
 * @example Usage
 * ```ts
 * import { copyMasked } from "./frame.ts";
 * const dst = new Uint8Array(2);
 * copyMasked(dst, 0, new Uint8Array([1, 1]), new Uint8Array([1, 3, 0, 0]), 0, 0);
 * console.log([...dst]); // [0, 2]
 * ```
 *
 * @returns the offset after the copy
 */
export function copyMasked(
  dst: Uint8Array,
  at: number,
  src: Uint8Array,
  key: Uint8Array,
  keyAt: number,
  phase: number,
): number {
  const n = src.length;
  const k0 = key[keyAt + (phase & 3)]!, k1 = key[keyAt + ((phase + 1) & 3)]!;
  const k2 = key[keyAt + ((phase + 2) & 3)]!, k3 = key[keyAt + ((phase + 3) & 3)]!;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    dst[at + i] = src[i]! ^ k0;
    dst[at + i + 1] = src[i + 1]! ^ k1;
    dst[at + i + 2] = src[i + 2]! ^ k2;
    dst[at + i + 3] = src[i + 3]! ^ k3;
  }
  if (i < n) dst[at + i] = src[i++]! ^ k0;
  if (i < n) dst[at + i] = src[i++]! ^ k1;
  if (i < n) dst[at + i] = src[i]! ^ k2;
  return at + n;
}

/**
 * One whole frame: header, then the payload (masked when a key is given).
 * For control frames and tests; messages are framed in place by the
 * connection.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FIN, OP_PONG } from "./frame.ts";
 * console.log([...encodeFrame(FIN | OP_PONG, new Uint8Array(0))]); // [138, 0]
 * ```
 */
export function encodeFrame(first: number, payload: Uint8Array, maskKey?: Uint8Array): Uint8Array {
  const out = new Uint8Array(frameHeaderLength(payload.length, maskKey !== undefined) + payload.length);
  const p = writeFrameHeader(out, 0, first, payload.length, maskKey);
  out.set(payload, p);
  if (maskKey !== undefined) applyMask(out.subarray(p), maskKey, 0);
  return out;
}
