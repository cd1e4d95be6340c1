/**
 * The pipe lifecycle as the benchmarks measure it, shared by
 * `pipe_lifecycle_bench.ts` (timing per cycle) and `pipe_costs.ts`
 * (cycles per second and memory per idle pipe, for RESULTS.md).
 *
 * A cycle is: connect, SP handshake both ways, attach on both sides (proved
 * by one message going through), close. PUSH dials and PULL listens because
 * PULL takes any number of peers; with PAIR the next cycle's connection
 * could arrive while the listener still holds the previous peer and be
 * refused, and the dialer would then sit out a reconnect interval.
 *
 * @module
 */

import { openSocket, type Socket } from "../mod.ts";

/** The transports a cycle can run over. */
export type CycleTransport = "inproc" | "tcp" | "ipc";

let names = 0;

/** A fresh address for `transport` on loopback. */
export function cycleUrl(transport: CycleTransport): string {
  const n = ++names;
  if (transport === "inproc") return `inproc://cycle-${Deno.pid}-${n}`;
  if (transport === "ipc") return `ipc:///tmp/sp-cycle-${Deno.pid}-${n}.ipc`;
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = probe.addr as Deno.NetAddr;
  probe.close();
  return `tcp://127.0.0.1:${port}`;
}

const PING = new Uint8Array(1);

/** A bound PULL socket that dialers cycle against. */
export class CycleTarget {
  readonly url: string;
  readonly listener: Socket;
  /** A PUSH socket kept open for the endpoint-only cycle. */
  readonly dialer: Socket;

  private constructor(url: string, listener: Socket, dialer: Socket) {
    this.url = url;
    this.listener = listener;
    this.dialer = dialer;
  }

  /** Binds a fresh address. */
  static async open(transport: CycleTransport): Promise<CycleTarget> {
    const url = cycleUrl(transport);
    const listener = openSocket("pull");
    await listener.bind(url);
    return new CycleTarget(url, listener, openSocket("push"));
  }

  /**
   * One cycle on the long-lived PUSH socket: a new endpoint connects, its
   * pipe handshakes and attaches, one message passes, the endpoint is shut
   * down (which waits for its pipe to close).
   */
  async endpointCycle(): Promise<void> {
    const endpoint = this.dialer.connect(this.url);
    await this.dialer.send(PING);
    await this.listener.recv();
    await this.dialer.shutdown(endpoint);
  }

  /** One cycle with a new PUSH socket: open, connect, attach, one message, close. */
  async socketCycle(): Promise<void> {
    const dialer = openSocket("push");
    dialer.connect(this.url);
    await dialer.send(PING);
    await this.listener.recv();
    await dialer.close();
  }

  /** Closes both sockets. */
  async close(): Promise<void> {
    await this.dialer.close();
    await this.listener.close();
  }
}

/** Resolves once `check()` holds, polling every few ms; rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
