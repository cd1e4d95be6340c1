/**
 * Contexts (nng's `nng_ctx`): independent exchanges on one socket. A REQ
 * context has a request and its reply of its own, a REP context a request
 * being answered, a SURVEYOR context a survey and its answers; each has
 * its own `send` and `recv` (with a timeout, an `AbortSignal` or
 * `dontwait`, like the socket's), so many exchanges are in flight on one
 * socket at once while the wire stays what it was. The protocol keeps the
 * exchange's state ({@linkcode ProtocolContext}); this is the waiting.
 *
 * Open contexts with `openContext()` on a socket whose protocol has them
 * (REQ, REP, SURVEYOR, RESPONDENT, SUB). Closing a context fails its waiting
 * calls with EBADF; closing its socket closes it.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { SpError } from "./errors.ts";
import type { LoopTurns } from "./loop_turns.ts";
import type { SocketOptions } from "./options.ts";
import type { ContextHost, Protocol, ProtocolContext, ProtocolSpec } from "./protocol.ts";
import { CLOSED_CODES, receiveUntil, type RecvOptions, SocketIo, type WaitOptions } from "./socket_io.ts";

/**
 * What `openContext()` hands a context's constructor, opaque: nothing
 * else can make one.
 */
export interface ContextSetup {
  /** The socket's name. */
  readonly socket: string;
  /** The context's number within its socket. */
  readonly id: number;
}

/** What a context setup stands for. Internal to the core. */
export interface ContextSetupData {
  /** The context's number within its socket. */
  readonly id: number;
  /** The socket's name. */
  readonly socketName: string;
  /** The socket's protocol. */
  readonly spec: ProtocolSpec;
  /** The socket's live options (timeouts, SNDBUF). */
  readonly options: Readonly<SocketOptions>;
  /** The runtime's clock and event-loop guard. */
  readonly clock: Clock;
  readonly turns: LoopTurns;
  /** Opens the protocol's side of the context. */
  open(host: ContextHost): ProtocolContext;
  /** Why a wait may be in vain, and the last trouble, for timeout messages. */
  situation(direction: "send" | "recv"): string;
  trouble(): SpError | undefined;
  /** Tells the socket the context is closed. */
  closed(context: Context<object>): void;
}

const issued = new WeakMap<ContextSetup, ContextSetupData>();

const nothing = () => {};

/** What a protocol tells one context: hands waiting calls what can move now. */
class IoHost implements ContextHost {
  io!: SocketIo;

  readable(): void {
    this.io.deliverReceived();
  }

  writable(): void {
    this.io.deliverSends();
  }
}

/**
 * Makes the one argument a context's constructor accepts. Internal to the
 * core.
 *
 * @returns the opaque setup
 */
export function contextSetup(data: ContextSetupData): ContextSetup {
  const setup: ContextSetup = Object.freeze({ socket: data.socketName, id: data.id });
  issued.set(setup, data);
  return setup;
}

/**
 * One context of a socket. Open it with `openContext()` on a REQ, REP,
 * SURVEYOR, RESPONDENT or SUB socket; `O` names the protocol's options a
 * context has of its own (a REQ context's `resendIvl`, a SURVEYOR
 * context's `deadline`, a SUB context's `subscribe`).
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * await using rep = openSocket("rep");
 * await using req = openSocket("req");
 * req.connect((await rep.listen("inproc://context-doc")).url);
 * using a = rep.openContext();
 * using b = rep.openContext();
 * await Promise.all([req.request("one"), req.request("two"), (async () => {
 *   const [first, second] = [await a.recv(), await b.recv()];
 *   await b.send(second); // answered in any order
 *   await a.send(first);
 * })()]);
 * console.log(a.name); // "socket#1(rep) context#1"
 * ```
 */
export class Context<O extends object = Record<never, never>> implements Disposable {
  /** The context's number within its socket. */
  readonly id: number;
  /** e.g. `socket#3(req) context#2`, as error messages name it. */
  readonly name: string;

  readonly #spec: ProtocolSpec;
  readonly #target: ProtocolContext;
  readonly #io: SocketIo;
  readonly #onClose: (context: Context<object>) => void;
  #closed = false;

  /**
   * Contexts come from a socket's `openContext()`.
   *
   * @param setup made by the socket
   * @throws {TypeError} for anything else
   */
  constructor(setup: ContextSetup) {
    const data = issued.get(setup);
    issued.delete(setup);
    if (data === undefined) throw new TypeError("open contexts with socket.openContext()");
    this.id = data.id;
    this.name = `${data.socketName} context#${data.id}`;
    this.#spec = data.spec;
    this.#onClose = data.closed;
    const host = new IoHost();
    const target = data.open(host);
    this.#target = target;
    this.#io = host.io = new SocketIo({
      name: this.name,
      spec: data.spec,
      protocol: target,
      options: data.options,
      clock: data.clock,
      turns: data.turns,
      situation: data.situation,
      trouble: data.trouble,
      sendProgress: nothing,
      recvAbandoned: target.recvAbandoned?.bind(target),
    });
  }

  /** Whether the context is closed (by `close()` or its socket's). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends through this context (a request, a survey, a reply to the
   * request this context received).
   *
   * @param data the message; strings are sent as UTF-8
   * @param options `NN_DONTWAIT` or per-call settings (SNDTIMEO of the socket by default)
   * @returns the number of bytes sent
   * @throws {SpError} EFSM (nothing to reply to), EAGAIN, ETIMEDOUT, ECANCELED, EBADF, ETERM, EINVAL
   */
  send(data: Uint8Array | string, options?: WaitOptions | number): Promise<number> {
    try {
      this.#check();
      return this.#io.send(data, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Receives through this context (a reply, an answer, a request to
   * answer).
   *
   * @param options `NN_DONTWAIT` or per-call settings (RCVTIMEO of the
   *   socket by default); `into`: your buffer, as for `Socket.recv`
   * @returns the message bytes: a view of `into` when it fits there
   * @throws {SpError} EFSM (nothing asked), EAGAIN, ETIMEDOUT, ECANCELED, EBADF, ETERM, EINVAL
   */
  recv(options?: RecvOptions | number): Promise<Uint8Array> {
    try {
      this.#check();
      return this.#io.recv("body", options) as Promise<Uint8Array>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Receives until the context (or its socket) closes.
   *
   * @returns an async iterator of messages
   */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return receiveUntil(() => this.recv(), CLOSED_CODES);
  }

  /**
   * Sets one of the protocol's options for this context only (new
   * contexts start with the socket's value).
   *
   * @throws {SpError} ENOPROTOOPT for an option contexts do not have, EINVAL for a bad value, EBADF when closed
   */
  setOption<K extends keyof O & string>(key: K, value: O[K]): void {
    this.#check();
    const option = this.#option(key);
    if (this.#target.setOption === undefined) throw this.#noOption(key);
    this.#target.setOption(option, value);
  }

  /**
   * Reads one of the protocol's options of this context.
   *
   * @throws {SpError} ENOPROTOOPT for an option contexts do not have, EBADF when closed
   */
  getOption<K extends keyof O & string>(key: K): O[K] {
    this.#check();
    const option = this.#option(key);
    if (this.#target.getOption === undefined) throw this.#noOption(key);
    return this.#target.getOption(option) as O[K];
  }

  /**
   * Closes the context: its exchange is forgotten (a late reply or answer
   * is dropped) and its waiting calls fail with EBADF.
   *
   * @throws {SpError} EBADF when already closed
   */
  close(): void {
    if (this.#closed) throw new SpError("EBADF", `${this.name} is already closed`);
    this.shutDown(new SpError("EBADF", `${this.name} is closed`));
  }

  /** Closes the context unless it is closed already (`using`). */
  [Symbol.dispose](): void {
    if (!this.#closed) this.close();
  }

  /**
   * Closes the context with `error` for its waiting calls (the socket's
   * close: EBADF, or ETERM). Internal to the core.
   */
  shutDown(error: SpError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#target.close();
    this.#io.failReceivers(error);
    this.#io.failSenders(error);
    this.#onClose(this as Context<object>);
  }

  #check(): void {
    if (this.#closed) throw new SpError("EBADF", `${this.name} is closed`);
  }

  #option(key: string): number {
    const options = this.#spec.options;
    if (options === undefined || !Object.hasOwn(options, key)) throw this.#noOption(key);
    return options[key]!;
  }

  #noOption(key: string): SpError {
    return new SpError("ENOPROTOOPT", `${this.name} has no option ${JSON.stringify(key)} of its own`);
  }
}

/** What every context of one socket shares: the socket's side of a context setup. */
export type ContextBase = Omit<ContextSetupData, "id" | "open" | "closed">;

/**
 * A socket's open contexts: opening them (numbered within the socket) and
 * closing them all when the socket closes. Internal to the core.
 *
 * @example Usage
 * ```ts ignore
 * const contexts = new SocketContexts(base);
 * const context = contexts.open(protocol);
 * contexts.closeAll(new SpError("EBADF", "the socket is closed"));
 * ```
 */
export class SocketContexts {
  readonly #base: ContextBase;
  #open: Set<Context<object>> | undefined;
  #next = 1;

  /** @param base what every context of the socket shares */
  constructor(base: ContextBase) {
    this.#base = base;
  }

  /** Opens a context of `protocol`, which must have contexts. */
  open<C extends object>(protocol: Required<Pick<Protocol, "openContext">>): Context<C> {
    const context = new Context<C>(contextSetup({
      ...this.#base,
      id: this.#next++,
      open: (host) => protocol.openContext(host),
      closed: (closed) => this.#open?.delete(closed),
    }));
    (this.#open ??= new Set()).add(context as Context<object>);
    return context;
  }

  /** Closes every open context, failing its waiting calls with `error`. */
  closeAll(error: SpError): void {
    for (const context of [...this.#open ?? []]) context.shutDown(error);
  }
}
