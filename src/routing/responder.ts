/**
 * The answering side of request/reply and survey, shared by REP and
 * RESPONDENT (their behaviour is the same in nanomsg): requests are
 * fair-queued in, each reply goes back to the pipe its request came from
 * and carries the request's backtrace, and a reply never waits — if its
 * pipe is gone or cannot take it, it is dropped (sp-spec.md §2.5, §2.8).
 *
 * @module
 */

import { SpError } from "../core/errors.ts";
import type { Message } from "../core/message.ts";
import type { PipeHandle, Protocol, ProtocolHost } from "../core/protocol.ts";
import { encodeWord, readWord, recvBacktraced, WORD_BYTES } from "./backtrace.ts";
import { FairQueue } from "./fair_queue.ts";

/** The key a raw responder files a pipe under: its id with the high bit clear, as it goes on the wire. */
function pipeKey(pipe: PipeHandle): number {
  return pipe.id & 0x7fff_ffff;
}

/** Where the reply to the request being answered goes. */
interface ReturnAddress {
  readonly pipe: PipeHandle;
  readonly backtrace: Uint8Array;
}

/**
 * A cooked REP or RESPONDENT: `recv` strips the backtrace and keeps it,
 * `send` puts it back and routes the reply to the request's pipe.
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
  #answering: ReturnAddress | undefined;

  /**
   * @param host the socket's side of the protocol
   * @param what what a received message is called ("request", "survey"), for error messages
   */
  constructor(host: ProtocolHost, what: string) {
    this.#host = host;
    this.#what = what;
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

  /** The pipe has a request waiting. */
  pipeReadable(pipe: PipeHandle): void {
    this.#inbound.readable(pipe);
    this.#host.readable();
  }

  /** Replies do not wait for writable pipes, so there is nothing to resume. */
  pipeWritable(): void {}

  /**
   * Sends the reply to the request last received.
   *
   * @throws {SpError} EFSM when no request is being answered
   */
  trySend(body: Uint8Array): boolean {
    const address = this.#answering;
    if (address === undefined) {
      throw new SpError("EFSM", `no ${this.#what} to reply to: receive one first`);
    }
    this.#answering = undefined;
    if (!this.#pipes.has(address.pipe)) this.#host.dropped("no-peer", address.pipe);
    else if (!address.pipe.writable) this.#host.dropped("slow-peer", address.pipe);
    else address.pipe.send(body, address.backtrace);
    return true;
  }

  /**
   * Takes the next well-formed request and remembers where its reply goes.
   * Like nanomsg, every receive first forgets a request left unanswered.
   */
  tryRecv(): Uint8Array | undefined {
    this.#answering = undefined;
    const next = recvBacktraced(this.#inbound, this.#host.options.maxttl, this.#host);
    if (next === undefined) return undefined;
    this.#answering = { pipe: next.pipe, backtrace: next.message.header };
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
    const next = recvBacktraced(this.#inbound, this.#host.options.maxttl, this.#host);
    if (next === undefined) return undefined;
    return { header: encodeWord(pipeKey(next.pipe), next.message.header), body: next.message.body };
  }
}
