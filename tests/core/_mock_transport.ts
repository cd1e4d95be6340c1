/**
 * A scripted transport for machine tests: dials succeed or fail on
 * command, connections hand-shake with a chosen peer id (or never), and
 * everything is recorded against the runtime's clock.
 *
 * @module
 */

import {
  type Clock,
  type Connection,
  type ConnectionSink,
  SpError,
  type Transport,
  type TransportListener,
} from "../../mod.ts";

/** One scripted connection. */
export class MockConnection implements Connection {
  readonly description = "mock";
  readonly sent: Uint8Array[] = [];
  /** The SP header sent with each of `sent` (empty when none). */
  readonly sentHeaders: Uint8Array[] = [];
  sink: ConnectionSink | undefined;
  closed = false;
  pendingBytes = 0;
  /** The protocol id the fake peer announces; undefined: it never answers. */
  peerProtocol: number | undefined;

  constructor(peerProtocol: number | undefined) {
    this.peerProtocol = peerProtocol;
  }

  handshake(_self: number, signal: AbortSignal): Promise<number> {
    if (this.peerProtocol !== undefined) return Promise.resolve(this.peerProtocol);
    return new Promise((_, reject) =>
      signal.addEventListener("abort", () => reject(new SpError("ETIMEDOUT", "mock handshake timed out")))
    );
  }

  start(sink: ConnectionSink): void {
    this.sink = sink;
  }

  send(payload: Uint8Array, header?: Uint8Array): void {
    this.sent.push(payload);
    this.sentHeaders.push(header?.slice() ?? new Uint8Array(0));
  }

  pause(): void {}
  resume(): void {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink?.closed();
  }

  /** The fake peer hangs up. */
  peerCloses(): void {
    this.sink?.closed();
  }
}

/** A transport whose dials are decided by the test. */
export class MockTransport implements Transport {
  readonly scheme = "mock";
  /** Clock time of every dial attempt. */
  readonly dialTimes: number[] = [];
  /** Connections handed out. */
  readonly connections: MockConnection[] = [];
  /** Whether dials succeed. */
  accepting = false;
  /** What successful connections announce. */
  peerProtocol: number | undefined;
  readonly #clock: Clock;

  constructor(clock: Clock, peerProtocol: number | undefined) {
    this.#clock = clock;
    this.peerProtocol = peerProtocol;
  }

  checkAddress(): void {}

  /** Clock time of every accept call. */
  readonly acceptTimes: number[] = [];
  /** How many of the next accepts fail (e.g. out of file descriptors). */
  failAccepts = 0;
  #pendingAccept: ((c: Connection) => void) | undefined;

  listen(): Promise<TransportListener> {
    return Promise.resolve({
      address: "mock",
      accept: () => {
        this.acceptTimes.push(this.#clock.now());
        if (this.failAccepts > 0) {
          this.failAccepts--;
          return Promise.reject(new SpError("EPROTO", "mock accept failure"));
        }
        return new Promise<Connection>((resolve) => this.#pendingAccept = resolve);
      },
      close: () => Promise.resolve(),
    });
  }

  /** A fake peer connects to the listener. */
  incoming(): MockConnection {
    const conn = new MockConnection(this.peerProtocol);
    this.connections.push(conn);
    this.#pendingAccept?.(conn);
    return conn;
  }

  dial(): Promise<Connection> {
    this.dialTimes.push(this.#clock.now());
    if (!this.accepting) return Promise.reject(new SpError("ECONNREFUSED", "mock peer is down"));
    const conn = new MockConnection(this.peerProtocol);
    this.connections.push(conn);
    return Promise.resolve(conn);
  }
}

/** Lets pending promise callbacks run (one real macrotask). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Advances a manual clock in steps, settling promises between them. */
export async function advance(clock: { advance(ms: number): void }, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await settle();
  }
}
