/**
 * PUB (protocol 2, id 0x20): every message goes to every connected SUB;
 * the subscribers filter. Messages carry no SP header.
 *
 * Sending never blocks, as in nanomsg: a subscriber whose pipe cannot take
 * more (its outbound bytes reached SNDBUF) misses that message, which is
 * counted as a `slow-peer` drop (`socket.statistics().drops`, and a
 * `message:dropped` event while someone listens); with no subscriber at all a
 * send succeeds and the message goes nowhere. nng instead keeps a small
 * queue per subscriber and drops its oldest entry; we follow nanomsg.
 *
 * A SUB never sends anything after the SP header. Whatever a misbehaving
 * peer sends anyway is read and discarded (and counted as dropped), so it
 * can neither stall the connection nor reach the application (counted as
 * `unexpected` drops). Raw PUB
 * (`AF_SP_RAW`) behaves the same.
 *
 * @module
 */

import type { PipeHandle, Protocol, ProtocolHost, ProtocolSpec } from "../../core/protocol.ts";
import { Distributor } from "../../routing/distributor.ts";

/** PUB's SP id. */
export const NN_PUB = 0x20;
/** SUB's SP id, PUB's peer. */
const SUB_ID = 0x21;

class Pub implements Protocol {
  readonly #host: ProtocolHost;
  readonly #subscribers: Distributor;

  constructor(host: ProtocolHost) {
    this.#host = host;
    this.#subscribers = new Distributor((pipe) => host.dropped("slow-peer", pipe));
  }

  get pending(): boolean {
    return false;
  }

  addPipe(pipe: PipeHandle): boolean {
    this.#subscribers.add(pipe);
    return true;
  }

  removePipe(pipe: PipeHandle): void {
    this.#subscribers.remove(pipe);
  }

  pipeReadable(pipe: PipeHandle): void {
    while (pipe.recv() !== undefined) this.#host.dropped("unexpected", pipe);
  }

  pipeWritable(): void {
    // Nothing ever waits: a send that finds a pipe full skips it.
  }

  trySend(payload: Uint8Array): boolean {
    this.#subscribers.send(payload);
    return true;
  }

  tryRecv(): undefined {
    return undefined;
  }

  readyToSend(): boolean {
    return true; // never waits
  }

  readyToRecv(): boolean {
    return false;
  }
}

/**
 * The PUB protocol, to register on a runtime.
 *
 * @example Usage
 * ```ts
 * import { pubProtocol, Runtime } from "@sp/nanomsg";
 * const runtime = new Runtime();
 * runtime.registerProtocol(pubProtocol);
 * console.log(runtime.protocol("pub").peerId); // 33
 * ```
 */
export const pubProtocol: ProtocolSpec = {
  name: "pub",
  id: NN_PUB,
  peerId: SUB_ID,
  canSend: true,
  canRecv: false,
  create: (host) => new Pub(host),
};
