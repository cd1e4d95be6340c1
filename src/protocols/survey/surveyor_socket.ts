/**
 * The SURVEYOR socket users get from `openSocket("surveyor")`: nanomsg's
 * `send`/`recv` as on any socket, plus `survey()` (one context per call,
 * its answers as an async iterable that ends at the deadline),
 * `openContext()`, the deadline by name (`deadline`), and a `for await`
 * over the socket that ends at the deadline instead of throwing.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import { canceled } from "../../core/errors.ts";
import { Socket } from "../../core/socket.ts";
import { checkWaitOptions, CLOSED_CODES, receiveUntil } from "../../core/socket_io.ts";

/** What ends a survey's answers: the deadline (ETIMEDOUT), or the socket or context closing. */
const SURVEY_ENDS = ["ETIMEDOUT", ...CLOSED_CODES] as const;

/** SURVEYOR's options by name, on the socket and on each context. */
export interface SurveyorOptions {
  /** `NN_SURVEYOR_DEADLINE`: ms a survey stays open (1000). */
  deadline: number;
}

/** A context of a SURVEYOR socket: surveys of its own, with its own `deadline`. */
export type SurveyorContext = Context<SurveyorOptions>;

/** Settings of {@linkcode SurveyorSocket.survey}. */
export interface SurveyOptions {
  /** ms the survey stays open (the socket's `deadline` by default). */
  deadline?: number;
  /** Cancels the survey: the iteration throws ECANCELED. */
  signal?: AbortSignal;
}

/**
 * A SURVEYOR socket.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * await using surveyor = openSocket("surveyor");
 * await using respondent = openSocket("respondent");
 * respondent.connect((await surveyor.listen("inproc://surveyor-socket-doc")).url);
 * await surveyor.waitForPeers(1);
 * const serving = respondent.serve(() => "here");
 * const answers = await Array.fromAsync(surveyor.survey("who is there?", { deadline: 100 }));
 * console.log(answers.length); // 1
 * await respondent.close();
 * await serving;
 * ```
 */
export class SurveyorSocket extends Socket<SurveyorOptions> {
  /**
   * Sends a survey to every peer attached now and yields the answers
   * until the deadline, then ends. Each call has a context of its own,
   * so surveys may overlap; the survey goes out when iteration starts,
   * and leaving the loop early ends it (later answers are dropped).
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using surveyor = openSocket("surveyor");
   * for await (const answer of surveyor.survey("anyone?", { deadline: 50 })) console.log(answer);
   * console.log("the deadline passed"); // no peers: no answers
   * ```
   *
   * @param data the survey; strings are sent as UTF-8
   * @param options the deadline and a signal
   * @returns the answers, as they come
   * @throws {SpError} ECANCELED, ENOTSUP (raw sockets), EINVAL, EBADF (when the socket is closed first)
   */
  async *survey(data: Uint8Array | string, options: SurveyOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    checkWaitOptions({ signal: options.signal });
    const { signal } = options;
    if (signal?.aborted) throw canceled(signal, `${this.name}: survey`); // nothing goes out
    using context = this.openContext();
    if (options.deadline !== undefined) context.setOption("deadline", options.deadline);
    await context.send(data, { signal });
    yield* receiveUntil(() => context.recv({ timeout: -1, signal }), SURVEY_ENDS);
  }

  /**
   * Opens a context: surveys of its own (nng's), with its own deadline.
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using surveyor = openSocket("surveyor");
   * using context = surveyor.openContext();
   * context.setOption("deadline", 250);
   * console.log(context.getOption("deadline")); // 250
   * ```
   *
   * @returns the open context
   * @throws {SpError} ENOTSUP on a raw socket, EBADF when the socket is closed
   */
  openContext(): SurveyorContext {
    return this.newContext<SurveyorOptions>();
  }

  /**
   * Receives the answers to the socket's open survey until its deadline
   * (or until the socket closes), then ends: the ETIMEDOUT of the
   * deadline ends the loop instead of being thrown.
   *
   * @returns an async iterator of answers
   */
  override [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return receiveUntil(() => this.recv(), SURVEY_ENDS);
  }
}
