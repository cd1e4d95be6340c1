/**
 * REQ (protocol 3, id 0x30): sends each request to one REP peer,
 * load-balanced like PUSH, and takes back the reply that carries the
 * request's id (sp-spec.md §2.5). nanomsg's behaviour throughout:
 *
 * - the request id is a random start, +1 per new request, high bit set,
 *   sent as the only backtrace word;
 * - the same request goes out again every `NN_REQ_RESEND_IVL` ms (60 000
 *   by default) until its reply arrives, and at once when the pipe that
 *   carried it goes away;
 * - `send` never waits: with no peer (or none writable) the request is
 *   kept and goes out as soon as a pipe can take it (nng waits instead);
 * - a new `send` abandons the outstanding request; its late reply is
 *   dropped and counted;
 * - `recv` with no request outstanding is EFSM; a `recv` that times out
 *   leaves the request alive, so a later `recv` may still get its reply
 *   (nng aborts the request instead);
 * - replies with another id, or shorter than a word, are dropped and
 *   counted;
 * - `close()` lingers (up to `NN_LINGER`) for a request no pipe has taken
 *   yet, as for any unsent message here (nanomsg ignores LINGER).
 *
 * Raw (`AF_SP_RAW`): no ids, no resends, no state; `sendmsg` sends header
 * and body as given (load-balanced, waiting while no pipe can take it),
 * `recvmsg` splits the header after the first word with the high bit set.
 * Here we follow nng: nanomsg's raw REQ hands over only the first word as
 * the header and never checks it. The bytes a device forwards are the
 * same either way, but replies with no marked word within `NN_MAXTTL`
 * words are dropped and counted (nng closes the pipe for them).
 *
 * @module
 */

import type { TimerId } from "../../core/clock.ts";
import { SpError } from "../../core/errors.ts";
import type { Message } from "../../core/message.ts";
import type { PipeHandle, Protocol, ProtocolHost, ProtocolSpec } from "../../core/protocol.ts";
import { bodyFor, encodeWord, recvBacktraced, RequestIds, WORD_BYTES } from "../../routing/backtrace.ts";
import { FairQueue } from "../../routing/fair_queue.ts";
import { intervalOption } from "../../routing/interval_option.ts";
import { LoadBalancer } from "../../routing/load_balancer.ts";

/** REQ's SP id. */
export const NN_REQ = 0x30;
/** REP's SP id, REQ's peer. */
const REP_ID = 0x31;

/** `NN_REQ_RESEND_IVL` at level `NN_REQ`: ms between resends of an unanswered request. */
export const NN_REQ_RESEND_IVL = 1;

/** nanomsg's default resend interval, ms. */
const DEFAULT_RESEND_IVL = 60_000;

/** The request awaiting its reply. */
interface Request {
  readonly id: number;
  /** The id as the one backtrace word. */
  readonly header: Uint8Array;
  readonly body: Uint8Array;
  /** The pipe that carried the last copy; undefined while it waits for one. */
  pipe: PipeHandle | undefined;
  /** Whether some pipe has taken it at least once. */
  sent: boolean;
}

class Req implements Protocol {
  readonly #host: ProtocolHost;
  readonly #out = new LoadBalancer();
  readonly #ids = new RequestIds();
  #resendIvl = DEFAULT_RESEND_IVL;
  #request: Request | undefined;
  /** The reply to the last request, until `recv` takes it. */
  #reply: Uint8Array | undefined;
  #resendTimer: TimerId | undefined;

  constructor(host: ProtocolHost) {
    this.#host = host;
  }

  /**
   * A request that no pipe has taken yet is pending: close() lingers for
   * it. One that went out and lost its pipe is not: a resend is a retry,
   * and nobody will be there to receive its reply.
   */
  get pending(): boolean {
    return this.#request !== undefined && !this.#request.sent;
  }

  addPipe(pipe: PipeHandle): boolean {
    this.#out.add(pipe);
    this.#sendIfWaiting();
    return true;
  }

  removePipe(pipe: PipeHandle): void {
    this.#out.remove(pipe);
    // nanomsg: losing the pipe is as good as a resend timeout.
    if (this.#request !== undefined && this.#request.pipe === pipe) this.#transmit(this.#request);
  }

  pipeReadable(pipe: PipeHandle): void {
    // Replies are matched as they arrive, so the pipe never backs up with
    // stale ones and at most one reply is kept.
    for (let payload = pipe.recv(); payload !== undefined; payload = pipe.recv()) this.#offerReply(payload, pipe);
  }

  pipeWritable(pipe: PipeHandle): void {
    this.#out.writable(pipe);
    this.#sendIfWaiting();
  }

  trySend(body: Uint8Array): boolean {
    if (this.#reply !== undefined) {
      // The previous reply was never received: it is dropped with its request.
      this.#reply = undefined;
      this.#host.dropped("stale");
    }
    const id = this.#ids.next();
    // Kept for resends, possibly for minutes: a copy, so the caller may reuse its buffer.
    this.#request = { id, header: encodeWord(id), body: body.slice(), pipe: undefined, sent: false };
    this.#transmit(this.#request);
    return true;
  }

  /** @throws {SpError} EFSM when no request is outstanding */
  tryRecv(): Uint8Array | undefined {
    const reply = this.#reply;
    if (reply !== undefined) {
      this.#reply = undefined;
      return reply;
    }
    if (this.#request === undefined) throw new SpError("EFSM", "no request is outstanding: send one first");
    return undefined;
  }

  setOption(option: number, value: unknown): void {
    if (option !== NN_REQ_RESEND_IVL) throw new SpError("ENOPROTOOPT", `REQ has no option ${option}`);
    this.#resendIvl = intervalOption("NN_REQ_RESEND_IVL", value);
  }

  getOption(option: number): number {
    if (option !== NN_REQ_RESEND_IVL) throw new SpError("ENOPROTOOPT", `REQ has no option ${option}`);
    return this.#resendIvl;
  }

  #offerReply(payload: Uint8Array, pipe: PipeHandle): void {
    const request = this.#request;
    const body = request === undefined ? undefined : bodyFor(payload, request.id);
    if (body === undefined) {
      this.#host.dropped(payload.length < WORD_BYTES ? "malformed" : "stale", pipe);
      return;
    }
    this.#stopResending();
    this.#request = undefined;
    this.#reply = body;
    this.#host.readable();
  }

  #sendIfWaiting(): void {
    if (this.#request !== undefined && this.#request.pipe === undefined) this.#transmit(this.#request);
  }

  /** Sends (again) to the next writable pipe, or leaves the request waiting for one. */
  #transmit(request: Request): void {
    this.#stopResending();
    request.pipe = undefined;
    if (!this.#out.send(request.body, request.header)) return;
    request.sent = true;
    // Over inproc the reply can arrive within send(); then nothing is left to resend.
    if (this.#request !== request) return;
    request.pipe = this.#out.lastPipe;
    this.#resendTimer = this.#host.clock.setTimeout(() => {
      this.#resendTimer = undefined;
      if (this.#request === request) this.#transmit(request);
    }, this.#resendIvl);
  }

  close(): void {
    this.#stopResending();
    this.#request = undefined;
  }

  #stopResending(): void {
    if (this.#resendTimer === undefined) return;
    this.#host.clock.clearTimeout(this.#resendTimer);
    this.#resendTimer = undefined;
  }
}

/** Raw REQ: load-balanced sends of header + body as given; replies split after the id word. */
class RawReq implements Protocol {
  readonly #host: ProtocolHost;
  readonly #out = new LoadBalancer();
  readonly #inbound = new FairQueue();

  constructor(host: ProtocolHost) {
    this.#host = host;
  }

  get pending(): boolean {
    return false;
  }

  addPipe(pipe: PipeHandle): boolean {
    this.#out.add(pipe);
    this.#inbound.add(pipe);
    return true;
  }

  removePipe(pipe: PipeHandle): void {
    this.#out.remove(pipe);
    this.#inbound.remove(pipe);
  }

  pipeReadable(pipe: PipeHandle): void {
    this.#inbound.readable(pipe);
    this.#host.readable();
  }

  pipeWritable(pipe: PipeHandle): void {
    this.#out.writable(pipe);
    this.#host.writable();
  }

  trySend(body: Uint8Array): boolean {
    return this.#out.send(body);
  }

  trySendMsg(message: Message): boolean {
    return this.#out.send(message.body, message.header);
  }

  tryRecv(): Uint8Array | undefined {
    return this.tryRecvMsg()?.body;
  }

  tryRecvMsg(): Message | undefined {
    return recvBacktraced(this.#inbound, this.#host.options.maxttl, this.#host)?.message;
  }
}

/**
 * The REQ protocol, to register on a runtime.
 *
 * @example Usage
 * ```ts
 * import { NN_REQ, NN_REQ_RESEND_IVL, reqProtocol, Runtime } from "@sp/nanomsg";
 * const runtime = new Runtime();
 * runtime.registerProtocol(reqProtocol);
 * await using req = runtime.socket("req");
 * req.setsockopt(NN_REQ, NN_REQ_RESEND_IVL, 5_000);
 * console.log(req.getsockopt(NN_REQ, NN_REQ_RESEND_IVL)); // 5000
 * ```
 */
export const reqProtocol: ProtocolSpec = {
  name: "req",
  id: NN_REQ,
  peerId: REP_ID,
  canSend: true,
  canRecv: true,
  create: (host) => host.raw ? new RawReq(host) : new Req(host),
};
