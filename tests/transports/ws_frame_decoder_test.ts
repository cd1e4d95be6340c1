/**
 * The RFC 6455 frame helpers and decoder at their boundaries: the length
 * forms, the masking round trip, close codes. The decoder's properties
 * (valid streams split anywhere, claimed lengths, arbitrary bytes) are a
 * fuzz target: `tests/fuzz/ws_frame_decoder_fuzz_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { applyMask, encodeFrame, FIN, frameHeaderLength, OP_BINARY, OP_CLOSE } from "../../src/transports/ws/frame.ts";
import { WsFrameDecoder } from "../../src/transports/ws/frame_decoder.ts";

interface Decoded {
  messages: Uint8Array[];
  pings: Uint8Array[];
  closes: number[];
  largestAllocation: number;
}

/** Feeds `stream` in pieces cut at `cuts` (offsets), as reads would deliver it. */
function decode(stream: Uint8Array, role: "server" | "client", maxSize: number, cuts: number[]): Decoded {
  const out: Decoded = { messages: [], pings: [], closes: [], largestAllocation: 0 };
  const decoder = new WsFrameDecoder({
    role,
    maxSize,
    allocate: (size) => {
      out.largestAllocation = Math.max(out.largestAllocation, size);
      return new Uint8Array(size);
    },
  }, {
    message: (m) => out.messages.push(m.slice()),
    ping: (p) => out.pings.push(p),
    close: (code) => out.closes.push(code),
  });
  const ends = [...new Set([...cuts.map((c) => c % (stream.length + 1)), stream.length])].sort((a, b) => a - b);
  let at = 0;
  for (const end of ends) {
    while (at < end) {
      const target = decoder.readTarget();
      const n = Math.min(target.length, end - at);
      target.set(stream.subarray(at, at + n));
      at += n;
      decoder.advance(n);
    }
  }
  return out;
}

const key = () => crypto.getRandomValues(new Uint8Array(4));

Deno.test("ws frames: length forms at their boundaries, masking round trip, close codes", () => {
  for (const length of [0, 125, 126, 65535, 65536, 1 << 20]) {
    const payload = new Uint8Array(length).map((_, i) => i);
    const frame = encodeFrame(FIN | OP_BINARY, payload, key());
    assert.equal(frame.length, frameHeaderLength(length, true) + length);
    assert.deepEqual(decode(frame, "server", -1, []).messages, [payload]);
  }
  const bytes = new Uint8Array(100).map((_, i) => i);
  const copy = bytes.slice();
  const k = key();
  applyMask(copy.subarray(3), k, 1);
  applyMask(copy.subarray(3), k, 1);
  assert.deepEqual(copy, bytes);
  assert.deepEqual(decode(encodeFrame(FIN | OP_CLOSE, new Uint8Array([3, 233])), "client", -1, []).closes, [1001]);
  assert.deepEqual(decode(encodeFrame(FIN | OP_CLOSE, new Uint8Array(0)), "client", -1, []).closes, [1005]);
});
