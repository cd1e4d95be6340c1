/**
 * nanocat's four ways of driving a socket, with its timing and error
 * handling:
 *
 * - send: send DATA once, or every `--interval` (PUB, PUSH);
 * - receive: print messages until a receive times out or the protocol
 *   says no more can come (PULL, SUB; the rest without DATA);
 * - send and receive: send DATA, then print what comes back, until the
 *   next interval or for good without one (REQ, SURVEYOR; BUS and PAIR
 *   with DATA);
 * - respond: print each request and answer it with DATA (REP and
 *   RESPONDENT with DATA), until a receive fails.
 *
 * A failed send or receive ends the program with code 3 and
 * "Can't send: …" / "Can't recv: …", as nanocat's do.
 *
 * @module
 */

import { isSpError, type Socket } from "../../mod.ts";
import { millisFromSeconds } from "./c_numbers.ts";
import { strerror } from "./errno.ts";
import { EXIT, NanocatExit } from "./exit.ts";
import { formatMessage } from "./format.ts";
import type { NanocatOptions } from "./options.ts";

/** Where nanocat's output goes. */
export interface Output {
  /** Writes the bytes printed for one message to stdout, at once. */
  stdout(bytes: Uint8Array): void;
  /** Writes text to stderr. */
  stderr(text: string): void;
}

/** A socket being driven, with the options and the output. */
export interface LoopContext {
  /** The open socket, bound and connected. */
  socket: Socket;
  /** The command line. */
  options: NanocatOptions;
  /** Where to print. */
  output: Output;
}

/** Ends the program as nanocat's failed assertions on socket calls do. */
export function socketFailure(call: string, err: unknown): NanocatExit {
  return new NanocatExit(EXIT.socket, { stderr: `${call}: ${strerror(err)}\n` });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** nanomsg's millisecond clock. */
function clockMs(): number {
  return Math.floor(performance.now());
}

function data(context: LoopContext): Uint8Array {
  return context.options.data ?? new Uint8Array(0);
}

function print(context: LoopContext, message: Uint8Array): void {
  const bytes = formatMessage(context.options.echoFormat, message);
  if (bytes.length > 0) context.output.stdout(bytes);
}

async function sendData(context: LoopContext): Promise<void> {
  try {
    await context.socket.send(data(context));
  } catch (err) {
    if (!isSpError(err, "EAGAIN")) throw socketFailure("Can't send", err);
    context.output.stderr("Message not sent (EAGAIN)\n");
  }
}

/** Whether a receive error means no more messages can come (a timeout, or the protocol's state). */
function endsReceiving(err: unknown): boolean {
  return isSpError(err, "ETIMEDOUT") || isSpError(err, "EFSM");
}

/**
 * Sends DATA, then again every interval if one was given.
 *
 * @param context the socket, options and output
 */
export async function sendLoop(context: LoopContext): Promise<void> {
  const interval = millisFromSeconds(context.options.sendInterval);
  for (;;) {
    const start = clockMs();
    await sendData(context);
    if (interval < 0) return;
    const rest = start + interval - clockMs();
    if (rest > 0) await sleep(rest);
  }
}

/**
 * Prints messages until a receive times out or fails with EFSM.
 *
 * @param context the socket, options and output
 */
export async function recvLoop(context: LoopContext): Promise<void> {
  for (;;) {
    let message: Uint8Array;
    try {
      message = await context.socket.recv();
    } catch (err) {
      if (isSpError(err, "EAGAIN")) continue;
      if (endsReceiving(err)) return;
      throw socketFailure("Can't recv", err);
    }
    print(context, message);
  }
}

/**
 * Sends DATA and prints what comes back. Without an interval it sends once
 * and then receives as `recvLoop` does; with one it receives until the
 * next send is due, never waiting longer than `--recv-timeout` at a time.
 *
 * @param context the socket, options and output
 */
export async function sendRecvLoop(context: LoopContext): Promise<void> {
  const { options } = context;
  const interval = millisFromSeconds(options.sendInterval);
  const recvTimeout = millisFromSeconds(options.recvTimeout);
  for (;;) {
    const start = clockMs();
    await sendData(context);
    if (options.sendInterval < 0) return await recvLoop(context);
    for (;;) {
      let wait = start + interval - clockMs();
      if (wait <= 0) break;
      if (recvTimeout >= 0 && wait > recvTimeout) wait = recvTimeout;
      let message: Uint8Array;
      try {
        message = await context.socket.recv({ timeout: wait });
      } catch (err) {
        if (isSpError(err, "EAGAIN")) continue;
        if (!endsReceiving(err)) throw socketFailure("Can't recv", err);
        const rest = start + interval - clockMs();
        if (rest > 0) await sleep(rest);
        continue;
      }
      print(context, message);
    }
  }
}

/**
 * Prints each request and answers it with DATA; a receive timeout ends the
 * program with code 3, as in nanocat.
 *
 * @param context the socket, options and output
 */
export async function respondLoop(context: LoopContext): Promise<void> {
  for (;;) {
    let request: Uint8Array;
    try {
      request = await context.socket.recv();
    } catch (err) {
      if (isSpError(err, "EAGAIN")) continue;
      throw socketFailure("Can't recv", err);
    }
    print(context, request);
    await sendData(context);
  }
}
