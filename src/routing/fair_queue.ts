/**
 * The fair queue: messages are taken round-robin from readable pipes within
 * the best receive priority (nanomsg's fq, used by PULL and others).
 *
 * @module
 */

import type { PipeHandle } from "../core/protocol.ts";
import { PriorityList } from "./priority_list.ts";

/**
 * Round-robin receiver over readable pipes.
 *
 * @example Usage
 * ```ts ignore
 * const fq = new FairQueue();
 * fq.add(pipe);
 * const next = fq.recv();
 * ```
 */
export class FairQueue {
  #ready = new PriorityList<PipeHandle>();

  /** Whether some pipe has a message waiting. */
  get canRecv(): boolean {
    return this.#ready.size > 0;
  }

  /** Starts queueing from a pipe. */
  add(pipe: PipeHandle): void {
    if (pipe.readable) this.#ready.add(pipe, pipe.recvPriority);
  }

  /**
   * Stops using a pipe once it has nothing left: messages it received
   * before it closed are still delivered.
   */
  remove(pipe: PipeHandle): void {
    if (pipe.readable) this.#ready.retire(pipe);
    else this.#ready.remove(pipe);
  }

  /** The pipe has a message waiting. */
  readable(pipe: PipeHandle): void {
    this.#ready.add(pipe, pipe.recvPriority);
  }

  /** The pipe the last message returned by `recv()` came from. */
  lastPipe: PipeHandle | undefined;

  /** Takes the next message; `lastPipe` tells where it came from. */
  recv(): Uint8Array | undefined {
    const pipe = this.#ready.current();
    if (pipe === undefined) return undefined;
    const payload = pipe.recv();
    // Either way the round moves on to the next pipe.
    if (pipe.readable) this.#ready.advance();
    else this.#ready.deactivate(pipe);
    this.lastPipe = pipe;
    return payload;
  }
}
