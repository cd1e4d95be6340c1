/**
 * Splitting `scheme://address` URLs, with nanomsg's length limit.
 *
 * @module
 */

import { SpError } from "./errors.ts";

/** nanomsg's `NN_SOCKADDR_MAX`: a URL must be shorter than this. */
export const SOCKADDR_MAX = 128;

/**
 * The length of `text` in UTF-8 as `TextEncoder` makes it (a lone
 * surrogate becomes U+FFFD, 3 bytes), without encoding it: a connect per
 * cycle need not build a buffer nor call into the runtime for this.
 */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Splits a URL into its scheme and address.
 *
 * @throws {SpError} EINVAL when there is no `://`, ENAMETOOLONG when too long
 */
export function splitUrl(url: string): { scheme: string; address: string } {
  if (typeof url !== "string") throw new SpError("EINVAL", "the address must be a string");
  if (utf8Length(url) >= SOCKADDR_MAX) {
    throw new SpError("ENAMETOOLONG", `address is longer than ${SOCKADDR_MAX - 1} bytes`);
  }
  const at = url.indexOf("://");
  if (at <= 0) throw new SpError("EINVAL", `${url} is not of the form scheme://address`);
  return { scheme: url.slice(0, at), address: url.slice(at + 3) };
}
