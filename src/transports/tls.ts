/**
 * The `tls+tcp://` transport: the SP tcp mapping (8-byte header exchange,
 * u64 length frames) inside TLS (sp-tls-mapping-01), as nng and mangos
 * speak it. Addresses follow the tcp rules; the TLS endpoint options are
 * those of `_tls.ts`. The TLS handshake runs on first use, inside the
 * pipe's handshake timeout.
 *
 * @module
 */

import { fromDenoError, SpError } from "../core/errors.ts";
import { requirePermissions } from "../core/permissions.ts";
import { checkEndpointOptions, type Transport, type TransportOptions } from "../core/transport.ts";
import { DenoListener } from "./_deno_listener.ts";
import { StreamConnection } from "./_stream_connection.ts";
import { parseTcpAddress } from "./_tcp_address.ts";
import { sendStallTimeout } from "./_tcp_tuning.ts";
import { describeAddr, dialTls, listenTls, TLS_OPTIONS, tlsSettings, tlsStream } from "./_tls.ts";

/** tcp frames carry no type byte. */
const TCP_FRAMES = {} as const;

/**
 * `NN_TCP_KEEPALIVE` arms the send-stall watchdog; Deno's TLS connections
 * cannot switch on `SO_KEEPALIVE` or `TCP_NODELAY` (see `_tcp_tuning.ts`).
 */
function connection(conn: Deno.TlsConn, options: TransportOptions, description: string): StreamConnection {
  const stream = tlsStream(conn, description);
  return new StreamConnection(stream, TCP_FRAMES, options.recvMaxSize, description, {
    sendStallTimeout: sendStallTimeout(options),
  });
}

function parse(address: string, mode: "bind" | "connect", ipv4only: boolean) {
  if (mode === "connect" && address.includes(";")) {
    throw new SpError("EINVAL", "tls+tcp connects take no local interface (iface;host)");
  }
  return parseTcpAddress(address, mode, ipv4only);
}

/**
 * Creates the tls+tcp transport.
 *
 * @example Usage
 * ```ts
 * import { createTlsTcpTransport } from "@sp/nanomsg";
 * console.log(createTlsTcpTransport().scheme); // "tls+tcp"
 * ```
 *
 * @returns the transport, to register on a runtime
 */
export function createTlsTcpTransport(): Transport {
  return {
    scheme: "tls+tcp",
    checkAddress(address, mode, options) {
      checkEndpointOptions("tls+tcp", options.endpoint, TLS_OPTIONS);
      const { host, port } = parse(address, mode, options.ipv4only);
      tlsSettings(options.endpoint, mode);
      // A dialer retries in the background: without permission it would retry forever.
      if (mode === "connect") {
        const hostPort = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
        requirePermissions([{ name: "net", host: hostPort }], `tls+tcp://${address}`);
      }
    },
    listen(address, options) {
      const url = `tls+tcp://${address}`;
      try {
        const { host, port } = parse(address, "bind", options.ipv4only);
        const listener = listenTls(host, port, tlsSettings(options.endpoint, "bind"), url);
        return Promise.resolve(
          new DenoListener(listener, describeAddr(listener.addr), (conn) => {
            const description = `tls+tcp ${describeAddr(conn.remoteAddr)}`;
            return connection(conn, options, description);
          }),
        );
      } catch (err) {
        return Promise.reject(fromDenoError(err, url));
      }
    },
    async dial(address, options, signal) {
      const url = `tls+tcp://${address}`;
      const { host, port } = parse(address, "connect", options.ipv4only);
      const conn = await dialTls(host, port, tlsSettings(options.endpoint, "connect"), signal, url);
      return connection(conn, options, `tls+tcp ${describeAddr(conn.remoteAddr)}`);
    },
  };
}
