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
 * const dist = new Distributor();
 * dist.add(pipe);
 * const { delivered, skipped } = dist.send(body);
 * ```
 */
export class Distributor {
  #pipes = new Set<PipeHandle>();

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
   * Sends to every writable pipe except `exclude`.
   *
   * @returns how many pipes got it and how many were skipped because they could not keep up
   */
  send(body: Uint8Array, header?: Uint8Array, exclude?: PipeHandle): { delivered: number; skipped: number } {
    let delivered = 0;
    let skipped = 0;
    for (const pipe of this.#pipes) {
      if (pipe === exclude) continue;
      if (pipe.writable) {
        pipe.send(body, header);
        delivered++;
      } else {
        skipped++;
      }
    }
    return { delivered, skipped };
  }
}
