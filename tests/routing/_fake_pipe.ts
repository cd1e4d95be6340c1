/**
 * A pipe stand-in for routing tests: an outbound log with a writable
 * budget and an inbound queue.
 *
 * @module
 */

import type { PipeHandle } from "../../src/core/protocol.ts";

/** A scripted pipe. */
export class FakePipe implements PipeHandle {
  readonly id: number;
  readonly sendPriority: number;
  readonly recvPriority: number;
  data: unknown;
  /** Payloads sent to this pipe. */
  readonly sent: string[] = [];
  /** How many more sends it takes before it stops being writable. */
  budget: number;
  /** Payloads waiting to be received. */
  readonly inbound: Uint8Array[] = [];

  constructor(id: number, priority = 8, budget = Infinity) {
    this.id = id;
    this.sendPriority = priority;
    this.recvPriority = priority;
    this.budget = budget;
  }

  get writable(): boolean {
    return this.budget > 0;
  }

  get readable(): boolean {
    return this.inbound.length > 0;
  }

  send(payload: Uint8Array): void {
    this.budget--;
    this.sent.push(new TextDecoder().decode(payload));
  }

  recv(): Uint8Array | undefined {
    return this.inbound.shift();
  }
}

/** UTF-8 bytes of a string. */
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
