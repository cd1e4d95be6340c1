/**
 * Adapts a `node:net` socket to a {@linkcode ByteStream}. Only used where
 * Deno's own API falls short: connecting from a chosen local address
 * (nanomsg's `tcp://iface;host:port`), which `Deno.connect` cannot do.
 *
 * @module
 */

import { connect, type Socket } from "node:net";
import type { ByteStream } from "./_stream_connection.ts";

/** A connected node socket seen as a byte stream. */
class NodeSocketStream implements ByteStream {
  readonly #socket: Socket;
  #chunks: Uint8Array[] = [];
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#notify();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("error", (err: Error) => {
      this.#error = err;
      this.#notify();
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    const chunk = this.#chunks[0]!;
    const n = Math.min(chunk.length, buffer.length);
    buffer.set(chunk.subarray(0, n));
    if (n === chunk.length) this.#chunks.shift();
    else this.#chunks[0] = chunk.subarray(n);
    return n;
  }

  write(data: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#socket.write(data.slice(), (err) => err ? reject(err) : resolve(data.length));
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
