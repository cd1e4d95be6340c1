/**
 * The pipe's data path: one connection attached to a protocol, with an
 * inbound queue bounded by RCVBUF and outbound back-pressure by SNDBUF.
 * Plain synchronous code; its lifecycle is the pipe machine's.
 *
 * @module
 */

import type { SpError } from "./errors.ts";
import type { SocketOptions } from "./options.ts";
import type { PipeHandle, Protocol } from "./protocol.ts";
import type { PipeInfo } from "./socket_events.ts";
import type { PipeStatistics, Traffic } from "./socket_stats.ts";
import type { Connection } from "./transport.ts";
import { Queue } from "../routing/queue.ts";

/** Where a pipe comes from: its id, its endpoint and its transport. */
export interface PipeOrigin {
  /** A fresh id from the runtime. */
  readonly id: number;
  /** The id of the endpoint that made it. */
  readonly endpoint: number;
  /** The transport's scheme, for the name. */
  readonly scheme: string;
}

/** What the pipe tells the layer that owns it. */
export interface PipeListener {
  /** The connection ended (the pipe machine's business). */
  closed(pipe: Pipe, reason: SpError | undefined): void;
  /** All outbound bytes were written (linger waits for this). */
  drained(pipe: Pipe): void;
}

/**
 * A connection attached to a protocol, with its own traffic counters
 * (plain fields, read by statistics).
 */
export class Pipe implements PipeHandle, Traffic {
  readonly id: number;
  /** The endpoint that made it. */
  readonly endpoint: number;
  readonly sendPriority: number;
  readonly recvPriority: number;
  readonly connection: Connection;
  data: unknown = undefined;
  messagesSent = 0;
  messagesReceived = 0;
  bytesSent = 0;
  bytesReceived = 0;
  /** Messages dropped on this pipe. */
  dropped = 0;

  readonly #options: Readonly<SocketOptions>;
  readonly #listener: PipeListener;
  readonly #scheme: string;
  #name: string | undefined;
  #protocol: Protocol | undefined;
  #inbound = new Queue<Uint8Array>();
  #inboundBytes = 0;
  #paused = false;
  #blocked = false; // a send left it unwritable; tell the protocol when it drains

  constructor(
    origin: PipeOrigin,
    connection: Connection,
    priorities: { send: number; recv: number },
    options: Readonly<SocketOptions>,
    listener: PipeListener,
  ) {
    this.id = origin.id;
    this.endpoint = origin.endpoint;
    this.connection = connection;
    this.#scheme = origin.scheme;
    this.sendPriority = priorities.send;
    this.recvPriority = priorities.recv;
    this.#options = options;
    this.#listener = listener;
  }

  /**
   * e.g. `pipe#17 tcp 127.0.0.1:5555⇄127.0.0.1:40122` (local⇄remote); made
   * when first asked (events, statistics, errors), not for every pipe.
   */
  get name(): string {
    if (this.#name === undefined) {
      const { localAddress, remoteAddress, description } = this.connection;
      this.#name = localAddress === undefined || remoteAddress === undefined || localAddress === remoteAddress
        ? `pipe#${this.id} ${description}`
        : `pipe#${this.id} ${this.#scheme} ${localAddress}⇄${remoteAddress}`;
    }
    return this.#name;
  }

  /** What events tell about this pipe. */
  info(): PipeInfo {
    return {
      id: this.id,
      name: this.name,
      endpoint: this.endpoint,
      localAddress: this.connection.localAddress ?? "",
      remoteAddress: this.connection.remoteAddress ?? "",
    };
  }

  /** The pipe's counters now, as plain data. */
  statistics(): PipeStatistics {
    return {
      ...this.info(),
      messagesSent: this.messagesSent,
      messagesReceived: this.messagesReceived,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      dropped: this.dropped,
      pendingBytes: this.connection.pendingBytes,
      inboundMessages: this.#inbound.length,
      inboundBytes: this.#inboundBytes,
      sendBlocked: this.connection.pendingBytes >= this.#options.sndbuf,
      recvPaused: this.#paused,
    };
  }

  get writable(): boolean {
    return this.#protocol !== undefined && this.connection.pendingBytes < this.#options.sndbuf;
  }

  get readable(): boolean {
    return this.#inbound.length > 0;
  }

  /** Outbound bytes not yet written. */
  get pendingBytes(): number {
    return this.connection.pendingBytes;
  }

  send(body: Uint8Array, header?: Uint8Array): void {
    this.messagesSent++;
    this.bytesSent += body.length + (header?.length ?? 0);
    this.connection.send(body, header);
    if (this.connection.pendingBytes >= this.#options.sndbuf) this.#blocked = true;
  }

  recv(): Uint8Array | undefined {
    const payload = this.#inbound.shift();
    if (payload === undefined) return undefined;
    this.#inboundBytes -= payload.length;
    if (this.#paused && this.#inboundBytes < this.#options.rcvbuf) {
      this.#paused = false;
      this.connection.resume();
    }
    return payload;
  }

  /** Connects the data path to the protocol (before `addPipe`). */
  attach(protocol: Protocol): void {
    this.#protocol = protocol;
  }

  /** Starts the flow of messages, once the protocol has accepted the pipe. */
  start(): void {
    this.connection.start({
      message: (payload) => this.#received(payload),
      drained: () => this.#drained(),
      closed: (reason) => this.#listener.closed(this, reason),
    });
  }

  /** Disconnects from the protocol; later traffic is ignored. */
  detach(): void {
    this.#protocol = undefined;
  }

  #received(payload: Uint8Array): void {
    const protocol = this.#protocol;
    if (protocol === undefined) return;
    this.messagesReceived++;
    this.bytesReceived += payload.length;
    this.#inbound.push(payload);
    this.#inboundBytes += payload.length;
    if (this.#inboundBytes >= this.#options.rcvbuf && !this.#paused) {
      this.#paused = true;
      this.connection.pause();
    }
    if (this.#inbound.length === 1) protocol.pipeReadable(this);
  }

  #drained(): void {
    if (this.#blocked && this.writable) {
      this.#blocked = false;
      this.#protocol?.pipeWritable(this);
    }
    if (this.connection.pendingBytes === 0) this.#listener.drained(this);
  }
}
