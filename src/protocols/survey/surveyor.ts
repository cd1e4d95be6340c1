/**
 * SURVEYOR (protocol 6, id 0x62): sends each survey to every RESPONDENT
 * peer and collects their answers until the deadline (sp-spec.md §2.8).
 * The socket's own `send`/`recv` follow nanomsg throughout:
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
 * Contexts (`openContext()`, and one per `survey()`) have surveys of their
 * own with their own `deadline` (nng's): ids come from one sequence, and an
 * answer read by one party for another's open survey is kept for that one.
 * Answers stay in their pipes until some party receives (back-pressure as
 * before). Each survey's lifecycle is a machine (`survey_machine.ts`).
 *
 * Raw (`AF_SP_RAW`): see `raw_surveyor.ts`.
 *
 * @module
 */

import { SpError } from "../../core/errors.ts";
import type {
  ContextHost,
  PipeHandle,
  Protocol,
  ProtocolContext,
  ProtocolSpec,
  RunningMachine,
} from "../../core/protocol.ts";
import { encodeWord, readWord, RequestIds, WORD_BYTES } from "../../routing/backtrace.ts";
import { FanOutFanIn } from "../../routing/fan_out_fan_in.ts";
import { intervalOption } from "../../routing/interval_option.ts";
import { Queue } from "../../routing/queue.ts";
import { RawSurveyor } from "./raw_surveyor.ts";
import { type SurveyLifecycle, surveyMachine } from "./survey_machine.ts";
import { SurveyorSocket } from "./surveyor_socket.ts";

/** SURVEYOR's SP id. */
export const NN_SURVEYOR = 0x62;
/** RESPONDENT's SP id, SURVEYOR's peer. */
const RESPONDENT_ID = 0x63;

/** `NN_SURVEYOR_DEADLINE` at level `NN_SURVEYOR`: ms a survey stays open. */
export const NN_SURVEYOR_DEADLINE = 1;

/** nanomsg's default deadline, ms. */
const DEFAULT_DEADLINE = 1_000;

function checkOption(option: number): void {
  if (option !== NN_SURVEYOR_DEADLINE) throw new SpError("ENOPROTOOPT", `SURVEYOR has no option ${option}`);
}

/** The surveys of one party: the socket's own, or a context's. */
class Survey implements SurveyLifecycle {
  /** The open survey's id; undefined before the first survey and after the deadline. */
  id: number | undefined;
  /** Set when the deadline passes; the next receive reports ETIMEDOUT and clears it. */
  timedOut = false;
  /** Answers to the open survey that another party read off the pipes. */
  readonly answers = new Queue<Uint8Array>();
  /** Whether it is queued to hear of new answers. */
  waiting = false;
  /** The lifecycle machine, started at the first survey. */
  actor: RunningMachine | undefined;

  constructor(
    readonly host: ContextHost,
    public deadline: number,
    readonly ended: (survey: Survey) => void,
  ) {}

  closeSurvey(): void {
    this.ended(this);
  }
}

class Surveyor extends FanOutFanIn implements Protocol {
  readonly #ids = new RequestIds();
  /** The socket's default for new contexts, and its own deadline. */
  #deadline = DEFAULT_DEADLINE;
  readonly #own: Survey = new Survey(this.host, DEFAULT_DEADLINE, (survey) => this.#deadlinePassed(survey));
  /** Open surveys by id, so an answer finds its party. */
  readonly #byId = new Map<number, Survey>();
  /** Every party's surveys, to stop their machines at close. */
  readonly #parties = new Set<Survey>([this.#own]);
  /** Contexts waiting for answers, in the order they started waiting. */
  readonly #waiting = new Queue<Survey>();

  pipeWritable(): void {}

  override pipeReadable(pipe: PipeHandle): void {
    super.pipeReadable(pipe);
    while (this.#waiting.length > 0 && this.inbound.canRecv) {
      const next = this.#waiting.shift()!;
      next.waiting = false;
      next.host.readable();
    }
  }

  trySend(body: Uint8Array): boolean {
    this.#start(this.#own, body);
    return true;
  }

  /** @throws {SpError} ETIMEDOUT once after the deadline, EFSM when no survey is open */
  tryRecv(): Uint8Array | undefined {
    return this.#take(this.#own);
  }

  readyToSend(): boolean {
    return true; // surveys never wait
  }

  /**
   * nanomsg's readiness: an answer to the open survey is waiting, or no
   * survey is open (a receive fails at once), so a poller wakes at the
   * deadline.
   */
  readyToRecv(): boolean {
    const own = this.#own;
    if (own.id === undefined || own.answers.length > 0) return true;
    this.#pull(own);
    return own.answers.length > 0;
  }

  setOption(option: number, value: unknown): void {
    checkOption(option);
    this.#deadline = this.#own.deadline = intervalOption("NN_SURVEYOR_DEADLINE", value);
  }

  getOption(option: number): number {
    checkOption(option);
    return this.#deadline;
  }

  openContext(host: ContextHost): ProtocolContext {
    const survey = new Survey(host, this.#deadline, (ended) => this.#deadlinePassed(ended));
    this.#parties.add(survey);
    return {
      trySend: (body) => {
        this.#start(survey, body);
        return true;
      },
      tryRecv: () => this.#take(survey),
      setOption: (option, value) => {
        checkOption(option);
        survey.deadline = intervalOption("NN_SURVEYOR_DEADLINE", value);
      },
      getOption: (option) => {
        checkOption(option);
        return survey.deadline;
      },
      close: () => {
        this.#end(survey);
        survey.actor?.send({ type: "survey.close" });
        this.#parties.delete(survey);
      },
    };
  }

  close(): void {
    for (const survey of this.#parties) {
      this.#end(survey);
      survey.actor?.send({ type: "survey.close" });
    }
  }

  #start(survey: Survey, body: Uint8Array): void {
    this.#end(survey);
    survey.timedOut = false;
    let id = this.#ids.next();
    while (this.#byId.has(id)) id = this.#ids.next();
    survey.id = id;
    this.#byId.set(id, survey);
    survey.actor ??= this.host.startMachine(surveyMachine, { survey });
    survey.actor.send({ type: "survey.start" });
    this.out.send(body, encodeWord(id));
  }

  /** Ends the party's open survey, if any: answers kept for it are stale now. */
  #end(survey: Survey): void {
    if (survey.id === undefined) return;
    this.#byId.delete(survey.id);
    survey.id = undefined;
    for (let n = survey.answers.length; n > 0; n--) {
      survey.answers.shift();
      this.host.dropped("stale");
    }
  }

  #deadlinePassed(survey: Survey): void {
    this.#end(survey);
    survey.timedOut = true;
    // Wakes a waiting receive, which then fails with ETIMEDOUT.
    survey.host.readable();
  }

  #take(survey: Survey): Uint8Array | undefined {
    if (survey.id === undefined) {
      if (survey.timedOut) {
        survey.timedOut = false;
        survey.actor?.send({ type: "deadline.reported" });
        throw new SpError("ETIMEDOUT", "the survey deadline has passed");
      }
      throw new SpError("EFSM", "no survey is open: send one first");
    }
    if (survey.answers.length === 0) this.#pull(survey);
    const answer = survey.answers.shift();
    if (answer === undefined && survey !== this.#own && !survey.waiting) {
      survey.waiting = true;
      this.#waiting.push(survey);
    }
    return answer;
  }

  /**
   * Reads answers off the pipes until one for `survey` comes (queued on
   * it); answers to other open surveys are queued on theirs, the rest are
   * dropped as stale.
   */
  #pull(survey: Survey): void {
    for (let payload = this.inbound.recv(); payload !== undefined; payload = this.inbound.recv()) {
      const owner = payload.length < WORD_BYTES ? undefined : this.#byId.get(readWord(payload));
      if (owner === undefined) {
        this.host.dropped("stale", this.inbound.lastPipe);
        continue;
      }
      owner.answers.push(payload.subarray(WORD_BYTES));
      if (owner === survey) return;
      if (owner.waiting) {
        owner.waiting = false;
        owner.host.readable();
      }
    }
  }
}

/**
 * The SURVEYOR protocol, to register on a runtime. Its sockets are
 * {@linkcode SurveyorSocket}s: `survey()`, `openContext()`, and the option
 * `deadline` by name.
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
  options: { deadline: NN_SURVEYOR_DEADLINE },
  machines: [surveyMachine],
  create: (host) => host.raw ? new RawSurveyor(host) : new Surveyor(host),
  createSocket: (setup) => new SurveyorSocket(setup),
};
