/**
 * PULL (protocol 5, id 0x51): receives from every PUSH peer, fair-queued
 * within the best RCVPRIO.
 *
 * @module
 */

import type { PipeHandle, Protocol, ProtocolHost, ProtocolSpec } from "../../core/protocol.ts";
import { FairQueue } from "../../routing/fair_queue.ts";

/** PULL's SP id. */
export const NN_PULL = 0x51;
/** PUSH's SP id, PULL's peer. */
const PUSH_ID = 0x50;

class Pull implements Protocol {
  readonly #host: ProtocolHost;
  #in = new FairQueue();

  constructor(host: ProtocolHost) {
    this.#host = host;
  }

  get pending(): boolean {
    return false;
  }

  addPipe(pipe: PipeHandle): boolean {
    this.#in.add(pipe);
    return true;
  }

  removePipe(pipe: PipeHandle): void {
    this.#in.remove(pipe);
  }

  pipeReadable(pipe: PipeHandle): void {
    this.#in.readable(pipe);
    this.#host.readable();
  }

  pipeWritable(): void {}

  trySend(): boolean {
    return false;
  }

  tryRecv(): Uint8Array | undefined {
    return this.#in.recv();
  }

  readyToSend(): boolean {
    return false;
  }

  readyToRecv(): boolean {
    return this.#in.canRecv;
  }
}

/**
 * The PULL protocol, to register on a runtime.
 *
 * @example Usage
 * ```ts
 * import { pullProtocol } from "@sp/nanomsg";
 * console.log(pullProtocol.peerId); // 80
 * ```
 */
export const pullProtocol: ProtocolSpec = {
  name: "pull",
  id: NN_PULL,
  peerId: PUSH_ID,
  canSend: false,
  canRecv: true,
  create: (host) => new Pull(host),
};
