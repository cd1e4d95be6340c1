/**
 * A {@linkcode TransportListener} over a Deno listener (tcp, TLS or unix):
 * accepts, wraps each connection for its transport, and on close frees the
 * address only once the pending accept has ended.
 *
 * @module
 */

import type { Connection, TransportListener } from "../core/transport.ts";

/**
 * Accepts connections from a Deno listener.
 *
 * @example Usage
 * ```ts ignore
 * const listener = new DenoListener(Deno.listen({ port: 0 }), "127.0.0.1:5555", (conn) => wrap(conn));
 * const connection = await listener.accept();
 * ```
 */
export class DenoListener<C extends Deno.Conn> implements TransportListener {
  readonly address: string;
  readonly #listener: Deno.Listener<C>;
  readonly #wrap: (conn: C) => Connection;
  readonly #closed: (() => void) | undefined;
  #closing = false;
  #pendingAccept: Promise<unknown> | undefined;

  /**
   * @param listener the bound Deno listener
   * @param address the bound address, for `address`
   * @param wrap makes the transport's connection of an accepted one
   * @param closed runs once the listener is closed (ipc removes its socket file)
   */
  constructor(listener: Deno.Listener<C>, address: string, wrap: (conn: C) => Connection, closed?: () => void) {
    this.#listener = listener;
    this.address = address;
    this.#wrap = wrap;
    this.#closed = closed;
  }

  async accept(): Promise<Connection> {
    const accepting = this.#listener.accept();
    this.#pendingAccept = accepting;
    return this.#wrap(await accepting);
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    this.#closed?.();
    // The address is released only once the pending accept has been cancelled.
    await this.#pendingAccept?.catch(() => {});
  }
}
