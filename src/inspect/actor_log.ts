/**
 * The inspector's record of a runtime's actors, fed by
 * `runtime.inspect()`: each socket, endpoint and pipe with its current
 * state and a short timeline of its lifecycle changes (the state entered,
 * the event that caused it, and why: the error that ended a connection,
 * the delay before a reconnect or the end of a linger). Delays are read
 * from the machine definitions themselves (the `after` transitions of the
 * states entered and the machine's named delays), so nothing here knows
 * one machine from another. Actors that ended stay for a while, so a page
 * can still show how a connection closed.
 *
 * @module
 */

import { actorIdentity } from "../core/actor_identity.ts";
import { type PlainValue, plainValue } from "../core/inspection_record.ts";
import type { MachineDefinition, MachineInspectionEvent, Runtime } from "../core/runtime.ts";
import { PRESENT_EVENT_TYPE } from "../core/runtime_inspection.ts";
import { type MachineGraph, machineGraph, type MachineState, type MachineTransition } from "./graph.ts";
import {
  type ActorView,
  endpointKey,
  pipeKey,
  protocolMachineKey,
  socketKey,
  type TimelineEntry,
} from "./live_types.ts";

/** Settings of an {@linkcode ActorLog}. */
export interface ActorLogOptions {
  /** Timeline entries kept per actor (default 40). */
  timelineLength?: number;
  /** Ended actors kept (default 200). */
  keepEnded?: number;
  /** Called when an actor changed (to schedule sending the changes). */
  onChange?: () => void;
  /** The wall clock for the timeline (default `Date.now`). */
  now?: () => number;
}

interface Entry {
  key: string;
  kind: ActorView["kind"];
  machine: string;
  name: () => string;
  socket: number;
  endpoint: number | undefined;
  pipe: number | undefined;
  machineNumber: number | undefined;
  value: PlainValue;
  state: string;
  status: string;
  since: number;
  ended: number | undefined;
  timeline: TimelineEntry[];
  /** The ids of the states it is in. */
  active: Set<string>;
}

interface RawSnapshot {
  readonly value?: unknown;
  readonly status?: string;
  readonly context?: Record<string, unknown>;
  readonly error?: unknown;
}

interface LogicLike {
  readonly id?: string;
  readonly implementations?: { readonly delays?: Record<string, unknown> };
}

/** What the log knows of a machine: its graph and its states by path. */
interface MachineFacts {
  readonly graph: MachineGraph;
  readonly byPath: Map<string, string>;
  readonly delays: Record<string, unknown>;
}

/**
 * Keeps the state and lifecycle timeline of every actor of a runtime.
 *
 * @example Usage
 * ```ts
 * import { registerBuiltins, Runtime } from "@sp/nanomsg";
 * import { ActorLog } from "./actor_log.ts";
 * const runtime = registerBuiltins(new Runtime());
 * const log = new ActorLog(runtime);
 * await using pull = runtime.socket("pull");
 * await pull.listen("inproc://actor-log-doc");
 * console.log(log.views().map((actor) => `${actor.name}: ${actor.state}`));
 * // ["socket#1(pull): open", "listener#1 inproc://actor-log-doc: listening"]
 * log.close();
 * ```
 */
export class ActorLog {
  readonly #live = new Map<object, Entry>();
  readonly #ended: Entry[] = [];
  readonly #changed = new Set<Entry>();
  readonly #facts = new Map<object, MachineFacts>();
  readonly #timelineLength: number;
  readonly #keepEnded: number;
  readonly #onChange: () => void;
  readonly #now: () => number;
  readonly #stop: () => void;

  /**
   * Starts observing `runtime` (its actors running now included).
   *
   * @param runtime the runtime to watch
   * @param options sizes and the change callback
   */
  constructor(runtime: Runtime, options: ActorLogOptions = {}) {
    this.#timelineLength = options.timelineLength ?? 40;
    this.#keepEnded = options.keepEnded ?? 200;
    this.#onChange = options.onChange ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#stop = runtime.inspect((event) => this.#observe(event));
  }

  /** Stops observing. */
  close(): void {
    this.#stop();
  }

  /** Every actor: running ones, then those that ended (oldest first). */
  views(): ActorView[] {
    return [...this.#live.values(), ...this.#ended].map(view);
  }

  /** The actors that changed since the last call, and forgets the changes. */
  takeChanges(): ActorView[] {
    const changed = [...this.#changed].map(view);
    this.#changed.clear();
    return changed;
  }

  /** How many changes wait for {@linkcode ActorLog.takeChanges}. */
  get pendingChanges(): number {
    return this.#changed.size;
  }

  #observe(event: MachineInspectionEvent): void {
    if (event.type !== "@xstate.actor" && event.type !== "@xstate.snapshot") return;
    const actor = event.actorRef as object;
    let entry = this.#live.get(actor);
    if (entry === undefined) {
      const made = this.#track(actor);
      if (made === undefined) return;
      entry = made;
    }
    if (event.type === "@xstate.snapshot") {
      const raw = event as unknown as { readonly snapshot: RawSnapshot; readonly event?: { readonly type?: unknown } };
      this.#update(actor, entry, raw.snapshot, raw.event as Record<string, unknown> | undefined);
    }
  }

  /** Starts an entry for one of our actors; undefined for invoked helpers and foreign actors. */
  #track(actor: object): Entry | undefined {
    const identity = actorIdentity(actor);
    if (identity === undefined) return undefined;
    const logic = (actor as { logic?: LogicLike }).logic;
    const key = identity.kind === "socket"
      ? socketKey(identity.socket)
      : identity.kind === "pipe"
      ? pipeKey(identity.pipe ?? 0)
      : identity.kind === "protocol"
      ? protocolMachineKey(identity.socket, identity.machine ?? 0)
      : endpointKey(identity.socket, identity.endpoint ?? 0);
    const entry: Entry = {
      key,
      kind: identity.kind,
      machine: logic?.id ?? identity.kind,
      name: () => identity.name,
      socket: identity.socket,
      endpoint: identity.endpoint,
      pipe: identity.pipe,
      machineNumber: identity.machine,
      value: null,
      state: "",
      status: "active",
      since: this.#now(),
      ended: undefined,
      timeline: [],
      active: new Set(),
    };
    this.#live.set(actor, entry);
    this.#changed.add(entry);
    this.#onChange();
    return entry;
  }

  #update(actor: object, entry: Entry, snapshot: RawSnapshot, cause: Record<string, unknown> | undefined): void {
    const state = stateText(snapshot.value);
    const status = snapshot.status ?? "active";
    if (state === entry.state && status === entry.status) return;
    entry.value = plainValue(snapshot.value ?? null);
    const at = this.#now();
    const error = failure(cause, snapshot);
    const detail = [error, ...this.#delays(actor, entry, snapshot, cause)]
      .filter((part) => part !== undefined).join("; ");
    const line: TimelineEntry = {
      at,
      state: status === "active" || status === "done" ? state : `${state} (${status})`,
      event: eventLabel(cause?.type),
      ...(detail === "" ? {} : { detail }),
      ...(error === undefined || error === NO_ERROR ? {} : { failed: true }),
    };
    entry.timeline.push(line);
    if (entry.timeline.length > this.#timelineLength) entry.timeline.shift();
    entry.state = state;
    entry.status = status;
    if (status !== "active") this.#end(actor, entry, at);
    this.#changed.add(entry);
    this.#onChange();
  }

  #end(actor: object, entry: Entry, at: number): void {
    entry.ended = at;
    // Keep the last name (a listener's with its port) without the actor.
    const name = entry.name();
    entry.name = () => name;
    this.#live.delete(actor);
    this.#ended.push(entry);
    if (this.#ended.length > this.#keepEnded) this.#ended.shift();
  }

  /** The delays of the `after` transitions out of the states just entered, e.g. `reconnectDelay 200 ms`. */
  #delays(actor: object, entry: Entry, snapshot: RawSnapshot, cause: Record<string, unknown> | undefined): string[] {
    const facts = this.#machineFacts(actor);
    if (facts === undefined) return [];
    const now = activeIds(facts, snapshot.value);
    const entered = new Set(now.filter((id) => !entry.active.has(id)));
    entry.active = new Set(now);
    const out: string[] = [];
    for (const transition of facts.graph.transitions) {
      if (transition.trigger.kind !== "after" || !entered.has(transition.source)) continue;
      const ms = delayOf(transition, facts.delays, snapshot.context, cause);
      out.push(`${transition.trigger.delay} ${ms === undefined ? "?" : `${Math.round(ms)} ms`}`);
    }
    return out;
  }

  #machineFacts(actor: object): MachineFacts | undefined {
    const logic = (actor as { logic?: LogicLike }).logic;
    if (logic === undefined || typeof logic !== "object") return undefined;
    let facts = this.#facts.get(logic);
    if (facts === undefined) {
      try {
        const graph = machineGraph(logic as unknown as MachineDefinition);
        const byPath = new Map<string, string>();
        const visit = (state: MachineState) => {
          byPath.set(JSON.stringify(state.path), state.id);
          state.children.forEach(visit);
        };
        visit(graph.root);
        facts = { graph, byPath, delays: logic.implementations?.delays ?? {} };
      } catch {
        return undefined;
      }
      this.#facts.set(logic, facts);
    }
    return facts;
  }
}

function view(entry: Entry): ActorView {
  return {
    key: entry.key,
    kind: entry.kind,
    machine: entry.machine,
    name: entry.name(),
    socket: entry.socket,
    ...(entry.endpoint === undefined ? {} : { endpoint: entry.endpoint }),
    ...(entry.pipe === undefined ? {} : { pipe: entry.pipe }),
    ...(entry.machineNumber === undefined ? {} : { machineNumber: entry.machineNumber }),
    value: entry.value,
    state: entry.state,
    status: entry.status,
    since: entry.since,
    ...(entry.ended === undefined ? {} : { ended: entry.ended }),
    timeline: [...entry.timeline],
  };
}

/**
 * A snapshot value as text: `"active"`, `"closing.lingering"`, and for
 * parallel states `"a.x, b.y"`.
 *
 * @param value a snapshot's `value`
 * @returns the text
 */
export function stateText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) return "";
  return Object.entries(value).map(([key, child]) => {
    const inner = stateText(child);
    return inner === "" ? key : `${key}.${inner}`;
  }).join(", ");
}

/**
 * A short label for the event behind a change: XState's own events
 * shortened (`xstate.done.actor.0.pipe.handshaking` → `done: handshaking`,
 * `xstate.after.reconnectDelay.dialer.waiting` → `after reconnectDelay`),
 * ours as they are.
 *
 * @param type the event's type
 * @returns the label
 */
export function eventLabel(type: unknown): string {
  if (typeof type !== "string") return "";
  if (type === "xstate.init") return "start";
  if (type === PRESENT_EVENT_TYPE) return "(running when the inspector started)";
  const invoked = /^xstate\.(done|error)\.actor\.(?:.*\.)?([^.]+)$/.exec(type);
  if (invoked !== null) return `${invoked[1]}: ${invoked[2]}`;
  const after = /^xstate\.after\.([^.]+)\./.exec(type);
  if (after !== null) return `after ${after[1]}`;
  return type;
}

/** The ids of the states a value is in, the machine's own first. */
function activeIds(facts: MachineFacts, value: unknown): string[] {
  const ids: string[] = [];
  const visit = (path: string[], at: unknown) => {
    const id = facts.byPath.get(JSON.stringify(path));
    if (id === undefined) return;
    ids.push(id);
    if (typeof at === "string") visit([...path, at], undefined);
    else if (typeof at === "object" && at !== null) {
      for (const [key, child] of Object.entries(at)) visit([...path, key], child);
    }
  };
  if (value !== undefined) visit([], value);
  return ids;
}

/** A delay's length: fixed in the definition, or the machine's named delay applied to the context. */
function delayOf(
  transition: MachineTransition,
  delays: Record<string, unknown>,
  context: Record<string, unknown> | undefined,
  event: Record<string, unknown> | undefined,
): number | undefined {
  if (transition.trigger.kind !== "after") return undefined;
  if (transition.trigger.ms !== undefined) return transition.trigger.ms;
  const delay = delays[transition.trigger.delay];
  if (typeof delay === "number") return delay;
  if (typeof delay !== "function") return undefined;
  try {
    const ms = delay({ context, event });
    return typeof ms === "number" && Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** What an actor that ended without an error says. */
const NO_ERROR = "no error";

/** The error behind a change: the event's (`error`, `reason`), else the context's `reason` once the actor ended. */
function failure(event: Record<string, unknown> | undefined, snapshot: RawSnapshot): string | undefined {
  const fromEvent = errorText(event?.error) ?? errorText(event?.reason);
  if (fromEvent !== undefined) return fromEvent;
  if (snapshot.status === "error") return errorText(snapshot.error) ?? "error";
  const reason = errorText(snapshot.context?.reason) ?? errorText(snapshot.context?.error);
  if (reason !== undefined) return reason;
  return snapshot.status === "done" ? NO_ERROR : undefined;
}

function errorText(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
  }
  return typeof error === "string" ? error : undefined;
}
