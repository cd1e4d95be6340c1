/**
 * Incremental decoder for byte-stream SP mappings: first the peer's 8-byte
 * header, then frames of `[type byte] u64 BE length, payload`. It hands out
 * the buffer to read into next, so complete frames come out as views of the
 * read chunk (no copy) and a large frame is read straight into its own
 * buffer.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";
import { SP_HEADER_LENGTH } from "./_sp_header.ts";

/** The largest read chunk, and the threshold for reading a big frame in place. */
const CHUNK = 64 * 1024;
/** The first read chunk: small, so an idle connection holds little memory. */
const CHUNK_FIRST = 1024;

/**
 * Frames up to this size get an exact buffer as soon as their length is
 * known; larger ones (possible only with RCVMAXSIZE raised) grow as bytes
 * actually arrive, so a peer's claim alone cannot make us allocate more.
 */
const PREALLOCATE_MAX = 4 * 1024 * 1024;
/** Above this a frame cannot be held in one JavaScript typed array. */
const HARD_MAX = 2 ** 32 - 1;

/** How frames look on one stream mapping. */
export interface FrameFormat {
  /** The type byte that precedes every frame (ipc: 0x01), or undefined. */
  readonly typeByte?: number;
}

/** Receives what the decoder finds. */
export interface FrameHandler {
  /** The peer's 8-byte SP header. */
  header(bytes: Uint8Array): void;
  /** One frame's payload. */
  frame(payload: Uint8Array): void;
}

/**
 * Stateful decoder; call `readTarget()`, read into it, then `advance(n)`.
 *
 * @example Usage
 * ```ts
 * import { FrameDecoder } from "./_frame_decoder.ts";
 * const frames: Uint8Array[] = [];
 * const dec = new FrameDecoder({}, -1, { header() {}, frame: (p) => frames.push(p) });
 * const bytes = [0, 83, 80, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 104, 105];
 * const target = dec.readTarget();
 * target.set(bytes);
 * dec.advance(bytes.length);
 * console.log(new TextDecoder().decode(frames[0])); // "hi"
 * ```
 */
export class FrameDecoder {
  readonly #prefixLength: number;
  readonly #typeByte: number | undefined;
  readonly #maxSize: number;
  readonly #handler: FrameHandler;

  #chunk = new Uint8Array(0);
  #chunkSize = CHUNK_FIRST; // doubles while reads fill whole chunks, up to CHUNK
  #start = 0; // first unparsed byte in #chunk
  #end = 0; // end of valid data in #chunk
  #headerDone = false;
  // A frame whose payload spans reads; its buffer grows towards #bodySize.
  #body: Uint8Array | undefined;
  #bodyFilled = 0;
  #bodySize = 0;
  #directRead = false; // the last readTarget() pointed into #body

  /**
   * @param format the mapping's frame layout
   * @param maxSize largest payload accepted; -1 is unlimited
   * @param handler receives the header and the frames
   */
  constructor(format: FrameFormat, maxSize: number, handler: FrameHandler) {
    this.#typeByte = format.typeByte;
    this.#prefixLength = format.typeByte === undefined ? 8 : 9;
    this.#maxSize = maxSize;
    this.#handler = handler;
  }

  /** Whether a frame has been started but not finished (for mid-frame EOF). */
  get midFrame(): boolean {
    return this.#body !== undefined || this.#end > this.#start;
  }

  /** The buffer the next read should fill. */
  readTarget(): Uint8Array {
    const remaining = this.#bodySize - this.#bodyFilled;
    if (this.#body !== undefined && this.#start === this.#end && remaining >= CHUNK) {
      this.#directRead = true;
      this.#reserve(CHUNK);
      return this.#body.subarray(this.#bodyFilled);
    }
    this.#directRead = false;
    // Refill the chunk's free tail while it is a useful size; else start a new one.
    if (this.#chunk.length - this.#end < this.#chunkSize / 4) {
      const next = new Uint8Array(Math.max(this.#chunkSize, 2 * (this.#end - this.#start)));
      const left = this.#end - this.#start;
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
    if (this.#directRead) {
      this.#bodyFilled += n;
      if (this.#bodyFilled === this.#bodySize) this.#finishBody();
      return;
    }
    if (this.#end + n === this.#chunk.length && this.#chunkSize < CHUNK) this.#chunkSize *= 2;
    this.#end += n;
    this.#parse();
  }

  #parse(): void {
    const chunk = this.#chunk;
    while (this.#start < this.#end) {
      if (!this.#headerDone) {
        if (this.#end - this.#start < SP_HEADER_LENGTH) return;
        this.#headerDone = true;
        const header = chunk.slice(this.#start, this.#start + SP_HEADER_LENGTH);
        this.#start += SP_HEADER_LENGTH;
        this.#handler.header(header);
        continue;
      }
      if (this.#body !== undefined) {
        const take = Math.min(this.#end - this.#start, this.#bodySize - this.#bodyFilled);
        this.#reserve(take);
        this.#body.set(chunk.subarray(this.#start, this.#start + take), this.#bodyFilled);
        this.#bodyFilled += take;
        this.#start += take;
        if (this.#bodyFilled === this.#bodySize) this.#finishBody();
        continue;
      }
      const available = this.#end - this.#start;
      if (available < this.#prefixLength) return;
      let p = this.#start;
      if (this.#typeByte !== undefined) {
        if (chunk[p] !== this.#typeByte) {
          throw new SpError("EPROTO", `unknown message type byte ${chunk[p]}`);
        }
        p++;
      }
      const hi = (chunk[p]! << 24 >>> 0) + (chunk[p + 1]! << 16) + (chunk[p + 2]! << 8) + chunk[p + 3]!;
      const lo = (chunk[p + 4]! << 24 >>> 0) + (chunk[p + 5]! << 16) + (chunk[p + 6]! << 8) + chunk[p + 7]!;
      const size = hi * 2 ** 32 + lo; // exact while hi < 2^21; larger values fail the checks below
      if (hi >= 2 ** 21 || size > HARD_MAX || (this.#maxSize >= 0 && size > this.#maxSize)) {
        const limit = this.#maxSize >= 0 ? this.#maxSize : HARD_MAX;
        throw new SpError(
          "EMSGSIZE",
          `peer announced a ${
            hi >= 2 ** 21 ? `${hi}·2^32+${lo}` : size
          }-byte message; the limit is ${limit} (RCVMAXSIZE)`,
        );
      }
      p += 8;
      if (this.#end - p >= size) {
        this.#start = p + size;
        this.#handler.frame(chunk.subarray(p, p + size));
        continue;
      }
      // The payload spans reads: keep what we have and wait for the rest.
      this.#start = p;
      this.#bodySize = size;
      this.#bodyFilled = 0;
      this.#body = new Uint8Array(Math.min(size, PREALLOCATE_MAX));
    }
  }

  /** Makes room for `n` more body bytes, doubling the buffer up to the frame's size. */
  #reserve(n: number): void {
    const body = this.#body!;
    const needed = Math.min(this.#bodySize, this.#bodyFilled + n);
    if (needed <= body.length) return;
    const grown = new Uint8Array(Math.min(this.#bodySize, Math.max(needed, body.length * 2)));
    grown.set(body.subarray(0, this.#bodyFilled));
    this.#body = grown;
  }

  #finishBody(): void {
    const payload = this.#body!;
    this.#body = undefined;
    this.#bodyFilled = 0;
    this.#bodySize = 0;
    this.#handler.frame(payload);
  }
}
