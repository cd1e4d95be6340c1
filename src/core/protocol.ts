/**
 * The protocol plug-in interface. A protocol decides which pipe a message
 * goes to and which pipe the next message comes from; it is plain
 * synchronous code called on the data path, never a state machine.
 * A protocol may also offer contexts (nng's: independent exchanges on one
 * socket, {@linkcode ProtocolContext}), say when it could send or receive
 * without waiting (for `poll()`), and name its options.
 *
 * @module
 */

import type { Clock } from "./clock.ts";
import type { Message } from "./message.ts";
import type { SocketOptions } from "./options.ts";
import type { MachineActor, MachineDefinition } from "./runtime.ts";
import type { Socket } from "./socket.ts";
import type { SocketSetup } from "./socket_setup.ts";
import type { DropReason } from "./socket_events.ts";

/** What a protocol sees of a pipe: its data path and its priorities. */
export interface PipeHandle {
  /** Unique within the runtime, never reused. */
  readonly id: number;
  /** The endpoint's send priority at the time the pipe was made, 1…16. */
  readonly sendPriority: number;
  /** The endpoint's receive priority, 1…16. */
  readonly recvPriority: number;
  /** Whether `send()` may be called now (outbound bytes below SNDBUF). */
  readonly writable: boolean;
  /** Whether a received message is waiting in `recv()`. */
  readonly readable: boolean;
  /** Queues a message for the peer: `header` (if any) then `body`. */
  send(body: Uint8Array, header?: Uint8Array): void;
  /** Takes the next received payload, if any. */
  recv(): Uint8Array | undefined;
  /** Protocol-private data kept with the pipe. */
  data: unknown;
}

/** What a protocol calls to tell its socket that things can move. */
export interface ProtocolHost {
  /** A message can be received now. */
  readable(): void;
  /** A message can be sent now. */
  writable(): void;
  /** The socket's live option values. */
  readonly options: Readonly<SocketOptions>;
  /** Whether the socket is raw (`AF_SP_RAW`): headers visible, no state checks. */
  readonly raw: boolean;
  /** The runtime's clock, for protocol timers (resend, survey deadline). */
  readonly clock: Clock;
  /**
   * Counts a message the protocol dropped, and why; `pipe` is the pipe it
   * came from or would have gone to, when there is one. Counting is a few
   * additions; events are made only while someone listens.
   */
  dropped(reason: DropReason, pipe?: PipeHandle): void;
  /**
   * Starts an actor of one of the protocol's machines (listed in
   * `ProtocolSpec.machines`) on the runtime's clock, in the socket's actor
   * system, so inspectors see it next to the socket's. For lifecycles
   * (a survey's deadline), never for messages.
   */
  startMachine(machine: MachineDefinition, input: unknown): RunningMachine;
}

/**
 * An actor a protocol started through {@linkcode ProtocolHost.startMachine};
 * it belongs to the socket's actor system, so it ends by reaching a final
 * state (an event of its own), not by being stopped.
 */
export interface RunningMachine extends MachineActor {
  /** Sends the machine an event. */
  send(event: { type: string }): void;
}

/** What a protocol calls to tell one context that it can move. */
export interface ContextHost {
  /** Something can be received (or a waiting receive should fail) now. */
  readable(): void;
  /** A send that had to wait may succeed now. */
  writable(): void;
}

/**
 * One context of a protocol (nng's `nng_ctx`): an exchange state of its
 * own (a request and its reply, a survey and its answers, a request being
 * answered), with its own send and receive, beside the socket's.
 */
export interface ProtocolContext {
  /**
   * Hands a message over; false means it must wait (the context is told by
   * `writable()`). As with the protocol's `trySend`, keep only a copy.
   */
  trySend(body: Uint8Array): boolean;
  /** Takes the next message, if one is available; may throw (EFSM…). */
  tryRecv(): Uint8Array | undefined;
  /** A receive gave up (timed out or was aborted) while waiting. */
  recvAbandoned?(): void;
  /**
   * Sets one of the protocol's options for this context only.
   *
   * @throws {SpError} ENOPROTOOPT when the option is not per context, EINVAL when out of range
   */
  setOption?(option: number, value: unknown): void;
  /**
   * Reads one of the protocol's options of this context.
   *
   * @throws {SpError} ENOPROTOOPT when unknown
   */
  getOption?(option: number): unknown;
  /** The context is closed: forget its exchange, stop its timers. */
  close(): void;
}

/** A protocol instance, one per socket. */
export interface Protocol {
  /** Offers a new pipe; false rejects it (e.g. PAIR's second peer). */
  addPipe(pipe: PipeHandle): boolean;
  /** The pipe is gone. */
  removePipe(pipe: PipeHandle): void;
  /** The pipe has a message waiting. */
  pipeReadable(pipe: PipeHandle): void;
  /** The pipe can take a message again. */
  pipeWritable(pipe: PipeHandle): void;
  /**
   * Hands a message over; false means it would block. The payload's memory
   * may be used again once this returns: pass it to pipes now, or keep a
   * copy (REQ keeps one for resends).
   */
  trySend(payload: Uint8Array): boolean;
  /** Takes the next message, if one is available. */
  tryRecv(): Uint8Array | undefined;
  /**
   * Hands over a message with an explicit header (raw sockets'
   * `sendmsg`); absent when the protocol has no header.
   */
  trySendMsg?(message: Message): boolean;
  /** Takes the next message with its header (raw sockets' `recvmsg`). */
  tryRecvMsg?(): Message | undefined;
  /**
   * Checks a message for `sendmsg` before it is tried or queued, so a bad
   * header fails that call at once.
   *
   * @throws {SpError} EINVAL when the header does not fit the protocol
   */
  checkMessage?(message: Message): void;
  /** The socket has closed: stop timers, drop state. */
  close?(): void;
  /** Whether messages accepted by `trySend` still wait for a pipe (for linger). */
  readonly pending: boolean;
  /**
   * Sets a protocol-level option (level = the protocol id).
   *
   * @throws {SpError} ENOPROTOOPT when unknown, EINVAL when out of range
   */
  setOption?(option: number, value: unknown): void;
  /**
   * Reads a protocol-level option.
   *
   * @throws {SpError} ENOPROTOOPT when unknown
   */
  getOption?(option: number): unknown;
  /**
   * Opens a context (cooked sockets only; absent when the protocol has
   * none, and then `openContext()` is ENOTSUP).
   */
  openContext?(host: ContextHost): ProtocolContext;
  /**
   * Whether a send would complete now without waiting (for `poll()`);
   * absent when the protocol cannot tell, and then `poll()` is ENOTSUP.
   */
  readyToSend?(): boolean;
  /**
   * Whether a receive would complete now without waiting (for `poll()`).
   * It may take messages off their pipes to find out (a SUB dropping what
   * matches no subscription, as a receive would), keeping the one it found.
   */
  readyToRecv?(): boolean;
}

/** A registered protocol: identity plus a factory. */
export interface ProtocolSpec {
  /** Lower-case name, e.g. `"push"`. */
  readonly name: string;
  /** The 16-bit SP id announced on the wire, e.g. 0x50. */
  readonly id: number;
  /** The peer's id, e.g. 0x51 for PUSH. */
  readonly peerId: number;
  /** Whether sockets of this protocol can send. */
  readonly canSend: boolean;
  /** Whether sockets of this protocol can receive. */
  readonly canRecv: boolean;
  /** Makes the per-socket instance. */
  create(host: ProtocolHost): Protocol;
  /**
   * The machine definitions this protocol runs actors of (e.g. a REQ
   * context's lifecycle), so diagrams and inspectors can draw them next to
   * the runtime's own: registering the protocol makes them visible.
   */
  readonly machines?: readonly MachineDefinition[];
  /**
   * The protocol's options by name (`socket.setOption("subscribe", …)`):
   * name → option number at the protocol's level, as `setsockopt` takes it.
   */
  readonly options?: Readonly<Record<string, number>>;
  /**
   * Makes the socket users get, when the protocol has a surface of its own
   * (say, a SUB socket with `subscribe()`): a subclass of `Socket`
   * constructed with `setup`. Without it, sockets are plain `Socket`s.
   */
  createSocket?(setup: SocketSetup): Socket;
}
