/**
 * One exchange of a cooked REQ socket: the request awaiting its reply, the
 * reply until it is received, and the resend timer. The socket has one for
 * its own `send`/`recv` (nanomsg's rules) and one per context (nng's
 * rules); `Req` in `req.ts` routes between them. Plain data, no machine:
 * a request and its reply are messages (measured: an XState actor per
 * request would cost ~25 µs and ~4 KB against a ~6 µs inproc round trip).
 *
 * @module
 */

import type { TimerId } from "../../core/clock.ts";
import type { ContextHost, PipeHandle } from "../../core/protocol.ts";

/** A request awaiting its reply. */
export interface Request {
  readonly id: number;
  /** The id as the one backtrace word. */
  readonly header: Uint8Array;
  readonly body: Uint8Array;
  /** The pipe that carried the last copy; undefined while it waits for one. */
  pipe: PipeHandle | undefined;
  /** Whether some pipe has taken it at least once. */
  sent: boolean;
}

/** How an exchange behaves: the socket's own (nanomsg) or a context's (nng). */
export type ExchangeRules = "socket" | "context";

/**
 * The state of one exchange.
 *
 * @example Usage
 * ```ts ignore
 * const exchange = new ReqExchange("context", host, 60_000);
 * ```
 */
export class ReqExchange {
  /**
   * `socket`: a send never waits (a request no pipe can take goes out when
   * one can), a receive that times out leaves the request alive.
   * `context`: a send waits for a pipe, a receive that gives up abandons
   * the request, and a new request fails a waiting receive (ECANCELED).
   */
  readonly rules: ExchangeRules;
  /** Who to tell that a reply is in or that a waiting send may go now. */
  readonly host: ContextHost;
  /** ms between resends. */
  resendIvl: number;
  /** The outstanding request. */
  request: Request | undefined;
  /** The reply to the last request, until it is received. */
  reply: Uint8Array | undefined;
  /** The resend timer of the outstanding request. */
  timer: TimerId | undefined;
  /** Whether the exchange is queued for a pipe to take its request. */
  queuedToTransmit = false;
  /** Whether a send of this context waits for a writable pipe. */
  queuedToSend = false;
  /** Set while a new request tells a waiting receive that the old one was cancelled. */
  canceling = false;
  /** The context is closed. */
  closed = false;

  /**
   * @param rules the socket's rules or a context's
   * @param host where readiness is reported
   * @param resendIvl ms between resends
   */
  constructor(rules: ExchangeRules, host: ContextHost, resendIvl: number) {
    this.rules = rules;
    this.host = host;
    this.resendIvl = resendIvl;
  }
}
