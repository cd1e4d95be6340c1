/**
 * Memory a transport lends out with the payloads it receives, and the way
 * back: an application that receives into a buffer of its own
 * (`recv({ into })`) has the payload copied there, and the transport may
 * then read into that memory again while it is still warm.
 *
 * Only the receive that copied a payload out gives it back, and only a
 * payload handed to exactly one receiver: a protocol that delivers one
 * payload twice (SUB contexts) copies it for the second receiver, and a
 * protocol keeps no view of a payload it handed out (REP copies the
 * backtrace it answers by).
 *
 * @module
 */

/** The owner of lent memory: told each time one payload in it is given back. */
export interface Lender {
  /** One payload view of this memory is no longer read. */
  givenBack(): void;
}

/**
 * Where an ArrayBuffer names its lender: a property of the buffer itself.
 * A WeakMap from buffers to lenders cost more than the whole decode of a
 * small frame: entries for short-lived keys slow every young-generation
 * garbage collection (decoding 1000 frames of 64 B: 41 µs → 62 µs).
 */
const LENDER: unique symbol = Symbol("sp.lender");

/** An ArrayBuffer that may carry its lender. */
type Marked = ArrayBufferLike & { [LENDER]?: Lender };

/**
 * Marks `buffer` as lent by `lender` (until it is lent again by another).
 *
 * @example Usage
 * ```ts
 * import { giveBack, lendMemory } from "./received_memory.ts";
 * const chunk = new Uint8Array(1024);
 * let out = 2;
 * lendMemory(chunk.buffer, { givenBack: () => out-- });
 * giveBack(chunk.subarray(0, 10));
 * giveBack(new Uint8Array(10)); // not lent: nothing happens
 * console.log(out); // 1
 * ```
 */
export function lendMemory(buffer: ArrayBufferLike, lender: Lender): void {
  (buffer as Marked)[LENDER] = lender;
}

/**
 * The payload `view` has been copied out and is no longer read: tells its
 * lender. Memory nobody lent: nothing happens.
 *
 * @example Usage
 * ```ts
 * import { giveBack } from "./received_memory.ts";
 * giveBack(new Uint8Array(4)); // not lent: nothing happens
 * ```
 */
export function giveBack(view: Uint8Array): void {
  (view.buffer as Marked)[LENDER]?.givenBack();
}

/**
 * Whether `view` lies in lent memory, which a transport may read into
 * again once it is given back: what a protocol keeps of a received payload
 * past handing the message out must then be a copy.
 *
 * @example Usage
 * ```ts
 * import { isLent, lendMemory } from "./received_memory.ts";
 * const chunk = new Uint8Array(64);
 * lendMemory(chunk.buffer, { givenBack() {} });
 * console.log(isLent(chunk.subarray(0, 4)), isLent(new Uint8Array(4))); // true false
 * ```
 */
export function isLent(view: Uint8Array): boolean {
  return (view.buffer as Marked)[LENDER] !== undefined;
}
