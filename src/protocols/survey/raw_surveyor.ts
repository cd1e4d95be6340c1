/**
 * Raw SURVEYOR (`AF_SP_RAW`): no ids, no deadline, no state; `sendmsg`
 * sends header and body as given to every peer, `recvmsg` splits the
 * header after the first word with the high bit set. Here we follow nng:
 * nanomsg's raw SURVEYOR hands over only the first word as the header and
 * never checks it. The bytes a device forwards are the same either way,
 * but answers with no marked word within `NN_MAXTTL` words are dropped and
 * counted.
 *
 * @module
 */

import type { Message } from "../../core/message.ts";
import type { Protocol } from "../../core/protocol.ts";
import { type Backtraced, recvBacktraced } from "../../routing/backtrace.ts";
import { FanOutFanIn } from "../../routing/fan_out_fan_in.ts";

/**
 * Raw SURVEYOR: header + body as given to every peer; answers split after
 * the id word.
 *
 * @example Usage
 * ```ts ignore
 * create: (host) => host.raw ? new RawSurveyor(host) : new Surveyor(host),
 * ```
 */
export class RawSurveyor extends FanOutFanIn implements Protocol {
  /** An answer `readyToRecv()` found, delivered next. */
  #next: Backtraced | undefined;

  /** Sends never wait. */
  pipeWritable(): void {}

  /** Sends a body without a header to every peer. */
  trySend(body: Uint8Array): boolean {
    this.out.send(body);
    return true;
  }

  /** Sends header and body as given to every peer. */
  trySendMsg(message: Message): boolean {
    this.out.send(message.body, message.header);
    return true;
  }

  /** The next answer's body. */
  tryRecv(): Uint8Array | undefined {
    return this.tryRecvMsg()?.body;
  }

  /** The next well-formed answer with its backtrace. */
  tryRecvMsg(): Message | undefined {
    const next = this.#next ?? recvBacktraced(this.inbound, this.host.options.maxttl, this.host);
    this.#next = undefined;
    return next?.message;
  }

  /** Sends never wait. */
  readyToSend(): boolean {
    return true;
  }

  /** Whether a well-formed answer is waiting. */
  readyToRecv(): boolean {
    this.#next ??= recvBacktraced(this.inbound, this.host.options.maxttl, this.host);
    return this.#next !== undefined;
  }
}
