/**
 * PAIR (protocol 1, id 0x10): one peer at a time; a second connection is
 * refused while the first lasts. Messages carry no SP header.
 *
 * @module
 */

import type { PipeHandle, Protocol, ProtocolHost, ProtocolSpec } from "../../core/protocol.ts";
import { FairQueue } from "../../routing/fair_queue.ts";

/** PAIR's SP id. */
export const NN_PAIR = 0x10;

class Pair implements Protocol {
  readonly #host: ProtocolHost;
  #peer: PipeHandle | undefined;
  // Receiving goes through a fair queue so that messages a departed peer
  // sent before it left are still delivered.
  #inbound = new FairQueue();

  constructor(host: ProtocolHost) {
    this.#host = host;
  }

  get pending(): boolean {
    return false;
  }

  addPipe(pipe: PipeHandle): boolean {
    if (this.#peer !== undefined) return false;
    this.#peer = pipe;
    this.#inbound.add(pipe);
    return true;
  }

  removePipe(pipe: PipeHandle): void {
    if (this.#peer === pipe) this.#peer = undefined;
    this.#inbound.remove(pipe);
  }

  pipeReadable(pipe: PipeHandle): void {
    this.#inbound.readable(pipe);
    this.#host.readable();
  }

  pipeWritable(): void {
    this.#host.writable();
  }

  trySend(payload: Uint8Array): boolean {
    const peer = this.#peer;
    if (peer === undefined || !peer.writable) return false;
    peer.send(payload);
    return true;
  }

  tryRecv(): Uint8Array | undefined {
    return this.#inbound.recv();
  }

  readyToSend(): boolean {
    return this.#peer !== undefined && this.#peer.writable;
  }

  readyToRecv(): boolean {
    return this.#inbound.canRecv;
  }
}

/**
 * The PAIR protocol, to register on a runtime.
 *
 * @example Usage
 * ```ts
 * import { pairProtocol } from "@sp/nanomsg";
 * console.log(pairProtocol.id); // 16
 * ```
 */
export const pairProtocol: ProtocolSpec = {
  name: "pair",
  id: NN_PAIR,
  peerId: NN_PAIR,
  canSend: true,
  canRecv: true,
  create: (host) => new Pair(host),
};
