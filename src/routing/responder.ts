/**
 * The answering side of request/reply and survey, shared by REP and
 * RESPONDENT (their behaviour is the same in nanomsg): requests are
 * fair-queued in, each reply goes back to the pipe its request came from
 * and carries the request's backtrace, and a reply never waits — if its
 * pipe is gone or cannot take it, it is dropped (sp-spec.md §2.5, §2.8).
 * Contexts (nng's) answer requests of their own; nng's REP context waits
 * for a full pipe where we drop, as nanomsg does.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";
import type { Message } from "../core/message.ts";
import type { ContextHost, PipeHandle, Protocol, ProtocolContext, ProtocolHost } from "../core/protocol.ts";
import { isLent } from "../core/received_memory.ts";
import { type Backtraced, encodeWord, readWord, recvBacktraced, WORD_BYTES } from "./backtrace.ts";
import { FairQueue } from "./fair_queue.ts";
import { Queue } from "./queue.ts";

/** The key a raw responder files a pipe under: its id with the high bit clear, as it goes on the wire. */
function pipeKey(pipe: PipeHandle): number {
  return pipe.id & 0x7fff_ffff;
}

/** Where the reply to the request being answered goes. */
interface ReturnAddress {
  readonly pipe: PipeHandle;
  readonly backtrace: Uint8Array;
}

/** What one answering party (the socket, or a context) is doing. */
class Answering {
  /** Where the reply to the request being answered goes. */
  address: ReturnAddress | undefined;
  /** Whether it is queued to hear of the next request. */
  waiting = false;
  closed = false;

  constructor(readonly host: ContextHost) {}
}

/**
 * A cooked REP or RESPONDENT: `recv` strips the backtrace and keeps it,
 * `send` puts it back and routes the reply to the request's pipe. The
 * socket answers one request at a time; each context (nng's) answers one
 * of its own, so a server with several contexts may answer in any order.
 * Requests go to whoever receives first: the socket's waiting receives,
 * then the contexts in the order they started waiting.
 *
 * @example Usage
 * ```ts ignore
 * const spec: ProtocolSpec = { name: "rep", id: 0x31, peerId: 0x30, canSend: true, canRecv: true,
 *   create: (host) => host.raw ? new RawResponder(host) : new Responder(host, "request") };
 * ```
 */
export class Responder implements Protocol {
  readonly #host: ProtocolHost;
  readonly #what: string;
  readonly #inbound = new FairQueue();
  readonly #pipes = new Set<PipeHandle>();
  readonly #own: Answering;
  /** Contexts waiting for a request, in the order they started waiting. */
  readonly #waiting = new Queue<Answering>();
  /** A request `readyToRecv()` found, delivered next. */
  #next: Backtraced | undefined;

  /**
   * @param host the socket's side of the protocol
   * @param what what a received message is called ("request", "survey"), for error messages
   */
  constructor(host: ProtocolHost, what: string) {
    this.#host = host;
    this.#what = what;
    this.#own = new Answering(host);
  }

  /** Replies never wait, so nothing is ever pending. */
  get pending(): boolean {
    return false;
  }

  /** Starts receiving from a pipe. */
  addPipe(pipe: PipeHandle): boolean {
    this.#pipes.add(pipe);
    this.#inbound.add(pipe);
    return true;
  }

  /** Forgets a pipe; a reply still owed to it will be dropped. */
  removePipe(pipe: PipeHandle): void {
    this.#pipes.delete(pipe);
    this.#inbound.remove(pipe);
  }

  /** The pipe has a request waiting: the socket's receives hear first, then waiting contexts. */
  pipeReadable(pipe: PipeHandle): void {
    this.#inbound.readable(pipe);
    this.#host.readable();
    while (this.#waiting.length > 0 && (this.#next !== undefined || this.#inbound.canRecv)) {
      const next = this.#waiting.shift()!;
      next.waiting = false;
      if (!next.closed) next.host.readable();
    }
  }

  /** Replies do not wait for writable pipes, so there is nothing to resume. */
  pipeWritable(): void {}

  /**
   * Sends the reply to the request last received.
   *
   * @throws {SpError} EFSM when no request is being answered
   */
  trySend(body: Uint8Array): boolean {
    return this.#reply(this.#own, body);
  }

  /**
   * Takes the next well-formed request and remembers where its reply goes.
   * Like nanomsg, every receive first forgets a request left unanswered.
   */
  tryRecv(): Uint8Array | undefined {
    return this.#take(this.#own);
  }

  /** nanomsg's readiness: a reply can be sent while a request is being answered. */
  readyToSend(): boolean {
    return this.#own.address !== undefined;
  }

  /** Whether a well-formed request is waiting (malformed ones are dropped on the way, as a receive would). */
  readyToRecv(): boolean {
    this.#next ??= recvBacktraced(this.#inbound, this.#host.options.maxttl, this.#host);
    return this.#next !== undefined;
  }

  /** Opens a context: a request being answered of its own. */
  openContext(host: ContextHost): ProtocolContext {
    const answering = new Answering(host);
    return {
      trySend: (body) => this.#reply(answering, body),
      tryRecv: () => this.#take(answering),
      close: () => {
        answering.closed = true;
        answering.address = undefined;
      },
    };
  }

  #reply(answering: Answering, body: Uint8Array): boolean {
    const address = answering.address;
    if (address === undefined) {
      throw new SpError("EFSM", `no ${this.#what} to reply to: receive one first`);
    }
    answering.address = undefined;
    if (!this.#pipes.has(address.pipe)) this.#host.dropped("no-peer", address.pipe);
    else if (!address.pipe.writable) this.#host.dropped("slow-peer", address.pipe);
    else address.pipe.send(body, address.backtrace);
    return true;
  }

  #take(answering: Answering): Uint8Array | undefined {
    answering.address = undefined;
    const next = this.#next ?? recvBacktraced(this.#inbound, this.#host.options.maxttl, this.#host);
    this.#next = undefined;
    if (next === undefined) {
      if (answering !== this.#own && !answering.waiting) {
        answering.waiting = true;
        this.#waiting.push(answering);
      }
      return undefined;
    }
    // The body may be received into the application's buffer and its memory
    // read into again while the reply is still being made: then the
    // backtrace must be a copy (only then: a copy per request cost inproc
    // REQ/REP 12%, whose payloads are never lent).
    const header = next.message.header;
    answering.address = { pipe: next.pipe, backtrace: isLent(header) ? header.slice() : header };
    return next.message.body;
  }
}

/**
 * A raw (`AF_SP_RAW`) REP or RESPONDENT, for devices: `recvmsg` pushes the
 * incoming pipe's id onto the backtrace (header = pipe id, hops, request
 * id); `sendmsg` pops that word to pick the pipe and sends the rest of the
 * header with the body. No state, no checks: a reply without a usable
 * pipe id is dropped, as in nanomsg.
 *
 * @example Usage
 * ```ts ignore
 * const protocol = host.raw ? new RawResponder(host) : new Responder(host, "request");
 * ```
 */
export class RawResponder implements Protocol {
  readonly #host: ProtocolHost;
  readonly #inbound = new FairQueue();
  readonly #pipes = new Map<number, PipeHandle>();
  /** A request `readyToRecv()` found, delivered next. */
  #next: Backtraced | undefined;

  /** @param host the socket's side of the protocol */
  constructor(host: ProtocolHost) {
    this.#host = host;
  }

  /** Replies never wait, so nothing is ever pending. */
  get pending(): boolean {
    return false;
  }

  /** Starts receiving from a pipe and routing replies to it. */
  addPipe(pipe: PipeHandle): boolean {
    this.#pipes.set(pipeKey(pipe), pipe);
    this.#inbound.add(pipe);
    return true;
  }

  /** Forgets a pipe; replies addressed to it will be dropped. */
  removePipe(pipe: PipeHandle): void {
    this.#pipes.delete(pipeKey(pipe));
    this.#inbound.remove(pipe);
  }

  /** The pipe has a request waiting. */
  pipeReadable(pipe: PipeHandle): void {
    this.#inbound.readable(pipe);
    this.#host.readable();
  }

  /** Replies do not wait for writable pipes, so there is nothing to resume. */
  pipeWritable(): void {}

  /** A body without a header has no pipe to go to: dropped, as in nanomsg. */
  trySend(): boolean {
    this.#host.dropped("no-peer");
    return true;
  }

  /** Routes by the first header word (a pipe id); drops what cannot be delivered now. */
  trySendMsg(message: Message): boolean {
    const { header, body } = message;
    const pipe = header.length < WORD_BYTES ? undefined : this.#pipes.get(readWord(header));
    if (pipe === undefined) this.#host.dropped("no-peer");
    else if (!pipe.writable) this.#host.dropped("slow-peer", pipe);
    else pipe.send(body, header.subarray(WORD_BYTES));
    return true;
  }

  /** The next request's body; its header is lost (use `recvmsg` to keep it). */
  tryRecv(): Uint8Array | undefined {
    return this.tryRecvMsg()?.body;
  }

  /** The next well-formed request, its header led by the id of the pipe it came from. */
  tryRecvMsg(): Message | undefined {
    const next = this.#next ?? recvBacktraced(this.#inbound, this.#host.options.maxttl, this.#host);
    this.#next = undefined;
    if (next === undefined) return undefined;
    return { header: encodeWord(pipeKey(next.pipe), next.message.header), body: next.message.body };
  }

  /** Replies never wait (they are dropped when they cannot go). */
  readyToSend(): boolean {
    return true;
  }

  /** Whether a well-formed request is waiting. */
  readyToRecv(): boolean {
    this.#next ??= recvBacktraced(this.#inbound, this.#host.options.maxttl, this.#host);
    return this.#next !== undefined;
  }
}
