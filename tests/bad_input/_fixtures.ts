/**
 * Socket-side fixtures for the bad-input tests: runtimes with a known
 * handshake timeout, a bound socket on a fresh address, and the checks that
 * a socket still talks to a well-behaved peer after a hostile one was
 * dropped.
 *
 * @module
 */

import { deepStrictEqual } from "node:assert/strict";
import { registerBuiltins, Runtime, type Socket, type SocketOptions, type SocketStats } from "../../mod.ts";
import { text, until, within } from "../_helpers.ts";
import { freshAddress, type RawAddress, type StreamKind } from "./_raw_peer.ts";

/**
 * How soon a connection that sent bad input must be gone and counted, ms.
 * Loopback drops take a few ms; the margin is for a loaded CI machine.
 */
export const PROMPT_MS = 500;

/** Bound on any wait for a message that should arrive, ms. */
export const MESSAGE_MS = 2000;

/**
 * A runtime whose handshake timeout is far longer than {@linkcode PROMPT_MS}:
 * a bad header must be rejected because it is bad, and a drop that only
 * happens when the handshake times out makes the test fail rather than pass
 * late.
 */
export const patientRuntime: Runtime = registerBuiltins(new Runtime({ handshakeTimeout: 5_000 }));

/** The handshake timeout of {@linkcode impatientRuntime}, ms. */
export const SHORT_HANDSHAKE_MS = 150;

/** A runtime that gives up on a silent peer quickly, for the timeout tests. */
export const impatientRuntime: Runtime = registerBuiltins(new Runtime({ handshakeTimeout: SHORT_HANDSHAKE_MS }));

/** A socket bound to a fresh address of `kind`. */
export interface Bound {
  socket: Socket;
  address: RawAddress;
}

/** Opens a `protocol` socket on `runtime` and binds it to a fresh address. */
export async function bound(
  runtime: Runtime,
  protocol: "pair" | "pull",
  kind: StreamKind,
  options: Partial<SocketOptions> = {},
): Promise<Bound> {
  const socket = runtime.socket(protocol, { options: { linger: 0, ...options } });
  const address = freshAddress(kind);
  try {
    await socket.bind(address.url);
  } catch (err) {
    await socket.close();
    throw err;
  }
  return { socket, address };
}

/** Waits until `stats[key]` reaches `value`, failing after `ms`. */
export function statReaches(socket: Socket, key: keyof SocketStats, value: number, ms = PROMPT_MS): Promise<void> {
  return until(() => socket.stats[key] >= value, ms, `stats.${key} to reach ${value} (it is ${socket.stats[key]})`);
}

/**
 * A well-behaved PAIR peer connects to `server` (a bound PAIR socket) and
 * they exchange a message each way.
 */
export async function assertPairWorks(runtime: Runtime, server: Socket, address: RawAddress): Promise<void> {
  const peer = runtime.socket("pair", { options: { linger: 0 } });
  try {
    peer.connect(address.url);
    await within(peer.send("ping"), MESSAGE_MS, "well-behaved peer: send");
    deepStrictEqual(text(await within(server.recv(), MESSAGE_MS, "server: recv")), "ping");
    await within(server.send("pong"), MESSAGE_MS, "server: send");
    deepStrictEqual(text(await within(peer.recv(), MESSAGE_MS, "well-behaved peer: recv")), "pong");
  } finally {
    await peer.close();
  }
}

/** A well-behaved PUSH socket connected to `address`, once its pipe is up. */
export async function connectedPusher(runtime: Runtime, address: RawAddress): Promise<Socket> {
  const push = runtime.socket("push", { options: { linger: 500 } });
  push.connect(address.url);
  try {
    await statReaches(push, "currentConnections", 1, MESSAGE_MS);
  } catch (err) {
    await push.close();
    throw err;
  }
  return push;
}

/** `push` (connected to `pull`) still delivers a message. */
export async function assertPushReaches(push: Socket, pull: Socket, message = "still here"): Promise<void> {
  await within(push.send(message), MESSAGE_MS, "well-behaved pusher: send");
  deepStrictEqual(text(await within(pull.recv(), MESSAGE_MS, "pull: recv")), message);
}

/** Receives `count` messages from `socket`, each within {@linkcode MESSAGE_MS}. */
export async function receiveMany(socket: Socket, count: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) out.push(await within(socket.recv(), MESSAGE_MS, `message ${i + 1}/${count}`));
  return out;
}

/** Closes what was opened, in order, even when one close fails; rethrows the first error. */
export async function closeAll(...things: ({ close(): Promise<void> } | undefined)[]): Promise<void> {
  let first: unknown;
  for (const thing of things) {
    try {
      await thing?.close();
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}
