/**
 * The `ws://` and `wss://` transports for Deno: SP over WebSocket (RFC
 * 6455) on our own framing over `Deno.connect`/`Deno.listen` (and their
 * TLS versions). Binding shares a port between sockets bound under
 * different paths; connecting sends the URL's path. `wss://` takes the TLS
 * endpoint options of `_tls.ts` (certificate, key, CA, server name).
 *
 * @module
 */

import { requirePermissions } from "../../core/permissions.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import { fromDenoError } from "../../core/errors.ts";
import { checkEndpointOptions, type Transport } from "../../core/transport.ts";
import { sendStallTimeout, tuneTcp } from "../_tcp_tuning.ts";
import type { ByteStream } from "../_stream_connection.ts";
import { TLS_OPTIONS, tlsSettings } from "../_tls.ts";
import { dialTls, hostPort } from "../_tls_socket.ts";
import { parseWsAddress } from "./address.ts";
import { WsConnection } from "./connection.ts";
import { WsServers } from "./server.ts";

/** Settings of a ws transport instance (one per runtime). */
export interface WsTransportOptions {
  /** The runtime's clock, for the request timeout of listeners. */
  clock?: Clock;
  /** How long a client has to send its upgrade request, ms (the runtime's handshake timeout). */
  handshakeTimeout?: number;
}

function createTransport(secure: boolean, options: WsTransportOptions): Transport {
  const scheme = secure ? "wss" : "ws";
  const servers = new WsServers({
    scheme,
    clock: options.clock ?? systemClock,
    requestTimeout: options.handshakeTimeout ?? 1000,
  });
  return {
    scheme,
    checkAddress(address, mode, options) {
      checkEndpointOptions(scheme, options.endpoint, secure ? TLS_OPTIONS : []);
      const { host, port } = parseWsAddress(address, mode, options.ipv4only, secure);
      if (secure) tlsSettings(options.endpoint, mode);
      // A dialer retries in the background: without permission it would retry forever.
      if (mode === "connect") {
        const hostPort = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
        requirePermissions([{ name: "net", host: hostPort }], `${scheme}://${address}`);
      }
    },
    listen(address, options) {
      const url = `${scheme}://${address}`;
      try {
        const parsed = parseWsAddress(address, "bind", options.ipv4only, secure);
        const tls = secure ? tlsSettings(options.endpoint, "bind") : undefined;
        return servers.listen(parsed, options, tls, url);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    async dial(address, options, signal) {
      const url = `${scheme}://${address}`;
      const { host, port, target, hostHeader } = parseWsAddress(address, "connect", options.ipv4only, secure);
      let stream: ByteStream;
      let remote: string;
      if (secure) {
        ({ stream, remote } = await dialTls(
          host,
          port,
          tlsSettings(options.endpoint, "connect"),
          options,
          signal,
          url,
        ));
      } else {
        let conn: Deno.TcpConn;
        try {
          conn = await Deno.connect({ hostname: host, port, transport: "tcp", signal });
        } catch (err) {
          throw fromDenoError(err, url);
        }
        tuneTcp(conn, options);
        [stream, remote] = [conn, hostPort(conn.remoteAddr.hostname, conn.remoteAddr.port)];
      }
      const description = `${scheme} ${remote}`;
      const setup = { role: "client", host: hostHeader, target } as const;
      return new WsConnection(stream, setup, options.recvMaxSize, description, sendStallTimeout(options));
    },
  };
}

/**
 * Creates the `ws://` transport.
 *
 * @example Usage
 * ```ts
 * import { createWsTransport } from "@sp/nanomsg";
 * console.log(createWsTransport().scheme); // "ws"
 * ```
 *
 * @param options the runtime's clock and handshake timeout
 * @returns the transport, to register on a runtime
 */
export function createWsTransport(options: WsTransportOptions = {}): Transport {
  return createTransport(false, options);
}

/**
 * Creates the `wss://` transport (WebSocket over TLS).
 *
 * @example Usage
 * ```ts
 * import { createWssTransport } from "@sp/nanomsg";
 * console.log(createWssTransport().scheme); // "wss"
 * ```
 *
 * @param options the runtime's clock and handshake timeout
 * @returns the transport, to register on a runtime
 */
export function createWssTransport(options: WsTransportOptions = {}): Transport {
  return createTransport(true, options);
}
