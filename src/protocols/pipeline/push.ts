/**
 * PUSH (protocol 5, id 0x50): each message goes to one PULL peer,
 * round-robin over writable pipes within the best SNDPRIO.
 *
 * @module
 */

import type { PipeHandle, Protocol, ProtocolHost, ProtocolSpec } from "../../core/protocol.ts";
import { LoadBalancer } from "../../routing/load_balancer.ts";

/** PUSH's SP id. */
export const NN_PUSH = 0x50;
/** PULL's SP id, PUSH's peer. */
const PULL_ID = 0x51;

class Push implements Protocol {
  readonly #host: ProtocolHost;
  #out = new LoadBalancer();

  constructor(host: ProtocolHost) {
    this.#host = host;
  }

  get pending(): boolean {
    return false;
  }

  addPipe(pipe: PipeHandle): boolean {
    this.#out.add(pipe);
    return true;
  }

  removePipe(pipe: PipeHandle): void {
    this.#out.remove(pipe);
  }

  pipeReadable(pipe: PipeHandle): void {
    // A PULL peer has nothing to say; discard whatever it sends.
    while (pipe.recv() !== undefined);
  }

  pipeWritable(pipe: PipeHandle): void {
    this.#out.writable(pipe);
    this.#host.writable();
  }

  trySend(payload: Uint8Array): boolean {
    return this.#out.send(payload);
  }

  tryRecv(): undefined {
    return undefined;
  }

  readyToSend(): boolean {
    return this.#out.canSend;
  }

  readyToRecv(): boolean {
    return false;
  }
}

/**
 * The PUSH protocol, to register on a runtime.
 *
 * @example Usage
 * ```ts
 * import { pushProtocol } from "@sp/nanomsg";
 * console.log(pushProtocol.peerId); // 81
 * ```
 */
export const pushProtocol: ProtocolSpec = {
  name: "push",
  id: NN_PUSH,
  peerId: PULL_ID,
  canSend: true,
  canRecv: false,
  create: (host) => new Push(host),
};
