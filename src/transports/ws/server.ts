/**
 * The HTTP side of ws listeners: one tcp (or TLS) listener per host:port,
 * shared by every ws listener bound there, each under its own path (nng's
 * rule: the path must match exactly, else 404). It reads each request's
 * head under the runtime's handshake timeout, with a size cap and a cap on
 * requests in progress, and hands the connection to the listener of that
 * path. A request that cannot be served (malformed, too slow, unknown
 * path) is answered, closed, and reported to the port's first listener as
 * a connection whose handshake failed, so it is counted as dropped there.
 *
 * @module
 */

import type { Clock } from "../../core/clock.ts";
import { fromDenoError, SpError } from "../../core/errors.ts";
import type { Connection, TransportListener, TransportOptions } from "../../core/transport.ts";
import type { ByteStream } from "../_stream_connection.ts";
import { sendStallTimeout, type TcpSwitches, tuneTcp } from "../_tcp_tuning.ts";
import { sameListenerTls, type TlsSettings } from "../_tls.ts";
import { hostPort, TlsListener } from "../_tls_socket.ts";
import type { WsAddress } from "./address.ts";
import { WsConnection } from "./connection.ts";
import {
  checkUpgradeRequest,
  headEnd,
  HTTP_HEAD_MAX,
  parseHttpHead,
  refusalResponse,
  UpgradeRefused,
} from "./handshake.ts";

/** Requests being read at once on one port; more are closed at once (slow-request floods). */
const REQUESTS_IN_PROGRESS_MAX = 256;

/** What the servers of one transport share. */
export interface WsServerSettings {
  /** `ws` or `wss`, for descriptions. */
  readonly scheme: string;
  /** The runtime's clock, for the request timeout. */
  readonly clock: Clock;
  /** How long a client has to send its request head, ms. */
  readonly requestTimeout: number;
}

/** A connection refused before any listener took it: its handshake fails with the reason. */
class RefusedConnection implements Connection {
  readonly description: string;
  readonly pendingBytes = 0;
  readonly #reason: SpError;

  constructor(description: string, reason: SpError) {
    this.description = description;
    this.#reason = reason;
  }

  handshake(): Promise<number> {
    return Promise.reject(this.#reason);
  }
  start(): void {}
  send(): void {}
  pause(): void {}
  resume(): void {}
  close(): void {}
}

/** The ws listener of one path. */
class PathListener implements TransportListener {
  readonly address: string;
  readonly path: string;
  readonly options: TransportOptions;
  readonly #server: SharedServer;
  #ready: Connection[] = [];
  #waiting: { resolve(c: Connection): void; reject(e: unknown): void }[] = [];
  #closed = false;

  constructor(server: SharedServer, path: string, options: TransportOptions) {
    this.#server = server;
    this.path = path;
    this.options = options;
    this.address = `${server.address}${path}`;
  }

  deliver(connection: Connection): void {
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter.resolve(connection);
    else this.#ready.push(connection);
  }

  accept(): Promise<Connection> {
    if (this.#closed) return Promise.reject(new SpError("EBADF", `${this.address} is closed`));
    const ready = this.#ready.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const connection of this.#ready) connection.close();
    this.#ready = [];
    for (const waiter of this.#waiting) waiter.reject(new SpError("EBADF", `${this.address} is closed`));
    this.#waiting = [];
    await this.#server.remove(this);
  }
}

/** A connection accepted on a shared port, before its request is read. */
interface Accepted {
  readonly stream: ByteStream;
  /** The peer's `host:port`. */
  readonly remote: string;
}

/** What a shared port listens with: Deno's tcp listener (ws) or a TLS one (wss). */
interface PortListener {
  /** The bound `host:port`. */
  readonly address: string;
  readonly port: number;
  accept(): Promise<Accepted>;
  close(): Promise<void>;
}

/** ws: a Deno tcp listener; each connection gets the tcp switches of the port's first path. */
class TcpPortListener implements PortListener {
  readonly address: string;
  readonly port: number;
  readonly #listener: Deno.TcpListener;
  readonly #tcp: () => TcpSwitches | undefined;
  #pendingAccept: Promise<unknown> | undefined;

  constructor(listener: Deno.TcpListener, tcp: () => TcpSwitches | undefined) {
    this.#listener = listener;
    this.#tcp = tcp;
    this.port = listener.addr.port;
    this.address = hostPort(listener.addr.hostname, listener.addr.port);
  }

  async accept(): Promise<Accepted> {
    const accepting = this.#listener.accept();
    this.#pendingAccept = accepting;
    const conn = await accepting;
    const switches = this.#tcp();
    if (switches !== undefined) tuneTcp(conn, switches);
    return { stream: conn, remote: hostPort(conn.remoteAddr.hostname, conn.remoteAddr.port) };
  }

  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    await this.#pendingAccept?.catch(() => {}); // the port is free once the pending accept has ended
  }
}

/** One port: the tcp/TLS listener and the paths served on it. */
class SharedServer {
  readonly address: string;
  readonly port: number;
  readonly tls: TlsSettings | undefined;
  readonly routes = new Map<string, PathListener>();
  readonly #listener: PortListener;
  readonly #settings: WsServerSettings;
  #forget: () => void = () => {};
  #inProgress = 0;
  #accepting: Promise<void>;

  constructor(listener: PortListener, tls: TlsSettings | undefined, settings: WsServerSettings) {
    this.#listener = listener;
    this.tls = tls;
    this.#settings = settings;
    this.address = listener.address;
    this.port = listener.port;
    this.#accepting = this.#acceptLoop();
  }

  /** The switches of the port's first path, for a new connection (they are per port, not per path). */
  tcpSwitches(): TcpSwitches | undefined {
    return this.routes.values().next().value?.options;
  }

  /** Runs once the last path has gone, before the port is released. */
  onForget(forget: () => void): void {
    this.#forget = forget;
  }

  async remove(route: PathListener): Promise<void> {
    if (this.routes.get(route.path) !== route) return;
    this.routes.delete(route.path);
    if (this.routes.size > 0) return;
    this.#forget();
    await this.#listener.close();
    await this.#accepting;
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let accepted: Accepted;
      try {
        accepted = await this.#listener.accept();
      } catch {
        return; // closed
      }
      if (this.#inProgress >= REQUESTS_IN_PROGRESS_MAX) {
        accepted.stream.close();
        continue;
      }
      this.#route(accepted);
    }
  }

  async #route({ stream, remote }: Accepted): Promise<void> {
    const description = `${this.#settings.scheme} ${remote}`;
    this.#inProgress++;
    let timedOut = false;
    const timer = this.#settings.clock.setTimeout(() => {
      timedOut = true;
      stream.close();
    }, this.#settings.requestTimeout);
    let buffer = new Uint8Array(1024);
    let filled = 0;
    try {
      for (;;) {
        if (filled === buffer.length) {
          const grown = new Uint8Array(Math.min(buffer.length * 2, HTTP_HEAD_MAX));
          grown.set(buffer);
          buffer = grown;
        }
        const n = await stream.read(buffer.subarray(filled));
        if (n === null) throw new SpError("EPROTO", "client closed before its request was complete");
        filled += n;
        const end = headEnd(buffer.subarray(0, filled));
        if (end < 0) continue;
        this.#settings.clock.clearTimeout(timer);
        const request = checkUpgradeRequest(parseHttpHead(buffer.subarray(0, end)));
        const route = this.routes.get(request.path);
        if (route === undefined) throw new UpgradeRefused(404, `no ws listener at path ${request.path}`);
        route.deliver(
          new WsConnection(
            stream,
            { role: "server", request, early: buffer.slice(end, filled) },
            route.options.recvMaxSize,
            description,
            sendStallTimeout(route.options),
          ),
        );
        return;
      }
    } catch (err) {
      this.#settings.clock.clearTimeout(timer);
      await this.#refuse(stream, description, timedOut ? undefined : err);
    } finally {
      this.#inProgress--;
    }
  }

  /** Answers and closes a request that cannot be served; `err` undefined means it timed out. */
  async #refuse(stream: ByteStream, description: string, err: unknown): Promise<void> {
    let reason: SpError;
    if (err === undefined) {
      reason = new SpError("ETIMEDOUT", "no complete WebSocket request in time");
    } else if (err instanceof SpError) {
      reason = err;
      const status = err instanceof UpgradeRefused ? err.status : 400;
      await stream.write(refusalResponse(status)).catch(() => {});
    } else {
      reason = new SpError("ECONNRESET", `reading the request failed: ${(err as Error).message}`, { cause: err });
    }
    try {
      stream.close();
    } catch { /* closed by the timer or the peer */ }
    const first = this.routes.values().next().value;
    first?.deliver(new RefusedConnection(description, new SpError(reason.code, `${description}: ${reason.message}`)));
  }
}

/**
 * The HTTP servers of one ws transport (one runtime), keyed by host:port.
 *
 * @example Usage
 * ```ts ignore
 * const servers = new WsServers({ scheme: "ws", clock: systemClock, requestTimeout: 1000 });
 * const listener = await servers.listen(parseWsAddress("127.0.0.1:5555/a", "bind", true, false), options, undefined, url);
 * ```
 */
export class WsServers {
  readonly #settings: WsServerSettings;
  // Keyed by host|port; a server still opening is there as its promise, so a second bind waits for it.
  readonly #servers = new Map<string, Promise<SharedServer>>();

  /** @param settings scheme, clock and request timeout */
  constructor(settings: WsServerSettings) {
    this.#settings = settings;
  }

  /**
   * Serves `address.path` on `address.host:port`, sharing the port with
   * listeners of other paths.
   *
   * @throws {SpError} EADDRINUSE when the path is taken or the port is someone else's
   */
  async listen(
    address: WsAddress,
    options: TransportOptions,
    tls: TlsSettings | undefined,
    url: string,
  ): Promise<TransportListener> {
    // Port 0 asks for a port of its own; the server is then known by the port it got.
    let server = address.port === 0 ? undefined : await this.#servers.get(`${address.host}|${address.port}`);
    if (server === undefined) {
      const opening = this.#open(address, tls, url);
      const ownKey = `${address.host}|${address.port}`;
      if (address.port !== 0) this.#servers.set(ownKey, opening);
      let opened: SharedServer;
      try {
        opened = await opening;
      } catch (err) {
        if (this.#servers.get(ownKey) === opening) this.#servers.delete(ownKey);
        throw err;
      }
      const key = `${address.host}|${opened.port}`;
      if (address.port === 0) this.#servers.set(key, opening);
      opened.onForget(() => {
        if (this.#servers.get(key) === opening) this.#servers.delete(key);
      });
      server = opened;
    } else if (tls !== undefined && !sameListenerTls(tls, server.tls)) {
      // One TLS server per port: another certificate or client policy would silently not apply to this path.
      throw new SpError(
        "EADDRINUSE",
        `${url}: the port is already served with another certificate, tls-authmode or CA`,
      );
    }
    if (server.routes.has(address.path)) throw new SpError("EADDRINUSE", `${url} is already in use`);
    const route = new PathListener(server, address.path, options);
    server.routes.set(address.path, route);
    return route;
  }

  async #open(address: WsAddress, tls: TlsSettings | undefined, url: string): Promise<SharedServer> {
    // Connections take the switches of the port's first path, known once the server exists.
    const opened: { server?: SharedServer } = {};
    const tcp = () => opened.server?.tcpSwitches();
    let listener: PortListener;
    if (tls === undefined) {
      try {
        listener = new TcpPortListener(Deno.listen({ hostname: address.host, port: address.port }), tcp);
      } catch (err) {
        throw fromDenoError(err, url);
      }
    } else {
      listener = await TlsListener.listen(address.host, address.port, tls, tcp, url);
    }
    opened.server = new SharedServer(listener, tls, this.#settings);
    return opened.server;
  }
}
