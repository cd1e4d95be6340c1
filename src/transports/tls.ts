/**
 * The `tls+tcp://` transport: the SP tcp mapping (8-byte header exchange,
 * u64 length frames) inside TLS (sp-tls-mapping-01), as nng and mangos
 * speak it. Addresses follow the tcp rules; the TLS endpoint options are
 * those of `_tls.ts`. The TLS handshake runs on first use, inside the
 * pipe's handshake timeout.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";
import { requirePermissions } from "../core/permissions.ts";
import {
  checkEndpointOptions,
  type Transport,
  type TransportListener,
  type TransportOptions,
} from "../core/transport.ts";
import { StreamConnection } from "./_stream_connection.ts";
import { parseTcpAddress } from "./_tcp_address.ts";
import { sendStallTimeout } from "./_tcp_tuning.ts";
import { TLS_OPTIONS, tlsSettings } from "./_tls.ts";
import { dialTls, type TlsConnection, TlsListener } from "./_tls_socket.ts";

/** tcp frames carry no type byte. */
const TCP_FRAMES = {} as const;

/** `NN_TCP_KEEPALIVE` also arms the send-stall watchdog. */
function connection(tls: TlsConnection, options: TransportOptions): StreamConnection {
  return new StreamConnection(tls.stream, TCP_FRAMES, options.recvMaxSize, `tls+tcp ${tls.remote}`, {
    addresses: { local: tls.local, remote: tls.remote },
    sendStallTimeout: sendStallTimeout(options),
  });
}

function parse(address: string, mode: "bind" | "connect", ipv4only: boolean) {
  if (mode === "connect" && address.includes(";")) {
    throw new SpError("EINVAL", "tls+tcp connects take no local interface (iface;host)");
  }
  return parseTcpAddress(address, mode, ipv4only);
}

/** A bound tls+tcp address: each accepted TLS connection becomes an SP connection. */
class TlsTcpListener implements TransportListener {
  readonly address: string;
  readonly #listener: TlsListener;
  readonly #options: TransportOptions;

  constructor(listener: TlsListener, options: TransportOptions) {
    this.#listener = listener;
    this.#options = options;
    this.address = listener.address;
  }

  async accept() {
    return connection(await this.#listener.accept(), this.#options);
  }

  close(): Promise<void> {
    return this.#listener.close();
  }
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
    async listen(address, options) {
      const url = `tls+tcp://${address}`;
      const { host, port } = parse(address, "bind", options.ipv4only);
      const settings = tlsSettings(options.endpoint, "bind");
      return new TlsTcpListener(await TlsListener.listen(host, port, settings, () => options, url), options);
    },
    async dial(address, options, signal) {
      const url = `tls+tcp://${address}`;
      const { host, port } = parse(address, "connect", options.ipv4only);
      return connection(
        await dialTls(host, port, tlsSettings(options.endpoint, "connect"), options, signal, url),
        options,
      );
    },
  };
}
