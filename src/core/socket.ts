/**
 * The socket: nanomsg's API (bind, connect, send, recv, options, shutdown,
 * close) in TypeScript form, with async send/recv that accept an
 * `AbortSignal`, `for await` over messages, `await using`, lifecycle
 * events, waiting for peers and statistics. A protocol's own socket class
 * (`ReqSocket`, `SubSocket`…) extends it with the protocol's verbs, its
 * options by name and its contexts. The work is done by its parts:
 * {@linkcode SocketIo} (the data path), {@linkcode SocketPlumbing}
 * (endpoints and pipes), {@linkcode EventHub} and {@linkcode DropCounter}.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import { type Context, SocketContexts } from "./context.ts";
import type { Endpoint } from "./endpoint.ts";
import { atCaller, SpError } from "./errors.ts";
import type { Message } from "./message.ts";
import {
  AF_SP,
  AF_SP_RAW,
  defaultOptions,
  describeValue,
  NN_DOMAIN,
  NN_PROTOCOL,
  NN_SOL_SOCKET,
  optionKey,
  type SocketOptions,
  validateOption,
  validateTimeout,
} from "./options.ts";
import type { Protocol, ProtocolHost, ProtocolSpec, RunningMachine } from "./protocol.ts";
import { type MachineActor, startActor } from "./runtime.ts";
import { Pollers, registerReadiness } from "./readiness.ts";
import { claimSocketSetup, type SocketSetup, type SocketSetupData } from "./socket_setup.ts";
import { DropCounter } from "./socket_drops.ts";
import { EventHub } from "./event_hub.ts";
import type { SocketEvents } from "./socket_events.ts";
import {
  checkWaitOptions,
  CLOSED_CODES,
  receiveUntil,
  type RecvOptions,
  SocketIo,
  type WaitOptions,
} from "./socket_io.ts";
import { SocketPlumbing } from "./socket_plumbing.ts";
import type { SocketStatistics, SocketStats } from "./socket_stats.ts";
import type { EndpointOptions } from "./transport.ts";
import { type Actor, type AnyStateMachine, waitFor } from "./xstate.ts";

export { NN_DONTWAIT, type RecvOptions, type WaitOptions } from "./socket_io.ts";
export type { SocketInit, SocketSetup } from "./socket_setup.ts";

/**
 * The option names of a socket whose protocol names options of its own
 * (`O`, e.g. SUB's `subscribe`), besides the generic ones.
 */
export type SocketOptionName<O extends object> = keyof SocketOptions | (keyof O & string);

/** The value type of option `K`. */
export type SocketOptionValue<O extends object, K> = K extends keyof SocketOptions ? SocketOptions[K]
  : K extends keyof O ? O[K]
  : never;

/** Settings of {@linkcode Socket.waitForPeers}. */
export interface PeerWaitOptions {
  /** ms from 0 to 2^31-1, or -1 (the default) to wait forever. */
  timeout?: number;
  /** Cancels the wait (ECANCELED). */
  signal?: AbortSignal;
}

/**
 * An SP socket. Open one with `openSocket()` or `socket()` from the
 * package (or `Runtime.socket()`).
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * await using a = openSocket("pair");
 * await using b = openSocket("pair");
 * const { url } = await a.listen("tcp://127.0.0.1:0");
 * b.connect(url);
 * await b.send("hello");
 * console.log(new TextDecoder().decode(await a.recv())); // "hello"
 * ```
 */
export class Socket<O extends object = Record<never, never>> implements AsyncDisposable {
  /** The socket's number within its runtime. */
  readonly id: number;
  /** e.g. `socket#3(req)`, as events, statistics and error messages name it. */
  readonly name: string;
  /** `AF_SP` or `AF_SP_RAW`. */
  readonly domain: number;
  /** The protocol's name, e.g. `"pair"`. */
  readonly protocolName: string;
  /** The protocol's SP id, e.g. 0x10. */
  readonly protocolId: number;
  /** Lifecycle events: pipes, connect and accept errors, dropped messages. */
  readonly events: SocketEvents;
  /** The protocol's own options, for type checking only (no value at run time). */
  declare protected readonly protocolOptions?: O;

  readonly #spec: ProtocolSpec;
  readonly #protocol: Protocol;
  readonly #options: SocketOptions;
  readonly #actor: Actor<AnyStateMachine>;
  readonly #hub: EventHub;
  readonly #drops: DropCounter;
  readonly #io: SocketIo;
  readonly #plumbing: SocketPlumbing;
  #state: "open" | "closing" | "closed" = "open";
  /** Machines the protocol started, for their names. */
  #protocolMachines = 0;
  #terminated = false;
  readonly #contexts: SocketContexts;
  readonly #clock: Clock;
  /** Who `poll()`s this socket now (the data path checks only whether anybody does). */
  readonly #pollers = new Pollers();
  readonly #closed: Promise<void>;
  #markClosed!: () => void;

  /**
   * Sockets come from `openSocket()`, `socket()` or `Runtime.socket()`.
   *
   * @param setup made by the runtime
   * @throws {TypeError} for anything else
   */
  constructor(setup: SocketSetup) {
    const data = claimSocketSetup(setup);
    if (data === undefined) throw new TypeError("open sockets with openSocket(), socket() or Runtime.socket()");
    const { runtime, spec, id, init } = data;
    this.#spec = spec;
    this.id = id;
    this.domain = init.domain ?? AF_SP;
    this.protocolName = spec.name;
    this.protocolId = spec.id;
    this.name = `socket#${id}(${this.domain === AF_SP_RAW ? "raw " : ""}${spec.name})`;
    this.#options = defaultOptions(String(id));
    const protocolOptions: [string, unknown][] = [];
    for (const [key, value] of Object.entries(init.options ?? {})) {
      if (Object.hasOwn(this.#options, key)) this.setOption(key as keyof SocketOptions, value as never);
      else protocolOptions.push([key, value]);
    }
    this.#hub = new EventHub();
    this.events = this.#hub;
    this.#drops = new DropCounter(this.name, this.#hub, runtime.clock);
    const host: ProtocolHost = {
      readable: () => {
        this.#io.deliverReceived();
        if (this.#pollers.active) this.#pollers.changed();
      },
      writable: () => this.#io.deliverSends(),
      options: this.#options,
      raw: this.domain === AF_SP_RAW,
      clock: runtime.clock,
      dropped: (reason, pipe) => this.#drops.count(reason, pipe),
      startMachine: (machine, input) => {
        const n = ++this.#protocolMachines;
        const identity = { kind: "protocol", name: `${this.name} ${machine.id}#${n}`, socket: id, machine: n } as const;
        return startActor(runtime, machine, input, identity, init.inspect, this.#actor) as unknown as RunningMachine;
      },
    };
    this.#protocol = spec.create(host);
    // Before anything runs: a bad option leaves nothing behind.
    for (const [key, value] of protocolOptions) this.setOption(key as never, value as never);
    this.#io = new SocketIo({
      name: this.name,
      spec,
      protocol: this.#protocol,
      options: this.#options,
      clock: runtime.clock,
      turns: data.turns,
      situation: (direction) => this.#plumbing.situation(direction),
      trouble: () => this.#plumbing.trouble,
      sendProgress: () => {
        if (this.#state === "closing") this.#actor.send({ type: "flush.progress" });
        if (this.#pollers.active) this.#pollers.changed();
      },
    });
    this.#clock = runtime.clock;
    this.#contexts = new SocketContexts({
      socketName: this.name,
      spec,
      options: this.#options,
      clock: runtime.clock,
      turns: data.turns,
      situation: (direction) => this.#plumbing.situation(direction),
      trouble: () => this.#plumbing.trouble,
    });
    this.#plumbing = new SocketPlumbing({
      name: this.name,
      socketId: id,
      runtime,
      spec,
      protocol: this.#protocol,
      options: this.#options,
      events: this.#hub,
      drops: this.#drops,
      io: this.#io,
      inspect: init.inspect,
      isOpen: () => this.#state === "open",
      isClosing: () => this.#state === "closing",
      terminated: () => this.#terminated,
      finished: () => this.#finish(data),
    });
    this.#closed = new Promise((resolve) => this.#markClosed = resolve);
    this.#actor = startActor(
      runtime,
      runtime.machines.socket,
      { core: this.#plumbing },
      { kind: "socket", name: this.name, socket: id },
      init.inspect,
    );
    this.#plumbing.owner = this.#actor;
    registerReadiness(this, {
      clock: runtime.clock,
      ready: (direction) => {
        this.#check();
        return this.#io.ready(direction);
      },
      watch: (listener) => this.#pollers.add(listener),
    });
  }

  /** The runtime's clock, for a protocol's socket class (a `request()`'s deadline). */
  protected get clock(): Clock {
    return this.#clock;
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
    return this.#plumbing.endpoints.map((endpoint) => endpoint.id);
  }

  /** Counters in nanomsg's terms (a fresh copy each time); {@linkcode Socket.statistics} has everything. */
  get stats(): SocketStats {
    return this.#plumbing.stats();
  }

  /**
   * Binds a local address and starts accepting connections.
   *
   * @param url e.g. `tcp://*:5555`, `tcp://127.0.0.1:0` (any free port), `ipc:///tmp/x.ipc`, `inproc://name`
   * @param options settings only the transport understands (e.g. TLS)
   * @returns the endpoint id, for `shutdown()` and `endpoint()`
   * @throws {SpError} EADDRINUSE, EINVAL, EPROTONOSUPPORT, ENAMETOOLONG, ENODEV, EACCES…
   */
  async bind(url: string, options: EndpointOptions = {}): Promise<number> {
    return (await this.listen(url, options)).id;
  }

  /**
   * Binds a local address like {@linkcode Socket.bind}, and returns the
   * endpoint: its `url` has the port the system chose for port 0.
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using rep = openSocket("rep");
   * const { url } = await rep.listen("tcp://127.0.0.1:0");
   * console.log(url !== "tcp://127.0.0.1:0"); // true
   * ```
   *
   * @param url the address; port 0 picks a free port, `ipc://` alone a fresh path
   * @param options settings only the transport understands (e.g. TLS)
   * @returns the bound endpoint
   * @throws {SpError} EADDRINUSE, EINVAL, EPROTONOSUPPORT, ENAMETOOLONG, ENODEV, EACCES…
   */
  async listen(url: string, options: EndpointOptions = {}): Promise<Endpoint> {
    this.#check();
    const record = this.#plumbing.addEndpoint(url, "listener", options);
    const snapshot = await waitFor(record.actor, (s) => s.value !== "binding");
    if (snapshot.value === "failed") {
      const error = (snapshot.output as { error: SpError }).error;
      this.#plumbing.bindFailed(record, error);
      throw atCaller(error);
    }
    return record;
  }

  /**
   * Starts connecting to a remote address; the connection is made in the
   * background and re-made whenever it breaks (`connect:error` events and
   * `waitForPeers()` tell how that goes).
   *
   * @param url e.g. `tcp://127.0.0.1:5555`
   * @param options settings only the transport understands (e.g. TLS)
   * @returns the endpoint id, for `shutdown()` and `endpoint()`
   * @throws {SpError} EINVAL, EPROTONOSUPPORT, ENAMETOOLONG, ENODEV, EACCES (no permission to connect there)
   */
  connect(url: string, options: EndpointOptions = {}): number {
    return this.dial(url, options).id;
  }

  /**
   * Connects like {@linkcode Socket.connect}, and returns the endpoint.
   *
   * @param url e.g. `tcp://127.0.0.1:5555`
   * @param options settings only the transport understands (e.g. TLS)
   * @returns the dialing endpoint
   * @throws {SpError} EINVAL, EPROTONOSUPPORT, ENAMETOOLONG, ENODEV, EACCES
   */
  dial(url: string, options: EndpointOptions = {}): Endpoint {
    this.#check();
    return this.#plumbing.addEndpoint(url, "dialer", options);
  }

  /**
   * An endpoint by the id `bind` or `connect` returned.
   *
   * @returns the endpoint, or undefined when there is none by that id
   */
  endpoint(id: number): Endpoint | undefined {
    return this.#plumbing.endpoint(id);
  }

  /**
   * Removes an endpoint, closing its connections.
   *
   * @throws {SpError} EINVAL for an unknown endpoint id
   */
  async shutdown(endpoint: number): Promise<void> {
    this.#check();
    await this.#plumbing.shutdown(endpoint);
  }

  /**
   * Waits until at least `count` pipes are attached: peers connected,
   * handshaken and accepted. PUB, SURVEYOR and BUS send only to the peers
   * they have, so wait for them first.
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using pub = openSocket("pub");
   * await using sub = openSocket("sub");
   * const { url } = await pub.listen("inproc://peers-doc");
   * sub.connect(url);
   * console.log(await pub.waitForPeers(1, { timeout: 1000 })); // 1
   * ```
   *
   * @param count how many pipes to wait for (default 1)
   * @param options timeout (ms, -1 forever, the default) and signal
   * @returns the number of attached pipes
   * @throws {SpError} ETIMEDOUT (saying what went wrong meanwhile), ECANCELED, EBADF, EINVAL
   */
  waitForPeers(count = 1, options: PeerWaitOptions = {}): Promise<number> {
    try {
      this.#check();
      if (!Number.isInteger(count) || count < 0) {
        throw new SpError("EINVAL", `waitForPeers needs a count of 0 or more, not ${describeValue(count)}`);
      }
      checkWaitOptions(options);
      const timeout = options.timeout === undefined ? -1 : validateTimeout(options.timeout);
      return this.#plumbing.waitForPeers(count, timeout, options.signal);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Sends a message; waits while no peer can take it (up to SNDTIMEO).
   * Concurrent sends queue in order, up to SNDBUF bytes. Once it resolves
   * the buffer is yours again: what was sent is a copy (as with `nn_send`).
   *
   * @param data the message; strings are sent as UTF-8
   * @param options `NN_DONTWAIT` or per-call settings
   * @returns the number of bytes sent
   * @throws {SpError} EAGAIN, ETIMEDOUT, ECANCELED, EBADF, ETERM, ENOTSUP, EINVAL
   */
  send(data: Uint8Array | string, options?: WaitOptions | number): Promise<number> {
    try {
      this.#check();
      const sent = this.#io.send(data, options);
      return this.#pollers.active ? this.#pollers.after(sent) : sent;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Receives the next message; waits until one arrives (up to RCVTIMEO).
   * With `into`, a message that fits is copied into your buffer, as
   * `nn_recv` does: the fastest way to take large messages, because the
   * memory they arrived in is read into again at once.
   *
   * @example Receiving into a buffer of your own
   * ```ts
   * import { openSocket } from "../../mod.ts";
   * await using a = openSocket("pair"), b = openSocket("pair");
   * const { url } = await a.listen("tcp://127.0.0.1:0");
   * await b.dial(url);
   * await b.send(new Uint8Array(100_000).fill(7));
   * const buffer = new Uint8Array(1 << 20);
   * const message = await a.recv({ into: buffer }); // a view of buffer
   * console.log(message.length, message.buffer === buffer.buffer); // 100000 true
   * ```
   *
   * @param options `NN_DONTWAIT` or per-call settings; `into`: your buffer
   * @returns the message bytes: a view of `into` when it fits there
   * @throws {SpError} EAGAIN, ETIMEDOUT, ECANCELED, EBADF, ETERM, ENOTSUP, EINVAL
   */
  recv(options?: RecvOptions | number): Promise<Uint8Array> {
    try {
      this.#check();
      const received = this.#io.recv("body", options) as Promise<Uint8Array>;
      return this.#pollers.active ? this.#pollers.after(received) : received;
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
   * @throws {SpError} EINVAL, EAGAIN, ETIMEDOUT, ECANCELED, EBADF, ETERM, ENOTSUP
   */
  sendmsg(
    message: { header?: Uint8Array; body: Uint8Array | string; pipe?: number },
    options?: WaitOptions | number,
  ): Promise<number> {
    try {
      this.#check();
      return this.#io.sendmsg(message, options);
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
   * @throws {SpError} EAGAIN, ETIMEDOUT, ECANCELED, EBADF, ETERM, ENOTSUP, EINVAL
   */
  recvmsg(options?: WaitOptions | number): Promise<Message> {
    try {
      this.#check();
      return this.#io.recv("message", options) as Promise<Message>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Receives messages until the socket closes (`break` leaves it open).
   *
   * @returns an async iterator of messages
   */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return receiveUntil(() => this.recv(), CLOSED_CODES);
  }

  /**
   * Everything about the socket now, as plain data: counters, dropped
   * messages by reason, and each endpoint with its pipes and theirs.
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using pub = openSocket("pub");
   * await pub.send("nobody listens");
   * const stats = pub.statistics();
   * console.log(stats.name, stats.messagesSent, stats.drops["slow-peer"]); // "socket#… (pub)" 0 0
   * ```
   *
   * @returns a snapshot that `JSON.stringify` takes as it is
   */
  statistics(): SocketStatistics {
    const { reconnects } = this.#plumbing.counters;
    const waiting = this.#io.waiting();
    return {
      id: this.id,
      name: this.name,
      protocol: this.protocolName,
      raw: this.domain === AF_SP_RAW,
      socketName: this.#options.socketName,
      state: this.#state,
      ...this.#plumbing.stats(),
      reconnects,
      drops: { ...this.#drops.byReason },
      waitingSends: waiting.sends,
      waitingSendBytes: waiting.sendBytes,
      waitingRecvs: waiting.recvs,
      endpoints: this.#plumbing.endpoints.map((endpoint) => endpoint.statistics()),
    };
  }

  /**
   * Sets an option by its nanomsg level and number.
   *
   * @throws {SpError} ENOPROTOOPT for unknown or read-only options, EINVAL for bad values
   */
  setsockopt(level: number, option: number, value: number | string | Uint8Array): void {
    this.#check();
    const key = optionKey(level, option);
    if (key !== undefined) return this.setOption(key as never, value as never);
    if (level === this.protocolId && this.#protocol.setOption) {
      this.#protocol.setOption(option, value);
      if (this.#pollers.active) this.#pollers.changed();
      return;
    }
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
   * Sets an option by name: a generic one (`"rcvtimeo"`…) or one of the
   * protocol's (`"subscribe"` on a SUB, `"resendIvl"` on a REQ…).
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using sub = openSocket("sub");
   * sub.setOption("rcvtimeo", 500);
   * sub.setOption("subscribe", "news.");
   * console.log(sub.getOption("rcvtimeo")); // 500
   * ```
   *
   * @throws {SpError} EINVAL naming the type and range expected, ENOPROTOOPT for an unknown name,
   *   EBADF for a protocol's option once closed
   */
  setOption<K extends SocketOptionName<O>>(key: K, value: SocketOptionValue<O, K>): void {
    if (Object.hasOwn(this.#options, key)) {
      const name = key as keyof SocketOptions;
      (this.#options as unknown as Record<string, unknown>)[name] = validateOption(name, value);
      return;
    }
    this.#check();
    const option = this.#protocolOption(key);
    if (this.#protocol.setOption === undefined) throw this.#noOption(key, "settable");
    this.#protocol.setOption(option, value);
    // A new subscription may make a waiting message receivable.
    if (this.#pollers.active) this.#pollers.changed();
  }

  /**
   * Reads an option by name, generic or the protocol's.
   *
   * @throws {SpError} ENOPROTOOPT for an unknown name or one that cannot be read (`"subscribe"`)
   */
  getOption<K extends SocketOptionName<O>>(key: K): SocketOptionValue<O, K> {
    if (Object.hasOwn(this.#options, key)) {
      return (this.#options as unknown as Record<string, unknown>)[key] as SocketOptionValue<O, K>;
    }
    const option = this.#protocolOption(key);
    if (this.#protocol.getOption === undefined) throw this.#noOption(key, "readable");
    return this.#protocol.getOption(option) as SocketOptionValue<O, K>;
  }

  /**
   * Opens a context of the protocol (for a protocol's socket class to
   * offer as `openContext()`).
   *
   * @returns the open context
   * @throws {SpError} ENOTSUP for a raw socket or a protocol without contexts, EBADF when closed
   */
  protected newContext<C extends object>(): Context<C> {
    this.#check();
    const protocol = this.#protocol;
    if (protocol.openContext === undefined || this.domain === AF_SP_RAW) {
      const what = this.domain === AF_SP_RAW ? "raw sockets have" : `${this.protocolName} has`;
      throw new SpError("ENOTSUP", `${this.name}: ${what} no contexts`);
    }
    return this.#contexts.open<C>(protocol as Required<Pick<Protocol, "openContext">>);
  }
  /**
   * Closes the socket: waiting receives fail with EBADF, pending messages
   * are flushed for up to LINGER ms, then every endpoint closes.
   *
   * @throws {SpError} EBADF when already closed
   */
  close(): Promise<void> {
    if (this.#state !== "open") {
      return Promise.reject(new SpError(this.#terminated ? "ETERM" : "EBADF", `${this.name} is already closed`));
    }
    this.#state = "closing";
    this.#contexts.closeAll(new SpError(this.#terminated ? "ETERM" : "EBADF", `${this.name} is closed`));
    this.#actor.send({ type: "close" });
    if (this.#pollers.active) this.#pollers.changed();
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
    if (this.#state !== "open") throw new SpError("EBADF", `${this.name} is closed`);
  }

  #protocolOption(key: string): number {
    const options = this.#spec.options;
    if (options !== undefined && Object.hasOwn(options, key)) return options[key]!;
    const names = [...Object.keys(this.#options), ...Object.keys(options ?? {})];
    throw new SpError("ENOPROTOOPT", `${this.name} has no option ${JSON.stringify(key)} (it has ${names.join(", ")})`);
  }

  #noOption(key: string, what: string): SpError {
    return new SpError("ENOPROTOOPT", `${this.name}: option ${JSON.stringify(key)} is not ${what}`);
  }

  #finish(setup: SocketSetupData): void {
    this.#protocol.close?.();
    this.#drops.flush();
    this.#state = "closed";
    this.#hub.emit({ type: "socket:closed", socket: this.name, time: setup.runtime.clock.now() });
    setup.onGone(this);
    this.#markClosed();
  }
}
