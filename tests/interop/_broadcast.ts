/**
 * Shared pieces of the interop tests of the best-effort protocols (PUB/SUB
 * and BUS): a runtime with those protocols registered, and a sender that
 * repeats itself. Such sockets drop what nobody is connected to take, so
 * a message sent before the peer is attached is simply gone; a sender has
 * to repeat until the peer shows it got one.
 *
 * @module
 */

import { registerBuiltins, Runtime, type Socket, type SocketInit } from "../../mod.ts";
import { busProtocol } from "../../src/protocols/bus/bus.ts";
import { pubProtocol } from "../../src/protocols/pubsub/pub.ts";
import { subProtocol } from "../../src/protocols/pubsub/sub.ts";
import { sleep } from "../_helpers.ts";

// Peers need a few milliseconds to start listening; our dialer's first
// attempts fail until then, so retry sooner than nanomsg's default 100 ms.
const RECONNECT_IVL_MS = 20;

/** How often a repeating sender sends its messages again, ms. */
const REPEAT_MS = 20;

let runtime: Runtime | undefined;

/**
 * A runtime of our own: the built-ins plus PUB, SUB and BUS (registered
 * here only while the built-ins lack them: registering twice is EINVAL).
 */
function broadcastRuntime(): Runtime {
  if (runtime === undefined) {
    const fresh = registerBuiltins(new Runtime());
    for (const spec of [pubProtocol, subProtocol, busProtocol]) {
      if (!fresh.protocols().some((known) => known.id === spec.id)) fresh.registerProtocol(spec);
    }
    runtime = fresh;
  }
  return runtime;
}

/** Opens one of our sockets, tuned for meeting peers that are just starting. */
export function openOurs(protocol: "pub" | "sub" | "bus", init: SocketInit = {}): Socket {
  return broadcastRuntime().socket(protocol, { ...init, options: { reconnectIvl: RECONNECT_IVL_MS, ...init.options } });
}

/**
 * Sends `messages` in order, again and again, until `outcome` settles.
 *
 * @returns what `outcome` resolved to
 */
export async function sendUntil<T>(ours: Socket, messages: (string | Uint8Array)[], outcome: Promise<T>): Promise<T> {
  let settled = false;
  const done = outcome.finally(() => settled = true);
  // Never rejects: a failed send is reported after `outcome` (which then times out).
  const sending = (async () => {
    try {
      while (!settled) {
        for (const message of messages) await ours.send(message);
        await sleep(REPEAT_MS);
      }
    } catch (err) {
      return err;
    }
  })();
  try {
    return await done;
  } catch (err) {
    const sendError = await sending;
    throw sendError === undefined ? err : new Error(`our send failed: ${sendError}`, { cause: err });
  } finally {
    await sending;
  }
}

/** A peer's `--quoted` output split into the messages it printed (quotes kept off). */
export function quotedLines(stdout: Uint8Array): string[] {
  const lines = new TextDecoder().decode(stdout).split("\n");
  lines.pop(); // whatever follows the last newline is not a whole line yet
  return lines.map((line) => line.startsWith('"') && line.endsWith('"') ? line.slice(1, -1) : `unquoted: ${line}`);
}
