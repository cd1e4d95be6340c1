/**
 * Request/reply ping-pong of large messages, for the tests that make sure
 * a connection never stalls on messages larger than one TLS record (ours
 * at both ends, and against nngcat).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Socket } from "../../mod.ts";
import { assertBytesEqual, within } from "../_helpers.ts";

/**
 * Sends `payload` as `rounds` requests one after another and checks each
 * reply: an echo of the request (each request's first byte is its round),
 * or `answer` every time (a peer that answers with a fixed message). The
 * first reply is compared byte for byte, the others by length and first
 * and last byte. Linux acknowledges the first few dozen segments of a
 * connection at once and delays ACKs only after that, so a Nagle stall
 * shows only over many rounds: rounds × ~40 ms would blow the bound by far.
 */
export async function pingPong(
  req: Socket,
  payload: Uint8Array,
  rounds: number,
  label: string,
  answer?: Uint8Array,
): Promise<void> {
  await within(
    (async () => {
      for (let i = 0; i < rounds; i++) {
        payload[0] = i & 0xff;
        await req.send(payload);
        const reply = await req.recv();
        const expected = answer ?? payload;
        if (i === 0) assertBytesEqual(reply, expected, `${label}: first reply`);
        assert.equal(reply.length, expected.length, `${label}: reply ${i}`);
        assert.equal(reply[0], expected[0], `${label}: reply ${i} is the answer to request ${i}`);
        assert.equal(reply[reply.length - 1], expected[expected.length - 1], `${label}: reply ${i} ends intact`);
      }
    })(),
    10_000,
    `${label}: ${rounds} round trips`,
  );
}

/** Message sizes above one TLS record (16 KiB of plaintext), with how many round trips each. */
export const LARGE_ROUNDS: readonly (readonly [size: number, rounds: number])[] = [
  [20 * 1024, 300],
  [50_000, 150], // node:tls sends 48 KiB of plaintext per piece
  [64 * 1024, 150],
  [1024 * 1024, 20],
];
