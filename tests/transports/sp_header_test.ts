/**
 * Golden tests of the 8-byte SP header, against bytes captured between the
 * real libraries (sp-spec §1.1).
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError } from "../../src/core/errors.ts";
import { decodeSpHeader, encodeSpHeader } from "../../src/transports/_sp_header.ts";

const golden: [string, number, number[]][] = [
  ["PAIR", 0x10, [0x00, 0x53, 0x50, 0x00, 0x00, 0x10, 0x00, 0x00]],
  ["PUSH", 0x50, [0x00, 0x53, 0x50, 0x00, 0x00, 0x50, 0x00, 0x00]],
  ["PULL", 0x51, [0x00, 0x53, 0x50, 0x00, 0x00, 0x51, 0x00, 0x00]],
  ["RESPONDENT", 0x63, [0x00, 0x53, 0x50, 0x00, 0x00, 0x63, 0x00, 0x00]],
];

for (const [name, id, bytes] of golden) {
  Deno.test(`encodeSpHeader() matches the captured ${name} header`, () => {
    assert.deepEqual([...encodeSpHeader(id)], bytes);
    assert.equal(decodeSpHeader(new Uint8Array(bytes)), id);
  });
}

const bad: [string, number[]][] = [
  ["wrong magic", [0x00, 0x53, 0x51, 0x00, 0x00, 0x10, 0x00, 0x00]],
  ["non-zero first byte", [0x01, 0x53, 0x50, 0x00, 0x00, 0x10, 0x00, 0x00]],
  ["version 1", [0x00, 0x53, 0x50, 0x01, 0x00, 0x10, 0x00, 0x00]],
  ["reserved bytes set", [0x00, 0x53, 0x50, 0x00, 0x00, 0x10, 0x01, 0x02]],
  ["HTTP garbage", [...new TextEncoder().encode("GET / HT")]],
];

for (const [what, bytes] of bad) {
  Deno.test(`decodeSpHeader() refuses a header with ${what}`, () => {
    assert.throws(() => decodeSpHeader(new Uint8Array(bytes)), (e) => isSpError(e, "EPROTO"));
  });
}
