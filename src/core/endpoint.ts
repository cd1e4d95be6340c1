/**
 * What dialer and listener machines share: their input, the events they
 * report to the socket, and how they make pipes.
 *
 * @module
 */

import type { AnyActorRef } from "./xstate.ts";
import type { SpError } from "./errors.ts";
import type { Pipe } from "./pipe.ts";
import type { PipeActor, PipeReport } from "./pipe_machine.ts";
import type { Connection, Transport, TransportOptions } from "./transport.ts";

/** Makes a pipe (data object and machine) for a new connection. */
export type OpenPipe = (connection: Connection, owner: AnyActorRef) => PipeActor;

/** What an endpoint machine starts with. */
export interface EndpointInput {
  /** The endpoint id returned by bind/connect. */
  id: number;
  /** The full URL, for messages. */
  url: string;
  /** The address part after `scheme://`. */
  address: string;
  /** The transport registered for the scheme. */
  transport: Transport;
  /** Settings captured when the endpoint was made. */
  options: TransportOptions;
  /** The socket actor the endpoint reports to. */
  owner: AnyActorRef;
  /** Makes pipes. */
  openPipe: OpenPipe;
}

/** Events an endpoint sends to its socket. */
export type EndpointReport =
  | { type: "endpoint.pipeReady"; endpoint: number; pipe: Pipe; pipeActor: PipeActor }
  | { type: "endpoint.pipeClosed"; endpoint: number; pipe: Pipe; reason: SpError | undefined; wasActive: boolean }
  | { type: "endpoint.error"; endpoint: number; kind: "connect" | "bind" | "accept"; error: SpError }
  | { type: "endpoint.connected"; endpoint: number; accepted: boolean }
  | { type: "endpoint.closed"; endpoint: number };

/** Events every endpoint machine accepts. */
export type EndpointEvent = PipeReport | { type: "close" };
