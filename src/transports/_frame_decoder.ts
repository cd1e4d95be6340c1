/**
 * Incremental decoder for byte-stream SP mappings: first the peer's 8-byte
 * header, then frames of `[type byte] u64 BE length, payload`. It hands out
 * the buffer to read into next, and frames come out as views of that
 * buffer, so a payload is written once, by the read, and never copied.
 *
 * The read buffer (the chunk) is sized for what is expected: a whole number
 * of the last frame's length, so a stream of equal frames fills chunks
 * exactly and a large frame is read in place, straight into the buffer the
 * receiver gets. A frame that does not fit in what is left of the chunk
 * moves, with the bytes already read, to a new chunk that holds it whole
 * (the only copy, and only when frame sizes change). Frames larger than
 * {@linkcode PREALLOCATE_MAX} grow their own buffer as bytes arrive.
 *
 * Chunks are lent to the receivers (`received_memory.ts`): a chunk is read into
 * again only once every frame handed out of it has been given back, which
 * a receive into the application's own buffer does after copying. Given
 * back, a chunk is reused while still warm (fresh memory for every chunk
 * costs about as much as the copy: page faults, cache misses); frames
 * that are never given back keep their chunk, which the garbage collector
 * takes once they are gone.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";
import { type Lender, lendMemory } from "../core/received_memory.ts";
import { SP_HEADER_LENGTH } from "./_sp_header.ts";

/** The largest read chunk for small frames (they never get a chunk of their own). */
const CHUNK = 64 * 1024;
/** The first read chunk: small, so an idle connection holds little memory. */
const CHUNK_FIRST = 1024;
/** Frames at least this large are read in chunks of up to {@linkcode LARGE_CHUNK}. */
const LARGE_FRAME = 16 * 1024;
/** Fewer, larger reads: loopback tcp costs per read, not only per byte. */
const LARGE_CHUNK = 256 * 1024;

/**
 * Frames up to this size get a buffer that holds them whole as soon as
 * their length is known; larger ones (possible only with RCVMAXSIZE
 * raised) grow as bytes actually arrive, so a peer's claim alone cannot
 * make us allocate more.
 */
const PREALLOCATE_MAX = 4 * 1024 * 1024;
/** Above this a frame cannot be held in one JavaScript typed array. */
const HARD_MAX = 2 ** 32 - 1;
/** At most this many given-back chunks wait to be read into again, per connection. */
const SPARES_MAX = 2;
/** Larger chunks are not kept as spares. */
const SPARE_BYTES_MAX = 2 * 1024 * 1024 + 16;

/**
 * A connection's spare chunks. Closed with the connection: a frame an
 * application keeps afterwards must not keep spares alive through its chunk.
 */
interface Spares {
  readonly chunks: Chunk[];
  open: boolean;
}

/** A read chunk, and how many frames handed out of it are still read by someone. */
class Chunk implements Lender {
  /** Frames handed out and not given back. */
  out = 0;
  /** No longer the chunk being read into: it may become a spare. */
  retired = false;

  /**
   * @param bytes the memory
   * @param spares where it waits once retired and given back
   */
  constructor(readonly bytes: Uint8Array, readonly spares: Spares) {}

  givenBack(): void {
    if (this.out === 0) return;
    if (--this.out === 0 && this.retired) spare(this);
  }
}

/** Keeps a retired chunk that nobody reads any more for the next read, if there is room. */
function spare(chunk: Chunk): void {
  const spares = chunk.spares;
  if (spares.open && spares.chunks.length < SPARES_MAX && chunk.bytes.length <= SPARE_BYTES_MAX) {
    spares.chunks.push(chunk);
  }
}

/** The chunk that was never read into. */
const NO_CHUNK: Chunk = new Chunk(new Uint8Array(0), { chunks: [], open: false });

/** How frames look on one stream mapping. */
export interface FrameFormat {
  /** The type byte that precedes every frame (ipc: 0x01), or undefined. */
  readonly typeByte?: number;
}

/** Receives what the decoder finds. */
export interface FrameHandler {
  /**
   * Whether chunks whose frames were all given back are read into again
   * (the default); false: every chunk is new memory, as the stream's own
   * reads are (see `ByteStream.readsAllocate`).
   */
  readonly reuseChunks?: boolean;
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
  readonly #reuseChunks: boolean;

  #chunk = NO_CHUNK.bytes;
  // #chunk's record: while frames handed out of it are read, its bytes may not be overwritten.
  #lent = NO_CHUNK;
  // Retired chunks given back whole, read into again before new memory is taken.
  readonly #spares: Spares = { chunks: [], open: true };
  #chunkSize = CHUNK_FIRST; // doubles while reads fill whole chunks, up to CHUNK
  #start = 0; // first unparsed byte in #chunk
  #end = 0; // end of valid data in #chunk
  #headerDone = false;
  // Prefix + payload length of the frame at #start once its prefix is parsed; 0 while unknown.
  #frameLength = 0;
  // Prefix + payload length of the last frame: the unit new chunks are sized in.
  #lastFrame = 0;
  // A frame above PREALLOCATE_MAX; its buffer grows towards #bodySize.
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
    this.#reuseChunks = handler.reuseChunks !== false;
  }

  /** The connection is closed: spare chunks are let go, and no chunk becomes one any more. */
  close(): void {
    this.#spares.open = false;
    this.#spares.chunks.length = 0;
  }

  /** Whether a frame has been started but not finished (for mid-frame EOF). */
  get midFrame(): boolean {
    return this.#body !== undefined || this.#end > this.#start;
  }

  /** The buffer the next read should fill. */
  readTarget(): Uint8Array {
    if (this.#body !== undefined) {
      this.#directRead = true;
      this.#reserve(CHUNK);
      return this.#body.subarray(this.#bodyFilled);
    }
    this.#directRead = false;
    const chunk = this.#chunk;
    if (this.#start === this.#end) {
      // Nothing pending: an unshared chunk of about the right size is read
      // into again; else its free tail while the next frame fits there.
      // A chunk far larger than what is expected now is let go.
      const size = this.#nextChunkSize(0);
      const oversized = chunk.length > Math.max(2 * size, CHUNK);
      if (this.#lent.out === 0 && !oversized && chunk.length >= size) {
        this.#start = this.#end = 0;
      } else if (oversized || chunk.length - this.#end < Math.max(this.#lastFrame, this.#chunkSize / 4)) {
        this.#newChunk(size);
      }
    } else if (this.#frameLength > 0) {
      // The frame at #start waits for the rest of its bytes; it must fit whole.
      if (chunk.length - this.#start < this.#frameLength) this.#newChunk(this.#nextChunkSize(this.#frameLength));
    } else if (chunk.length - this.#end < this.#chunkSize / 4) {
      this.#newChunk(this.#nextChunkSize(this.#end - this.#start));
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

  /**
   * A chunk size for what comes next: a whole number of the last frame's
   * length (one, if it is larger than the usual chunk), at least `need`.
   */
  #nextChunkSize(need: number): number {
    const unit = this.#lastFrame;
    let size = unit >= LARGE_FRAME ? LARGE_CHUNK : this.#chunkSize;
    if (unit > size) size = unit;
    else if (unit > 0) size = unit * Math.floor(size / unit);
    return Math.max(size, need);
  }

  /** Moves the unparsed bytes to a chunk of `size` bytes: a spare of about that size, or new memory. */
  #newChunk(size: number): void {
    const spares = this.#spares.chunks;
    let next: Chunk | undefined;
    for (let i = 0; i < spares.length; i++) {
      const length = spares[i]!.bytes.length;
      if (length >= size && length <= Math.max(2 * size, CHUNK)) {
        next = spares[i]!;
        spares.splice(i, 1);
        break;
      }
    }
    if (next === undefined) {
      next = new Chunk(new Uint8Array(size), this.#spares);
      if (this.#reuseChunks) lendMemory(next.bytes.buffer, next);
    }
    next.retired = false;
    const left = this.#end - this.#start;
    if (left > 0) next.bytes.set(this.#chunk.subarray(this.#start, this.#end));
    const old = this.#lent;
    old.retired = true;
    if (old.out === 0 && old !== NO_CHUNK) spare(old);
    this.#lent = next;
    this.#chunk = next.bytes;
    this.#start = 0;
    this.#end = left;
  }

  #parse(): void {
    if (!this.#headerDone) {
      if (this.#end - this.#start < SP_HEADER_LENGTH) return;
      this.#headerDone = true;
      const header = this.#chunk.slice(this.#start, this.#start + SP_HEADER_LENGTH);
      this.#start += SP_HEADER_LENGTH;
      this.#handler.header(header);
    }
    const chunk = this.#chunk;
    const prefix = this.#prefixLength;
    const end = this.#end;
    const lent = this.#lent;
    let start = this.#start;
    let frameLength = this.#frameLength;
    while (start < end) {
      if (frameLength === 0) {
        if (end - start < prefix) break;
        let p = start;
        if (this.#typeByte !== undefined && chunk[p++] !== this.#typeByte) {
          throw new SpError("EPROTO", `unknown message type byte ${chunk[start]}`);
        }
        const hi = (chunk[p]! << 24 >>> 0) + (chunk[p + 1]! << 16) + (chunk[p + 2]! << 8) + chunk[p + 3]!;
        const lo = (chunk[p + 4]! << 24 >>> 0) + (chunk[p + 5]! << 16) + (chunk[p + 6]! << 8) + chunk[p + 7]!;
        if (hi !== 0 || lo > PREALLOCATE_MAX || (this.#maxSize >= 0 && lo > this.#maxSize)) {
          this.#start = start;
          this.#bigFrame(hi, lo);
          start = this.#start;
          continue;
        }
        frameLength = prefix + lo;
      }
      const frameEnd = start + frameLength;
      if (frameEnd > end) break; // the rest is still to come
      const payloadStart = start + prefix;
      this.#lastFrame = frameLength;
      frameLength = 0;
      start = frameEnd;
      const size = frameEnd - payloadStart;
      if (chunk.length > CHUNK && size < LARGE_FRAME && size < chunk.length >>> 3) {
        // A small frame in a chunk sized for large ones is copied, so that it
        // does not keep the chunk alive and the chunk can be read into again.
        this.#start = start;
        this.#handler.frame(chunk.slice(payloadStart, frameEnd));
      } else {
        lent.out++;
        this.#start = start;
        this.#handler.frame(chunk.subarray(payloadStart, frameEnd));
      }
    }
    this.#start = start;
    this.#frameLength = frameLength;
  }

  /**
   * A length prefix beyond the fast path: refused when over a limit, or a
   * frame too large to allocate on the peer's word, whose buffer grows as
   * bytes arrive.
   *
   * @throws {SpError} EMSGSIZE
   */
  #bigFrame(hi: number, lo: number): void {
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
    this.#start += this.#prefixLength;
    this.#bodySize = size;
    this.#body = new Uint8Array(PREALLOCATE_MAX);
    // Less than the frame: a chunk holds at most PREALLOCATE_MAX + prefix bytes.
    this.#body.set(this.#chunk.subarray(this.#start, this.#end));
    this.#bodyFilled = this.#end - this.#start;
    this.#start = this.#end;
    this.#lastFrame = 0;
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
