/**
 * Runs nanocat once the command line is read: opens the socket and sets
 * its options, binds and connects (every `--bind` first, then every
 * `--connect`, as nanocat does), waits `--delay`, drives the socket with
 * the loop its type calls for, and closes it.
 *
 * Closing waits for a message still on its way out (our LINGER flushes,
 * for up to 1000 ms), so a one-shot `--data` send is delivered before the
 * program exits; nanocat's LINGER does nothing and can lose it.
 *
 * @module
 */

import { NN_SUB, NN_SUB_SUBSCRIBE, openSocket, type Socket, SpError } from "../../mod.ts";
import { millisFromSeconds, truncatedMillis } from "./c_numbers.ts";
import {
  type LoopContext,
  type Output,
  recvLoop,
  respondLoop,
  sendLoop,
  sendRecvLoop,
  sleep,
  socketFailure,
} from "./loops.ts";
import type { NanocatOptions } from "./options.ts";
import { tlsEndpointOptions } from "./tls_options.ts";

const encoder = new TextEncoder();

/** A timeout in ms as our options take it: nanomsg treats every negative value as "forever". */
function timeoutOption(ms: number): number {
  return ms < 0 ? -1 : ms;
}

/**
 * Opens the socket with nanocat's option settings.
 *
 * @throws {NanocatExit} code 3 when an option is refused ("Can't set socket name: …")
 */
function createSocket(options: NanocatOptions): Socket {
  let socket: Socket;
  try {
    socket = openSocket(options.socketType!);
  } catch (err) {
    throw socketFailure("Can't create socket", err);
  }
  if (options.sendTimeout >= 0) {
    socket.setOption("sndtimeo", timeoutOption(millisFromSeconds(options.sendTimeout)));
  }
  if (options.recvTimeout >= 0) {
    // nanocat's own rounding: whole seconds only.
    socket.setOption("rcvtimeo", timeoutOption(truncatedMillis(options.recvTimeout)));
  }
  if (options.socketName !== undefined) {
    try {
      socket.setOption("socketName", options.socketName);
    } catch (err) {
      throw socketFailure("Can't set socket name", err);
    }
  }
  if (options.socketType === "sub") {
    const prefixes = options.subscriptions.length > 0 ? options.subscriptions : [""];
    for (const prefix of prefixes) {
      try {
        socket.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, encoder.encode(prefix));
      } catch (err) {
        throw socketFailure("Can't subscribe", err);
      }
    }
  }
  return socket;
}

/**
 * Refuses what the library binds but nanomsg does not: port 0 (any free
 * port) and `ipc://` without a path (a fresh one). nanocat says EINVAL.
 */
function checkNanomsgBind(address: string): void {
  if (/^(tcp|tls\+tcp|wss?):\/\/[^/]*:0+(\/|$)/.test(address) || address === "ipc://") {
    throw new SpError("EINVAL", `nanomsg cannot bind ${address}`);
  }
}

async function attachEndpoints(socket: Socket, options: NanocatOptions): Promise<void> {
  for (const address of options.bindAddresses) {
    try {
      checkNanomsgBind(address);
      await socket.bind(address, tlsEndpointOptions(address, "bind", options.tls));
    } catch (err) {
      throw socketFailure("Can't bind", err);
    }
  }
  for (const address of options.connectAddresses) {
    try {
      socket.connect(address, tlsEndpointOptions(address, "connect", options.tls));
    } catch (err) {
      throw socketFailure("Can't connect", err);
    }
  }
}

/** The loop nanocat runs for the socket type, given whether there is DATA to send. */
function loopFor(options: NanocatOptions): (context: LoopContext) => Promise<void> {
  const hasData = options.data !== undefined;
  switch (options.socketType) {
    case "pub":
    case "push":
      return sendLoop;
    case "bus":
    case "pair":
      return hasData ? sendRecvLoop : recvLoop;
    case "surveyor":
    case "req":
      return sendRecvLoop;
    case "rep":
    case "respondent":
      return hasData ? respondLoop : recvLoop;
    default:
      return recvLoop;
  }
}

/**
 * Does what the command line asks, then closes the socket.
 *
 * @example Usage
 * ```ts ignore
 * import { parseOptions } from "./options.ts";
 * import { runNanocat } from "./run.ts";
 * const output = { stdout: (b: Uint8Array) => Deno.stdout.writeSync(b), stderr: console.error };
 * await runNanocat(parseOptions(["--pull", "--bind", "tcp://127.0.0.1:5555", "-A"]), output);
 * ```
 *
 * @param options the parsed command line
 * @param output where messages and warnings go
 * @throws {NanocatExit} code 3 when a socket call fails, as nanocat exits
 */
export async function runNanocat(options: NanocatOptions, output: Output): Promise<void> {
  const socket = createSocket(options);
  try {
    await attachEndpoints(socket, options);
    // nanocat's sleep aborts the program on a negative delay; we just don't wait.
    const delay = millisFromSeconds(options.sendDelay);
    if (delay > 0) await sleep(delay);
    await loopFor(options)({ socket, options, output });
  } catch (err) {
    // nanocat exits at once on a failure, flushing nothing.
    socket.setOption("linger", 0);
    await socket.close();
    throw err;
  }
  await socket.close();
}
