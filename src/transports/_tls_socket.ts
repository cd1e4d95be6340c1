/**
 * TLS connections for `tls+tcp://` and `wss://`, over `node:tls` rather
 * than `Deno.connectTls`/`Deno.listenTls`.
 *
 * Why not Deno's own TLS (Deno 2.9.6): `Deno.TlsConn.write` sends every
 * TLS record (16 KiB of plaintext at most) with a send(2) of its own, and
 * a TLS connection cannot switch Nagle's algorithm off (`Deno.TlsConn` has
 * no `setNoDelay`, `Deno.listenTls` no option for it; denoland/deno#13617
 * is where `setNoDelay` moved to `Deno.TcpConn` only). A message of more
 * than one record is then two or more small segments: Nagle holds the
 * second until the first is acknowledged, and the peer, which has only
 * part of a message and nothing to answer yet, delays its ACK (40 ms on
 * Linux). Every request or reply above 16,376 bytes of payload waited
 * ~40 ms per hop: on loopback, REQ/REP of 20,000 bytes did ~11 round trips
 * a second instead of thousands. Bare repro, no SP involved: a
 * `Deno.listenTls` echo and a `Deno.connectTls` client each keeping a read
 * pending, ping-pong of 20,000 bytes: ~34 fast round trips (Linux ACKs at
 * once while a connection is young), then one every ~90 ms (strace:
 * `sendto(16406)` then `sendto(3638)` 44 ms later on each side); 16,000
 * bytes: 2,000 round trips in 172 ms. Both sides' writes stall, and with
 * no read pending (read a whole message, then write) just the same: 58
 * round trips in 5 s. Splitting writes into
 * ≤ 16 KiB does not help (each write is still its own small segment);
 * `Deno.connect` + `setNoDelay` + `Deno.startTls` fixes only the dialing
 * side and cannot present a client certificate. `node:tls` sockets take
 * `setNoDelay` and `setKeepAlive` on both sides.
 *
 * Nagle stays off on every TLS connection, whatever `NN_TCP_NODELAY`
 * says: TLS cuts writes into records, and `node:tls` sends a large write
 * in pieces of up to 48 KiB of plaintext, so with Nagle on REQ/REP of
 * 49,152 or 50,000 bytes stalled the same way (~88 ms per round trip;
 * 20 KiB, 64 KiB and 1 MiB happened to go through). Plain tcp sends each
 * flush with one write and needs no such rule.
 *
 * The TLS handshake is not awaited by dial or accept: it runs on first
 * use, inside the pipe's handshake timeout, and a failed one fails the
 * stream's first read or write with EPROTO.
 *
 * @module
 */

import { createServer, type Server, type Socket } from "node:net";
import {
  checkServerIdentity,
  connect as tlsConnect,
  createSecureContext,
  type PeerCertificate,
  TLSSocket,
} from "node:tls";
import { fromDenoError, SpError } from "../core/errors.ts";
import { NodeSocketStream } from "./_node_socket_stream.ts";
import type { ByteStream } from "./_stream_connection.ts";
import type { TcpSwitches } from "./_tcp_tuning.ts";
import type { TlsSettings } from "./_tls.ts";

/** A TLS connection as a byte stream, with both ends' addresses (`host:port`). */
export interface TlsConnection {
  readonly stream: ByteStream;
  readonly local: string;
  readonly remote: string;
}

/** `host:port`, IPv6 in brackets. */
export function hostPort(host: string | undefined, port: number | undefined): string {
  const h = host ?? "?";
  return h.includes(":") ? `[${h}]:${port}` : `${h}:${port}`;
}

const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)$/;

/** Maps a node socket error to an SpError about `where`. */
function fromNodeError(err: unknown, where: string): SpError {
  if (err instanceof SpError) return err;
  const code = (err as { code?: string }).code;
  if (code === "ECONNREFUSED") return new SpError("ECONNREFUSED", `nothing listens at ${where}`, { cause: err });
  if (code === "EADDRINUSE") return new SpError("EADDRINUSE", `${where} is already in use`, { cause: err });
  if (code === "EADDRNOTAVAIL") return new SpError("EADDRNOTAVAIL", `${where} is not a local address`, { cause: err });
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new SpError("EHOSTUNREACH", `cannot resolve the host of ${where}`, { cause: err });
  }
  return fromDenoError(err, where);
}

/** Settles with the socket's TLS handshake; a failed one is EPROTO. */
function handshake(socket: TLSSocket, secureEvent: "secure" | "secureConnect", what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => {
      socket.off(secureEvent, done);
      reject(new SpError("EPROTO", `${what}: TLS handshake failed: ${err.message}`, { cause: err }));
    };
    const closed = () => failed(new Error("closed by the peer"));
    const done = () => {
      socket.off("error", failed);
      socket.off("close", closed);
      resolve();
    };
    socket.once(secureEvent, done);
    socket.once("error", failed);
    socket.once("close", closed);
  });
}

/**
 * Dials a TLS server. Resolves once tcp is connected; the handshake runs
 * on first use. Unless `verify` is off, the server's chain is verified
 * against the CA given (or the default roots), and its certificate's names
 * against `serverName` (default: the host).
 *
 * @example Usage
 * ```ts ignore
 * const { stream } = await dialTls("127.0.0.1", 5555, tlsSettings({}, "connect"), options, signal, url);
 * ```
 *
 * @throws {SpError} ECONNREFUSED and the like
 */
export function dialTls(
  host: string,
  port: number,
  settings: TlsSettings,
  tcp: TcpSwitches,
  signal: AbortSignal,
  url: string,
): Promise<TlsConnection> {
  const name = settings.serverName ?? host;
  const socket = tlsConnect({
    host,
    port,
    // SNI carries names only; an address is matched by checkServerIdentity.
    servername: IP_LITERAL.test(name) ? undefined : name,
    // Instead of the default roots, as nng's CA option and node's do (adding the roots back needs --allow-sys).
    ca: settings.caCerts,
    cert: settings.cert,
    key: settings.key,
    rejectUnauthorized: settings.verify,
    checkServerIdentity: settings.verify
      ? (_host: string, cert: PeerCertificate) => checkServerIdentity(name, cert)
      : () => undefined,
  });
  const ready = handshake(socket, "secureConnect", url);
  ready.catch(() => {});
  return new Promise((resolve, reject) => {
    const abort = () => {
      socket.destroy();
      reject(signal.reason);
    };
    const failed = (err: Error) => {
      signal.removeEventListener("abort", abort);
      socket.destroy();
      reject(fromNodeError(err, url));
    };
    signal.addEventListener("abort", abort, { once: true });
    socket.once("error", failed);
    socket.once("connect", () => {
      signal.removeEventListener("abort", abort);
      socket.off("error", failed);
      socket.setNoDelay(true);
      if (tcp.tcpKeepAlive) socket.setKeepAlive(true);
      resolve({
        stream: new NodeSocketStream(socket, ready),
        local: hostPort(socket.localAddress, socket.localPort),
        remote: hostPort(socket.remoteAddress, socket.remotePort),
      });
    });
  });
}

/**
 * A bound TLS listener: accepts tcp connections and runs the server side
 * of TLS on each (on first use).
 *
 * @example Usage
 * ```ts ignore
 * const listener = await TlsListener.listen("127.0.0.1", 0, settings, () => options, "tls+tcp://127.0.0.1:0");
 * const { stream, remote } = await listener.accept();
 * ```
 */
export class TlsListener {
  /** The bound `host:port`. */
  readonly address: string;
  /** The bound port. */
  readonly port: number;
  readonly #server: Server;
  #accepted: TlsConnection[] = [];
  #waiting: { resolve(c: TlsConnection): void; reject(e: unknown): void }[] = [];
  #closed = false;

  private constructor(server: Server, tcp: () => TcpSwitches | undefined, settings: TlsSettings, url: string) {
    this.#server = server;
    const bound = server.address() as { address: string; port: number };
    this.port = bound.port;
    this.address = hostPort(bound.address, bound.port);
    const context = createSecureContext({ cert: settings.cert, key: settings.key });
    server.on("error", () => {}); // after listening: nothing to report it to; accepts go on or end
    server.on("connection", (raw: Socket) => {
      raw.on("error", () => {}); // reported through the TLS socket
      if (this.#closed) {
        raw.destroy();
        return;
      }
      const switches = tcp();
      raw.setNoDelay(true);
      if (switches?.tcpKeepAlive) raw.setKeepAlive(true);
      const remote = hostPort(raw.remoteAddress, raw.remotePort);
      const socket = new TLSSocket(raw, { isServer: true, secureContext: context });
      const ready = handshake(socket, "secure", `${url} from ${remote}`);
      ready.catch(() => {});
      const connection: TlsConnection = {
        stream: new NodeSocketStream(socket, ready),
        local: hostPort(raw.localAddress, raw.localPort),
        remote,
      };
      const waiter = this.#waiting.shift();
      if (waiter !== undefined) waiter.resolve(connection);
      else this.#accepted.push(connection);
    });
  }

  /**
   * Binds `host:port` (port 0: one the system picks).
   *
   * @param tcp the tcp switches for each accepted connection, read as it arrives
   * @throws {SpError} EADDRINUSE, EACCES, EINVAL for an unusable certificate
   */
  static listen(
    host: string,
    port: number,
    settings: TlsSettings,
    tcp: () => TcpSwitches | undefined,
    url: string,
  ): Promise<TlsListener> {
    try {
      createSecureContext({ cert: settings.cert, key: settings.key });
    } catch (err) {
      const message = `${url}: cannot listen with this certificate: ${(err as Error).message}`;
      return Promise.reject(new SpError("EINVAL", message, { cause: err }));
    }
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once("error", (err) => reject(fromNodeError(err, url)));
      server.listen({ host, port }, () => {
        server.removeAllListeners("error");
        resolve(new TlsListener(server, tcp, settings, url));
      });
    });
  }

  /** The next connection; rejects once the listener is closed. */
  accept(): Promise<TlsConnection> {
    if (this.#closed) return Promise.reject(new SpError("EBADF", `${this.address} is closed`));
    const ready = this.#accepted.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Stops listening and closes connections not yet accepted; resolves once the port is free. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const connection of this.#accepted) connection.stream.close();
    this.#accepted = [];
    for (const waiter of this.#waiting) waiter.reject(new SpError("EBADF", `${this.address} is closed`));
    this.#waiting = [];
    // The port is free once close() returns; its callback would wait for every connection to end.
    this.#server.close();
    return Promise.resolve();
  }
}
