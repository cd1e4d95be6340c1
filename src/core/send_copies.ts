/**
 * The socket's copies of large bodies being sent, in memory that is used
 * again once nothing holds it any more.
 *
 * `send` copies a body of {@linkcode SEND_COPY_MIN} bytes or more, so the
 * caller may reuse its buffer as soon as the call resolves (`nn_send`
 * copies too), and a stream transport writes that copy from where it is.
 * Fresh memory for every copy is what made this slow: V8 frees large
 * ArrayBuffers late, so each copy landed in memory not touched for a
 * while (page faults, cache misses; it halved 1 MiB throughput). Copies
 * therefore come from a small pool and go back to it when the last holder
 * lets go: the socket once the protocol has taken the body, each transport
 * connection once it has written it, inproc once the receiving application
 * gives it back (`recv({ into })`; a copy kept by the application never
 * returns and is left to the garbage collector).
 *
 * @module
 */

import { SEND_COPY_MIN } from "./message.ts";

/** Copies above this size are plain allocations, not pooled. */
const KEEP_MAX = 16 * 1024 * 1024;
/** At most this many bytes wait in the pool. */
const POOL_BYTES_MAX = 8 * 1024 * 1024;
/**
 * Where a pooled copy's memory keeps its hold count: a property of the
 * ArrayBuffer, not a WeakMap entry (those slow every young-generation
 * garbage collection; see received_memory.ts).
 */
const HOLDS: unique symbol = Symbol("sp.holds");

/** An ArrayBuffer that may be a live copy's, with its holders counted. */
type Counted = ArrayBufferLike & { [HOLDS]?: number };

/**
 * A pool of send copies with hold counts.
 *
 * @example Usage
 * ```ts
 * import { SendCopies } from "./send_copies.ts";
 * const copies = new SendCopies();
 * const mine = new Uint8Array(100_000).fill(7);
 * const copy = copies.copy(mine); // the socket holds it
 * copies.hold(copy); // a connection will write it
 * copies.release(copy); // the protocol has taken it
 * mine.fill(0);
 * console.log(copy[0]); // 7
 * copies.release(copy); // written: the memory is free again
 * ```
 */
export class SendCopies {
  // Free buffers by size class: index i holds SEND_COPY_MIN * 2^i bytes.
  #free: Uint8Array[][] = [];
  #freeBytes = 0;

  /** A copy of `data`, held once (by the caller, usually the socket). */
  copy(data: Uint8Array): Uint8Array {
    if (data.length > KEEP_MAX) return data.slice();
    let length = SEND_COPY_MIN;
    let index = 0;
    while (length < data.length) {
      length *= 2;
      index++;
    }
    const reused = this.#free[index]?.pop();
    if (reused !== undefined) this.#freeBytes -= length;
    const buffer = reused ?? new Uint8Array(length);
    (buffer.buffer as Counted)[HOLDS] = 1;
    buffer.set(data);
    return buffer.subarray(0, data.length);
  }

  /**
   * Holds `body` until `release`, if it is a pooled copy still held.
   *
   * @returns whether it was (and is now held once more)
   */
  hold(body: Uint8Array): boolean {
    const buffer = body.buffer as Counted;
    const holds = buffer[HOLDS];
    if (holds === undefined || holds === 0) return false;
    buffer[HOLDS] = holds + 1;
    return true;
  }

  /** Lets go of `body`; the last release returns its memory to the pool. Not pooled: nothing happens. */
  release(body: Uint8Array): void {
    const buffer = body.buffer as Counted;
    const holds = buffer[HOLDS];
    if (holds === undefined || holds === 0) return;
    buffer[HOLDS] = holds - 1;
    if (holds > 1) return;
    if (this.#freeBytes + buffer.byteLength > POOL_BYTES_MAX) return;
    const index = Math.log2(buffer.byteLength / SEND_COPY_MIN);
    while (this.#free.length <= index) this.#free.push([]);
    this.#free[index]!.push(new Uint8Array(buffer));
    this.#freeBytes += buffer.byteLength;
  }

  /** Bytes waiting in the pool, for tests and statistics. */
  get freeBytes(): number {
    return this.#freeBytes;
  }
}

/** The process's pool of send copies (shared by every runtime, like the memory it holds). */
export const sendCopies: SendCopies = new SendCopies();
