/**
 * The backtrace of request/reply and survey messages (sp-spec.md §2.2,
 * §2.5): a stack of u32 big-endian words in front of the body. Words with
 * the high bit clear are pipe ids pushed by device hops; the last word has
 * the high bit set and is the request or survey id. Plain helpers shared
 * by REQ, REP, SURVEYOR and RESPONDENT.
 *
 * @module
 */

import type { Message } from "../core/message.ts";
import type { PipeHandle, ProtocolHost } from "../core/protocol.ts";
import type { FairQueue } from "./fair_queue.ts";

/** The bit that marks the bottom of the stack: the request or survey id. */
export const ID_FLAG = 0x8000_0000;

/** Bytes in one backtrace word. */
export const WORD_BYTES = 4;

/**
 * The u32 big-endian word at `offset` of `bytes` (the caller checks that
 * four bytes are there).
 *
 * @example Usage
 * ```ts
 * import { readWord } from "./backtrace.ts";
 * console.log(readWord(new Uint8Array([0xfa, 0x4c, 0xad, 0xa7])).toString(16)); // "fa4cada7"
 * ```
 *
 * @param bytes where to read
 * @param offset the word's first byte
 * @returns the word, 0…2^32-1
 */
export function readWord(bytes: Uint8Array, offset = 0): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

/**
 * A backtrace word as four big-endian bytes, optionally followed by
 * `rest` (to push a word onto an existing stack).
 *
 * @example Usage
 * ```ts
 * import { encodeWord } from "./backtrace.ts";
 * console.log(encodeWord(0x80000001)); // Uint8Array(4) [ 128, 0, 0, 1 ]
 * ```
 *
 * @param word the value, 0…2^32-1
 * @param rest bytes to append after the word
 * @returns a new array of 4 + `rest.length` bytes
 */
export function encodeWord(word: number, rest?: Uint8Array): Uint8Array {
  const out = new Uint8Array(WORD_BYTES + (rest?.length ?? 0));
  out[0] = word >>> 24;
  out[1] = (word >>> 16) & 0xff;
  out[2] = (word >>> 8) & 0xff;
  out[3] = word & 0xff;
  if (rest !== undefined) out.set(rest, WORD_BYTES);
  return out;
}

/**
 * Splits a received payload into its backtrace (every word up to and
 * including the first with the high bit set) and its body. `maxWords` is
 * nanomsg's `NN_MAXTTL` check: with the default 8, seven hops plus the id
 * pass and eight hops plus the id do not; the scan stops there, so a long
 * body without a marked word costs nothing.
 *
 * @example Usage
 * ```ts
 * import { splitBacktrace } from "./backtrace.ts";
 * const payload = new Uint8Array([0, 0, 0, 7, 0x80, 0, 0, 9, 0x68, 0x69]);
 * console.log(splitBacktrace(payload, 8)?.header.length); // 8
 * console.log(splitBacktrace(payload, 1)); // undefined: one hop is too many
 * ```
 *
 * @param payload the message as it came off the pipe
 * @param maxWords the most words the backtrace may have (hops + 1)
 * @returns header and body as views of `payload`, or undefined when no
 *   marked word comes within `maxWords` words (malformed or too many hops)
 */
export function splitBacktrace(payload: Uint8Array, maxWords: number): Message | undefined {
  for (let word = 0; word < maxWords; word++) {
    const offset = word * WORD_BYTES;
    if (offset + WORD_BYTES > payload.length) return undefined;
    if ((payload[offset]! & 0x80) !== 0) {
      const end = offset + WORD_BYTES;
      return { header: payload.subarray(0, end), body: payload.subarray(end) };
    }
  }
  return undefined;
}

/**
 * The body of a reply or answer addressed to `id` (its first word), or
 * undefined when the payload is shorter than a word or carries another id.
 * Like nanomsg, a cooked REQ or SURVEYOR looks at the first word only.
 *
 * @example Usage
 * ```ts
 * import { bodyFor } from "./backtrace.ts";
 * const reply = new Uint8Array([0x80, 0, 0, 1, 0x6f, 0x6b]);
 * console.log(bodyFor(reply, 0x80000001)?.length); // 2
 * console.log(bodyFor(reply, 0x80000002)); // undefined
 * ```
 *
 * @param payload the message as it came off the pipe
 * @param id the outstanding request or survey id
 * @returns a view of the body, or undefined
 */
export function bodyFor(payload: Uint8Array, id: number): Uint8Array | undefined {
  if (payload.length < WORD_BYTES || readWord(payload) !== id) return undefined;
  return payload.subarray(WORD_BYTES);
}

/** A message taken from a fair queue, with the pipe it came from. */
export interface Backtraced {
  /** The backtrace (header) and the body. */
  readonly message: Message;
  /** The pipe it arrived on. */
  readonly pipe: PipeHandle;
}

/**
 * Takes the next well-formed message from a fair queue, dropping (and
 * counting through `host.dropped`) every one before it that has no word
 * with the high bit set within `maxWords` words: `ttl` when it holds that
 * many words (too many hops), `malformed` when it ends first.
 *
 * @example Usage
 * ```ts ignore
 * const next = recvBacktraced(inbound, host.options.maxttl, host);
 * if (next !== undefined) console.log(next.message.header, next.pipe.id);
 * ```
 *
 * @param queue the fair queue over the socket's pipes
 * @param maxWords the most words a backtrace may have (`NN_MAXTTL`)
 * @param host where drops are counted
 * @returns the message and its pipe, or undefined when nothing is waiting
 */
export function recvBacktraced(
  queue: FairQueue,
  maxWords: number,
  host: Pick<ProtocolHost, "dropped">,
): Backtraced | undefined {
  for (;;) {
    const payload = queue.recv();
    if (payload === undefined) return undefined;
    const message = splitBacktrace(payload, maxWords);
    if (message !== undefined) return { message, pipe: queue.lastPipe! };
    host.dropped(payload.length >= maxWords * WORD_BYTES ? "ttl" : "malformed", queue.lastPipe);
  }
}

/**
 * Request (or survey) ids as nanomsg makes them: a random start, then +1
 * per new request, always with the high bit set, wrapping around.
 *
 * @example Usage
 * ```ts
 * import { RequestIds } from "./backtrace.ts";
 * const ids = new RequestIds(0x7fffffff);
 * console.log(ids.next().toString(16), ids.next().toString(16)); // "80000000" "80000001"
 * ```
 */
export class RequestIds {
  #last: number;

  /** @param start the value before the first id; random by default */
  constructor(start: number = crypto.getRandomValues(new Uint32Array(1))[0]!) {
    this.#last = start >>> 0;
  }

  /** The next id: one more than the last, high bit set. */
  next(): number {
    this.#last = ((this.#last + 1) | ID_FLAG) >>> 0;
    return this.#last;
  }
}
