/**
 * The 8-byte SP connection header shared by the tcp and ipc mappings
 * (sp-tcp-mapping-01 §2): `00 'S' 'P' <version 0> <protocol u16 BE> 00 00`,
 * sent by both sides at once.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";

/** Length of the SP connection header in bytes. */
export const SP_HEADER_LENGTH = 8;

/** Encodes the header announcing `protocol`. */
export function encodeSpHeader(protocol: number): Uint8Array {
  return new Uint8Array([0x00, 0x53, 0x50, 0x00, protocol >> 8, protocol & 0xff, 0x00, 0x00]);
}

/**
 * Validates a peer's header and returns the protocol it announces.
 * Non-zero version or reserved bytes are refused, as nng does (nanomsg
 * ignores the reserved bytes).
 *
 * @throws {SpError} EPROTO when malformed
 */
export function decodeSpHeader(header: Uint8Array): number {
  if (header.length !== SP_HEADER_LENGTH) {
    throw new SpError("EPROTO", "SP header must be 8 bytes");
  }
  if (header[0] !== 0x00 || header[1] !== 0x53 || header[2] !== 0x50) {
    throw new SpError("EPROTO", "peer did not send the SP magic bytes");
  }
  if (header[3] !== 0x00) {
    throw new SpError("EPROTO", `unsupported SP header version ${header[3]}`);
  }
  if (header[6] !== 0x00 || header[7] !== 0x00) {
    throw new SpError("EPROTO", "reserved bytes of the SP header are not zero");
  }
  return (header[4]! << 8) | header[5]!;
}
