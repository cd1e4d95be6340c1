/**
 * How sockets are made: the settings a caller gives (`SocketInit`), and
 * the opaque setup `Runtime.socket()` hands a socket's constructor, which
 * nothing else can make; so the `Socket` constructor is no public way to
 * open a socket, while a protocol's own socket class can still extend it.
 *
 * @module
 */

import type { LoopTurns } from "./loop_turns.ts";
import type { SocketOptions } from "./options.ts";
import type { ProtocolSpec } from "./protocol.ts";
import type { Inspector, Runtime } from "./runtime.ts";
import type { Socket } from "./socket.ts";

/**
 * How a socket is opened; `O` names the protocol's own options (SUB's
 * `subscribe`, SURVEYOR's `deadline`…), which `options` may set too.
 */
export interface SocketInit<O extends object = Record<never, never>> {
  /** `AF_SP` (default) or `AF_SP_RAW`. */
  domain?: number;
  /** Option values to start with, generic and the protocol's. */
  options?: Partial<SocketOptions & O>;
  /** An XState inspector observing this socket's machines (socket, endpoints, pipes). */
  inspect?: Inspector;
}

/**
 * What `Runtime.socket()` hands a socket's constructor, opaque: nothing
 * else can make one. A protocol that brings its own socket class
 * (`ProtocolSpec.createSocket`) passes it on to `super`.
 */
export interface SocketSetup {
  /** The protocol's name. */
  readonly protocol: string;
  /** The socket's number within its runtime. */
  readonly id: number;
}

/** What a setup stands for. Internal to the core. */
export interface SocketSetupData {
  /** The runtime that opens the socket. */
  readonly runtime: Runtime;
  /** The protocol. */
  readonly spec: ProtocolSpec;
  /** The socket's number within the runtime. */
  readonly id: number;
  /** The caller's settings. */
  readonly init: SocketInit;
  /** The runtime's event-loop guard. */
  readonly turns: LoopTurns;
  /** Tells the runtime the socket is gone. */
  readonly onGone: (socket: Socket) => void;
}

const issued = new WeakMap<SocketSetup, SocketSetupData>();

/**
 * The data behind a setup, once: a second socket cannot be made from it.
 * Internal to the core.
 *
 * @returns the data, or undefined for a setup the runtime did not make (or one already used)
 */
export function claimSocketSetup(setup: SocketSetup): SocketSetupData | undefined {
  const data = issued.get(setup);
  issued.delete(setup);
  return data;
}

/**
 * Makes the one argument a socket's constructor accepts. Internal to the
 * runtime.
 *
 * @returns the opaque setup
 */
export function socketSetup(data: SocketSetupData): SocketSetup {
  const setup: SocketSetup = Object.freeze({ protocol: data.spec.name, id: data.id });
  issued.set(setup, data);
  return setup;
}
