/**
 * The distributor: a message goes to every pipe that can take it now; a
 * pipe that cannot is skipped (best effort, never blocks), optionally
 * excluding the pipe a message came from (nanomsg's dist, used by PUB,
 * SURVEYOR and BUS).
 *
 * @module
 */

import type { PipeHandle } from "../core/protocol.ts";

/**
 * Best-effort fan-out over pipes.
 *
 * @example Usage
 * ```ts ignore
 * const dist = new Distributor((pipe) => host.dropped("slow-peer", pipe));
 * dist.add(pipe);
 * const delivered = dist.send(body);
 * ```
 */
export class Distributor {
  #pipes = new Set<PipeHandle>();
  readonly #skipped: ((pipe: PipeHandle) => void) | undefined;

  /** @param skipped called for each pipe a message skips because the pipe could not keep up */
  constructor(skipped?: (pipe: PipeHandle) => void) {
    this.#skipped = skipped;
  }

  /** How many pipes it fans out to. */
  get size(): number {
    return this.#pipes.size;
  }

  /** Starts sending to a pipe. */
  add(pipe: PipeHandle): void {
    this.#pipes.add(pipe);
  }

  /** Stops sending to a pipe. */
  remove(pipe: PipeHandle): void {
    this.#pipes.delete(pipe);
  }

  /**
   * Sends to every writable pipe except `exclude`; each pipe that cannot
   * take it now is skipped (and reported to the constructor's callback).
   *
   * @returns how many pipes got it
   */
  send(body: Uint8Array, header?: Uint8Array, exclude?: PipeHandle): number {
    let delivered = 0;
    for (const pipe of this.#pipes) {
      if (pipe === exclude) continue;
      if (pipe.writable) {
        pipe.send(body, header);
        delivered++;
      } else {
        this.#skipped?.(pipe);
      }
    }
    return delivered;
  }
}
