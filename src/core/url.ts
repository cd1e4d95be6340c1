/**
 * Splitting `scheme://address` URLs, with nanomsg's length limit.
 *
 * @module
 */

import { SpError } from "./errors.ts";

/** nanomsg's `NN_SOCKADDR_MAX`: a URL must be shorter than this. */
export const SOCKADDR_MAX = 128;

/**
 * Splits a URL into its scheme and address.
 *
 * @throws {SpError} EINVAL when there is no `://`, ENAMETOOLONG when too long
 */
export function splitUrl(url: string): { scheme: string; address: string } {
  if (typeof url !== "string") throw new SpError("EINVAL", "the address must be a string");
  if (new TextEncoder().encode(url).length >= SOCKADDR_MAX) {
    throw new SpError("ENAMETOOLONG", `address is longer than ${SOCKADDR_MAX - 1} bytes`);
  }
  const at = url.indexOf("://");
  if (at <= 0) throw new SpError("EINVAL", `${url} is not of the form scheme://address`);
  return { scheme: url.slice(0, at), address: url.slice(at + 3) };
}
