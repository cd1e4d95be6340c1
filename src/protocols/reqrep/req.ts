/**
 * REQ (protocol 3, id 0x30): sends each request to one REP peer,
 * load-balanced like PUSH, and takes back the reply that carries the
 * request's id (sp-spec.md §2.5). The socket's own `send`/`recv` follow
 * nanomsg throughout:
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
 * Contexts (`openContext()`, and one per `request()`) follow nng: each has
 * a request of its own (ids come from one sequence, so replies find their
 * context by id), a `send` waits until a pipe takes the request, a `recv`
 * that gives up abandons it, and a new request fails a waiting `recv` of
 * the old one with ECANCELED. Resending works as for the socket, with the
 * context's own `resendIvl`. On the wire nothing changes.
 *
 * Raw (`AF_SP_RAW`): see `raw_req.ts`.
 *
 * @module
 */

import { SpError } from "../../core/errors.ts";
import type {
  ContextHost,
  PipeHandle,
  Protocol,
  ProtocolContext,
  ProtocolHost,
  ProtocolSpec,
} from "../../core/protocol.ts";
import { encodeWord, readWord, RequestIds, WORD_BYTES } from "../../routing/backtrace.ts";
import { intervalOption } from "../../routing/interval_option.ts";
import { LoadBalancer } from "../../routing/load_balancer.ts";
import { Queue } from "../../routing/queue.ts";
import { RawReq } from "./raw_req.ts";
import { ReqExchange } from "./req_exchange.ts";
import { ReqSocket } from "./req_socket.ts";

/** REQ's SP id. */
export const NN_REQ = 0x30;
/** REP's SP id, REQ's peer. */
const REP_ID = 0x31;

/** `NN_REQ_RESEND_IVL` at level `NN_REQ`: ms between resends of an unanswered request. */
export const NN_REQ_RESEND_IVL = 1;

/** nanomsg's default resend interval, ms. */
const DEFAULT_RESEND_IVL = 60_000;

function checkOption(option: number): void {
  if (option !== NN_REQ_RESEND_IVL) throw new SpError("ENOPROTOOPT", `REQ has no option ${option}`);
}

class Req implements Protocol {
  readonly #host: ProtocolHost;
  readonly #out = new LoadBalancer();
  readonly #ids = new RequestIds();
  /** The socket's default for new contexts, and its own exchange's interval. */
  #resendIvl = DEFAULT_RESEND_IVL;
  /** The socket's own exchange (nanomsg's rules). */
  readonly #own: ReqExchange;
  /** Outstanding requests by id, so a reply finds its exchange. */
  readonly #byId = new Map<number, ReqExchange>();
  /** Exchanges whose request waits for a pipe (delayed, or a resend). */
  readonly #toTransmit = new Queue<ReqExchange>();
  /** Contexts whose send waits for a writable pipe. */
  readonly #toSend = new Queue<ReqExchange>();

  constructor(host: ProtocolHost) {
    this.#host = host;
    this.#own = new ReqExchange("socket", host, DEFAULT_RESEND_IVL);
  }

  /**
   * A request of the socket's that no pipe has taken yet is pending:
   * close() lingers for it. One that went out and lost its pipe is not: a
   * resend is a retry, and nobody will be there to receive its reply.
   * Contexts' sends wait in the socket until a pipe takes them.
   */
  get pending(): boolean {
    return this.#own.request !== undefined && !this.#own.request.sent;
  }

  addPipe(pipe: PipeHandle): boolean {
    this.#out.add(pipe);
    this.#flush();
    return true;
  }

  removePipe(pipe: PipeHandle): void {
    this.#out.remove(pipe);
    // nanomsg: losing the pipe is as good as a resend timeout.
    for (const exchange of [...this.#byId.values()]) {
      if (exchange.request?.pipe === pipe) this.#transmit(exchange);
    }
  }

  pipeReadable(pipe: PipeHandle): void {
    // Replies are matched as they arrive, so the pipe never backs up with
    // stale ones and each exchange keeps at most one reply.
    for (let payload = pipe.recv(); payload !== undefined; payload = pipe.recv()) this.#offerReply(payload, pipe);
  }

  pipeWritable(pipe: PipeHandle): void {
    this.#out.writable(pipe);
    this.#flush();
  }

  trySend(body: Uint8Array): boolean {
    return this.#send(this.#own, body);
  }

  /** @throws {SpError} EFSM when no request is outstanding */
  tryRecv(): Uint8Array | undefined {
    return this.#recv(this.#own);
  }

  readyToSend(): boolean {
    return true; // the socket's send never waits
  }

  readyToRecv(): boolean {
    return this.#own.reply !== undefined;
  }

  setOption(option: number, value: unknown): void {
    checkOption(option);
    this.#resendIvl = this.#own.resendIvl = intervalOption("NN_REQ_RESEND_IVL", value);
  }

  getOption(option: number): number {
    checkOption(option);
    return this.#resendIvl;
  }

  openContext(host: ContextHost): ProtocolContext {
    return new ReqContextTarget(this, new ReqExchange("context", host, this.#resendIvl));
  }

  /** A context's send (see {@linkcode ReqContextTarget}). */
  contextSend(exchange: ReqExchange, body: Uint8Array): boolean {
    return this.#send(exchange, body);
  }

  /** A context's receive. */
  contextRecv(exchange: ReqExchange): Uint8Array | undefined {
    return this.#recv(exchange);
  }

  /** A context's receive gave up, or the context closed: its request is abandoned (nng). */
  contextAbandon(exchange: ReqExchange): void {
    this.#abandon(exchange);
  }

  close(): void {
    for (const exchange of [...this.#byId.values()]) this.#abandon(exchange);
  }

  #send(exchange: ReqExchange, body: Uint8Array): boolean {
    if (exchange.reply !== undefined) {
      // The previous reply was never received: it is dropped with its request.
      exchange.reply = undefined;
      this.#host.dropped("stale");
    }
    if (exchange.request !== undefined) {
      this.#abandon(exchange);
      if (exchange.rules === "context") {
        exchange.canceling = true;
        exchange.host.readable();
        exchange.canceling = false;
      }
    }
    if (exchange.rules === "context" && !this.#out.canSend) {
      if (!exchange.queuedToSend) {
        exchange.queuedToSend = true;
        this.#toSend.push(exchange);
      }
      return false;
    }
    let id = this.#ids.next();
    while (this.#byId.has(id)) id = this.#ids.next();
    // Kept for resends, possibly for minutes: a copy, so the caller may reuse its buffer.
    exchange.request = { id, header: encodeWord(id), body: body.slice(), pipe: undefined, sent: false };
    this.#byId.set(id, exchange);
    this.#transmit(exchange);
    return true;
  }

  #recv(exchange: ReqExchange): Uint8Array | undefined {
    if (exchange.canceling) throw new SpError("ECANCELED", "a new request replaced the one this receive waited for");
    const reply = exchange.reply;
    if (reply !== undefined) {
      exchange.reply = undefined;
      return reply;
    }
    if (exchange.request === undefined) throw new SpError("EFSM", "no request is outstanding: send one first");
    return undefined;
  }

  #offerReply(payload: Uint8Array, pipe: PipeHandle): void {
    if (payload.length < WORD_BYTES) {
      this.#host.dropped("malformed", pipe);
      return;
    }
    const id = readWord(payload);
    const exchange = this.#byId.get(id);
    if (exchange === undefined) {
      this.#host.dropped("stale", pipe);
      return;
    }
    this.#abandon(exchange);
    exchange.reply = payload.subarray(WORD_BYTES);
    exchange.host.readable();
  }

  /** Forgets the exchange's request: no more resends, its reply will be stale. */
  #abandon(exchange: ReqExchange): void {
    const request = exchange.request;
    if (request === undefined) return;
    this.#byId.delete(request.id);
    exchange.request = undefined;
    this.#stopResending(exchange);
  }

  /** Requests waiting for a pipe go first, then contexts waiting to send, while pipes can take them. */
  #flush(): void {
    while (this.#toTransmit.length > 0 && this.#out.canSend) {
      const exchange = this.#toTransmit.shift()!;
      exchange.queuedToTransmit = false;
      if (exchange.request !== undefined && exchange.request.pipe === undefined) this.#transmit(exchange);
    }
    while (this.#toSend.length > 0 && this.#out.canSend) {
      const exchange = this.#toSend.shift()!;
      exchange.queuedToSend = false;
      if (!exchange.closed) exchange.host.writable();
    }
  }

  /** Sends (again) to the next writable pipe, or leaves the request waiting for one. */
  #transmit(exchange: ReqExchange): void {
    const request = exchange.request!;
    this.#stopResending(exchange);
    request.pipe = undefined;
    if (!this.#out.send(request.body, request.header)) {
      if (!exchange.queuedToTransmit) {
        exchange.queuedToTransmit = true;
        this.#toTransmit.push(exchange);
      }
      return;
    }
    request.sent = true;
    // Over inproc the reply can arrive within send(); then nothing is left to resend.
    if (exchange.request !== request) return;
    request.pipe = this.#out.lastPipe;
    exchange.timer = this.#host.clock.setTimeout(() => {
      exchange.timer = undefined;
      if (exchange.request === request) this.#transmit(exchange);
    }, exchange.resendIvl);
  }

  #stopResending(exchange: ReqExchange): void {
    if (exchange.timer === undefined) return;
    this.#host.clock.clearTimeout(exchange.timer);
    exchange.timer = undefined;
  }
}

/** One context of a REQ socket, as its `Context` sees it: calls into the protocol with its exchange. */
class ReqContextTarget implements ProtocolContext {
  constructor(readonly protocol: Req, readonly exchange: ReqExchange) {}

  trySend(body: Uint8Array): boolean {
    return this.protocol.contextSend(this.exchange, body);
  }

  tryRecv(): Uint8Array | undefined {
    return this.protocol.contextRecv(this.exchange);
  }

  recvAbandoned(): void {
    this.protocol.contextAbandon(this.exchange);
  }

  setOption(option: number, value: unknown): void {
    checkOption(option);
    this.exchange.resendIvl = intervalOption("NN_REQ_RESEND_IVL", value);
  }

  getOption(option: number): number {
    checkOption(option);
    return this.exchange.resendIvl;
  }

  close(): void {
    this.exchange.closed = true;
    this.protocol.contextAbandon(this.exchange);
    this.exchange.reply = undefined;
  }
}

/**
 * The REQ protocol, to register on a runtime. Its sockets are
 * {@linkcode ReqSocket}s: `request()`, `openContext()`, and the option
 * `resendIvl` by name.
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
  options: { resendIvl: NN_REQ_RESEND_IVL },
  create: (host) => host.raw ? new RawReq(host) : new Req(host),
  createSocket: (setup) => new ReqSocket(setup),
};
