/**
 * Where a PAIR v1 message goes: to the one peer (monogamous, the default),
 * or to the pipe the message names among several peers (nng's
 * polyamorous mode, sp-spec.md §2.3).
 *
 * @module
 */

import type { PipeHandle } from "../../core/protocol.ts";

/**
 * A send's destination: a pipe, or wait for one, or drop the message
 * because its pipe is gone (`no-peer`) or cannot take more now (`slow-peer`).
 */
export type Route = PipeHandle | "wait" | "no-peer" | "slow-peer";

/** The peers of one PAIR v1 socket. */
export interface Pair1Peers {
  /** Offers a new pipe; false refuses it. */
  add(pipe: PipeHandle): boolean;
  /** The pipe is gone. */
  remove(pipe: PipeHandle): void;
  /**
   * Picks the pipe for a message.
   *
   * @param pipeId the pipe the message names, if any
   */
  route(pipeId: number | undefined): Route;
}

/**
 * One peer at a time; a second is refused while the first lasts. Sends
 * wait while there is no peer or it cannot take more; a named pipe is
 * ignored.
 *
 * @example Usage
 * ```ts ignore
 * const peers = new MonoPeer();
 * peers.add(first); // true
 * peers.add(second); // false
 * peers.route(undefined); // first, or "wait"
 * ```
 */
export class MonoPeer implements Pair1Peers {
  #peer: PipeHandle | undefined;

  add(pipe: PipeHandle): boolean {
    if (this.#peer !== undefined) return false;
    this.#peer = pipe;
    return true;
  }

  remove(pipe: PipeHandle): void {
    if (this.#peer === pipe) this.#peer = undefined;
  }

  route(): Route {
    const peer = this.#peer;
    return peer !== undefined && peer.writable ? peer : "wait";
  }
}

/**
 * Any number of peers, nng's rules: a message naming a pipe goes to that
 * pipe; one naming none goes to the longest-connected peer. Sending is
 * best effort so that one slow peer never holds up the others: a message
 * for a pipe that is gone, or cannot take more now, is dropped. With no
 * peer at all, a message naming none waits for one (nng waits only until
 * its first peer ever connects, and drops such messages afterwards).
 *
 * @example Usage
 * ```ts ignore
 * const peers = new PolyPeers();
 * peers.add(a);
 * peers.add(b);
 * peers.route(b.id); // b (or "slow-peer" if b is full)
 * peers.route(undefined); // a, the oldest
 * ```
 */
export class PolyPeers implements Pair1Peers {
  // Insertion order is connection order: the first entry is the oldest peer.
  readonly #byId = new Map<number, PipeHandle>();

  add(pipe: PipeHandle): boolean {
    this.#byId.set(pipe.id, pipe);
    return true;
  }

  remove(pipe: PipeHandle): void {
    this.#byId.delete(pipe.id);
  }

  route(pipeId: number | undefined): Route {
    if (pipeId === undefined) {
      const oldest = this.#byId.values().next();
      if (oldest.done) return "wait";
      return oldest.value.writable ? oldest.value : "slow-peer";
    }
    const pipe = this.#byId.get(pipeId);
    if (pipe === undefined) return "no-peer";
    return pipe.writable ? pipe : "slow-peer";
  }
}
