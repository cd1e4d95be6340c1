/**
 * Adapts a `node:net` socket (or a `node:tls` one, which is a net socket)
 * to a {@linkcode ByteStream}. Used where Deno's own API falls short:
 * connecting from a chosen local address (nanomsg's
 * `tcp://iface;host:port`), which `Deno.connect` cannot do, and TLS (see
 * `_tls_socket.ts`).
 *
 * Arriving chunks queue until the reader takes them; past
 * {@linkcode PAUSE_AT} queued bytes the socket stops reading until the
 * reader has taken them all, so a slow consumer pushes back on its peer
 * through tcp's window as it does on a `Deno.Conn`. (Stopping and
 * restarting costs an op each: a wide gap between the two keeps them
 * rare when the reader is only a little slower than the link.)
 *
 * @module
 */

import { connect, type Socket } from "node:net";
import type { ByteStream } from "./_stream_connection.ts";

/** Queued bytes at which the socket stops reading until the reader has taken them. */
const PAUSE_AT = 1024 * 1024;

/**
 * A connected node socket seen as a byte stream.
 *
 * @example Usage
 * ```ts ignore
 * const stream = new NodeSocketStream(connect({ host: "127.0.0.1", port: 5555 }));
 * await stream.write(new Uint8Array([0, 83, 80, 0, 0, 16, 0, 0]));
 * ```
 */
export class NodeSocketStream implements ByteStream {
  /** Every chunk a node socket delivers is a new buffer. */
  readonly readsAllocate = true;

  readonly #socket: Socket;
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #paused = false;
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  #ready: Promise<void> | undefined;

  /**
   * @param socket the connected (or connecting) socket
   * @param ready settles when the socket can carry data (a TLS handshake);
   *   reads and writes wait for it and fail with its error
   * @param describe turns the socket's error into the one reads fail with
   *   (a TLS dialer names a refused client certificate so)
   */
  constructor(socket: Socket, ready?: Promise<void>, describe?: (err: Error) => Error) {
    this.#socket = socket;
    if (ready !== undefined) {
      this.#ready = ready.then(() => {
        this.#ready = undefined;
      });
      this.#ready.catch(() => {});
    }
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#queued += chunk.length;
      if (this.#queued >= PAUSE_AT && !this.#paused) {
        this.#paused = true;
        socket.pause();
      }
      this.#notify();
    });
    const end = () => {
      this.#ended = true;
      this.#notify();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", (err: Error) => {
      this.#error ??= describe === undefined ? err : describe(err);
      this.#notify();
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Copies as many queued chunks as fit into `buffer`. */
  async read(buffer: Uint8Array): Promise<number | null> {
    if (this.#ready !== undefined) await this.#ready;
    while (this.#chunks.length === 0) {
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    const chunks = this.#chunks;
    let n = 0;
    let taken = 0;
    while (taken < chunks.length && n < buffer.length) {
      const chunk = chunks[taken]!;
      const room = buffer.length - n;
      if (chunk.length <= room) {
        buffer.set(chunk, n);
        n += chunk.length;
        taken++;
      } else {
        buffer.set(chunk.subarray(0, room), n);
        chunks[taken] = chunk.subarray(room);
        n += room;
      }
    }
    if (taken === chunks.length) this.#chunks = [];
    else if (taken > 0) this.#chunks = chunks.slice(taken);
    this.#queued -= n;
    if (this.#paused && this.#queued === 0) {
      this.#paused = false;
      this.#socket.resume();
    }
    return n;
  }

  /**
   * Writes all of `data` (the socket queues what the kernel does not take
   * at once); resolves once it is handed on, so the caller may reuse it.
   */
  async write(data: Uint8Array): Promise<number> {
    if (this.#ready !== undefined) await this.#ready;
    return new Promise((resolve, reject) => {
      this.#socket.write(data, (err) => err ? reject(err) : resolve(data.length));
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

/**
 * Connects from `localAddress` to `host:port`.
 *
 * @returns the stream, and our and the peer's address text
 */
export function connectFrom(
  localAddress: string,
  host: string,
  port: number,
  tuning: { readonly tcpNoDelay: boolean; readonly tcpKeepAlive: boolean },
  signal: AbortSignal,
): Promise<{ stream: ByteStream; local: string; remote: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, localAddress, noDelay: tuning.tcpNoDelay });
    const abort = () => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
    socket.once("error", (err) => {
      signal.removeEventListener("abort", abort);
      reject(err);
    });
    socket.once("connect", () => {
      signal.removeEventListener("abort", abort);
      if (tuning.tcpKeepAlive) socket.setKeepAlive(true);
      socket.removeAllListeners("error");
      resolve({
        stream: new NodeSocketStream(socket),
        local: `${socket.localAddress}:${socket.localPort}`,
        remote: `${socket.remoteAddress}:${socket.remotePort}`,
      });
    });
  });
}
