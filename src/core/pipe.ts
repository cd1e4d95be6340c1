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
import type { Connection } from "./transport.ts";
import { Queue } from "../routing/queue.ts";

/** Traffic counters of one socket, shared by its pipes. */
export interface TrafficCounters {
  /** Messages handed to pipes. */
  messagesSent: number;
  /** Messages received from pipes. */
  messagesReceived: number;
  /** Payload bytes handed to pipes. */
  bytesSent: number;
  /** Payload bytes received from pipes. */
  bytesReceived: number;
}

/** What the pipe tells the layer that owns it. */
export interface PipeListener {
  /** The connection ended (the pipe machine's business). */
  closed(pipe: Pipe, reason: SpError | undefined): void;
  /** All outbound bytes were written (linger waits for this). */
  drained(pipe: Pipe): void;
}

/** A connection attached to a protocol. */
export class Pipe implements PipeHandle {
  readonly id: number;
  readonly sendPriority: number;
  readonly recvPriority: number;
  readonly connection: Connection;
  data: unknown = undefined;

  readonly #options: Readonly<SocketOptions>;
  readonly #counters: TrafficCounters;
  readonly #listener: PipeListener;
  #protocol: Protocol | undefined;
  #inbound = new Queue<Uint8Array>();
  #inboundBytes = 0;
  #paused = false;
  #blocked = false; // a send left it unwritable; tell the protocol when it drains

  constructor(
    id: number,
    connection: Connection,
    priorities: { send: number; recv: number },
    options: Readonly<SocketOptions>,
    counters: TrafficCounters,
    listener: PipeListener,
  ) {
    this.id = id;
    this.connection = connection;
    this.sendPriority = priorities.send;
    this.recvPriority = priorities.recv;
    this.#options = options;
    this.#counters = counters;
    this.#listener = listener;
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
    this.#counters.messagesSent++;
    this.#counters.bytesSent += body.length + (header?.length ?? 0);
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
    this.#counters.messagesReceived++;
    this.#counters.bytesReceived += payload.length;
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
