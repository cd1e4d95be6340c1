/**
 * `poll()`: nanomsg's `nn_poll` in TypeScript form. Given several sockets
 * and whether a send or a receive is wanted of each, it resolves as soon
 * as at least one can do what is wanted without waiting, telling which
 * can, or when the timeout passes (none can), or rejects when the signal
 * aborts.
 *
 * Readiness is each protocol's own answer (`Protocol.readyToSend`,
 * `readyToRecv`), nanomsg's semantics (sp-spec.md §3.4):
 *
 * - a send is ready when it would complete at once: always on REQ, PUB,
 *   BUS and SURVEYOR (they never wait), on PUSH and PAIR when a peer can
 *   take a message, on REP and RESPONDENT while a request is being
 *   answered, never on PULL and SUB;
 * - a receive is ready when a message is there: on SURVEYOR also when no
 *   survey is open (a receive fails at once), so a poller wakes at the
 *   deadline; on REQ when the reply is in.
 *
 * Where we differ from nanomsg: a SUB is readable only when a message that
 * matches its subscriptions is waiting (nanomsg reports any queued
 * message, and the receive then blocks), and REP, RESPONDENT, raw REQ,
 * raw SURVEYOR and PAIR v1 only when a well-formed one is (malformed
 * messages are dropped on the way, as a receive would drop them). A call
 * already waiting on the socket counts: with a receive waiting, a new
 * message goes to it, so the socket is not readable.
 *
 * @module
 */

import { systemClock, type TimerId } from "./clock.ts";
import { canceled, SpError } from "./errors.ts";
import { describeValue, validateTimeout } from "./options.ts";
import { type SocketReadiness, socketReadiness } from "./readiness.ts";
import type { Socket } from "./socket.ts";

/** One socket to watch, and what is wanted of it (nanomsg's `NN_POLLIN`/`NN_POLLOUT`). */
export interface PollEntry {
  /** The socket. */
  readonly socket: Socket;
  /** Wanted: a receive that would not wait. */
  readonly recv?: boolean;
  /** Wanted: a send that would not wait. */
  readonly send?: boolean;
}

/** What `poll()` found of one entry (nanomsg's `revents`): only what was asked can be true. */
export interface PollResult {
  /** The socket. */
  readonly socket: Socket;
  /** A receive would not wait now. */
  readonly recv: boolean;
  /** A send would not wait now. */
  readonly send: boolean;
}

/** Settings of {@linkcode poll}. */
export interface PollOptions {
  /** ms to wait for readiness: 0 looks once, -1 (the default) waits forever. */
  timeout?: number;
  /** Cancels the wait (ECANCELED). */
  signal?: AbortSignal;
}

interface Watched {
  readonly entry: PollEntry;
  readonly readiness: SocketReadiness;
}

function check(watched: readonly Watched[]): { results: PollResult[]; ready: boolean } {
  let ready = false;
  const results = watched.map(({ entry, readiness }) => {
    const recv = entry.recv === true && readiness.ready("recv");
    const send = entry.send === true && readiness.ready("send");
    if (recv || send) ready = true;
    return { socket: entry.socket, recv, send };
  });
  return { results, ready };
}

/**
 * Waits until at least one of the sockets can send or receive (as asked)
 * without waiting; nanomsg's `nn_poll`.
 *
 * @example Usage
 * ```ts
 * import { openSocket, poll } from "@sp/nanomsg";
 * await using pull = openSocket("pull");
 * await using push = openSocket("push");
 * push.connect((await pull.listen("inproc://poll-doc")).url);
 * const before = await poll([{ socket: pull, recv: true }], { timeout: 0 });
 * await push.send("job");
 * const after = await poll([{ socket: pull, recv: true }, { socket: push, send: true }], { timeout: 1000 });
 * console.log(before[0]?.recv, after[0]?.recv, after[1]?.send); // false true true
 * ```
 *
 * @param entries the sockets, each with `recv` and/or `send` set to what is wanted
 * @param options timeout (ms; 0 looks once, -1 forever, the default) and signal
 * @returns one result per entry, in order, once one is ready (all false when the timeout passed)
 * @throws {SpError} EINVAL for bad arguments, EBADF or ETERM when a socket is closed (also while
 *   waiting), ECANCELED when the signal aborts, ENOTSUP for a protocol that cannot tell
 */
export function poll(entries: readonly PollEntry[], options: PollOptions = {}): Promise<PollResult[]> {
  let watched: Watched[];
  let timeout: number;
  try {
    if (!Array.isArray(entries)) {
      throw new SpError("EINVAL", `poll takes an array of entries, not ${describeValue(entries)}`);
    }
    watched = entries.map((entry, i) => {
      const readiness = typeof entry === "object" && entry !== null ? socketReadiness(entry.socket) : undefined;
      if (readiness === undefined) throw new SpError("EINVAL", `poll entry ${i} has no socket`);
      return { entry, readiness };
    });
    timeout = options.timeout === undefined ? -1 : validateTimeout(options.timeout);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new SpError("EINVAL", `signal must be an AbortSignal, not ${describeValue(options.signal)}`);
    }
    if (options.signal?.aborted) throw canceled(options.signal, "poll");
    const now = check(watched);
    if (now.ready || timeout === 0) return Promise.resolve(now.results);
  } catch (err) {
    return Promise.reject(err);
  }
  const { signal } = options;
  const clock = watched[0]?.readiness.clock ?? systemClock;
  return new Promise<PollResult[]>((resolve, reject) => {
    const unwatch = watched.map(({ readiness }) => readiness.watch(() => schedule()));
    let timer: TimerId | undefined;
    let scheduled = false;
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      for (const stop of unwatch) stop();
      if (timer !== undefined) clock.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    // Readiness is looked at after the change that announced it, never
    // inside a protocol's own call.
    const schedule = () => {
      if (scheduled || settled) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        if (settled) return;
        try {
          const now = check(watched);
          if (now.ready) finish(() => resolve(now.results));
        } catch (err) {
          finish(() => reject(err));
        }
      });
    };
    const onAbort = () => finish(() => reject(canceled(signal!, "poll")));
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeout > 0) {
      timer = clock.setTimeout(() => {
        timer = undefined;
        finish(() => resolve(watched.map(({ entry }) => ({ socket: entry.socket, recv: false, send: false }))));
      }, timeout);
    }
  });
}
