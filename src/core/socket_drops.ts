/**
 * Dropped messages: counted always (per socket by reason, and per pipe),
 * reported as `message:dropped` events only while someone listens, and
 * then at most once every {@linkcode DROP_REPORT_INTERVAL} ms, one event
 * per reason with the count since the last, so a storm of drops costs a
 * few events a second, not one per message.
 *
 * @module
 */

import type { Clock, TimerId } from "./clock.ts";
import { Pipe } from "./pipe.ts";
import type { PipeHandle } from "./protocol.ts";
import type { EventHub } from "./event_hub.ts";
import { DROP_REPORT_INTERVAL, type DropReason } from "./socket_events.ts";
import { emptyDrops } from "./socket_stats.ts";

/** What each reason means, for the events. */
const DETAILS: Readonly<Record<DropReason, string>> = {
  oversize: "larger than RCVMAXSIZE: the connection was closed",
  ttl: "no request id within NN_MAXTTL backtrace words (too many hops)",
  malformed: "a header that cannot be read",
  "no-peer": "the pipe it was addressed to is gone",
  "slow-peer": "its pipe could not take it (outbound bytes at SNDBUF): best effort, not sent",
  "queue-full": "a receiver's queue was full (a SUB context not read fast enough): its oldest message was dropped",
  stale: "a reply or answer to a request or survey that is no longer open",
  unexpected: "sent by a peer that should send nothing",
};

interface Pending {
  count: number;
  pipe: Pipe | undefined;
}

/** A socket's dropped-message counters and their events. Internal to the core. */
export class DropCounter {
  /** Drops by reason since the socket opened. */
  readonly byReason: Record<DropReason, number> = emptyDrops();
  /** All drops since the socket opened. */
  total = 0;

  readonly #socket: string;
  readonly #events: EventHub;
  readonly #clock: Clock;
  readonly #pending = new Map<DropReason, Pending>();
  #scheduled = false;
  #timer: TimerId | undefined;
  #lastReport = -Infinity;
  readonly #flush = () => this.flush();

  /**
   * @param socket the socket's name
   * @param events where the events go
   * @param clock the runtime's clock (for the rate limit)
   */
  constructor(socket: string, events: EventHub, clock: Clock) {
    this.#socket = socket;
    this.#events = events;
    this.#clock = clock;
  }

  /** Counts one dropped message, on `pipe` when a pipe was involved. */
  count(reason: DropReason, pipe?: PipeHandle): void {
    this.byReason[reason]++;
    this.total++;
    const ours = pipe instanceof Pipe ? pipe : undefined;
    if (ours !== undefined) ours.dropped++;
    if (this.#events.wants("message:dropped")) this.#note(reason, ours);
  }

  /** Emits what is pending now (the socket is closing). */
  flush(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#scheduled = false;
    if (this.#pending.size === 0) return;
    this.#lastReport = this.#clock.now();
    for (const [reason, { count, pipe }] of this.#pending) {
      this.#events.emit({
        type: "message:dropped",
        socket: this.#socket,
        time: this.#lastReport,
        reason,
        count,
        pipe: pipe?.info(),
        detail: DETAILS[reason],
      });
    }
    this.#pending.clear();
  }

  #note(reason: DropReason, pipe: Pipe | undefined): void {
    const pending = this.#pending.get(reason);
    if (pending === undefined) this.#pending.set(reason, { count: 1, pipe });
    else {
      pending.count++;
      if (pipe !== undefined) pending.pipe = pipe;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    const wait = this.#lastReport + DROP_REPORT_INTERVAL - this.#clock.now();
    if (wait <= 0) queueMicrotask(this.#flush);
    else this.#timer = this.#clock.setTimeout(this.#flush, wait);
  }
}
