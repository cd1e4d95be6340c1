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
 * Which memory is lent, by whom.
 *
 * @example Usage
 * ```ts
 * import { ReceivedMemory } from "./received_memory.ts";
 * const memory = new ReceivedMemory();
 * const chunk = new Uint8Array(1024);
 * let out = 2;
 * memory.lend(chunk.buffer, { givenBack: () => out-- });
 * memory.giveBack(chunk.subarray(0, 10));
 * memory.giveBack(new Uint8Array(10)); // not lent: nothing happens
 * console.log(out); // 1
 * ```
 */
export class ReceivedMemory {
  readonly #lenders = new WeakMap<ArrayBufferLike, Lender>();

  /** Marks `buffer` as lent by `lender` (until it is lent again by another). */
  lend(buffer: ArrayBufferLike, lender: Lender): void {
    this.#lenders.set(buffer, lender);
  }

  /** The payload `view` has been copied out and is no longer read; not lent memory: nothing happens. */
  giveBack(view: Uint8Array): void {
    this.#lenders.get(view.buffer)?.givenBack();
  }
}

/** The process's record of lent memory (shared by every runtime, like the memory itself). */
export const receivedMemory: ReceivedMemory = new ReceivedMemory();
