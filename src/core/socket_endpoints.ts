/**
 * Making a socket's endpoints and their pipes: the URL is split and
 * checked by its transport (as nanomsg checks before `nn_bind` and
 * `nn_connect` return), the endpoint machine starts, and every connection
 * it makes becomes a {@linkcode Pipe} governed by a pipe machine that
 * joins the endpoint's actor system.
 *
 * @module
 */

import type { MutableActorIdentity } from "./actor_identity.ts";
import { DeadlineQueue } from "./deadline_queue.ts";
import { type EndpointInput, endpointName, EndpointRecord } from "./endpoint.ts";
import type { SocketOptions } from "./options.ts";
import { Pipe } from "./pipe.ts";
import { emptyEndpointCounters } from "./socket_stats.ts";
import type { PipeActor } from "./pipe_machine.ts";
import type { ProtocolSpec } from "./protocol.ts";
import { type Inspector, type Runtime, startActor } from "./runtime.ts";
import type { Connection, EndpointOptions, TransportOptions } from "./transport.ts";
import { splitUrl } from "./url.ts";
import type { AnyActorRef } from "./xstate.ts";

/** What endpoints are made from: the socket's runtime, protocol, options and inspector. */
export interface EndpointMaker {
  /** The socket's id, for the names of its actors. */
  readonly socketId: number;
  readonly runtime: Runtime;
  readonly spec: ProtocolSpec;
  readonly options: SocketOptions;
  readonly inspect: Inspector | undefined;
}

/** One endpoint to make. */
export interface EndpointRequest {
  /** Its id within the socket. */
  readonly id: number;
  /** The URL given to bind or connect. */
  readonly url: string;
  /** `listener` (bind) or `dialer` (connect). */
  readonly kind: "listener" | "dialer";
  /** Settings only the transport understands. */
  readonly endpointOptions: EndpointOptions;
}

/** What the endpoint and its pipes call back. */
export interface EndpointHooks {
  /** Whether the socket is closing (a drained pipe then reports flush progress). */
  closing(): boolean;
  /** Removes the endpoint (its `close()`). */
  shutdown(): Promise<void>;
}

/**
 * Checks the address and starts the endpoint's machine. Internal to the core.
 *
 * @param maker the socket's side
 * @param owner the socket machine, which the endpoint reports to
 * @param request what to make
 * @param hooks the socket's callbacks
 * @returns the socket's record of the endpoint
 * @throws {SpError} EINVAL, EPROTONOSUPPORT, ENAMETOOLONG, ENODEV, EACCES…
 */
export function startEndpoint(
  maker: EndpointMaker,
  owner: AnyActorRef,
  request: EndpointRequest,
  hooks: EndpointHooks,
): EndpointRecord {
  const { runtime, options } = maker;
  const { id, url, kind } = request;
  const { scheme, address } = splitUrl(url);
  const transport = runtime.transport(scheme);
  const transportOptions = toTransportOptions(options, request.endpointOptions);
  transport.checkAddress(address, kind === "listener" ? "bind" : "connect", transportOptions);
  // Priorities are the socket's at the time the endpoint is made, as in nanomsg.
  const priorities = { send: options.sndprio, recv: options.rcvprio };
  const input: EndpointInput = {
    id,
    url,
    address,
    transport,
    options: transportOptions,
    owner,
    counters: emptyEndpointCounters(),
    openPipe: (connection, pipeOwner) =>
      openPipe(maker, connection, pipeOwner, { id, scheme, priorities }, () => {
        if (hooks.closing()) owner.send({ type: "flush.progress" });
      }),
  };
  const identity: MutableActorIdentity = {
    kind,
    name: endpointName(kind, id, url),
    socket: maker.socketId,
    endpoint: id,
  };
  const actor = kind === "listener"
    ? startActor(runtime, runtime.machines.listener, input, identity, maker.inspect)
    : startActor(
      runtime,
      runtime.machines.dialer,
      {
        ...input,
        reconnectIvl: options.reconnectIvl,
        reconnectIvlMax: options.reconnectIvlMax,
      },
      identity,
      maker.inspect,
    );
  return new EndpointRecord(input, kind, actor, hooks.shutdown, identity);
}

/** The settings a transport reads, captured when the endpoint is made. */
function toTransportOptions(options: SocketOptions, endpoint: EndpointOptions): TransportOptions {
  return {
    recvMaxSize: options.rcvmaxsize,
    ipv4only: options.ipv4only === 1,
    tcpNoDelay: options.tcpNodelay === 1,
    tcpKeepAlive: options.tcpKeepalive === 1,
    endpoint,
  };
}

const deadlines = new WeakMap<Runtime, DeadlineQueue>();

/** A runtime's handshake deadlines: one timer among all its pipes' handshakes. */
function handshakeDeadlines(runtime: Runtime): DeadlineQueue {
  let queue = deadlines.get(runtime);
  if (queue === undefined) deadlines.set(runtime, queue = new DeadlineQueue(runtime.clock, runtime.handshakeTimeout));
  return queue;
}

/** Makes the pipe for a new connection and starts its machine. */
function openPipe(
  maker: EndpointMaker,
  connection: Connection,
  owner: AnyActorRef,
  origin: { id: number; scheme: string; priorities: { send: number; recv: number } },
  drained: () => void,
): PipeActor {
  const { runtime, spec } = maker;
  const machine: { actor?: PipeActor } = {};
  const pipe = new Pipe(
    { id: runtime.nextPipeId(), endpoint: origin.id, scheme: origin.scheme },
    connection,
    origin.priorities,
    maker.options,
    {
      closed: (_pipe, reason) => machine.actor?.send({ type: "conn.closed", reason }),
      drained,
    },
  );
  machine.actor = startActor(
    runtime,
    runtime.machines.pipe,
    {
      pipe,
      owner,
      selfProtocol: spec.id,
      peerProtocol: spec.peerId,
      handshakeDeadlines: handshakeDeadlines(runtime),
    },
    // No identity of its own: a pipe's is read from its input (`actorIdentity`), so that it costs no memory.
    undefined,
    maker.inspect,
    owner,
  ) as unknown as PipeActor;
  return machine.actor;
}
