/**
 * PAIR v1's SP header: one u32 big-endian hop count in front of every
 * message (sp-spec.md §2.2, §2.3). An originating socket puts 1 on the
 * wire; each raw forwarder adds 1 to what it received. A received count
 * above 0xFF makes the message malformed; one above `NN_MAXTTL` has
 * travelled too far.
 *
 * @module
 */

/** Bytes of the header. */
export const HOP_COUNT_SIZE = 4;

/** The largest hop count a message may carry (nng: more is malformed). */
export const MAX_HOP_COUNT = 0xff;

/** A received payload split at its hop count. */
export interface HopCounted {
  /** The hop count as it arrived. */
  readonly hops: number;
  /** The 4 header bytes, a view into the payload. */
  readonly header: Uint8Array;
  /** The rest of the payload. */
  readonly body: Uint8Array;
}

/**
 * The header carrying `hops`.
 *
 * @example Usage
 * ```ts
 * import { hopCountHeader } from "./hop_count.ts";
 * console.log(hopCountHeader(1)); // Uint8Array(4) [ 0, 0, 0, 1 ]
 * ```
 *
 * @param hops 0…0xFF
 * @returns four bytes, big-endian
 */
export function hopCountHeader(hops: number): Uint8Array {
  const header = new Uint8Array(HOP_COUNT_SIZE);
  new DataView(header.buffer).setUint32(0, hops);
  return header;
}

/**
 * Reads a header's hop count (no range check: see {@linkcode splitHopCount}).
 *
 * @example Usage
 * ```ts
 * import { readHopCount } from "./hop_count.ts";
 * console.log(readHopCount(new Uint8Array([0, 0, 0, 7]))); // 7
 * ```
 *
 * @param header at least 4 bytes
 * @returns the u32 in its first four bytes
 */
export function readHopCount(header: Uint8Array): number {
  return new DataView(header.buffer, header.byteOffset, HOP_COUNT_SIZE).getUint32(0);
}

/**
 * Splits a received payload into hop count and body.
 *
 * @example Usage
 * ```ts
 * import { splitHopCount } from "./hop_count.ts";
 * const split = splitHopCount(new Uint8Array([0, 0, 0, 2, 104, 105]));
 * console.log(split?.hops, split?.body.length); // 2 2
 * console.log(splitHopCount(new Uint8Array([0, 0, 1]))); // undefined
 * ```
 *
 * @param payload the bytes a pipe delivered
 * @returns the parts, or undefined when malformed (shorter than the header, or more than 0xFF hops)
 */
export function splitHopCount(payload: Uint8Array): HopCounted | undefined {
  if (payload.length < HOP_COUNT_SIZE) return undefined;
  const hops = readHopCount(payload);
  if (hops > MAX_HOP_COUNT) return undefined;
  return { hops, header: payload.subarray(0, HOP_COUNT_SIZE), body: payload.subarray(HOP_COUNT_SIZE) };
}
