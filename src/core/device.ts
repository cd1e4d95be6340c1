/**
 * `device(s1, s2)`: nanomsg's `nn_device`, forwarding messages with their
 * headers between two raw sockets in both directions, or looping one raw
 * socket back to itself (`device(s, null)`). It ends cleanly when either
 * socket closes.
 *
 * @module
 */

import { isSpError, SpError } from "./errors.ts";
import { AF_SP_RAW } from "./options.ts";
import type { Socket } from "./socket.ts";

async function forward(from: Socket, to: Socket, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const message = await from.recvmsg({ signal });
    await to.sendmsg(message, { signal });
  }
}

function ended(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || isSpError(err, "EBADF") || isSpError(err, "ETERM");
}

/**
 * Forwards messages between two raw sockets until one of them closes.
 * With `b` null, `a` is looped back to itself (a raw BUS socket so becomes
 * a hub). Like nanomsg, both sockets must be `AF_SP_RAW` and speak
 * protocols that face each other (REP with REQ, PULL with PUSH, PAIR with
 * PAIR …).
 *
 * @example Usage
 * ```ts
 * import { AF_SP_RAW, device, NN_REP, NN_REQ, socket } from "@sp/nanomsg";
 * const front = socket(AF_SP_RAW, NN_REP); // clients connect here
 * const back = socket(AF_SP_RAW, NN_REQ); // servers connect here
 * await front.bind("tcp://127.0.0.1:0");
 * await back.bind("tcp://127.0.0.1:0");
 * const forwarding = device(front, back); // runs until either socket is closed
 * await front.close();
 * await forwarding;
 * await back.close();
 * ```
 *
 * @param a a raw socket
 * @param b a raw socket facing `a`'s protocol, or null for a loopback
 * @returns when either socket has closed
 * @throws {SpError} EINVAL for cooked sockets or protocols that do not fit
 */
export async function device(a: Socket, b: Socket | null): Promise<void> {
  const sockets = b === null ? [a] : [a, b];
  for (const s of sockets) {
    if (s.domain !== AF_SP_RAW) throw new SpError("EINVAL", `device needs raw sockets; socket ${s.id} is cooked`);
  }
  if (b !== null && (a.protocolId >> 4 !== b.protocolId >> 4 || a.peerProtocolId !== b.protocolId)) {
    throw new SpError("EINVAL", `device cannot join ${a.protocolName} with ${b.protocolName}`);
  }
  const other = b ?? a;
  if (b === null && a.peerProtocolId !== a.protocolId) {
    throw new SpError("EINVAL", `a loopback device needs a protocol that is its own peer, not ${a.protocolName}`);
  }
  const stop = new AbortController();
  const loops: Promise<void>[] = [];
  if (a.canRecv && other.canSend) loops.push(forward(a, other, stop.signal));
  if (b !== null && b.canRecv && a.canSend) loops.push(forward(b, a, stop.signal));
  if (loops.length === 0) throw new SpError("EINVAL", "neither socket can pass messages to the other");
  try {
    await Promise.race(loops);
  } catch (err) {
    if (!ended(err, stop.signal)) {
      stop.abort();
      await Promise.allSettled(loops);
      throw err;
    }
  }
  stop.abort();
  await Promise.allSettled(loops);
}
