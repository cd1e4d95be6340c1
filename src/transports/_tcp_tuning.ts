/**
 * The `NN_TCP` level settings of one connection, shared by every transport
 * that rides on tcp (tcp, tls+tcp, ws, wss): `NN_TCP_NODELAY` and
 * `NN_TCP_KEEPALIVE`. (TLS connections keep Nagle off whatever
 * `NN_TCP_NODELAY` says: see `_tls_socket.ts`.)
 *
 * `NN_TCP_KEEPALIVE` does two things. It switches on the kernel's
 * keepalive probes (`SO_KEEPALIVE`) on every connection of these
 * transports (TLS ones are `node:tls` sockets, see `_tls_socket.ts`, which
 * take both switches). And it arms a send-stall watchdog (see
 * {@linkcode sendStallTimeout}) on every connection of these transports,
 * which is what finds a vanished peer while we are sending to it.
 *
 * @module
 */

import type { TransportOptions } from "../core/transport.ts";

/**
 * With `NN_TCP_KEEPALIVE` on, how long a write may wait for the peer to
 * take any byte before the peer is taken for dead, ms. Well above any
 * retransmission hiccup of a live link, well below the ~15 minutes after
 * which Linux's own retransmissions give up (`tcp_retries2` = 15). Like
 * `TCP_USER_TIMEOUT`, it also ends a connection to a live peer that has
 * stopped reading for this long.
 *
 * @example Usage
 * ```ts
 * import { KEEPALIVE_SEND_STALL } from "./_tcp_tuning.ts";
 * console.log(KEEPALIVE_SEND_STALL); // 30000
 * ```
 */
export const KEEPALIVE_SEND_STALL = 30_000;

/** The tcp switches of one connection (`NN_TCP_NODELAY`, `NN_TCP_KEEPALIVE`). */
export type TcpSwitches = Pick<TransportOptions, "tcpNoDelay" | "tcpKeepAlive">;

/**
 * Applies the per-connection tcp settings to a Deno tcp connection.
 * Keepalive probes: Deno can
 * only switch `SO_KEEPALIVE` on; when probes start and how often they
 * repeat are the kernel's `net.ipv4.tcp_keepalive_time`, `_intvl` and
 * `_probes` (Linux: 7200 s, 75 s, 9: a silent peer of an idle connection
 * is found after 2 h 11 min; lower them, per host or per network
 * namespace, to find it sooner).
 *
 * @example Usage
 * ```ts ignore
 * tuneTcp(await Deno.connect({ port: 5555 }), options);
 * ```
 *
 * @param conn an accepted or dialed tcp connection
 * @param options the socket's transport options (or just its switches)
 */
export function tuneTcp(conn: Deno.TcpConn, options: TcpSwitches): void {
  if (options.tcpNoDelay) conn.setNoDelay(true);
  if (options.tcpKeepAlive) conn.setKeepAlive(true);
}

/**
 * The send-stall timeout a connection's outbound queue gets: 0 (wait
 * forever: back-pressure) unless `NN_TCP_KEEPALIVE` is on.
 *
 * @example Usage
 * ```ts ignore
 * new StreamConnection(conn, {}, -1, "tcp 127.0.0.1:5555", {
 *   sendStallTimeout: sendStallTimeout(options),
 * });
 * ```
 *
 * @param options the socket's transport options
 * @returns ms, or 0 for no watchdog
 */
export function sendStallTimeout(options: TransportOptions): number {
  return options.tcpKeepAlive ? KEEPALIVE_SEND_STALL : 0;
}
