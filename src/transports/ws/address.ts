/**
 * WebSocket addresses: `host[:port][/path[?query]]` after `ws://` or
 * `wss://`. The host follows nanomsg's tcp rules (`*`, address literals,
 * and names when connecting). Binding needs a port, as in nanomsg; the
 * path is part of a listener's identity, as in nng, so several sockets can
 * share a port under different paths. Connecting defaults to port 80 (ws)
 * or 443 (wss) and sends the path and query as given.
 *
 * @module
 */

import { SpError } from "../../core/errors.ts";
import { parseTcpAddress } from "../_tcp_address.ts";

/** A parsed WebSocket address. */
export interface WsAddress {
  /** The host to bind or dial (IPv6 without brackets). */
  readonly host: string;
  /** The port. */
  readonly port: number;
  /** The path without the query, `/` at least: what a listener serves. */
  readonly path: string;
  /** The request target: path and query. */
  readonly target: string;
  /** The `Host` header value: the host as written in the URL, with the port. */
  readonly hostHeader: string;
}

/**
 * Parses a ws or wss address.
 *
 * @example Usage
 * ```ts
 * import { parseWsAddress } from "./address.ts";
 * console.log(parseWsAddress("127.0.0.1:5555/chat", "connect", true, false).path); // "/chat"
 * ```
 *
 * @param address what follows `ws://`
 * @param mode bind or connect
 * @param ipv4only whether IPv6 literals are refused
 * @param secure wss (default port 443) rather than ws (80)
 * @throws {SpError} EINVAL or ENODEV for a bad address
 */
export function parseWsAddress(
  address: string,
  mode: "bind" | "connect",
  ipv4only: boolean,
  secure: boolean,
): WsAddress {
  const slash = address.indexOf("/");
  const query = address.indexOf("?");
  const cut = slash >= 0 && (query < 0 || slash < query) ? slash : query;
  const authority = cut < 0 ? address : address.slice(0, cut);
  let target = cut < 0 ? "/" : address.slice(cut);
  if (target.startsWith("?")) target = `/${target}`;
  if (/[\s#]/.test(target)) throw new SpError("EINVAL", `ws path ${JSON.stringify(target)} has spaces or a fragment`);
  const path = target.split("?")[0]!;
  const hasPort = /:\d*$/.test(authority) && !authority.endsWith("]");
  if (authority === "") throw new SpError("EINVAL", `ws address ${address} has no host`);
  if (!hasPort && mode === "bind") throw new SpError("EINVAL", `ws address ${address} needs a port to bind`);
  const withPort = hasPort ? authority : `${authority}:${secure ? 443 : 80}`;
  const { host, port } = parseTcpAddress(withPort, mode, ipv4only);
  if (mode === "bind" && withPort.includes(";")) throw new SpError("EINVAL", "ws binds take no local interface");
  const hostName = withPort.slice(0, withPort.lastIndexOf(":"));
  if (mode === "connect" && hostName.includes(";")) {
    throw new SpError("EINVAL", "ws connects take no local interface (iface;host)");
  }
  return { host, port, path, target, hostHeader: `${hostName}:${port}` };
}
