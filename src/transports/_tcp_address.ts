/**
 * nanomsg's tcp address rules, shared by the transports that run on tcp
 * (tcp, tls+tcp, ws): `iface:port` to bind (iface `*`, an IPv4 literal or a
 * bracketed IPv6 literal) and `[local;]host:port` to connect. No runtime
 * APIs here, so a browser build can use it too.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";

/** A parsed tcp address. */
export interface TcpAddress {
  /** Hostname for Deno (IPv6 without brackets). */
  host: string;
  /** The port. */
  port: number;
  /** Connect only: the local interface literal. */
  local?: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return false;
  try {
    new URL(`http://[${s}]/`);
    return true;
  } catch {
    return false;
  }
}

function splitHostPort(address: string): { host: string; port: string } {
  const colon = address.lastIndexOf(":");
  if (colon < 0) throw new SpError("EINVAL", `tcp address ${address} has no port`);
  return { host: address.slice(0, colon), port: address.slice(colon + 1) };
}

function parsePort(port: string, address: string, lowest: 0 | 1): number {
  if (!/^\d{1,5}$/.test(port) || Number(port) < lowest || Number(port) > 65535) {
    const zero = lowest === 0 ? " (0: any free port)" : "";
    throw new SpError("EINVAL", `tcp address ${address} needs a port from ${lowest} to 65535${zero}`);
  }
  return Number(port);
}

/** A literal interface: `*`, IPv4, or bracketed IPv6; undefined when not a literal. */
function literal(iface: string, ipv4only: boolean, code: "EINVAL" | "ENODEV"): string | undefined {
  if (iface === "*") return "0.0.0.0";
  if (IPV4.test(iface)) return iface;
  if (iface.startsWith("[") && iface.endsWith("]")) {
    const inner = iface.slice(1, -1);
    if (IPV4.test(inner)) return inner;
    if (!isIpv6(inner)) return undefined;
    if (ipv4only) {
      throw new SpError(code, `${iface} is IPv6: set NN_IPV4ONLY to 0 to use it`);
    }
    return inner;
  }
  return undefined;
}

/**
 * Parses a tcp address by nanomsg's rules, plus one of ours: binding to
 * port 0 takes any free port (nanomsg refuses it; the listener reports
 * the port it got).
 *
 * @throws {SpError} EINVAL or ENODEV
 */
export function parseTcpAddress(address: string, mode: "bind" | "connect", ipv4only: boolean): TcpAddress {
  if (mode === "bind") {
    const { host, port } = splitHostPort(address);
    const iface = literal(host, ipv4only, "ENODEV");
    if (iface === undefined) {
      throw new SpError("ENODEV", `cannot bind to ${host}: use *, an IPv4 literal or a bracketed IPv6 literal`);
    }
    return { host: iface, port: parsePort(port, address, 0) };
  }
  const semi = address.indexOf(";");
  let local: string | undefined;
  let rest = address;
  if (semi >= 0) {
    const iface = address.slice(0, semi);
    local = literal(iface, ipv4only, "ENODEV");
    if (local === undefined || iface === "*") {
      throw new SpError("ENODEV", `local interface ${iface} must be an address literal`);
    }
    rest = address.slice(semi + 1);
  }
  const { host, port } = splitHostPort(rest);
  if (host === "" || host === "*") throw new SpError("EINVAL", `cannot connect to ${host || "an empty host"}`);
  let target = literal(host, ipv4only, "EINVAL");
  if (target === undefined) {
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host)) {
      throw new SpError("EINVAL", `${host} is not a host name or address`);
    }
    target = host;
  }
  const parsed: TcpAddress = { host: target, port: parsePort(port, rest, 1) };
  if (local !== undefined) parsed.local = local;
  return parsed;
}
