/**
 * The machine-graph model: a plain, serializable picture of one XState
 * machine definition (states with their nesting, initial and final states,
 * and every transition with its trigger, guard, actions and delay), read
 * from the definition itself. Diagrams, the SVG renderer and the inspector
 * page all draw from it, so none of them keeps a hand-drawn copy.
 *
 * @module
 */

import type { AnyStateMachine, AnyStateNode } from "../core/xstate.ts";
import type { MachineDefinition } from "../core/runtime.ts";

/** The kind of a state, as XState names it. */
export type MachineStateType = "atomic" | "compound" | "parallel" | "final" | "history";

/** One state of a machine, with its children. */
export interface MachineState {
  /** XState's id of the state node: `"pipe.handshaking"`, `"socket.closing.lingering"`. */
  readonly id: string;
  /** The state's key in its parent (the machine id for the root). */
  readonly key: string;
  /** The keys from the root down to this state, as in a snapshot's `value` (`[]` for the root). */
  readonly path: readonly string[];
  /** The kind of state. */
  readonly type: MachineStateType;
  /** The id of the child entered first, for a compound state. */
  readonly initial?: string;
  /** Named actions run on entry. */
  readonly entry: readonly string[];
  /** Named actions run on exit. */
  readonly exit: readonly string[];
  /** The named actors (`src`) the state invokes while it is active. */
  readonly invoke: readonly string[];
  /** The state's children, in definition order. */
  readonly children: readonly MachineState[];
}

/** What makes a transition fire. */
export type TransitionTrigger =
  | { readonly kind: "event"; readonly event: string }
  | { readonly kind: "after"; readonly delay: string; readonly ms?: number }
  | { readonly kind: "always" }
  | { readonly kind: "done" | "error" | "snapshot"; readonly invoke: string }
  | { readonly kind: "stateDone" };

/** One transition of a machine. */
export interface MachineTransition {
  /** Unique in its graph, stable across runs: `"<source id>#<n>"`. */
  readonly id: string;
  /** The id of the state that has the transition. */
  readonly source: string;
  /** The ids of the target states; empty for a transition that only runs actions. */
  readonly targets: readonly string[];
  /** What fires it. */
  readonly trigger: TransitionTrigger;
  /** The guard's name (or expression of named guards), if any. */
  readonly guard?: string;
  /** The named actions it runs. */
  readonly actions: readonly string[];
  /** Whether a transition to its own state exits and re-enters it. */
  readonly reenter: boolean;
  /** The edge label: `event [guard] / action, action`. */
  readonly label: string;
}

/** A machine definition as a graph: its state tree and its transitions. */
export interface MachineGraph {
  /** The machine's id, e.g. `"pipe"`. */
  readonly id: string;
  /** The root state (id = the machine id), holding the whole tree. */
  readonly root: MachineState;
  /** Every transition, in definition order (source state by state). */
  readonly transitions: readonly MachineTransition[];
}

/**
 * Reads a machine definition into a {@linkcode MachineGraph}.
 *
 * @example Usage
 * ```ts
 * import { Runtime } from "@sp/nanomsg";
 * import { machineGraph } from "./graph.ts";
 * const graph = machineGraph(new Runtime().machines.pipe);
 * console.log(graph.root.initial); // "pipe.handshaking"
 * ```
 *
 * @param definition an XState machine made with `setup(...).createMachine(...)`
 * @returns the graph, plain data that survives `JSON.stringify`
 * @throws {TypeError} when `definition` is not an XState machine
 */
export function machineGraph(definition: MachineDefinition): MachineGraph {
  const machine = definition as unknown as AnyStateMachine;
  if (typeof machine.root !== "object" || machine.root === null) {
    throw new TypeError(`machine ${String(definition.id)} is not an XState state machine`);
  }
  const delays = (machine.implementations?.delays ?? {}) as Record<string, unknown>;
  const transitions: MachineTransition[] = [];
  const root = readState(machine.root, delays, transitions);
  return { id: machine.id, root, transitions };
}

function readState(node: AnyStateNode, delays: Record<string, unknown>, out: MachineTransition[]): MachineState {
  let count = 0;
  const add = (trigger: TransitionTrigger, definitions: readonly TransitionDefinitionLike[] | undefined) => {
    for (const definition of definitions ?? []) {
      out.push(transition(node, `${node.id}#${count++}`, trigger, definition));
    }
  };
  const config = node.config;
  for (const event of Object.keys(config.on ?? {})) add({ kind: "event", event }, node.transitions.get(event));
  if (node.always) add({ kind: "always" }, node.always);
  for (const delayed of node.after) {
    const delay = String(delayed.delay);
    const value = delays[delay];
    const ms = typeof delayed.delay === "number" ? delayed.delay : typeof value === "number" ? value : undefined;
    add(ms === undefined ? { kind: "after", delay } : { kind: "after", delay, ms }, [delayed]);
  }
  for (const invoke of node.invoke) {
    const src = String(invoke.src);
    add({ kind: "done", invoke: src }, node.transitions.get(`xstate.done.actor.${invoke.id}`));
    add({ kind: "error", invoke: src }, node.transitions.get(`xstate.error.actor.${invoke.id}`));
    add({ kind: "snapshot", invoke: src }, node.transitions.get(`xstate.snapshot.${invoke.id}`));
  }
  add({ kind: "stateDone" }, node.transitions.get(`xstate.done.state.${node.id}`));

  const children = Object.values(node.states as Record<string, AnyStateNode>).map((child) =>
    readState(child, delays, out)
  );
  const initial = node.type === "compound" ? node.initial?.target?.[0]?.id : undefined;
  return {
    id: node.id,
    key: node.parent ? node.key : node.machine.id,
    path: [...node.path],
    type: node.type,
    ...(initial === undefined ? {} : { initial }),
    // From the config: XState adds its own raise/cancel actions for `after` to node.entry/exit.
    entry: toArray(config.entry).map(actionName),
    exit: toArray(config.exit).map(actionName),
    invoke: node.invoke.map((invoke) => String(invoke.src)),
    children,
  };
}

interface TransitionDefinitionLike {
  readonly target?: readonly AnyStateNode[] | undefined;
  readonly guard?: unknown;
  readonly actions: readonly unknown[];
  readonly reenter?: boolean;
}

function transition(
  node: AnyStateNode,
  id: string,
  trigger: TransitionTrigger,
  definition: TransitionDefinitionLike,
): MachineTransition {
  const guard = definition.guard === undefined ? undefined : guardName(definition.guard);
  const actions = definition.actions.map(actionName);
  const targets = (definition.target ?? []).map((target) => target.id);
  return {
    id,
    source: node.id,
    targets,
    trigger,
    ...(guard === undefined ? {} : { guard }),
    actions,
    reenter: definition.reenter ?? false,
    label: transitionLabel(trigger, guard, actions),
  };
}

/**
 * The text of a transition's label: `trigger [guard] / action, action`.
 *
 * @example Usage
 * ```ts
 * import { transitionLabel } from "./graph.ts";
 * console.log(transitionLabel({ kind: "done", invoke: "handshake" }, "peerMatches", []));
 * // "done: handshake [peerMatches]"
 * ```
 *
 * @param trigger what fires the transition
 * @param guard the guard's name, if any
 * @param actions the actions' names
 * @returns the label
 */
export function transitionLabel(
  trigger: TransitionTrigger,
  guard: string | undefined,
  actions: readonly string[],
): string {
  let label = triggerText(trigger);
  if (guard !== undefined) label += ` [${guard}]`;
  if (actions.length > 0) label += ` / ${actions.join(", ")}`;
  return label;
}

function triggerText(trigger: TransitionTrigger): string {
  switch (trigger.kind) {
    case "event":
      return trigger.event;
    case "after":
      if (String(trigger.ms) === trigger.delay) return `after ${trigger.ms} ms`;
      return trigger.ms === undefined ? `after ${trigger.delay}` : `after ${trigger.delay} (${trigger.ms} ms)`;
    case "always":
      return "always";
    case "stateDone":
      return "done";
    default:
      return `${trigger.kind}: ${trigger.invoke}`;
  }
}

/**
 * The lines written inside each state: entry and exit actions, invoked
 * actors, and the transitions that only run actions (no target), keyed by
 * state id.
 *
 * @example Usage
 * ```ts
 * import { Runtime } from "@sp/nanomsg";
 * import { machineGraph, stateDetails } from "./graph.ts";
 * const details = stateDetails(machineGraph(new Runtime().machines.pipe));
 * console.log(details.get("pipe.handshaking")); // ["invoke handshake"]
 * ```
 *
 * @param graph the machine graph
 * @returns the lines per state id; states without any are left out
 */
export function stateDetails(graph: MachineGraph): Map<string, string[]> {
  const internal = new Map<string, string[]>();
  for (const transition of graph.transitions) {
    if (transition.targets.length > 0) continue;
    internal.set(transition.source, [...(internal.get(transition.source) ?? []), transition.label]);
  }
  const details = new Map<string, string[]>();
  const visit = (state: MachineState) => {
    const lines = [
      ...(state.entry.length > 0 ? [`entry / ${state.entry.join(", ")}`] : []),
      ...state.invoke.map((src) => `invoke ${src}`),
      ...(state.exit.length > 0 ? [`exit / ${state.exit.join(", ")}`] : []),
      ...(internal.get(state.id) ?? []),
    ];
    if (lines.length > 0) details.set(state.id, lines);
    state.children.forEach(visit);
  };
  visit(graph.root);
  return details;
}

function toArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

// A named action is a string or `{ type }`; XState's built-ins (assign,
// raise …) are functions with a `type` like "xstate.assign".
function actionName(action: unknown): string {
  if (typeof action === "string") return action;
  const type = (action as { type?: unknown } | null)?.type;
  if (typeof type === "string") return type.replace(/^xstate\./, "");
  return "(inline)";
}

// A named guard is a string or `{ type }`; not/and/or/stateIn are functions
// carrying the guards they combine.
function guardName(guard: unknown): string {
  if (typeof guard === "string") return guard;
  if (typeof guard === "object" && guard !== null && typeof (guard as { type?: unknown }).type === "string") {
    return (guard as { type: string }).type;
  }
  if (typeof guard === "function") {
    const combined = guard as { guards?: unknown[]; stateValue?: unknown; name: string };
    const parts = (combined.guards ?? []).map(guardName);
    if (combined.name === "not" && parts.length === 1) return `!${parts[0]}`;
    if (combined.name === "and") return `(${parts.join(" && ")})`;
    if (combined.name === "or") return `(${parts.join(" || ")})`;
    if (combined.name === "stateIn") return `in(${JSON.stringify(combined.stateValue)})`;
  }
  return "(inline)";
}
