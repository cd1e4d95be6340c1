/**
 * Raw REQ (`AF_SP_RAW`): no ids, no resends, no state; `sendmsg` sends
 * header and body as given (load-balanced, waiting while no pipe can take
 * it), `recvmsg` splits the header after the first word with the high bit
 * set. Here we follow nng: nanomsg's raw REQ hands over only the first
 * word as the header and never checks it. The bytes a device forwards are
 * the same either way, but replies with no marked word within `NN_MAXTTL`
 * words are dropped and counted (nng closes the pipe for them).
 *
 * @module
 */

import type { Message } from "../../core/message.ts";
import type { PipeHandle, Protocol, ProtocolHost } from "../../core/protocol.ts";
import { type Backtraced, recvBacktraced } from "../../routing/backtrace.ts";
import { FairQueue } from "../../routing/fair_queue.ts";
import { LoadBalancer } from "../../routing/load_balancer.ts";

/**
 * Raw REQ: load-balanced sends of header + body as given; replies split
 * after the id word.
 *
 * @example Usage
 * ```ts ignore
 * create: (host) => host.raw ? new RawReq(host) : new Req(host),
 * ```
 */
export class RawReq implements Protocol {
  readonly #host: ProtocolHost;
  readonly #out = new LoadBalancer();
  readonly #inbound = new FairQueue();
  /** A reply found by `readyToRecv()`, delivered next. */
  #next: Backtraced | undefined;

  /** @param host the socket's side */
  constructor(host: ProtocolHost) {
    this.#host = host;
  }

  /** Nothing waits inside. */
  get pending(): boolean {
    return false;
  }

  /** Sends to and receives from the pipe. */
  addPipe(pipe: PipeHandle): boolean {
    this.#out.add(pipe);
    this.#inbound.add(pipe);
    return true;
  }

  /** Forgets the pipe. */
  removePipe(pipe: PipeHandle): void {
    this.#out.remove(pipe);
    this.#inbound.remove(pipe);
  }

  /** A reply is waiting on the pipe. */
  pipeReadable(pipe: PipeHandle): void {
    this.#inbound.readable(pipe);
    this.#host.readable();
  }

  /** The pipe can take requests again. */
  pipeWritable(pipe: PipeHandle): void {
    this.#out.writable(pipe);
    this.#host.writable();
  }

  /** Sends a body without a header. */
  trySend(body: Uint8Array): boolean {
    return this.#out.send(body);
  }

  /** Sends header and body as given. */
  trySendMsg(message: Message): boolean {
    return this.#out.send(message.body, message.header);
  }

  /** The next reply's body. */
  tryRecv(): Uint8Array | undefined {
    return this.tryRecvMsg()?.body;
  }

  /** The next well-formed reply with its backtrace. */
  tryRecvMsg(): Message | undefined {
    const next = this.#next ?? recvBacktraced(this.#inbound, this.#host.options.maxttl, this.#host);
    this.#next = undefined;
    return next?.message;
  }

  /** Whether a pipe can take a request now. */
  readyToSend(): boolean {
    return this.#out.canSend;
  }

  /** Whether a well-formed reply is waiting (malformed ones are dropped on the way, as a receive would). */
  readyToRecv(): boolean {
    this.#next ??= recvBacktraced(this.#inbound, this.#host.options.maxttl, this.#host);
    return this.#next !== undefined;
  }
}
