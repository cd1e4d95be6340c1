/**
 * The REQ socket users get from `openSocket("req")`: nanomsg's
 * `send`/`recv` as on any socket, plus `request()` (one context per call,
 * so any number may be in flight at once), `openContext()`, and the
 * resend interval by name (`resendIvl`).
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import { canceled } from "../../core/errors.ts";
import { Socket } from "../../core/socket.ts";
import { checkWaitOptions } from "../../core/socket_io.ts";
import { validateTimeout } from "../../core/options.ts";

/** REQ's options by name, on the socket and on each context. */
export interface ReqOptions {
  /** `NN_REQ_RESEND_IVL`: ms between resends of an unanswered request (60 000). */
  resendIvl: number;
}

/** A context of a REQ socket: one request at a time of its own, with its own `resendIvl`. */
export type ReqContext = Context<ReqOptions>;

/** Settings of {@linkcode ReqSocket.request}. */
export interface RequestOptions {
  /**
   * ms the whole exchange may take (sending once a pipe can take it, then
   * the reply), from 0 to 2^31-1, or -1 to wait forever; the socket's
   * RCVTIMEO by default.
   */
  timeout?: number;
  /** Cancels the request (ECANCELED); a late reply is dropped. */
  signal?: AbortSignal;
}

/**
 * A REQ socket.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * await using rep = openSocket("rep");
 * await using req = openSocket("req");
 * req.connect((await rep.listen("inproc://req-socket-doc")).url);
 * const serving = rep.serve((request) => new TextDecoder().decode(request).toUpperCase());
 * const replies = await Promise.all(["a", "b", "c"].map((q) => req.request(q, { timeout: 1000 })));
 * console.log(replies.map((reply) => new TextDecoder().decode(reply))); // ["A", "B", "C"]
 * await rep.close();
 * await serving;
 * ```
 */
export class ReqSocket extends Socket<ReqOptions> {
  /**
   * Sends a request and resolves to its reply. Each call has a context of
   * its own, so calls may overlap freely and each gets its own reply; the
   * socket's own `send`/`recv` are not disturbed.
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using rep = openSocket("rep");
   * await using req = openSocket("req");
   * req.connect((await rep.listen("inproc://request-doc")).url);
   * const serving = rep.serve(() => "pong");
   * console.log(new TextDecoder().decode(await req.request("ping", { timeout: 1000 }))); // "pong"
   * await rep.close();
   * await serving;
   * ```
   *
   * @param data the request; strings are sent as UTF-8
   * @param options timeout of the whole exchange and a signal
   * @returns the reply's bytes
   * @throws {SpError} ETIMEDOUT, ECANCELED, EBADF, ETERM, ENOTSUP (raw sockets), EINVAL
   */
  async request(data: Uint8Array | string, options: RequestOptions = {}): Promise<Uint8Array> {
    checkWaitOptions(options);
    const timeout = options.timeout === undefined ? this.getOption("rcvtimeo") : validateTimeout(options.timeout);
    const { signal } = options;
    if (signal?.aborted) throw canceled(signal, `${this.name}: request`); // nothing goes out
    using context = this.openContext();
    if (timeout < 0) {
      await context.send(data, { signal });
      return await context.recv({ signal });
    }
    const started = this.clock.now();
    await context.send(data, { timeout, signal });
    // Whole ms: the real clock's now() has fractions.
    const left = Math.max(0, Math.round(timeout - (this.clock.now() - started)));
    return await context.recv({ timeout: left, signal });
  }

  /**
   * Opens a context: a request and reply of its own (nng's semantics:
   * its `send` waits until a pipe takes the request; a `recv` that gives
   * up abandons it).
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using req = openSocket("req");
   * using context = req.openContext();
   * context.setOption("resendIvl", 5_000);
   * console.log(context.getOption("resendIvl")); // 5000
   * ```
   *
   * @returns the open context
   * @throws {SpError} ENOTSUP on a raw socket, EBADF when the socket is closed
   */
  openContext(): ReqContext {
    return this.newContext<ReqOptions>();
  }
}
