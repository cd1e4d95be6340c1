/**
 * The load balancer: each message goes to one writable pipe, round-robin
 * within the best send priority (nanomsg's lb, used by PUSH and REQ).
 *
 * @module
 */

import type { PipeHandle } from "../core/protocol.ts";
import { PriorityList } from "./priority_list.ts";

/**
 * Round-robin sender over writable pipes.
 *
 * @example Usage
 * ```ts ignore
 * const lb = new LoadBalancer();
 * lb.add(pipe);
 * if (!lb.send(payload)) console.log("would block");
 * ```
 */
export class LoadBalancer {
  #ready = new PriorityList<PipeHandle>();

  /** Whether some pipe can take a message now. */
  get canSend(): boolean {
    return this.#ready.size > 0;
  }

  /** Starts balancing over a pipe. */
  add(pipe: PipeHandle): void {
    if (pipe.writable) this.#ready.add(pipe, pipe.sendPriority);
  }

  /** Stops using a pipe. */
  remove(pipe: PipeHandle): void {
    this.#ready.remove(pipe);
  }

  /** The pipe can take messages again. */
  writable(pipe: PipeHandle): void {
    this.#ready.add(pipe, pipe.sendPriority);
  }

  /**
   * The pipe the last successful `send()` went to (REQ resends at once
   * when that pipe goes away).
   */
  lastPipe: PipeHandle | undefined;

  /**
   * Sends to the next pipe: `header` (if any) then `body`; `lastPipe`
   * tells which pipe took it.
   *
   * @returns false when no pipe is writable
   */
  send(body: Uint8Array, header?: Uint8Array): boolean {
    const pipe = this.#ready.current();
    if (pipe === undefined) return false;
    this.lastPipe = pipe;
    pipe.send(body, header);
    // Either way the round moves on to the next pipe.
    if (pipe.writable) this.#ready.advance();
    else this.#ready.deactivate(pipe);
    return true;
  }
}
