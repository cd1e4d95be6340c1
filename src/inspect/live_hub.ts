/**
 * The live side of the inspector: keeps the {@linkcode ActorLog} of a
 * runtime and streams it to the pages connected over Server-Sent Events:
 * `hello`, then every actor, then changed actors as they change (a few
 * per frame, within {@linkcode ACTOR_FLUSH_MS}) and a statistics sample
 * every interval, only while some page is connected. A page that falls
 * behind is dropped; its `EventSource` reconnects and starts afresh.
 *
 * @module
 */

import type { Runtime } from "../core/runtime.ts";
import { ActorLog } from "./actor_log.ts";
import type { ActorsFrame, HelloFrame, StatsFrame } from "./live_types.ts";
import { computeRates, type TrafficSample, trafficSample } from "./rates.ts";

/** How soon changed actors are sent, ms: changes within this window go in one frame. */
export const ACTOR_FLUSH_MS = 20;

/** At most this many changed actors per frame; the rest are counted as skipped. */
export const MAX_ACTORS_PER_FRAME = 500;

/** A page is dropped when this many frames wait for it. */
const MAX_QUEUED_FRAMES = 256;

const encoder = new TextEncoder();

/** One SSE frame. */
function frame(event: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

interface Client {
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
}

/** Streams a runtime's actors and statistics to connected pages. */
export class LiveHub {
  readonly #runtime: Runtime;
  readonly #sampleMs: number;
  readonly #machines: readonly string[];
  readonly #log: ActorLog;
  readonly #clients = new Set<Client>();
  readonly #started = Date.now();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #sampleTimer: ReturnType<typeof setInterval> | undefined;
  #lastSample: { at: number; traffic: TrafficSample } | undefined;
  #latestStats: StatsFrame | undefined;
  #closed = false;

  /**
   * @param runtime the runtime to watch
   * @param sampleMs the statistics interval, ms (at least 100)
   * @param machines the ids of the machines the page can draw
   */
  constructor(runtime: Runtime, sampleMs: number, machines: readonly string[]) {
    this.#runtime = runtime;
    this.#sampleMs = sampleMs;
    this.#machines = machines;
    this.#log = new ActorLog(runtime, { onChange: () => this.#scheduleFlush() });
  }

  /** Pages connected now. */
  get clients(): number {
    return this.#clients.size;
  }

  /** The first frame a page gets. */
  hello(): HelloFrame {
    const peers: Record<string, string> = {};
    for (const spec of this.#runtime.protocols()) {
      let peer: string;
      try {
        peer = this.#runtime.protocol(spec.peerId).name;
      } catch {
        peer = `0x${spec.peerId.toString(16)}`;
      }
      peers[spec.name] = peer;
    }
    return { machines: this.#machines, peers, sampleMs: this.#sampleMs, started: this.#started };
  }

  /** Everything now, as one object (`state.json`). */
  snapshot(): { hello: HelloFrame; actors: ActorsFrame; stats: StatsFrame } {
    return {
      hello: this.hello(),
      actors: { at: Date.now(), full: true, actors: this.#log.views(), skipped: 0 },
      stats: this.#currentStats(),
    };
  }

  /**
   * A new page: an event stream that starts with `hello`, every actor and
   * a statistics sample.
   *
   * @returns the stream to send as `text/event-stream`
   */
  connect(): ReadableStream<Uint8Array> {
    let client: Client | undefined;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        if (this.#closed) {
          controller.close();
          return;
        }
        client = { controller };
        controller.enqueue(encoder.encode("retry: 1000\n\n"));
        controller.enqueue(frame("hello", this.hello()));
        const actors: ActorsFrame = { at: Date.now(), full: true, actors: this.#log.views(), skipped: 0 };
        controller.enqueue(frame("actors", actors));
        controller.enqueue(frame("stats", this.#currentStats()));
        this.#clients.add(client);
        this.#sampleTimer ??= setInterval(() => this.#broadcast("stats", this.#sample()), this.#sampleMs);
      },
      cancel: () => {
        if (client !== undefined) this.#remove(client);
      },
    }, new CountQueuingStrategy({ highWaterMark: 16 }));
  }

  /** Ends every stream and stops watching the runtime. */
  close(): void {
    this.#closed = true;
    this.#log.close();
    clearTimeout(this.#flushTimer);
    for (const client of [...this.#clients]) {
      this.#remove(client);
      try {
        client.controller.close();
      } catch { /* already closed */ }
    }
  }

  #remove(client: Client): void {
    this.#clients.delete(client);
    if (this.#clients.size === 0) {
      clearInterval(this.#sampleTimer);
      this.#sampleTimer = undefined;
    }
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined || this.#closed) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      const changed = this.#log.takeChanges();
      if (this.#clients.size === 0) return;
      const skipped = Math.max(0, changed.length - MAX_ACTORS_PER_FRAME);
      const actors: ActorsFrame = { at: Date.now(), full: false, actors: changed.slice(skipped), skipped };
      this.#broadcast("actors", actors);
    }, ACTOR_FLUSH_MS);
  }

  /** The latest sample while pages are connected (the sampler keeps it fresh), else a new one. */
  #currentStats(): StatsFrame {
    return this.#sampleTimer !== undefined && this.#latestStats !== undefined ? this.#latestStats : this.#sample();
  }

  /** Takes a statistics sample with rates since the previous one. */
  #sample(): StatsFrame {
    const at = Date.now();
    const sockets = this.#runtime.sockets().map((socket) => socket.statistics());
    const traffic = trafficSample(sockets);
    const rates = this.#lastSample === undefined
      ? {}
      : computeRates(this.#lastSample.traffic, traffic, at - this.#lastSample.at);
    this.#lastSample = { at, traffic };
    this.#latestStats = { at, sockets, rates };
    return this.#latestStats;
  }

  #broadcast(event: string, data: unknown): void {
    const bytes = frame(event, data);
    for (const client of [...this.#clients]) {
      const { controller } = client;
      if ((controller.desiredSize ?? 0) < -MAX_QUEUED_FRAMES) {
        this.#remove(client);
        try {
          controller.error(new Error("the page fell behind"));
        } catch { /* already closed */ }
        continue;
      }
      try {
        controller.enqueue(bytes);
      } catch {
        this.#remove(client);
      }
    }
  }
}
