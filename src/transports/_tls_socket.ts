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
 * Client certificates. A listener whose `tls-authmode` is not `"none"`
 * asks for one. Deno's `node:tls` (2.9.6) does not refuse a client's
 * certificate that fails verification, on a standalone server socket nor
 * with `rejectUnauthorized` (a certificate from another CA, an expired
 * one, one for servers only all got in); it refuses only a missing one,
 * with `rejectUnauthorized`. It does verify the chain against the CA
 * given, and the socket's handle reports the outcome (`verifyError()`,
 * what `tls.Server` itself reads): the listener reads it once the
 * handshake is done and closes a refused client before any of its bytes
 * are read. Without that handle the client is refused (fail closed).
 * Under TLS 1.3 the client's side of the handshake ends before the server
 * has judged its certificate, so a dialer learns of a refusal only as an
 * alert or a closed connection before the server's first byte: both fail
 * it with EPROTO, as a refused server certificate does, so both sides
 * count and report a refused client alike.
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
import type { TlsAuthMode, TlsSettings } from "./_tls.ts";

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

/**
 * Settles with the socket's TLS handshake; a failed one is EPROTO, and so
 * is one `refusal` finds fault with (the socket is then closed).
 */
function handshake(
  socket: TLSSocket,
  secureEvent: "secure" | "secureConnect",
  what: string,
  refusal: () => string | undefined = () => undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => {
      socket.off(secureEvent, done);
      reject(new SpError("EPROTO", `${what}: TLS handshake failed: ${err.message}`, { cause: err }));
    };
    const closed = () => failed(new Error("closed by the peer"));
    const done = () => {
      socket.off("error", failed);
      socket.off("close", closed);
      const refused = refusal();
      if (refused === undefined) return resolve();
      socket.destroy();
      reject(new SpError("EPROTO", `${what}: client refused: ${refused}`));
    };
    socket.once(secureEvent, done);
    socket.once("error", failed);
    socket.once("close", closed);
  });
}

/** What a server socket's handle tells about the client's certificate (Node: an Error or null; Deno: a code or ""). */
interface VerifyingHandle {
  verifyError(): unknown;
}

/**
 * Why a listener refuses its client, or undefined to let it in: a missing
 * certificate when it is required, one that does not verify against the
 * CA when one is sent.
 */
function clientRefusal(socket: TLSSocket, mode: TlsAuthMode): string | undefined {
  if (mode === "none") return undefined;
  const certificate = socket.getPeerCertificate();
  if (certificate === null || certificate === undefined || Object.keys(certificate).length === 0) {
    return mode === "required" ? "it sent no certificate" : undefined;
  }
  const handle = (socket as unknown as { ssl?: Partial<VerifyingHandle> }).ssl;
  if (typeof handle?.verifyError !== "function") {
    return "this runtime's TLS cannot tell whether its certificate verifies";
  }
  const error = handle.verifyError();
  if (error === null || error === undefined || error === "") return undefined;
  const code = error instanceof Error ? (error as { code?: string }).code ?? error.message : String(error);
  return `its certificate does not verify against tls-ca (${code})`;
}

/**
 * A dialer's reading of its socket's errors: a TLS alert, or any error
 * before the server has sent a byte (under TLS 1.3 a server refuses a
 * client certificate after the client's side of the handshake is over),
 * is EPROTO.
 */
function dialerErrors(socket: TLSSocket, url: string): (err: Error) => Error {
  let answered = false;
  socket.once("data", () => answered = true);
  return (err) => {
    if (err instanceof SpError) return err;
    const alert = String((err as { code?: string }).code ?? "").startsWith("ERR_SSL_");
    if (answered && !alert) return err;
    return new SpError(
      "EPROTO",
      `${url}: the server ended the TLS session before answering (${err.message}); a server that asks for a client ` +
        `certificate does so when ours is missing or not trusted`,
      { cause: err },
    );
  };
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
  const verify = settings.authMode !== "none";
  const socket = tlsConnect({
    host,
    port,
    // SNI carries names only; an address is matched by checkServerIdentity.
    servername: IP_LITERAL.test(name) ? undefined : name,
    // Instead of the default roots, as nng's CA option and node's do (adding the roots back needs --allow-sys).
    ca: settings.caCerts,
    cert: settings.cert,
    key: settings.key,
    rejectUnauthorized: verify,
    checkServerIdentity: verify
      ? (_host: string, cert: PeerCertificate) => checkServerIdentity(name, cert)
      : () => undefined,
  });
  const ready = handshake(socket, "secureConnect", url);
  ready.catch(() => {});
  const describe = dialerErrors(socket, url);
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
        stream: new NodeSocketStream(socket, ready, describe),
        local: hostPort(socket.localAddress, socket.localPort),
        remote: hostPort(socket.remoteAddress, socket.remotePort),
      });
    });
  });
}

/** A listener's certificate and key, and the CA it verifies clients against when it asks them for a certificate. */
function secureContext(settings: TlsSettings) {
  const ca = settings.authMode === "none" ? undefined : settings.caCerts;
  return createSecureContext({ cert: settings.cert, key: settings.key, ca });
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
    const context = secureContext(settings);
    const asks = settings.authMode !== "none";
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
      const socket = new TLSSocket(raw, {
        isServer: true,
        secureContext: context,
        requestCert: asks,
        // Refuses a missing certificate during the handshake (an alert the client sees); the rest is clientRefusal's.
        rejectUnauthorized: settings.authMode === "required",
      });
      const ready = handshake(
        socket,
        "secure",
        `${url} from ${remote}`,
        () => clientRefusal(socket, settings.authMode),
      );
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
      secureContext(settings);
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
