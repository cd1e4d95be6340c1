/**
 * Fixtures for the context tests: a typed runtime (so `open("req")` is a
 * `ReqSocket`) on a manual clock, sockets with LINGER 0, and joining them
 * over inproc.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  AF_SP,
  AF_SP_RAW,
  ManualClock,
  type ProtocolName,
  registerBuiltins,
  Runtime,
  type Socket,
  type SocketTypes,
} from "../../mod.ts";
import { settle } from "../core/_mock_transport.ts";

/** A manual clock, a typed runtime on it, and a way to open sockets. */
export interface ContextBench {
  clock: ManualClock;
  runtime: Runtime<SocketTypes>;
  /** Opens a socket with LINGER 0 (so close() never waits on the manual clock). */
  open<P extends ProtocolName>(protocol: P, raw?: boolean): SocketTypes[P];
}

/** A fresh manual-clock runtime with the built-ins. */
export function contextBench(): ContextBench {
  const clock = new ManualClock();
  const runtime = registerBuiltins(new Runtime({ clock }));
  return {
    clock,
    runtime,
    open: <P extends ProtocolName>(protocol: P, raw = false) =>
      runtime.socket(protocol as string, { domain: raw ? AF_SP_RAW : AF_SP, options: { linger: 0 } }) as SocketTypes[P],
  };
}

let joins = 0;

/** Binds `server` to a fresh inproc address, connects each client, and waits until both sides of each are attached. */
export async function joinAll(server: Socket, ...clients: Socket[]): Promise<void> {
  const { url } = await server.listen(`inproc://context-${++joins}`);
  for (const client of clients) client.connect(url);
  for (let i = 0; i < 50 && server.stats.currentConnections < clients.length; i++) await settle();
  assert.equal(server.stats.currentConnections, clients.length, "every client attached");
  for (const client of clients) {
    for (let i = 0; i < 50 && client.stats.currentConnections < 1; i++) await settle();
    assert.equal(client.stats.currentConnections, 1, "the client attached its side");
  }
}
