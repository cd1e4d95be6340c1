/**
 * The tcp transport: `tcp://iface:port` to bind (iface `*`, an IPv4 literal
 * or a bracketed IPv6 literal) and `tcp://[local;]host:port` to connect,
 * with nanomsg's address rules. Frames are a u64 big-endian length and the
 * payload (sp-tcp-mapping-01 §3).
 *
 * @module
 */

import { fromDenoError, SpError } from "../core/errors.ts";
import {
  checkEndpointOptions,
  type Connection,
  type Transport,
  type TransportListener,
  type TransportOptions,
} from "../core/transport.ts";
import { connectFrom } from "./_node_socket_stream.ts";
import { StreamConnection } from "./_stream_connection.ts";

/** tcp frames carry no type byte. */
const TCP_FRAMES = {} as const;

interface TcpAddress {
  host: string; // hostname for Deno (IPv6 without brackets)
  port: number;
  local?: string; // connect only: the local interface literal
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

function parsePort(port: string, address: string): number {
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new SpError("EINVAL", `tcp address ${address} needs a port from 1 to 65535`);
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
 * Parses a tcp address by nanomsg's rules.
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
    return { host: iface, port: parsePort(port, address) };
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
  const parsed: TcpAddress = { host: target, port: parsePort(port, rest) };
  if (local !== undefined) parsed.local = local;
  return parsed;
}

function describe(addr: Deno.NetAddr): string {
  return addr.hostname.includes(":") ? `[${addr.hostname}]:${addr.port}` : `${addr.hostname}:${addr.port}`;
}

class TcpListener implements TransportListener {
  readonly address: string;
  readonly #listener: Deno.TcpListener;
  readonly #options: TransportOptions;
  #pendingAccept: Promise<unknown> | undefined;

  constructor(listener: Deno.TcpListener, options: TransportOptions) {
    this.#listener = listener;
    this.#options = options;
    this.address = describe(listener.addr);
  }

  async accept(): Promise<Connection> {
    const accepting = this.#listener.accept();
    this.#pendingAccept = accepting;
    const conn = await accepting;
    if (this.#options.tcpNoDelay) conn.setNoDelay(true);
    return new StreamConnection(conn, TCP_FRAMES, this.#options.recvMaxSize, `tcp ${describe(conn.remoteAddr)}`);
  }

  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    // The port is released only once the pending accept has been cancelled.
    await this.#pendingAccept?.catch(() => {});
  }
}

/**
 * Creates the tcp transport.
 *
 * @example Usage
 * ```ts
 * import { createTcpTransport } from "./tcp.ts";
 * const tcp = createTcpTransport();
 * console.log(tcp.scheme); // "tcp"
 * ```
 *
 * @returns the transport, to register on a runtime
 */
export function createTcpTransport(): Transport {
  return {
    scheme: "tcp",
    checkAddress(address, mode, options) {
      checkEndpointOptions("tcp", options.endpoint, []);
      parseTcpAddress(address, mode, options.ipv4only);
    },
    listen(address, options) {
      const { host, port } = parseTcpAddress(address, "bind", options.ipv4only);
      try {
        const listener = Deno.listen({ hostname: host, port, transport: "tcp" });
        return Promise.resolve(new TcpListener(listener, options));
      } catch (err) {
        return Promise.reject(fromDenoError(err, `tcp://${address}`));
      }
    },
    async dial(address, options, signal) {
      const { host, port, local } = parseTcpAddress(address, "connect", options.ipv4only);
      if (local !== undefined) {
        try {
          const { stream, remote } = await connectFrom(local, host, port, options.tcpNoDelay, signal);
          return new StreamConnection(stream, TCP_FRAMES, options.recvMaxSize, `tcp ${remote}`);
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === "ECONNREFUSED") {
            throw new SpError("ECONNREFUSED", `nothing listens at tcp://${address}`, { cause: err });
          }
          if (code === "EADDRNOTAVAIL") {
            throw new SpError("EADDRNOTAVAIL", `${local} is not a local address`, { cause: err });
          }
          throw fromDenoError(err, `tcp://${address}`);
        }
      }
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect({ hostname: host, port, transport: "tcp", signal });
      } catch (err) {
        throw fromDenoError(err, `tcp://${address}`);
      }
      if (options.tcpNoDelay) conn.setNoDelay(true);
      return new StreamConnection(conn, TCP_FRAMES, options.recvMaxSize, `tcp ${describe(conn.remoteAddr)}`);
    },
  };
}
