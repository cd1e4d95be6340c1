/**
 * The pipe bookkeeping shared by protocols where every pipe is both a
 * destination and a source: sends fan out to all pipes (distributor),
 * receives fan in from all of them (fair queue). BUS and SURVEYOR build on
 * it.
 *
 * @module
 */

import type { PipeHandle, ProtocolHost } from "../core/protocol.ts";
import { Distributor } from "./distributor.ts";
import { FairQueue } from "./fair_queue.ts";

/** Base of fan-out/fan-in protocols; subclasses add send and receive. */
export abstract class FanOutFanIn {
  /** The socket this protocol serves. */
  protected readonly host: ProtocolHost;
  /** Every pipe, for sending; a pipe that cannot keep up misses the message (a `slow-peer` drop). */
  protected readonly out: Distributor;
  /** Every pipe, for receiving. */
  protected readonly inbound: FairQueue = new FairQueue();

  /** @param host the socket side of the protocol */
  constructor(host: ProtocolHost) {
    this.host = host;
    this.out = new Distributor((pipe) => host.dropped("slow-peer", pipe));
  }

  /** Nothing waits inside: sends are best effort. */
  get pending(): boolean {
    return false;
  }

  /** Every pipe is accepted. */
  addPipe(pipe: PipeHandle): boolean {
    this.out.add(pipe);
    this.inbound.add(pipe);
    return true;
  }

  /** The pipe is gone from both directions. */
  removePipe(pipe: PipeHandle): void {
    this.out.remove(pipe);
    this.inbound.remove(pipe);
  }

  /** A message waits on the pipe. */
  pipeReadable(pipe: PipeHandle): void {
    this.inbound.readable(pipe);
    this.host.readable();
  }
}
