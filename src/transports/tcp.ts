/**
 * The tcp transport: `tcp://iface:port` to bind (iface `*`, an IPv4 literal
 * or a bracketed IPv6 literal) and `tcp://[local;]host:port` to connect,
 * with nanomsg's address rules. Frames are a u64 big-endian length and the
 * payload (sp-tcp-mapping-01 §3).
 *
 * @module
 */

import { fromDenoError, SpError } from "../core/errors.ts";
import { requirePermissions } from "../core/permissions.ts";
import { checkEndpointOptions, type Transport, type TransportOptions } from "../core/transport.ts";
import { DenoListener } from "./_deno_listener.ts";
import { connectFrom } from "./_node_socket_stream.ts";
import { type ByteStream, StreamConnection } from "./_stream_connection.ts";
import { parseTcpAddress } from "./_tcp_address.ts";
import { sendStallTimeout, tuneTcp } from "./_tcp_tuning.ts";

export { parseTcpAddress } from "./_tcp_address.ts";

/** tcp frames carry no type byte. */
const TCP_FRAMES = {} as const;

function describe(addr: Deno.NetAddr): string {
  return hostPort(addr.hostname, addr.port);
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function connection(
  stream: ByteStream,
  options: TransportOptions,
  addresses: { local: string; remote: string },
): StreamConnection {
  return new StreamConnection(stream, TCP_FRAMES, options.recvMaxSize, `tcp ${addresses.remote}`, {
    addresses,
    sendStallTimeout: sendStallTimeout(options),
  });
}

function tcpConnection(conn: Deno.TcpConn, options: TransportOptions): StreamConnection {
  tuneTcp(conn, options);
  return connection(conn, options, { local: describe(conn.localAddr), remote: describe(conn.remoteAddr) });
}

/**
 * Creates the tcp transport.
 *
 * @example Usage
 * ```ts
 * import { createTcpTransport } from "@sp/nanomsg";
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
      const { host, port } = parseTcpAddress(address, mode, options.ipv4only);
      // A dialer retries in the background: without permission it would retry forever.
      if (mode === "connect") requirePermissions([{ name: "net", host: hostPort(host, port) }], `tcp://${address}`);
    },
    listen(address, options) {
      const { host, port } = parseTcpAddress(address, "bind", options.ipv4only);
      try {
        const listener = Deno.listen({ hostname: host, port, transport: "tcp" });
        return Promise.resolve(
          new DenoListener(listener, describe(listener.addr), (conn) => {
            return tcpConnection(conn, options);
          }),
        );
      } catch (err) {
        return Promise.reject(fromDenoError(err, `tcp://${address}`));
      }
    },
    async dial(address, options, signal) {
      const { host, port, local } = parseTcpAddress(address, "connect", options.ipv4only);
      if (local !== undefined) {
        try {
          const connected = await connectFrom(local, host, port, options, signal);
          return connection(connected.stream, options, connected);
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
      return tcpConnection(conn, options);
    },
  };
}
