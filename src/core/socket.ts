/**
 * The socket: nanomsg's API (bind, connect, send, recv, options, shutdown,
 * close) in TypeScript form, with async send/recv that accept an
 * `AbortSignal`, `for await` over messages and `await using`.
 *
 * @module
 */

import { type Actor, type AnyActorRef, type AnyStateMachine, waitFor } from "./xstate.ts";
import type { EndpointInput } from "./endpoint.ts";
import { isSpError, SpError } from "./errors.ts";
import { EMPTY, type Message } from "./message.ts";
import {
  AF_SP,
  AF_SP_RAW,
  defaultOptions,
  NN_DOMAIN,
  NN_PROTOCOL,
  NN_SOL_SOCKET,
  optionKey,
  type SocketOptions,
  validateOption,
} from "./options.ts";
import { Pipe } from "./pipe.ts";
import type { PipeActor } from "./pipe_machine.ts";
import type { Protocol, ProtocolHost, ProtocolSpec } from "./protocol.ts";
import { type Inspector, type MachineActor, type Runtime, startActor } from "./runtime.ts";
import type { SocketCore } from "./socket_machine.ts";
import { countClosedPipe, emptyStats, type SocketStats } from "./socket_stats.ts";
import type { Connection, EndpointOptions, TransportOptions } from "./transport.ts";
import { splitUrl } from "./url.ts";
import { WaitQueue } from "./wait_queue.ts";

/** `NN_DONTWAIT`: fail with EAGAIN instead of waiting. */
export const NN_DONTWAIT = 1;

/** How a socket is opened. */
export interface SocketInit {
  /** `AF_SP` (default) or `AF_SP_RAW`. */
  domain?: number;
  /** Option values to start with. */
  options?: Partial<SocketOptions>;
  /** An XState inspector observing this socket's machines (socket, endpoints, pipes). */
  inspect?: Inspector;
}

/** Per-call settings of `send` and `recv`. */
export interface WaitOptions {
  /** Fail with EAGAIN instead of waiting (`NN_DONTWAIT`). */
  dontwait?: boolean;
  /** Overrides SNDTIMEO / RCVTIMEO for this call, ms; -1 waits forever. */
  timeout?: number;
  /** Cancels the wait; the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

const encoder = new TextEncoder();

function toBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new SpError("EINVAL", "messages are Uint8Array or string");
}

/**
 * An SP socket. Open one with `socket()` or `openSocket()` from `mod.ts`.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "../../mod.ts";
 * await using a = openSocket("pair");
 * await using b = openSocket("pair");
 * await a.bind("inproc://doc-socket");
 * b.connect("inproc://doc-socket");
 * await b.send("hello");
 * console.log(new TextDecoder().decode(await a.recv())); // "hello"
 * ```
 */
export class Socket implements AsyncDisposable {
  /** The socket's number within its runtime. */
  readonly id: number;
  /** `AF_SP` or `AF_SP_RAW`. */
  readonly domain: number;
  /** The protocol's name, e.g. `"pair"`. */
  readonly protocolName: string;
  /** The protocol's SP id, e.g. 0x10. */
  readonly protocolId: number;
  /** Counters; read them, don't write them. */
  readonly stats: SocketStats = emptyStats();

  readonly #runtime: Runtime;
  readonly #spec: ProtocolSpec;
  readonly #protocol: Protocol;
  readonly #options: SocketOptions;
  readonly #inspect: Inspector | undefined;
  readonly #actor: Actor<AnyStateMachine>;
  readonly #onGone: () => void;
  #endpoints = new Map<number, Actor<AnyStateMachine>>();
  #nextEndpoint = 1;
  #attached = new Set<Pipe>();
  readonly #sendWaiters: WaitQueue<number, Uint8Array | Message>;
  readonly #recvWaiters: WaitQueue<Uint8Array | Message, "body" | "message">;
  #state: "open" | "closing" | "closed" = "open";
  #terminated = false;
  #closed: Promise<void>;
  #markClosed!: () => void;

  /** Use `Runtime.socket()` or `openSocket()` instead. */
  constructor(runtime: Runtime, spec: ProtocolSpec, id: number, init: SocketInit, onGone: () => void) {
    this.#runtime = runtime;
    this.#spec = spec;
    this.id = id;
    this.domain = init.domain ?? AF_SP;
    this.protocolName = spec.name;
    this.protocolId = spec.id;
    this.#inspect = init.inspect;
    this.#onGone = onGone;
    this.#options = defaultOptions(String(id));
    this.#sendWaiters = new WaitQueue(runtime.clock);
    this.#recvWaiters = new WaitQueue(runtime.clock);
    for (const [key, value] of Object.entries(init.options ?? {})) {
      this.setOption(key as keyof SocketOptions, value as never);
    }
    const host: ProtocolHost = {
      readable: () => this.#deliverReceived(),
      writable: () => this.#deliverSends(),
      options: this.#options,
      raw: this.domain === AF_SP_RAW,
      clock: runtime.clock,
      dropped: () => this.stats.messagesDropped++,
    };
    this.#protocol = spec.create(host);
    this.#closed = new Promise((resolve) => this.#markClosed = resolve);
    this.#actor = startActor(runtime, runtime.machines.socket, { core: this.#core() }, this.#inspect);
  }

  /** The SP id of the protocol this socket talks to, e.g. 0x51 for PUSH. */
  get peerProtocolId(): number {
    return this.#spec.peerId;
  }

  /** Whether the protocol can send. */
  get canSend(): boolean {
    return this.#spec.canSend;
  }

  /** Whether the protocol can receive. */
  get canRecv(): boolean {
    return this.#spec.canRecv;
  }

  /** The socket machine's actor, for inspection (`getSnapshot().value`). */
  get actor(): MachineActor {
    return this.#actor;
  }

  /** Endpoint ids currently open. */
  get endpoints(): number[] {
    return [...this.#endpoints.keys()];
  }

  /**
   * Binds a local address and starts accepting connections.
   *
   * @param url e.g. `tcp://*:5555`, `ipc:///tmp/x.ipc`, `inproc://name`
   * @param options settings only the transport understands (e.g. TLS)
   * @returns the endpoint id, for `shutdown()`
   * @throws {SpError} EADDRINUSE, EINVAL, EPROTONOSUPPORT, ENAMETOOLONG, ENODEV, EACCES…
   */
  async bind(url: string, options: EndpointOptions = {}): Promise<number> {
    this.#check();
    const input = this.#endpointInput(url, "bind", options);
    const actor = startActor(this.#runtime, this.#runtime.machines.listener, input, this.#inspect);
    this.#endpoints.set(input.id, actor);
    const snapshot = await waitFor(actor, (s) => s.value !== "binding");
    if (snapshot.value === "failed") {
      this.#endpoints.delete(input.id);
      this.stats.bindErrors++;
      throw (snapshot.output as { error: SpError }).error;
    }
    return input.id;
  }

  /**
   * Starts connecting to a remote address; the connection is made in the
   * background and re-made whenever it breaks.
   *
   * @param url e.g. `tcp://127.0.0.1:5555`
   * @param options settings only the transport understands (e.g. TLS)
   * @returns the endpoint id, for `shutdown()`
   * @throws {SpError} EINVAL, EPROTONOSUPPORT, ENAMETOOLONG, ENODEV
   */
  connect(url: string, options: EndpointOptions = {}): number {
    this.#check();
    const input = this.#endpointInput(url, "connect", options);
    const actor = startActor(this.#runtime, this.#runtime.machines.dialer, {
      ...input,
      reconnectIvl: this.#options.reconnectIvl,
      reconnectIvlMax: this.#options.reconnectIvlMax,
    }, this.#inspect);
    this.#endpoints.set(input.id, actor);
    return input.id;
  }

  /**
   * Removes an endpoint, closing its connections.
   *
   * @throws {SpError} EINVAL for an unknown endpoint id
   */
  async shutdown(endpoint: number): Promise<void> {
    this.#check();
    const actor = this.#endpoints.get(endpoint);
    if (actor === undefined) throw new SpError("EINVAL", `no endpoint ${endpoint}`);
    actor.send({ type: "close" });
    await waitFor(actor, (s) => s.status === "done");
  }

  /**
   * Sends a message; waits while no peer can take it (up to SNDTIMEO).
   * Concurrent sends queue in order, up to SNDBUF bytes.
   *
   * @param data the message; strings are sent as UTF-8
   * @param options `NN_DONTWAIT` or per-call settings
   * @returns the number of bytes sent
   * @throws {SpError} EAGAIN, ETIMEDOUT, EBADF, ETERM, ENOTSUP
   */
  send(data: Uint8Array | string, options?: WaitOptions | number): Promise<number> {
    try {
      this.#check();
      if (!this.#spec.canSend) throw new SpError("ENOTSUP", `${this.protocolName} sockets cannot send`);
      const payload = toBytes(data);
      if (this.#sendWaiters.length === 0 && this.#protocol.trySend(payload)) {
        return Promise.resolve(payload.length);
      }
      return this.#waitToSend(payload, payload.length, this.#waitOptions(options));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Receives the next message; waits until one arrives (up to RCVTIMEO).
   *
   * @param options `NN_DONTWAIT` or per-call settings
   * @returns the message bytes
   * @throws {SpError} EAGAIN, ETIMEDOUT, EBADF, ETERM, ENOTSUP
   */
  recv(options?: WaitOptions | number): Promise<Uint8Array> {
    try {
      this.#check();
      if (!this.#spec.canRecv) throw new SpError("ENOTSUP", `${this.protocolName} sockets cannot receive`);
      if (this.#recvWaiters.length === 0) {
        const payload = this.#protocol.tryRecv();
        if (payload !== undefined) return Promise.resolve(payload);
      }
      const opts = this.#waitOptions(options);
      if (opts.dontwait) throw new SpError("EAGAIN", "no message is waiting");
      return this.#recvWaiters.wait("body", 0, opts.timeout ?? this.#options.rcvtimeo, opts.signal) as Promise<
        Uint8Array
      >;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Sends a message with an explicit SP header (nanomsg's `nn_sendmsg`
   * with an `SP_HDR` control message). Raw sockets route by the header;
   * a header on a protocol that has none is EINVAL. `pipe` names the
   * connection to send on, for protocols that route by pipe (PAIR v1
   * polyamorous); the others ignore it.
   *
   * @param message the header, body and target pipe
   * @param options `NN_DONTWAIT` or per-call settings
   * @returns the number of body bytes sent
   * @throws {SpError} EINVAL, EAGAIN, ETIMEDOUT, EBADF, ETERM, ENOTSUP
   */
  sendmsg(
    message: { header?: Uint8Array; body: Uint8Array | string; pipe?: number },
    options?: WaitOptions | number,
  ): Promise<number> {
    try {
      this.#check();
      if (!this.#spec.canSend) throw new SpError("ENOTSUP", `${this.protocolName} sockets cannot send`);
      const header = message.header ?? EMPTY;
      const body = toBytes(message.body);
      const msg: Message = message.pipe === undefined ? { header, body } : { header, body, pipe: message.pipe };
      if (msg.header.length > 0 && this.#protocol.trySendMsg === undefined) {
        throw new SpError("EINVAL", `${this.protocolName} messages carry no header`);
      }
      this.#protocol.checkMessage?.(msg);
      if (this.#sendWaiters.length === 0 && this.#trySend(msg)) return Promise.resolve(msg.body.length);
      return this.#waitToSend(msg, msg.header.length + msg.body.length, this.#waitOptions(options));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Receives the next message with its SP header (nanomsg's `nn_recvmsg`);
   * on raw sockets the header carries the backtrace a reply needs.
   *
   * @param options `NN_DONTWAIT` or per-call settings
   * @returns the header and body
   * @throws {SpError} EAGAIN, ETIMEDOUT, EBADF, ETERM, ENOTSUP
   */
  recvmsg(options?: WaitOptions | number): Promise<Message> {
    try {
      this.#check();
      if (!this.#spec.canRecv) throw new SpError("ENOTSUP", `${this.protocolName} sockets cannot receive`);
      if (this.#recvWaiters.length === 0) {
        const message = this.#tryRecv("message");
        if (message !== undefined) return Promise.resolve(message as Message);
      }
      const opts = this.#waitOptions(options);
      if (opts.dontwait) throw new SpError("EAGAIN", "no message is waiting");
      return this.#recvWaiters.wait("message", 0, opts.timeout ?? this.#options.rcvtimeo, opts.signal) as Promise<
        Message
      >;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Receives messages until the socket closes (`break` leaves it open).
   *
   * @returns an async iterator of messages
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      try {
        yield await this.recv();
      } catch (err) {
        if (isSpError(err, "EBADF") || isSpError(err, "ETERM")) return;
        throw err;
      }
    }
  }

  /**
   * Sets an option by its nanomsg level and number.
   *
   * @throws {SpError} ENOPROTOOPT for unknown or read-only options, EINVAL for bad values
   */
  setsockopt(level: number, option: number, value: number | string | Uint8Array): void {
    this.#check();
    const key = optionKey(level, option);
    if (key !== undefined) return this.setOption(key, value as never);
    if (level === this.protocolId && this.#protocol.setOption) return this.#protocol.setOption(option, value);
    throw new SpError("ENOPROTOOPT", `option ${option} at level ${level} is not settable on ${this.protocolName}`);
  }

  /**
   * Reads an option by its nanomsg level and number.
   *
   * @throws {SpError} ENOPROTOOPT for unknown options
   */
  getsockopt(level: number, option: number): number | string | unknown {
    this.#check();
    if (level === NN_SOL_SOCKET && option === NN_DOMAIN) return this.domain;
    if (level === NN_SOL_SOCKET && option === NN_PROTOCOL) return this.protocolId;
    const key = optionKey(level, option);
    if (key !== undefined) return this.#options[key];
    if (level === this.protocolId && this.#protocol.getOption) return this.#protocol.getOption(option);
    throw new SpError("ENOPROTOOPT", `option ${option} at level ${level} is unknown to ${this.protocolName}`);
  }

  /**
   * Sets an option by name.
   *
   * @throws {SpError} EINVAL for bad values
   */
  setOption<K extends keyof SocketOptions>(key: K, value: SocketOptions[K]): void {
    this.#options[key] = validateOption(key, value);
  }

  /** Reads an option by name. */
  getOption<K extends keyof SocketOptions>(key: K): SocketOptions[K] {
    return this.#options[key];
  }

  /**
   * Closes the socket: waiting receives fail with EBADF, pending messages
   * are flushed for up to LINGER ms, then every endpoint closes.
   *
   * @throws {SpError} EBADF when already closed
   */
  close(): Promise<void> {
    if (this.#state !== "open") {
      return Promise.reject(new SpError(this.#terminated ? "ETERM" : "EBADF", "socket is already closed"));
    }
    this.#state = "closing";
    this.#actor.send({ type: "close" });
    return this.#closed;
  }

  /** Closes the socket unless it is closed already. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#state === "open" ? this.close() : this.#closed;
  }

  /** Closes at once for `Runtime.term()`: no linger, waits fail with ETERM. */
  terminate(): Promise<void> {
    this.#terminated = true;
    this.#options.linger = 0;
    return this.#state === "open" ? this.close() : this.#closed;
  }

  #check(): void {
    if (this.#terminated) throw new SpError("ETERM", "the runtime has been terminated");
    if (this.#state !== "open") throw new SpError("EBADF", `socket ${this.id} is closed`);
  }

  #waitOptions(options: WaitOptions | number | undefined): WaitOptions {
    return typeof options === "number" ? { dontwait: (options & NN_DONTWAIT) !== 0 } : options ?? {};
  }

  #waitToSend(item: Uint8Array | Message, size: number, opts: WaitOptions): Promise<number> {
    if (opts.dontwait) throw new SpError("EAGAIN", "no peer can take the message now");
    if (this.#sendWaiters.length > 0 && this.#sendWaiters.bytes + size > this.#options.sndbuf) {
      throw new SpError("EAGAIN", `more than SNDBUF (${this.#options.sndbuf}) bytes are already waiting to be sent`);
    }
    return this.#sendWaiters.wait(item, size, opts.timeout ?? this.#options.sndtimeo, opts.signal);
  }

  /** Offers a waiting item to the protocol: a body, or a message with a header. */
  #trySend(item: Uint8Array | Message): boolean {
    if (item instanceof Uint8Array) return this.#protocol.trySend(item);
    if (this.#protocol.trySendMsg !== undefined) return this.#protocol.trySendMsg(item);
    return this.#protocol.trySend(item.body);
  }

  #tryRecv(want: "body" | "message"): Uint8Array | Message | undefined {
    if (want === "body") return this.#protocol.tryRecv();
    if (this.#protocol.tryRecvMsg !== undefined) return this.#protocol.tryRecvMsg();
    const body = this.#protocol.tryRecv();
    return body === undefined ? undefined : { header: EMPTY, body };
  }

  // A protocol may refuse a waiting call outright (SURVEYOR: the deadline
  // passed, ETIMEDOUT; then EFSM): that call fails, the others keep waiting.
  #deliverReceived(): void {
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

  #deliverSends(): void {
    while (this.#sendWaiters.length > 0) {
      const item = this.#sendWaiters.peekItem()!;
      try {
        if (!this.#trySend(item)) break;
      } catch (err) {
        this.#sendWaiters.rejectNext(err);
        continue;
      }
      this.#sendWaiters.resolveNext(item instanceof Uint8Array ? item.length : item.body.length);
    }
    if (this.#state === "closing") this.#actor.send({ type: "flush.progress" });
  }

  #transportOptions(endpoint: EndpointOptions): TransportOptions {
    return {
      recvMaxSize: this.#options.rcvmaxsize,
      ipv4only: this.#options.ipv4only === 1,
      tcpNoDelay: this.#options.tcpNodelay === 1,
      tcpKeepAlive: this.#options.tcpKeepalive === 1,
      endpoint,
    };
  }

  #endpointInput(url: string, mode: "bind" | "connect", endpoint: EndpointOptions): EndpointInput {
    const { scheme, address } = splitUrl(url);
    const transport = this.#runtime.transport(scheme);
    const options = this.#transportOptions(endpoint);
    transport.checkAddress(address, mode, options);
    const priorities = { send: this.#options.sndprio, recv: this.#options.rcvprio };
    return {
      id: this.#nextEndpoint++,
      url,
      address,
      transport,
      options,
      owner: this.#actor,
      openPipe: (connection, owner) => this.#openPipe(connection, owner, priorities),
    };
  }

  #openPipe(connection: Connection, owner: AnyActorRef, priorities: { send: number; recv: number }): PipeActor {
    const machine: { actor?: PipeActor } = {};
    const pipe = new Pipe(this.#runtime.nextPipeId(), connection, priorities, this.#options, this.stats, {
      closed: (_pipe, reason) => machine.actor?.send({ type: "conn.closed", reason }),
      drained: () => {
        if (this.#state === "closing") this.#actor.send({ type: "flush.progress" });
      },
    });
    machine.actor = startActor(
      this.#runtime,
      this.#runtime.machines.pipe,
      {
        pipe,
        owner,
        selfProtocol: this.protocolId,
        peerProtocol: this.#spec.peerId,
        handshakeTimeout: this.#runtime.handshakeTimeout,
      },
      this.#inspect,
      owner,
    ) as unknown as PipeActor;
    return machine.actor;
  }

  #core(): SocketCore {
    return {
      attachPipe: (pipe, actor, accepting) => {
        if (!accepting) {
          actor.send({ type: "reject", reason: new SpError("EBADF", "socket is closing") });
          return;
        }
        pipe.attach(this.#protocol);
        if (!this.#protocol.addPipe(pipe)) {
          pipe.detach();
          this.stats.rejected++;
          this.stats.dropped++;
          actor.send({
            type: "reject",
            reason: new SpError("EISCONN", `${this.protocolName} socket already has a peer`),
          });
          return;
        }
        this.#attached.add(pipe);
        this.stats.currentConnections++;
        actor.send({ type: "attach" });
        pipe.start();
        // A new pipe may take messages that were waiting.
        this.#deliverSends();
      },
      detachPipe: (pipe, reason, wasActive) => {
        if (this.#attached.delete(pipe)) {
          this.#protocol.removePipe(pipe);
          pipe.detach();
          this.stats.currentConnections--;
        }
        countClosedPipe(this.stats, reason, wasActive, this.#state === "open");
      },
      countEndpointError: (kind, _error) => {
        if (kind === "connect") this.stats.connectErrors++;
        else if (kind === "accept") this.stats.acceptErrors++;
        else this.stats.bindErrors++;
      },
      countConnection: (accepted) => {
        if (accepted) this.stats.accepted++;
        else this.stats.established++;
      },
      forgetEndpoint: (id) => {
        this.#endpoints.delete(id);
      },
      failReceivers: () => {
        this.#recvWaiters.failAll(new SpError(this.#terminated ? "ETERM" : "EBADF", "socket closed"));
      },
      failSenders: () => {
        const code = this.#terminated ? "ETERM" : "EBADF";
        this.#sendWaiters.failAll(new SpError(code, "socket closed before the message could be sent"));
      },
      closeEndpoints: () => {
        // Each endpoint reports its pipes' closing and then its own; the
        // socket is closed once every endpoint has reported.
        for (const actor of this.#endpoints.values()) actor.send({ type: "close" });
      },
      flushed: () => {
        if (this.#sendWaiters.length > 0 || this.#protocol.pending) return false;
        for (const pipe of this.#attached) if (pipe.pendingBytes > 0) return false;
        return true;
      },
      hasEndpoints: () => this.#endpoints.size > 0,
      finish: () => {
        this.#protocol.close?.();
        this.#state = "closed";
        this.#onGone();
        this.#markClosed();
      },
      linger: () => this.#options.linger < 0 ? 2 ** 31 - 1 : this.#options.linger,
    };
  }
}
