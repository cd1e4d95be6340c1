/**
 * A socket's endpoints and pipes: keeping them, attaching a handshaken
 * pipe to the protocol (after the `pipe:adding` listeners), taking closed
 * ones out, and counting and reporting all of it (they are made in
 * `socket_endpoints.ts`). The socket machine calls in here through
 * {@linkcode SocketCore} as its endpoints report; messages never pass
 * through.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import type { EndpointRecord } from "./endpoint.ts";
import { SpError } from "./errors.ts";
import type { SocketOptions } from "./options.ts";
import { PeerWaiters } from "./peer_waiters.ts";
import type { Pipe } from "./pipe.ts";
import type { PipeActor } from "./pipe_machine.ts";
import type { Protocol, ProtocolSpec } from "./protocol.ts";
import type { Inspector, Runtime } from "./runtime.ts";
import type { DropCounter } from "./socket_drops.ts";
import { startEndpoint } from "./socket_endpoints.ts";
import type { EventHub } from "./event_hub.ts";
import type { PipeInfo } from "./socket_events.ts";
import type { SocketIo } from "./socket_io.ts";
import type { SocketCore } from "./socket_machine.ts";
import { addTraffic, closedPipeKind, emptyTraffic, type SocketStats, type Traffic } from "./socket_stats.ts";
import type { EndpointOptions } from "./transport.ts";
import { splitUrl } from "./url.ts";
import { type AnyActorRef, waitFor } from "./xstate.ts";

/** What the plumbing needs from its socket. */
export interface PlumbingParts {
  /** The socket's name, for events and messages. */
  readonly name: string;
  /** The socket's id. */
  readonly socketId: number;
  readonly runtime: Runtime;
  readonly spec: ProtocolSpec;
  readonly protocol: Protocol;
  readonly options: SocketOptions;
  readonly events: EventHub;
  readonly drops: DropCounter;
  readonly io: SocketIo;
  readonly inspect: Inspector | undefined;
  /** Whether the socket is open (not closing or closed). */
  isOpen(): boolean;
  /** Whether the socket is closing (lingering or stopping its endpoints). */
  isClosing(): boolean;
  /** Whether the socket was closed by `term()`. */
  terminated(): boolean;
  /** The socket machine reached `closed`. */
  finished(): void;
}

/**
 * The socket's connection counters (traffic is summed from the pipes).
 * `established` and `accepted` hold those of endpoints that are gone; the
 * live endpoints count theirs themselves (`EndpointCounters.connections`).
 */
interface SocketCounters {
  established: number;
  accepted: number;
  dropped: number;
  broken: number;
  connectErrors: number;
  bindErrors: number;
  acceptErrors: number;
  protocolErrors: number;
  rejected: number;
  reconnects: number;
}

/** The last thing that went wrong, for the messages of calls that time out. */
interface Trouble {
  readonly where: string;
  readonly error: SpError;
  readonly at: number;
}

/** Endpoints, pipes and their counters for one socket. Internal to the core. */
export class SocketPlumbing implements SocketCore {
  /** The socket machine, which endpoints report to; set once it runs. */
  owner!: AnyActorRef;
  /** Connection counters. */
  readonly counters: SocketCounters = {
    established: 0,
    accepted: 0,
    dropped: 0,
    broken: 0,
    connectErrors: 0,
    bindErrors: 0,
    acceptErrors: 0,
    protocolErrors: 0,
    rejected: 0,
    reconnects: 0,
  };

  readonly #parts: PlumbingParts;
  readonly #clock: Clock;
  readonly #endpoints = new Map<number, EndpointRecord>();
  readonly #attached = new Set<Pipe>();
  /** Traffic of pipes that have closed. */
  readonly #closedTraffic: Traffic = emptyTraffic();
  readonly #peerWaiters: PeerWaiters;
  #nextEndpoint = 1;
  #trouble: Trouble | undefined;

  /** @param parts the socket's side */
  constructor(parts: PlumbingParts) {
    this.#parts = parts;
    this.#clock = parts.runtime.clock;
    this.#peerWaiters = new PeerWaiters(this.#clock, parts.name);
  }

  /** The socket's name (what an inspection record shows for this object). */
  get name(): string {
    return this.#parts.name;
  }

  /** Pipes attached now. */
  get pipeCount(): number {
    return this.#attached.size;
  }

  /** The endpoints, in the order they were made. */
  get endpoints(): EndpointRecord[] {
    return [...this.#endpoints.values()];
  }

  /** The endpoint with this id, if it is still there. */
  endpoint(id: number): EndpointRecord | undefined {
    return this.#endpoints.get(id);
  }

  /**
   * Makes an endpoint and starts its machine (the address is checked first,
   * as nanomsg does before returning from `nn_bind`/`nn_connect`).
   *
   * @throws {SpError} EINVAL, EPROTONOSUPPORT, ENAMETOOLONG, ENODEV, EACCES…
   */
  addEndpoint(url: string, kind: "listener" | "dialer", endpointOptions: EndpointOptions): EndpointRecord {
    const id = this.#nextEndpoint++;
    const record = startEndpoint(this.#parts, this.owner, { id, url, kind, endpointOptions }, {
      closing: () => this.#parts.isClosing(),
      shutdown: () => this.shutdown(id),
    });
    this.#endpoints.set(id, record);
    return record;
  }

  /** A bind failed: the endpoint never was. */
  bindFailed(record: EndpointRecord, error: SpError): void {
    this.#endpoints.delete(record.id);
    this.counters.bindErrors++;
    this.#noteTrouble(record.name, error);
  }

  /**
   * Removes an endpoint, closing its connections.
   *
   * @throws {SpError} EINVAL for an unknown endpoint id
   */
  async shutdown(id: number): Promise<void> {
    const record = this.#endpoints.get(id);
    if (record === undefined) throw new SpError("EINVAL", `${this.#parts.name} has no endpoint ${id}`);
    record.closing = true;
    record.actor.send({ type: "close" });
    await waitFor(record.actor, (snapshot) => snapshot.status === "done");
  }

  /**
   * Resolves with the number of attached pipes once there are at least
   * `count`.
   *
   * @throws {SpError} ETIMEDOUT, ECANCELED, EBADF when the socket closes
   */
  waitForPeers(count: number, timeout: number, signal: AbortSignal | undefined): Promise<number> {
    return this.#peerWaiters.wait(count, this.#attached.size, timeout, signal, () => ({
      attached: this.#attached.size,
      text: this.#troubleText(),
      cause: this.#trouble?.error,
    }));
  }

  /** The last endpoint or pipe error while the socket was open. */
  get trouble(): SpError | undefined {
    return this.#trouble?.error;
  }

  /** Why a send or receive may be waiting in vain, for its timeout message. */
  situation(direction: "send" | "recv"): string {
    const pipes = this.#attached.size;
    const peers = pipes === 0
      ? "no peer is attached"
      : direction === "send"
      ? `none of its ${pipes} peer${pipes === 1 ? "" : "s"} could take the message`
      : `nothing arrived from its ${pipes} peer${pipes === 1 ? "" : "s"}`;
    return peers + this.#troubleText();
  }

  /** The socket's counters in nanomsg's terms. */
  stats(): SocketStats {
    const traffic = this.traffic();
    const { reconnects: _, ...counters } = this.counters;
    for (const record of this.#endpoints.values()) {
      if (record.kind === "dialer") counters.established += record.counters.connections;
      else counters.accepted += record.counters.connections;
    }
    return {
      ...counters,
      currentConnections: this.#attached.size,
      ...traffic,
      messagesDropped: this.#parts.drops.total,
    };
  }

  /** Traffic of every pipe the socket has had. */
  traffic(): Traffic {
    const traffic = { ...this.#closedTraffic };
    for (const pipe of this.#attached) addTraffic(traffic, pipe);
    return traffic;
  }

  // --- SocketCore: what the socket machine calls as endpoints report ---

  attachPipe(pipe: Pipe, actor: PipeActor, accepting: boolean): void {
    if (!accepting) {
      actor.send({ type: "reject", reason: new SpError("EBADF", `${this.#parts.name} is closing`) });
      return;
    }
    const refusal = this.#askListeners(pipe);
    const { protocol } = this.#parts;
    let reason = refusal;
    if (reason === undefined) {
      pipe.attach(protocol);
      if (!protocol.addPipe(pipe)) {
        pipe.detach();
        reason = new SpError("EISCONN", `${this.#parts.name}: ${this.#parts.spec.name} socket already has a peer`);
      }
    }
    const record = this.#endpoints.get(pipe.endpoint);
    if (reason !== undefined) {
      this.counters.rejected++;
      this.counters.dropped++;
      if (record !== undefined) {
        record.counters.rejected++;
        record.counters.dropped++;
      }
      actor.send({ type: "reject", reason });
      return;
    }
    this.#attached.add(pipe);
    record?.pipes.set(pipe, actor);
    actor.send({ type: "attach" });
    pipe.start();
    this.#emitPipe("pipe:added", pipe);
    this.#peerWaiters.attached(this.#attached.size);
    // A new pipe may take messages that were waiting.
    this.#parts.io.deliverSends();
  }

  detachPipe(pipe: Pipe, reason: SpError | undefined, wasActive: boolean): void {
    const record = this.#endpoints.get(pipe.endpoint);
    const wasAttached = this.#attached.delete(pipe);
    if (wasAttached) {
      this.#parts.protocol.removePipe(pipe);
      pipe.detach();
      record?.pipes.delete(pipe);
      addTraffic(this.#closedTraffic, pipe);
      if (record !== undefined) addTraffic(record.closedTraffic, pipe);
    }
    const open = this.#parts.isOpen();
    const kind = closedPipeKind(reason, wasActive, open);
    if (kind === "protocolError") {
      this.counters.protocolErrors++;
      this.counters.dropped++;
      if (record !== undefined) {
        record.counters.protocolErrors++;
        record.counters.dropped++;
      }
    } else if (kind === "broken") {
      this.counters.broken++;
      if (record !== undefined) record.counters.broken++;
    }
    if (reason?.code === "EMSGSIZE") this.#parts.drops.count("oversize", pipe);
    if (record?.kind === "dialer" && open && !record.closing) {
      this.counters.reconnects++;
      record.counters.reconnects++;
    }
    if (reason !== undefined && open) this.#noteTrouble(pipe.name, reason);
    const events = this.#parts.events;
    if (wasAttached) {
      if (events.wants("pipe:removed")) {
        events.emit({ ...this.#base("pipe:removed"), pipe: pipe.info(), reason });
      }
    } else if (reason !== undefined && open && events.wants("pipe:rejected")) {
      events.emit({ ...this.#base("pipe:rejected"), pipe: pipe.info(), reason });
    }
  }

  endpointBound(endpoint: number, address: string): void {
    const record = this.#endpoints.get(endpoint);
    if (record === undefined) return;
    const { scheme } = splitUrl(record.url);
    record.bound(`${scheme}://${address}`);
  }

  endpointError(endpoint: number, kind: "connect" | "accept", error: SpError, retryIn: number): void {
    const record = this.#endpoints.get(endpoint);
    if (kind === "connect") {
      this.counters.connectErrors++;
      this.counters.reconnects++;
    } else {
      this.counters.acceptErrors++;
    }
    if (record === undefined) return;
    record.counters.errors++;
    if (kind === "connect") record.counters.reconnects++;
    this.#noteTrouble(record.name, error);
    const type = kind === "connect" ? "connect:error" : "accept:error";
    const events = this.#parts.events;
    if (events.wants(type)) events.emit({ ...this.#base(type), endpoint: record.info(), error, retryIn });
  }

  forgetEndpoint(id: number): void {
    const record = this.#endpoints.get(id);
    if (record === undefined) return;
    // Its connections stay in the socket's counts.
    if (record.kind === "dialer") this.counters.established += record.counters.connections;
    else this.counters.accepted += record.counters.connections;
    this.#endpoints.delete(id);
  }

  failReceivers(): void {
    this.#parts.io.failReceivers(new SpError(this.#closedCode(), `${this.#parts.name} is closed`));
    this.#peerWaiters.failAll(
      new SpError(this.#closedCode(), `${this.#parts.name} closed before enough peers attached`),
    );
  }

  failSenders(): void {
    this.#parts.io.failSenders(
      new SpError(this.#closedCode(), `${this.#parts.name} closed before the message could be sent`),
    );
  }

  closeEndpoints(): void {
    // Each endpoint reports its pipes' closing and then its own; the
    // socket is closed once every endpoint has reported.
    for (const record of this.#endpoints.values()) {
      record.closing = true;
      record.actor.send({ type: "close" });
    }
  }

  flushed(): boolean {
    if (this.#parts.io.sending || this.#parts.protocol.pending) return false;
    for (const pipe of this.#attached) if (pipe.pendingBytes > 0) return false;
    return true;
  }

  hasEndpoints(): boolean {
    return this.#endpoints.size > 0;
  }

  finish(): void {
    this.#parts.finished();
  }

  linger(): number {
    const linger = this.#parts.options.linger;
    return linger < 0 ? 2 ** 31 - 1 : linger;
  }

  // --- private ---

  #closedCode(): "ETERM" | "EBADF" {
    return this.#parts.terminated() ? "ETERM" : "EBADF";
  }

  #base<K extends string>(type: K): { type: K; socket: string; time: number } {
    return { type, socket: this.#parts.name, time: this.#clock.now() };
  }

  #emitPipe(type: "pipe:added", pipe: Pipe): void {
    const events = this.#parts.events;
    if (events.wants(type)) events.emit({ ...this.#base(type), pipe: pipe.info() });
  }

  /** Runs the `pipe:adding` listeners; the reason one refused the pipe, if one did. */
  #askListeners(pipe: Pipe): SpError | undefined {
    const events = this.#parts.events;
    if (!events.wants("pipe:adding")) return undefined;
    let refusal: SpError | undefined;
    const info: PipeInfo = pipe.info();
    events.emitNow({
      ...this.#base("pipe:adding"),
      pipe: info,
      refuse: (reason?: string) => {
        refusal ??= new SpError("ECONNREFUSED", `${info.name} refused${reason ? `: ${reason}` : ""}`);
      },
    });
    return refusal;
  }

  #noteTrouble(where: string, error: SpError): void {
    this.#trouble = { where, error, at: this.#clock.now() };
  }

  #troubleText(): string {
    const trouble = this.#trouble;
    if (trouble === undefined) return "";
    const ago = Math.round(this.#clock.now() - trouble.at);
    return `; last trouble (${ago} ms ago): ${trouble.where}: ${trouble.error.message}`;
  }
}
