/**
 * The socket class REP and RESPONDENT share: nanomsg's `send`/`recv` as
 * on any socket, plus contexts (`openContext()`, each answering a request
 * of its own) and `serve(handler)`, a loop that answers every request
 * with what the handler returns, on as many contexts as asked.
 *
 * @module
 */

import type { Context } from "../core/context.ts";
import { isSpError, SpError } from "../core/errors.ts";
import { describeValue } from "../core/options.ts";
import { Socket } from "../core/socket.ts";

/** What a handler answers: a reply (strings as UTF-8), or `undefined` to leave the request unanswered. */
export type Answer = Uint8Array | string | undefined;

/** Answers one request (or survey); see {@linkcode AnsweringSocket.serve}. */
export type Handler = (request: Uint8Array) => Answer | PromiseLike<Answer>;

/** Settings of {@linkcode AnsweringSocket.serve}. */
export interface ServeOptions {
  /** Stops serving: `serve()` resolves once the handlers running then have finished. */
  signal?: AbortSignal;
  /** How many requests are handled at once, each on a context of its own (default 1). */
  concurrency?: number;
  /**
   * Called when the handler throws (or its promise rejects); the request
   * stays unanswered and serving goes on. Without it, the first such
   * error stops serving and `serve()` rejects with it.
   */
  onError?: (error: unknown, request: Uint8Array) => void;
}

/**
 * A REP or RESPONDENT socket.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * await using rep = openSocket("rep");
 * await using req = openSocket("req");
 * req.connect((await rep.listen("inproc://answering-doc")).url);
 * const stop = new AbortController();
 * const serving = rep.serve((request) => `echo ${new TextDecoder().decode(request)}`, { signal: stop.signal });
 * console.log(new TextDecoder().decode(await req.request("hi"))); // "echo hi"
 * stop.abort();
 * await serving;
 * ```
 */
export class AnsweringSocket extends Socket {
  /**
   * Opens a context: it receives a request (or survey) of its own and
   * sends the reply to that one, so several can be answered at once and
   * in any order.
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using rep = openSocket("rep");
   * using context = rep.openContext();
   * console.log(context.name); // "socket#1(rep) context#1"
   * ```
   *
   * @returns the open context
   * @throws {SpError} ENOTSUP on a raw socket, EBADF when the socket is closed
   */
  openContext(): Context {
    return this.newContext();
  }

  /**
   * Answers every request with what `handler` returns (`undefined`:
   * no answer), each on a context, `concurrency` at a time, until the
   * signal aborts or the socket closes; then it resolves. Receives wait
   * without a timeout, whatever RCVTIMEO says.
   *
   * Errors: a handler that throws leaves its request unanswered; with
   * `onError` serving goes on, without it serving stops and the promise
   * rejects with that error. A reply the handler returns in a wrong type
   * is such an error (EINVAL).
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using rep = openSocket("rep");
   * await using req = openSocket("req");
   * req.connect((await rep.listen("inproc://serve-doc")).url);
   * const serving = rep.serve(async (request) => {
   *   await new Promise((resolve) => setTimeout(resolve, 10)); // slow work, 8 at a time
   *   return request;
   * }, { concurrency: 8 });
   * const replies = await Promise.all([1, 2, 3].map((n) => req.request(`${n}`)));
   * console.log(replies.length); // 3
   * await rep.close();
   * await serving;
   * ```
   *
   * @param handler makes the answer to one request
   * @param options signal, concurrency and an error callback
   * @returns when serving has stopped
   * @throws {SpError} EINVAL for bad options, ENOTSUP on a raw socket, EBADF when closed
   */
  async serve(handler: Handler, options: ServeOptions = {}): Promise<void> {
    const { signal, onError } = options;
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 65_536) {
      throw new SpError("EINVAL", `concurrency must be an integer from 1 to 65536, not ${describeValue(concurrency)}`);
    }
    if (typeof handler !== "function") throw new SpError("EINVAL", `the handler must be a function`);
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new SpError("EINVAL", `signal must be an AbortSignal, not ${describeValue(signal)}`);
    }
    if (signal?.aborted) return;
    const contexts = Array.from({ length: concurrency }, () => this.openContext());
    let failure: { error: unknown } | undefined;
    const stop = () => {
      for (const context of contexts) if (!context.closed) context.close();
    };
    signal?.addEventListener("abort", stop, { once: true });
    const serveOn = async (context: Context) => {
      for (;;) {
        let request: Uint8Array;
        try {
          request = await context.recv({ timeout: -1 });
        } catch (err) {
          if (isSpError(err, "EBADF") || isSpError(err, "ETERM")) return;
          throw err;
        }
        let answer: Answer;
        try {
          answer = await handler(request);
          if (answer !== undefined && typeof answer !== "string" && !(answer instanceof Uint8Array)) {
            throw new SpError(
              "EINVAL",
              `a handler answers a Uint8Array, a string or undefined, not ${describeValue(answer)}`,
            );
          }
        } catch (err) {
          if (onError !== undefined) {
            onError(err, request);
            continue;
          }
          failure ??= { error: err };
          stop();
          return;
        }
        if (answer === undefined) continue;
        try {
          await context.send(answer);
        } catch (err) {
          if (isSpError(err, "EBADF") || isSpError(err, "ETERM")) return;
          throw err;
        }
      }
    };
    try {
      await Promise.all(contexts.map(serveOn));
    } finally {
      signal?.removeEventListener("abort", stop);
      stop();
    }
    if (failure !== undefined) throw failure.error;
  }
}
