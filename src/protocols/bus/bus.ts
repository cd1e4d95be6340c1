/**
 * BUS (protocol 7, id 0x70): a send reaches every directly connected BUS
 * peer; receiving is fair-queued across them. Messages carry no SP header
 * on the wire.
 *
 * Sending never blocks: a peer whose pipe cannot take more (outbound bytes
 * at SNDBUF) misses that message, counted as a `slow-peer` drop;
 * with no peer at all a send succeeds. A cooked BUS never forwards what it
 * receives, so in A–B, A–C, B's messages reach A but not C: a full mesh,
 * or a raw BUS hub running a device loop, is needed for more.
 *
 * Raw BUS (`AF_SP_RAW`) tells where a message came from: `recvmsg()`
 * returns a 4-byte header holding the origin pipe's id (u32 big-endian,
 * as nng does; nanomsg puts the 8-byte pipe pointer there). `sendmsg()`
 * with such a header sends to every peer except that pipe, so a device
 * loop on one raw BUS socket
 * (`for (;;) await hub.sendmsg(await hub.recvmsg())`) relays each message
 * to everybody but its sender. The header never goes on the wire, so the
 * difference from nanomsg is invisible to peers. A raw `sendmsg()` header
 * must be empty (send to all) or 4 bytes; anything else is EINVAL.
 * Cooked `sendmsg()` with any header is EINVAL, as in nanomsg.
 *
 * @module
 */

import { SpError } from "../../core/errors.ts";
import type { Message } from "../../core/message.ts";
import type { PipeHandle, Protocol, ProtocolSpec } from "../../core/protocol.ts";
import { FanOutFanIn } from "../../routing/fan_out_fan_in.ts";

/** BUS's SP id; BUS peers with BUS. */
export const NN_BUS = 0x70;

/** Bytes of the raw header: the origin pipe id. */
const ORIGIN_HEADER_SIZE = 4;

/** Cooked BUS: no `trySendMsg`, so the socket refuses headers itself. */
class Bus extends FanOutFanIn implements Protocol {
  pipeWritable(): void {
    // Nothing ever waits: a send that finds a pipe full skips it.
  }

  trySend(payload: Uint8Array): boolean {
    this.fanOut(payload, undefined);
    return true;
  }

  tryRecv(): Uint8Array | undefined {
    return this.inbound.recv();
  }

  readyToSend(): boolean {
    return true; // never waits
  }

  readyToRecv(): boolean {
    return this.inbound.canRecv;
  }

  /** Sends to every peer but `exclude`; the peers that cannot keep up miss it (counted). */
  protected fanOut(body: Uint8Array, exclude: PipeHandle | undefined): void {
    this.out.send(body, undefined, exclude);
  }
}

/** Raw BUS: the header names the origin pipe, and a send may exclude it. */
class RawBus extends Bus {
  readonly #pipesById = new Map<number, PipeHandle>();

  override addPipe(pipe: PipeHandle): boolean {
    this.#pipesById.set(pipe.id, pipe);
    return super.addPipe(pipe);
  }

  override removePipe(pipe: PipeHandle): void {
    this.#pipesById.delete(pipe.id);
    super.removePipe(pipe);
  }

  checkMessage(message: Message): void {
    const length = message.header.length;
    if (length !== 0 && length !== ORIGIN_HEADER_SIZE) {
      throw new SpError("EINVAL", `a raw BUS header is empty or a 4-byte pipe id, not ${length} bytes`);
    }
  }

  trySendMsg(message: Message): boolean {
    const { header } = message;
    if (header.length !== ORIGIN_HEADER_SIZE) {
      this.fanOut(message.body, undefined);
    } else {
      const origin = new DataView(header.buffer, header.byteOffset, header.length).getUint32(0);
      // A pipe that has gone since is excluded by nobody: everyone gets it.
      this.fanOut(message.body, this.#pipesById.get(origin));
    }
    return true;
  }

  tryRecvMsg(): Message | undefined {
    const body = this.inbound.recv();
    if (body === undefined) return undefined;
    const header = new Uint8Array(ORIGIN_HEADER_SIZE);
    new DataView(header.buffer).setUint32(0, this.inbound.lastPipe!.id);
    return { header, body };
  }
}

/**
 * The BUS protocol, to register on a runtime.
 *
 * @example Usage
 * ```ts
 * import { busProtocol, Runtime } from "@sp/nanomsg";
 * const runtime = new Runtime();
 * runtime.registerProtocol(busProtocol);
 * console.log(runtime.protocol("bus").peerId); // 112
 * ```
 */
export const busProtocol: ProtocolSpec = {
  name: "bus",
  id: NN_BUS,
  peerId: NN_BUS,
  canSend: true,
  canRecv: true,
  create: (host) => host.raw ? new RawBus(host) : new Bus(host),
};
