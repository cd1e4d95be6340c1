/**
 * Fuzzes the 8-byte SP connection header (`src/transports/_sp_header.ts`):
 * any 8 bytes are either exactly `00 'S' 'P' 00 <u16 protocol> 00 00`,
 * decoded to that protocol, or refused with a typed EPROTO; other lengths
 * are refused; every protocol id survives encode → decode.
 *
 * @module
 */

import assert from "node:assert/strict";
import { decodeSpHeader, encodeSpHeader } from "../../src/transports/_sp_header.ts";
import { check, fc, spErrorOf, wireBytes } from "./_fuzz.ts";

/** What a valid header looks like, from sp-spec.md §1.1. */
function isValid(b: Uint8Array): boolean {
  return b.length === 8 && b[0] === 0 && b[1] === 0x53 && b[2] === 0x50 && b[3] === 0 && b[6] === 0 && b[7] === 0;
}

Deno.test("fuzz SP header: any bytes decode exactly when well-formed, else EPROTO", () => {
  // Mostly 8 bytes near a valid header, so the checks of each byte are reached.
  const nearValid = fc.tuple(
    fc.integer({ min: 0, max: 0xffff }),
    fc.array(fc.tuple(fc.nat(7), fc.nat(255)), {
      maxLength: 2,
    }),
  ).map(([p, patches]) => {
    const b = Uint8Array.of(0, 0x53, 0x50, 0, p >> 8, p & 0xff, 0, 0);
    for (const [at, v] of patches) b[at] = v;
    return b;
  });
  check(
    "SP header decode",
    fc.property(fc.oneof(nearValid, wireBytes(12)), (bytes) => {
      let protocol: number | undefined;
      const error = spErrorOf(() => protocol = decodeSpHeader(bytes));
      if (isValid(bytes)) {
        assert.equal(error, undefined);
        assert.equal(protocol, (bytes[4]! << 8) | bytes[5]!);
      } else {
        assert.match(error?.message ?? "accepted", /^EPROTO:/);
      }
    }),
    100_000,
  );
});

Deno.test("fuzz SP header: every protocol id survives encode then decode", () => {
  check(
    "SP header round trip",
    fc.property(fc.integer({ min: 0, max: 0xffff }), (p) => {
      const bytes = encodeSpHeader(p);
      assert.ok(isValid(bytes));
      assert.equal(decodeSpHeader(bytes), p);
    }),
    100_000,
  );
});
