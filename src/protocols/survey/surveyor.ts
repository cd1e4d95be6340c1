/**
 * SURVEYOR (protocol 6, id 0x62): sends each survey to every RESPONDENT
 * peer and collects their answers until the deadline (sp-spec.md §2.8).
 * nanomsg's behaviour throughout:
 *
 * - the survey id is a random start, +1 per new survey, high bit set, sent
 *   as the only backtrace word;
 * - `send` goes to every pipe that can take it now and never waits (a pipe
 *   that cannot keep up misses the survey, counted as dropped; no peers at
 *   all is still a success);
 * - answers carrying the open survey's id are received until
 *   `NN_SURVEYOR_DEADLINE` ms (1000 by default) have passed; others are
 *   dropped and counted;
 * - `recv` before any survey is EFSM; when the deadline passes, the first
 *   `recv` after it (one that is waiting then, or the next one made) gets
 *   ETIMEDOUT, and the ones after that EFSM (nanomsg's one-shot
 *   `timedout` flag; nng reports its "state" error the same way);
 * - a new survey ends the previous one; its late answers are dropped.
 *
 * Raw (`AF_SP_RAW`): no ids, no deadline, no state; `sendmsg` sends header
 * and body as given to every peer, `recvmsg` splits the header after the
 * first word with the high bit set. Here we follow nng: nanomsg's raw
 * SURVEYOR hands over only the first word as the header and never checks
 * it. The bytes a device forwards are the same either way, but answers
 * with no marked word within `NN_MAXTTL` words are dropped and counted.
 *
 * @module
 */

import type { TimerId } from "../../core/clock.ts";
import { SpError } from "../../core/errors.ts";
import type { Message } from "../../core/message.ts";
import type { Protocol, ProtocolSpec } from "../../core/protocol.ts";
import { bodyFor, encodeWord, recvBacktraced, RequestIds } from "../../routing/backtrace.ts";
import { FanOutFanIn } from "../../routing/fan_out_fan_in.ts";
import { intervalOption } from "../../routing/interval_option.ts";

/** SURVEYOR's SP id. */
export const NN_SURVEYOR = 0x62;
/** RESPONDENT's SP id, SURVEYOR's peer. */
const RESPONDENT_ID = 0x63;

/** `NN_SURVEYOR_DEADLINE` at level `NN_SURVEYOR`: ms a survey stays open. */
export const NN_SURVEYOR_DEADLINE = 1;

/** nanomsg's default deadline, ms. */
const DEFAULT_DEADLINE = 1_000;

/** Shared by both modes: every pipe is a destination and a source. */
abstract class SurveyorBase extends FanOutFanIn implements Protocol {
  pipeWritable(): void {}

  /** Sends to every pipe that can take it; the others miss it (counted). */
  protected broadcast(body: Uint8Array, header?: Uint8Array): void {
    this.out.send(body, header);
  }

  abstract trySend(body: Uint8Array): boolean;
  abstract tryRecv(): Uint8Array | undefined;
}

class Surveyor extends SurveyorBase {
  readonly #ids = new RequestIds();
  #deadline = DEFAULT_DEADLINE;
  /** The open survey's id; undefined before the first survey and after the deadline. */
  #surveyId: number | undefined;
  #deadlineTimer: TimerId | undefined;
  /** Set when the deadline passes; the next `recv` reports ETIMEDOUT and clears it. */
  #timedOut = false;

  trySend(body: Uint8Array): boolean {
    this.#stopDeadline();
    this.#timedOut = false;
    const id = this.#ids.next();
    this.#surveyId = id;
    this.broadcast(body, encodeWord(id));
    this.#deadlineTimer = this.host.clock.setTimeout(() => {
      this.#deadlineTimer = undefined;
      this.#surveyId = undefined;
      this.#timedOut = true;
      // Wakes a waiting recv, which then fails with ETIMEDOUT.
      this.host.readable();
    }, this.#deadline);
    return true;
  }

  /** @throws {SpError} ETIMEDOUT once after the deadline, EFSM when no survey is open */
  tryRecv(): Uint8Array | undefined {
    const id = this.#surveyId;
    if (id === undefined) {
      if (this.#timedOut) {
        this.#timedOut = false;
        throw new SpError("ETIMEDOUT", "the survey deadline has passed");
      }
      throw new SpError("EFSM", "no survey is open: send one first");
    }
    for (let payload = this.inbound.recv(); payload !== undefined; payload = this.inbound.recv()) {
      const body = bodyFor(payload, id);
      if (body !== undefined) return body;
      this.host.dropped("stale", this.inbound.lastPipe);
    }
    return undefined;
  }

  setOption(option: number, value: unknown): void {
    if (option !== NN_SURVEYOR_DEADLINE) throw new SpError("ENOPROTOOPT", `SURVEYOR has no option ${option}`);
    this.#deadline = intervalOption("NN_SURVEYOR_DEADLINE", value);
  }

  getOption(option: number): number {
    if (option !== NN_SURVEYOR_DEADLINE) throw new SpError("ENOPROTOOPT", `SURVEYOR has no option ${option}`);
    return this.#deadline;
  }

  close(): void {
    this.#stopDeadline();
  }

  #stopDeadline(): void {
    if (this.#deadlineTimer === undefined) return;
    this.host.clock.clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
  }
}

/** Raw SURVEYOR: header + body as given to every peer; answers split after the id word. */
class RawSurveyor extends SurveyorBase {
  trySend(body: Uint8Array): boolean {
    this.broadcast(body);
    return true;
  }

  trySendMsg(message: Message): boolean {
    this.broadcast(message.body, message.header);
    return true;
  }

  tryRecv(): Uint8Array | undefined {
    return this.tryRecvMsg()?.body;
  }

  tryRecvMsg(): Message | undefined {
    return recvBacktraced(this.inbound, this.host.options.maxttl, this.host)?.message;
  }
}

/**
 * The SURVEYOR protocol, to register on a runtime.
 *
 * @example Usage
 * ```ts
 * import { NN_SURVEYOR, NN_SURVEYOR_DEADLINE, Runtime, surveyorProtocol } from "@sp/nanomsg";
 * const runtime = new Runtime();
 * runtime.registerProtocol(surveyorProtocol);
 * await using surveyor = runtime.socket("surveyor");
 * surveyor.setsockopt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 250);
 * console.log(surveyor.getsockopt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE)); // 250
 * ```
 */
export const surveyorProtocol: ProtocolSpec = {
  name: "surveyor",
  id: NN_SURVEYOR,
  peerId: RESPONDENT_ID,
  canSend: true,
  canRecv: true,
  create: (host) => host.raw ? new RawSurveyor(host) : new Surveyor(host),
};
