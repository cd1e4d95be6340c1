/**
 * Who an actor is: every machine actor a runtime starts (socket, listener,
 * dialer, pipe) is registered here with its readable name and its place
 * in the topology, so an XState inspection event can be told apart
 * without XState's session ids (`x:7`) or its internals. Root actors
 * (sockets and endpoints) also carry their name as their XState `id`;
 * pipes keep the constant id `pipe` (a unique id per pipe would grow
 * XState's transition cache by one entry per connection), so their name
 * comes from here.
 *
 * @module
 */

/**
 * The kinds of actors a runtime runs: the core's, and `protocol` for a
 * machine a protocol runs for its socket (`ProtocolHost.startMachine`,
 * e.g. a SURVEYOR's survey).
 */
export type ActorKind = "socket" | "listener" | "dialer" | "pipe" | "protocol";

/** What an actor of a runtime is. */
export interface ActorIdentity {
  /** Which machine it runs. */
  readonly kind: ActorKind;
  /**
   * Its readable name, as events and statistics use it: `socket#3(req)`,
   * `listener#1 tcp://127.0.0.1:5555` (with the port a listener really got
   * once it is bound), `pipe#17 tcp 127.0.0.1:5555⇄127.0.0.1:40122`,
   * `socket#4(surveyor) survey#1`.
   */
  readonly name: string;
  /** The id of its socket (for a socket, its own). */
  readonly socket: number;
  /** The id of its endpoint within the socket (endpoints and pipes). */
  readonly endpoint?: number;
  /** The pipe's id, unique within the runtime (pipes). */
  readonly pipe?: number;
  /** The number of a protocol's machine within its socket (protocol machines). */
  readonly machine?: number;
}

/** An identity whose name can change (a listener's, once bound). Internal to the core. */
export interface MutableActorIdentity extends ActorIdentity {
  name: string;
}

/**
 * Where an actor's identity is kept: on the input object it is started
 * with, so it is known from the moment XState makes the actor (XState
 * announces new actors from their constructor) and goes with the actor.
 * (Not a WeakMap: its table would keep the high-water mark of the
 * connections that ended between two full collections.)
 */
const IDENTITY: unique symbol = Symbol("sp.actorIdentity");

/**
 * Marks the input object of an actor about to be started (an object of
 * its own) with the actor's identity; an input that is no object cannot
 * carry one. Internal to the core.
 */
export function registerActorInput(input: unknown, identity: ActorIdentity): void {
  if (typeof input === "object" && input !== null) (input as { [IDENTITY]?: ActorIdentity })[IDENTITY] = identity;
}

/**
 * Who an actor is, given an XState actor ref (e.g. an inspection event's
 * `actorRef`).
 *
 * @example Usage
 * ```ts
 * import { actorIdentity, type MachineInspectionEvent, openSocket } from "@sp/nanomsg";
 * const names = new Set<string>();
 * const inspect = (event: MachineInspectionEvent) => {
 *   const identity = actorIdentity(event.actorRef);
 *   if (identity !== undefined) names.add(`${identity.kind}: ${identity.name}`);
 * };
 * await using pull = openSocket("pull", { inspect });
 * await pull.listen("inproc://identity-doc");
 * console.log([...names]); // ["socket: socket#…(pull)", "listener: listener#1 inproc://identity-doc"]
 * ```
 *
 * @param actorRef an actor of one of our machines
 * @returns its identity, or undefined for an actor a runtime did not start
 */
export function actorIdentity(actorRef: unknown): ActorIdentity | undefined {
  if (typeof actorRef !== "object" || actorRef === null) return undefined;
  const input = (actorRef as { options?: { input?: unknown } }).options?.input;
  if (typeof input !== "object" || input === null) return undefined;
  return (input as { [IDENTITY]?: ActorIdentity })[IDENTITY] ?? pipeIdentity(input as PipeInput);
}

/** What a pipe machine's input holds that names it. */
interface PipeInput {
  readonly pipe?: { readonly id?: unknown; readonly name?: unknown; readonly endpoint?: unknown };
  readonly owner?: unknown;
}

/**
 * A pipe's identity, made from its machine's input (the pipe, and the
 * endpoint actor that owns it, which knows the socket) when asked: pipes
 * are many, and carry nothing extra for this.
 */
function pipeIdentity(input: PipeInput): ActorIdentity | undefined {
  const pipe = input.pipe;
  if (
    typeof pipe !== "object" || pipe === null || typeof pipe.id !== "number" || typeof pipe.name !== "string" ||
    typeof pipe.endpoint !== "number"
  ) {
    return undefined;
  }
  const owner = actorIdentity(input.owner);
  if (owner === undefined || (owner.kind !== "listener" && owner.kind !== "dialer")) return undefined;
  return { kind: "pipe", name: pipe.name, socket: owner.socket, endpoint: pipe.endpoint, pipe: pipe.id };
}

/**
 * An actor's readable name: `socket#3(req)`, `dialer#2 tcp://host:5555`,
 * `pipe#17 tcp 127.0.0.1:5555⇄127.0.0.1:40122`.
 *
 * @example Usage
 * ```ts
 * import { actorName, openSocket } from "@sp/nanomsg";
 * await using pair = openSocket("pair");
 * console.log(actorName(pair.actor)); // "socket#…(pair)"
 * ```
 *
 * @param actorRef an actor of one of our machines
 * @returns the name, or undefined for an actor a runtime did not start
 */
export function actorName(actorRef: unknown): string | undefined {
  return actorIdentity(actorRef)?.name;
}
