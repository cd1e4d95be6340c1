/**
 * A socket's data path: sending and receiving, at once when the protocol
 * can, or waiting in arrival order (up to SNDTIMEO / RCVTIMEO, a per-call
 * timeout, or an `AbortSignal`). Plain code, no machine.
 *
 * A call that completes at once lets the event loop turn now and then
 * ({@linkcode LoopTurns}: one decrement per call). A call that had to wait
 * and fails gets an error made where the caller awaits it, so its stack
 * leads to the caller's line (`failure` in errors.ts); a call that
 * succeeds pays nothing for that.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { canceled, type ErrorCode, isSpError, SpError } from "./errors.ts";
import type { LoopTurns } from "./loop_turns.ts";
import { EMPTY, type Message, SEND_COPY_MIN } from "./message.ts";
import { describeValue, type SocketOptions, validateTimeout } from "./options.ts";
import type { Protocol, ProtocolSpec } from "./protocol.ts";
import { giveBack } from "./received_memory.ts";
import { sendCopies } from "./send_copies.ts";
import { type WaitErrors, WaitQueue } from "./wait_queue.ts";

/** `NN_DONTWAIT`: fail with EAGAIN instead of waiting. */
export const NN_DONTWAIT = 1;

/** Per-call settings of `send` and `recv`. */
export interface WaitOptions {
  /** Fail with EAGAIN instead of waiting (`NN_DONTWAIT`). */
  dontwait?: boolean;
  /**
   * Overrides SNDTIMEO / RCVTIMEO for this call: ms from 0 to 2^31-1, or
   * -1 to wait forever (as the options, anything else is EINVAL).
   */
  timeout?: number;
  /** Cancels the wait: the call rejects with ECANCELED, the signal's reason as its `cause`. */
  signal?: AbortSignal;
}

/** Per-call settings of `recv`. */
export interface RecvOptions extends WaitOptions {
  /**
   * A buffer of yours to receive into (`nn_recv` into a buffer): a message
   * that fits is copied there and `recv` returns the view of `into` that
   * holds it, and the memory it arrived in is read into again while still
   * warm (the fastest way to receive large messages). A message larger
   * than `into` comes back in memory of its own: nothing is cut off.
   */
  into?: Uint8Array;
}

/**
 * Checks per-call settings: flags are `0` or `NN_DONTWAIT`; an object's
 * timeout follows the options' rules, its signal is an `AbortSignal`.
 *
 * @throws {SpError} EINVAL naming what is wrong
 */
export function checkWaitOptions(options: WaitOptions | number): void {
  if (typeof options === "number") {
    if (options !== 0 && options !== NN_DONTWAIT) {
      throw new SpError("EINVAL", `flags must be 0 or NN_DONTWAIT (1), not ${describeValue(options)}`);
    }
    return;
  }
  if (typeof options !== "object" || options === null) {
    throw new SpError("EINVAL", `options must be an object or NN_DONTWAIT, not ${describeValue(options)}`);
  }
  if (options.timeout !== undefined) validateTimeout(options.timeout);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new SpError("EINVAL", `signal must be an AbortSignal, not ${describeValue(options.signal)}`);
  }
}

function dontwaitOf(options: WaitOptions | number | undefined): boolean {
  if (options === undefined) return false;
  return typeof options === "number" ? (options & NN_DONTWAIT) !== 0 : options.dontwait === true;
}

/** What a receive wants: the body alone, or the message with its header. */
export type Want = "body" | "message";

/**
 * What the data path hands messages to and takes them from: a protocol,
 * or one of its contexts.
 */
export type IoTarget =
  & Pick<Protocol, "trySend" | "tryRecv">
  & Partial<Pick<Protocol, "trySendMsg" | "tryRecvMsg" | "checkMessage" | "readyToSend" | "readyToRecv">>;

/** What the data path needs from its socket (or context). */
export interface SocketIoParts {
  /** The socket's (or context's) name, for messages. */
  readonly name: string;
  /** The protocol: whether it sends and receives. */
  readonly spec: ProtocolSpec;
  /** The protocol instance, or a context of it. */
  readonly protocol: IoTarget;
  /** The socket's live options. */
  readonly options: Readonly<SocketOptions>;
  /** The runtime's clock, for timeouts. */
  readonly clock: Clock;
  /** The runtime's event-loop guard. */
  readonly turns: LoopTurns;
  /** Why a wait may have been in vain (no peers, the last connect error…), for timeout messages. */
  situation(direction: "send" | "recv"): string;
  /** The last endpoint or pipe error, the `cause` of a timeout. */
  trouble(): SpError | undefined;
  /** Sends made progress (a closing socket checks whether it is flushed). */
  sendProgress(): void;
  /** A waiting receive gave up (timed out or aborted): a context's exchange ends there (nng). */
  recvAbandoned?(): void;
}

const encoder = new TextEncoder();

/**
 * The bytes to send: a string's UTF-8, or the caller's buffer, copied when
 * it is large enough for a transport to write it from where it is (see
 * {@linkcode SEND_COPY_MIN}): the caller may reuse it once `send` resolves.
 */
function toBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof Uint8Array) return data.length < SEND_COPY_MIN ? data : sendCopies.copy(data);
  throw new SpError("EINVAL", `messages are a Uint8Array or a string, not ${describeValue(data)}`);
}

/** The errors that end a `for await` over a socket or context: it was closed. */
export const CLOSED_CODES: readonly ErrorCode[] = ["EBADF", "ETERM"];

/**
 * Yields what `recv` receives until it fails with one of `ends` (then the
 * iteration ends quietly); any other error is thrown.
 *
 * @example Usage
 * ```ts ignore
 * [Symbol.asyncIterator]() { return receiveUntil(() => this.recv(), CLOSED_CODES); }
 * ```
 */
export async function* receiveUntil(
  recv: () => Promise<Uint8Array>,
  ends: readonly ErrorCode[],
): AsyncGenerator<Uint8Array, void, undefined> {
  for (;;) {
    try {
      yield await recv();
    } catch (err) {
      if (ends.some((code) => isSpError(err, code))) return;
      throw err;
    }
  }
}

/**
 * A received body in the caller's buffer when it fits (its own memory is
 * given back to the transport), else as it is.
 */
function copyInto(body: Uint8Array, into: Uint8Array): Uint8Array {
  if (body.length > into.length) return body;
  into.set(body);
  giveBack(body);
  return body.length === into.length ? into : into.subarray(0, body.length);
}

/** Resolves `value` after the turn of the event loop that `turn` is. */
function afterTurn<T>(turn: Promise<void>, value: T): Promise<T> {
  return turn.then(() => value);
}

/** The errors of a send or receive that waited in vain (one small object per direction). */
class CallErrors implements WaitErrors {
  constructor(readonly parts: SocketIoParts, readonly direction: "send" | "recv") {}

  timedOut(ms: number): SpError {
    const { parts, direction } = this;
    if (direction === "recv") parts.recvAbandoned?.();
    return new SpError(
      "ETIMEDOUT",
      `${parts.name}: ${direction} gave up after ${ms} ms: ${parts.situation(direction)}`,
      { cause: parts.trouble() },
    );
  }

  canceled(signal: AbortSignal): SpError {
    if (this.direction === "recv") this.parts.recvAbandoned?.();
    return canceled(signal, `${this.parts.name}: ${this.direction}`);
  }
}

/** Sending and receiving for one socket. Internal to the core. */
export class SocketIo {
  readonly #parts: SocketIoParts;
  readonly #protocol: IoTarget;
  readonly #turns: LoopTurns;
  readonly #canSend: boolean;
  readonly #canRecv: boolean;
  readonly #sendWaiters: WaitQueue<number, Uint8Array | Message>;
  readonly #recvWaiters: WaitQueue<Uint8Array | Message, Want>;

  /** @param parts the socket's side */
  constructor(parts: SocketIoParts) {
    this.#parts = parts;
    this.#protocol = parts.protocol;
    this.#turns = parts.turns;
    this.#canSend = parts.spec.canSend;
    this.#canRecv = parts.spec.canRecv;
    this.#sendWaiters = new WaitQueue(parts.clock, new CallErrors(parts, "send"));
    this.#recvWaiters = new WaitQueue(parts.clock, new CallErrors(parts, "recv"));
  }

  /** Whether sends are still waiting (linger waits for them). */
  get sending(): boolean {
    return this.#sendWaiters.length > 0;
  }

  /** Calls waiting now, for statistics: sends (with their bytes) and receives. */
  waiting(): { sends: number; sendBytes: number; recvs: number } {
    return { sends: this.#sendWaiters.length, sendBytes: this.#sendWaiters.bytes, recvs: this.#recvWaiters.length };
  }

  /**
   * Whether a send (or a receive) would complete now without waiting:
   * nothing queued before it and the protocol ready.
   *
   * @throws {SpError} ENOTSUP when the protocol cannot tell
   */
  ready(direction: "send" | "recv"): boolean {
    const { spec, name } = this.#parts;
    if (!(direction === "send" ? spec.canSend : spec.canRecv)) return false;
    if ((direction === "send" ? this.#sendWaiters : this.#recvWaiters).length > 0) return false;
    const check = direction === "send" ? this.#protocol.readyToSend : this.#protocol.readyToRecv;
    if (check === undefined) throw new SpError("ENOTSUP", `${name}: ${spec.name} cannot tell when it is ready`);
    return check.call(this.#protocol);
  }

  /**
   * `send()`: checks the call and sends the body.
   *
   * @throws {SpError} ENOTSUP, EINVAL, EAGAIN (thrown, for the caller to reject with)
   */
  send(data: Uint8Array | string, options: WaitOptions | number | undefined): Promise<number> {
    if (!this.#canSend || options !== undefined) this.#checkCall("send", options);
    const payload = toBytes(data);
    // The fast path: the protocol takes it now.
    if (this.#sendWaiters.length === 0 && this.#protocol.trySend(payload)) {
      if (payload.length >= SEND_COPY_MIN) sendCopies.release(payload); // the protocol has it
      const turn = this.#turns.pass();
      return turn === undefined ? Promise.resolve(payload.length) : afterTurn(turn, payload.length);
    }
    return this.#wait(payload, payload.length, options);
  }

  /**
   * `sendmsg()`: checks the call and the header, and sends both.
   *
   * @throws {SpError} ENOTSUP, EINVAL, EAGAIN (thrown, for the caller to reject with)
   */
  sendmsg(
    message: { header?: Uint8Array; body: Uint8Array | string; pipe?: number },
    options: WaitOptions | number | undefined,
  ): Promise<number> {
    this.#checkCall("send", options);
    const header = message.header ?? EMPTY;
    const body = toBytes(message.body);
    const msg: Message = message.pipe === undefined ? { header, body } : { header, body, pipe: message.pipe };
    if (msg.header.length > 0 && this.#protocol.trySendMsg === undefined) {
      throw new SpError("EINVAL", `${this.#parts.spec.name} messages carry no header`);
    }
    this.#protocol.checkMessage?.(msg);
    if (this.#sendWaiters.length === 0 && this.#trySend(msg)) {
      if (body.length >= SEND_COPY_MIN) sendCopies.release(body);
      const turn = this.#turns.pass();
      return turn === undefined ? Promise.resolve(msg.body.length) : afterTurn(turn, msg.body.length);
    }
    return this.#wait(msg, msg.header.length + msg.body.length, options);
  }

  /**
   * Waits to send a body or a message with a header, in order behind the
   * sends already waiting.
   *
   * @param item the body, or header and body
   * @param size bytes it holds (counts against SNDBUF while it waits)
   * @param options checked per-call settings (SNDTIMEO when they name no timeout)
   * @returns the body's length once the protocol has it
   */
  #wait(item: Uint8Array | Message, size: number, options: WaitOptions | number | undefined): Promise<number> {
    if (dontwaitOf(options)) throw new SpError("EAGAIN", `${this.#parts.name}: no peer can take the message now`);
    const sndbuf = this.#parts.options.sndbuf;
    if (this.#sendWaiters.length > 0 && this.#sendWaiters.bytes + size > sndbuf) {
      throw new SpError(
        "EAGAIN",
        `${this.#parts.name}: more than SNDBUF (${sndbuf}) bytes are already waiting to be sent`,
      );
    }
    const { timeout = this.#parts.options.sndtimeo, signal } = typeof options === "object" ? options : {};
    return this.#sendWaiters.wait(item, size, timeout, signal);
  }

  /**
   * `recv()` or `recvmsg()`: receives the next body or message; waits
   * until one arrives.
   *
   * @param want the body alone, or header and body
   * @param options per-call settings (RCVTIMEO when they name no timeout;
   *   `into`, for bodies only)
   * @throws {SpError} ENOTSUP, EINVAL, EAGAIN (thrown, for the caller to reject with)
   */
  recv(want: Want, options: RecvOptions | number | undefined): Promise<Uint8Array | Message> {
    if (!this.#canRecv || options !== undefined) {
      this.#checkCall("recv", options);
      if (typeof options === "object" && options.into !== undefined) return this.#recvInto(want, options);
    }
    // The fast path: a message is there.
    if (this.#recvWaiters.length === 0) {
      const received = want === "body" ? this.#protocol.tryRecv() : this.#tryRecv(want);
      if (received !== undefined) {
        const turn = this.#turns.pass();
        return turn === undefined ? Promise.resolve(received) : afterTurn(turn, received);
      }
    }
    if (dontwaitOf(options)) throw new SpError("EAGAIN", `${this.#parts.name}: no message is waiting`);
    const { timeout = this.#parts.options.rcvtimeo, signal } = typeof options === "object" ? options : {};
    return this.#recvWaiters.wait(want, 0, timeout, signal);
  }

  /**
   * `recv({ into })` (apart, so that the plain receive stays small enough
   * to inline: tcp 64 B ran 10-20% slower with this inside it).
   *
   * @throws {SpError} EINVAL, EAGAIN (thrown, for the caller to reject with)
   */
  #recvInto(want: Want, options: RecvOptions): Promise<Uint8Array> {
    const into = options.into!;
    if (!(into instanceof Uint8Array)) {
      throw new SpError("EINVAL", `into must be a Uint8Array, not ${describeValue(into)}`);
    }
    if (want !== "body") throw new SpError("EINVAL", `${this.#parts.name}: into is for recv(), not recvmsg()`);
    if (this.#recvWaiters.length === 0) {
      const received = this.#protocol.tryRecv();
      if (received !== undefined) {
        const copied = copyInto(received, into);
        const turn = this.#turns.pass();
        return turn === undefined ? Promise.resolve(copied) : afterTurn(turn, copied);
      }
    }
    if (options.dontwait === true) throw new SpError("EAGAIN", `${this.#parts.name}: no message is waiting`);
    const { timeout = this.#parts.options.rcvtimeo, signal } = options;
    return this.#recvWaiters.wait(want, 0, timeout, signal).then((body) => copyInto(body as Uint8Array, into));
  }

  // A protocol may refuse a waiting call outright (SURVEYOR: the deadline
  // passed, ETIMEDOUT; then EFSM): that call fails, the others keep waiting.
  /** The protocol has something to receive: hands it to waiting receives. */
  deliverReceived(): void {
    while (this.#recvWaiters.length > 0) {
      let received: Uint8Array | Message | undefined;
      try {
        received = this.#tryRecv(this.#recvWaiters.peekItem()!);
      } catch (err) {
        this.#recvWaiters.rejectNext(err);
        continue;
      }
      if (received === undefined) return;
      this.#recvWaiters.resolveNext(received);
    }
  }

  /** The protocol can take messages: offers it the waiting sends, in order. */
  deliverSends(): void {
    while (this.#sendWaiters.length > 0) {
      const item = this.#sendWaiters.peekItem()!;
      try {
        if (!this.#trySend(item)) break;
      } catch (err) {
        this.#sendWaiters.rejectNext(err);
        continue;
      }
      const body = item instanceof Uint8Array ? item : item.body;
      if (body.length >= SEND_COPY_MIN) sendCopies.release(body);
      this.#sendWaiters.resolveNext(body.length);
    }
    this.#parts.sendProgress();
  }

  /** Fails every waiting receive. */
  failReceivers(error: SpError): void {
    this.#recvWaiters.failAll(error);
  }

  /** Fails every waiting send. */
  failSenders(error: SpError): void {
    this.#sendWaiters.failAll(error);
  }

  #checkCall(direction: "send" | "recv", options: WaitOptions | number | undefined): void {
    const { spec, name } = this.#parts;
    if (!(direction === "send" ? spec.canSend : spec.canRecv)) {
      throw new SpError("ENOTSUP", `${name}: ${spec.name} sockets cannot ${direction === "send" ? "send" : "receive"}`);
    }
    if (options !== undefined) checkWaitOptions(options);
  }

  /** Offers an item to the protocol: a body, or a message with a header. */
  #trySend(item: Uint8Array | Message): boolean {
    if (item instanceof Uint8Array) return this.#protocol.trySend(item);
    if (this.#protocol.trySendMsg !== undefined) return this.#protocol.trySendMsg(item);
    return this.#protocol.trySend(item.body);
  }

  #tryRecv(want: Want): Uint8Array | Message | undefined {
    if (want === "body") return this.#protocol.tryRecv();
    if (this.#protocol.tryRecvMsg !== undefined) return this.#protocol.tryRecvMsg();
    const body = this.#protocol.tryRecv();
    return body === undefined ? undefined : { header: EMPTY, body };
  }
}
