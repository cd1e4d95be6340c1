/**
 * The runtime: nanomsg's single worker. It owns the clock every timer goes
 * through, the machine definitions every actor is created from, the
 * registries of protocols and transports, and the table of open sockets.
 *
 * @module
 */

import { type Actor, type AnyActorRef, type AnyStateMachine, createActor } from "./xstate.ts";
import { type ActorIdentity, registerActorInput } from "./actor_identity.ts";
import { type Clock, systemClock } from "./clock.ts";
import { createDialerMachine } from "./dialer_machine.ts";
import { SpError } from "./errors.ts";
import { createListenerMachine } from "./listener_machine.ts";
import { AF_SP, AF_SP_RAW } from "./options.ts";
import { createPipeMachine } from "./pipe_machine.ts";
import type { ProtocolSpec } from "./protocol.ts";
import type { EndpointRecord } from "./endpoint.ts";
import { LoopTurns } from "./loop_turns.ts";
import { RuntimeInspection } from "./runtime_inspection.ts";
import { Socket } from "./socket.ts";
import { type SocketInit, socketSetup } from "./socket_setup.ts";
import { createSocketMachine } from "./socket_machine.ts";
import type { Transport } from "./transport.ts";

/** One XState inspection event (XState's `InspectionEvent`: `@xstate.actor`, `@xstate.event`, `@xstate.snapshot` …). */
export interface MachineInspectionEvent {
  /** The kind of event, e.g. `"@xstate.snapshot"`. */
  readonly type: string;
  /** The session id of the root actor. */
  readonly rootId: string;
  /** The actor concerned (an XState `ActorRef`). */
  readonly actorRef: unknown;
}

/**
 * An XState inspection observer: a function, or an observer object such as
 * the `inspect` of Stately's browser or WebSocket inspector.
 */
export type Inspector =
  | ((event: MachineInspectionEvent) => void)
  | { next?(event: MachineInspectionEvent): void };

/** An XState machine definition (a `StateMachine`), as `createActor` takes it. */
export interface MachineDefinition {
  /** The machine's id, e.g. `"pipe"`. */
  readonly id: string;
  /** The machine's configuration: states, transitions, named actions. */
  readonly config: unknown;
}

/** A running machine (an XState actor), as far as an observer needs it. */
export interface MachineActor {
  /** The actor's id. */
  readonly id: string;
  /** The current snapshot: `value` is the state, `status` "active" or "done". */
  getSnapshot(): { readonly value: unknown; readonly status: string };
}

/** Settings of a runtime. */
export interface RuntimeOptions {
  /** The clock for every timer; tests pass a `ManualClock`. */
  clock?: Clock;
  /** How long a peer has to send its SP header, ms (nanomsg: 1000). */
  handshakeTimeout?: number;
}

/**
 * The machine definitions a runtime creates actors from: pass one to
 * Stately's tools (`createActor(machine, { inspect })`) to draw it.
 */
export interface Machines {
  /** Socket lifecycle: open → closing (lingering, stopping) → closed. */
  readonly socket: MachineDefinition;
  /** Connecting endpoint: connecting → connected → waiting (back-off). */
  readonly dialer: MachineDefinition;
  /** Bound endpoint: binding → listening ⇄ coolingDown → closing → closed. */
  readonly listener: MachineDefinition;
  /** One connection: handshaking → attaching → active → closing → closed. */
  readonly pipe: MachineDefinition;
}

/** The protocol's own options of a socket class (`Socket<O>` → `O`). */
export type ProtocolOptionsOf<S> = S extends Socket<infer O> ? O : Record<never, never>;

/**
 * The socket class protocol `P` opens, by the map `Types`: one name opens
 * its class; a union of names (a name picked at run time from a few)
 * opens a plain `Socket`, whose methods they all share. (`All` is `P`
 * whole while the conditional looks at one name of it at a time.)
 */
export type SocketFor<Types, P extends keyof Types, All extends keyof Types = P> = P extends unknown
  ? ([All] extends [P] ? Types[P] : Socket)
  : never;

/**
 * A protocol name that is not a literal: a `string` read from a config
 * file is taken (and checked when the socket opens), a literal that is no
 * registered name fails type checking.
 */
export type UncheckedName<S extends string> = S & (string extends S ? unknown : never);

/**
 * A runtime with its registries. Most programs use the default one that
 * `mod.ts` sets up with the built-in protocols and transports.
 * `Types` maps protocol names to the socket classes they open (after
 * `registerBuiltins()`: `"req"` → `ReqSocket`…); a runtime that does not
 * know opens any name as a `Socket`.
 *
 * @example Usage
 * ```ts
 * import { ManualClock, Runtime } from "@sp/nanomsg";
 * const runtime = new Runtime({ clock: new ManualClock() });
 * console.log(runtime.protocols().length); // 0: nothing registered yet
 * ```
 */
export class Runtime<Types extends object = Record<string, Socket>> {
  /** The clock every timer of this runtime uses. */
  readonly clock: Clock;
  /** How long a peer has to send its SP header, ms. */
  readonly handshakeTimeout: number;
  /** The machine definitions (for diagrams and the inspector). */
  readonly machines: Machines;

  #protocols = new Map<string, ProtocolSpec>();
  #protocolIds = new Map<number, ProtocolSpec>();
  #transports = new Map<string, Transport>();
  #sockets = new Set<Socket>();
  #nextSocketId = 1;
  #nextPipeId = 1;
  #terminated = false;
  readonly #turns = new LoopTurns();
  readonly #inspection = new RuntimeInspection({
    roots: () => this.#actors(false),
    running: () => this.#actors(true),
  });

  /**
   * Creates an empty runtime; register protocols and transports on it.
   *
   * @param options clock and handshake timeout
   */
  constructor(options: RuntimeOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.handshakeTimeout = options.handshakeTimeout ?? 1000;
    this.machines = {
      socket: createSocketMachine(),
      dialer: createDialerMachine(),
      listener: createListenerMachine(),
      pipe: createPipeMachine(),
    };
    inspections.set(this, this.#inspection);
  }

  /** Registers a protocol under its name and id; a name or id registered twice is EINVAL. */
  registerProtocol(spec: ProtocolSpec): void {
    if (this.#protocols.has(spec.name) || this.#protocolIds.has(spec.id)) {
      throw new SpError("EINVAL", `protocol ${spec.name} (0x${spec.id.toString(16)}) is already registered`);
    }
    this.#protocols.set(spec.name, spec);
    this.#protocolIds.set(spec.id, spec);
  }

  /** Registers a transport under its scheme; a scheme registered twice is EINVAL. */
  registerTransport(transport: Transport): void {
    if (this.#transports.has(transport.scheme)) {
      throw new SpError("EINVAL", `transport ${transport.scheme} is already registered`);
    }
    this.#transports.set(transport.scheme, transport);
  }

  /** The registered protocols. */
  protocols(): ProtocolSpec[] {
    return [...this.#protocols.values()];
  }

  /** The registered transport schemes. */
  schemes(): string[] {
    return [...this.#transports.keys()];
  }

  /**
   * The protocol registered under a name or id.
   *
   * @throws {SpError} EINVAL when unknown, listing the registered names
   */
  protocol(nameOrId: string | number): ProtocolSpec {
    const spec = typeof nameOrId === "number" ? this.#protocolIds.get(nameOrId) : this.#protocols.get(nameOrId);
    if (spec === undefined) {
      const what = typeof nameOrId === "number" ? `0x${nameOrId.toString(16)}` : JSON.stringify(nameOrId);
      const known = this.#protocols.size === 0
        ? "none is registered"
        : `registered: ${[...this.#protocols.keys()].join(", ")}`;
      throw new SpError("EINVAL", `unknown protocol ${what} (${known})`);
    }
    return spec;
  }

  /**
   * The transport registered for a scheme.
   *
   * @throws {SpError} EPROTONOSUPPORT when unknown
   */
  transport(scheme: string): Transport {
    const transport = this.#transports.get(scheme);
    if (transport === undefined) {
      throw new SpError("EPROTONOSUPPORT", `no transport for ${scheme}:// (known: ${this.schemes().join(", ")})`);
    }
    return transport;
  }

  /**
   * Opens a socket of a registered protocol (of the protocol's own socket
   * class when it brings one).
   *
   * @throws {SpError} ETERM after `term()`, EINVAL for an unknown protocol
   *   (naming the registered ones) or domain
   */
  socket<P extends keyof Types & string>(
    protocol: P,
    init?: SocketInit<ProtocolOptionsOf<SocketFor<Types, P>>>,
  ): SocketFor<Types, P>;
  /**
   * Opens a socket by protocol id, or by a name its `Types` do not list (a
   * plug-in registered at run time, a name from a config file): a plain
   * `Socket` as far as types go.
   *
   * @throws {SpError} ETERM after `term()`, EINVAL for an unknown protocol
   *   (naming the registered ones) or domain
   */
  socket(protocol: string | number, init?: SocketInit): Socket;
  socket(protocol: string | number, init: SocketInit = {}): Socket {
    if (this.#terminated) throw new SpError("ETERM", "the runtime has been terminated");
    const domain = init.domain ?? AF_SP;
    if (domain !== AF_SP && domain !== AF_SP_RAW) throw new SpError("EINVAL", `unknown domain ${domain}`);
    const spec = this.protocol(protocol);
    const setup = socketSetup({
      runtime: this,
      spec,
      id: this.#nextSocketId++,
      init,
      turns: this.#turns,
      onGone: (socket) => this.#sockets.delete(socket),
    });
    const socket = spec.createSocket?.(setup) ?? new Socket(setup);
    this.#sockets.add(socket);
    return socket;
  }

  /**
   * The sockets open now (for inspectors: each has a `name` and
   * `statistics()`).
   *
   * @example Usage
   * ```ts
   * import { registerBuiltins, Runtime } from "@sp/nanomsg";
   * const runtime = registerBuiltins(new Runtime());
   * await using pub = runtime.socket("pub");
   * console.log(runtime.sockets().map((s) => s.name)); // ["socket#1(pub)"]
   * ```
   */
  sockets(): Socket[] {
    return [...this.#sockets];
  }

  /**
   * Observes the machines of every socket, endpoint and pipe of this
   * runtime: first each actor running now (an `@xstate.actor` and an
   * `@xstate.snapshot` of its current state, whose `event` is
   * `{ type: "sp.inspect.present" }`), then everything XState reports
   * (`@xstate.actor`, `@xstate.event`, `@xstate.snapshot` …) for actors old
   * and new, until the returned function is called. `actorIdentity(event.actorRef)`
   * tells who each actor is, `inspectionRecord(event)` turns an event into
   * plain JSON. With no observer, actors run exactly as if this did not exist.
   *
   * @example Usage
   * ```ts
   * import { actorName, registerBuiltins, Runtime } from "@sp/nanomsg";
   * const runtime = registerBuiltins(new Runtime());
   * const seen: string[] = [];
   * const stop = runtime.inspect((event) => {
   *   if (event.type === "@xstate.actor") seen.push(actorName(event.actorRef) ?? "?");
   * });
   * await using pull = runtime.socket("pull");
   * await pull.listen("inproc://runtime-inspect-doc");
   * stop();
   * console.log(seen); // ["socket#1(pull)", "listener#1 inproc://runtime-inspect-doc"]
   * ```
   *
   * @param inspector a function or an observer object (`{ next(event) }`)
   * @returns a function that stops observing
   */
  inspect(inspector: Inspector): () => void {
    return this.#inspection.add(inspector);
  }

  /** The actors running now: sockets and endpoints, and with `pipes` their attached pipes too. */
  *#actors(pipes: boolean): Generator<Actor<AnyStateMachine>> {
    for (const socket of this.#sockets) {
      yield socket.actor as Actor<AnyStateMachine>;
      for (const id of socket.endpoints) {
        const endpoint = socket.endpoint(id) as EndpointRecord | undefined;
        if (endpoint === undefined) continue;
        yield endpoint.actor;
        if (pipes) yield* endpoint.pipes.values() as Iterable<Actor<AnyStateMachine>>;
      }
    }
  }

  /** A fresh pipe id; ids are never reused. */
  nextPipeId(): number {
    return this.#nextPipeId++;
  }

  /** Whether `term()` has been called. */
  get terminated(): boolean {
    return this.#terminated;
  }

  /**
   * Closes every socket at once (no linger); blocked calls fail with ETERM,
   * and so does every later call. Resolves when all are closed.
   */
  async term(): Promise<void> {
    this.#terminated = true;
    await Promise.all([...this.#sockets].map((s) => s.terminate()));
  }
}

const inspections = new WeakMap<Runtime, RuntimeInspection>();

/**
 * Starts an actor of one of a runtime's machines on the runtime's clock,
 * with an optional inspector, and registers who it is (a pipe's identity
 * is read from its input instead). Internal to the core.
 */
export function startActor(
  runtime: Runtime,
  machine: MachineDefinition,
  input: unknown,
  identity: ActorIdentity | undefined,
  inspect?: Inspector,
  owner?: AnyActorRef,
): Actor<AnyStateMachine> {
  // With an owner the actor joins the owner's actor system, and so its
  // inspector, instead of making a system of its own (~2 KB per pipe). It
  // still reports to the owner by explicit events only.
  //
  // An owned actor's id is its machine's id, the same for every actor of
  // that kind: XState tells the parent a child is done with an event named
  // after the child's id, and memoizes transition candidates per event name
  // on the parent's (shared) state nodes. A unique id per pipe would add
  // one entry per finished pipe, forever (~220 B a connection). A root
  // actor has no parent to tell: its id is its readable name.
  if (identity !== undefined) registerActorInput(input, identity);
  const actor = createActor(machine as AnyStateMachine, {
    input,
    clock: runtime.clock,
    ...(owner
      ? { parent: owner, id: machine.id }
      : { ...(identity ? { id: identity.name } : {}), ...(inspect ? { inspect } : {}) }),
  } as never);
  if (owner === undefined) inspections.get(runtime)?.adopt(actor);
  actor.start();
  return actor;
}
