/**
 * An independent reading of an XState machine's raw `config` (the object
 * passed to `createMachine`), written for the tests: it resolves targets
 * and names by itself instead of asking XState's state nodes, so the
 * machine-graph reader is checked against a second implementation.
 *
 * @module
 */

/** A transition found in the config. */
export interface ConfigTransition {
  /** The id of the state that has it. */
  source: string;
  /** `event`, `always`, `after <delay>`, `done: <src>`, `error: <src>`. */
  trigger: string;
  /** The resolved target state ids. */
  targets: string[];
  /** The guard's name. */
  guard: string | undefined;
  /** The action names. */
  actions: string[];
}

/** What the config holds. */
export interface ConfigFacts {
  /** Every state id, the machine first. */
  states: string[];
  /** Initial child per compound state id. */
  initials: Map<string, string>;
  /** Ids of final states. */
  finals: string[];
  /** Every transition. */
  transitions: ConfigTransition[];
}

type Config = Record<string, unknown>;

/** Reads states and transitions out of a machine config. */
export function walkConfig(config: Config): ConfigFacts {
  const machineId = String(config.id);
  const facts: ConfigFacts = { states: [], initials: new Map(), finals: [], transitions: [] };
  const visit = (state: Config, id: string, parent: string | undefined) => {
    facts.states.push(id);
    if (state.type === "final") facts.finals.push(id);
    const children = (state.states ?? {}) as Record<string, Config>;
    const childId = (key: string) => (children[key]?.id as string | undefined) ?? `${id}.${key}`;
    if (typeof state.initial === "string") facts.initials.set(id, childId(state.initial));
    const resolve = (target: string): string => {
      if (target.startsWith("#")) return target.slice(1);
      if (target.startsWith(".")) return childId(target.slice(1));
      if (parent === undefined) throw new Error(`a sibling target ${target} on the root`);
      return `${parent}.${target}`;
    };
    const add = (trigger: string, value: unknown) => {
      for (const item of Array.isArray(value) ? value : [value]) {
        const transition = (typeof item === "string" ? { target: item } : item) as Config;
        const targets = transition.target === undefined
          ? []
          : (Array.isArray(transition.target) ? transition.target : [transition.target]).map((t) => resolve(String(t)));
        const actions = transition.actions === undefined
          ? []
          : (Array.isArray(transition.actions) ? transition.actions : [transition.actions]).map(name);
        facts.transitions.push({
          source: id,
          trigger,
          targets,
          guard: transition.guard === undefined ? undefined : name(transition.guard),
          actions,
        });
      }
    };
    for (const [event, value] of Object.entries((state.on ?? {}) as Config)) add(event, value);
    if (state.always !== undefined) add("always", state.always);
    for (const [delay, value] of Object.entries((state.after ?? {}) as Config)) add(`after ${delay}`, value);
    const invokes = state.invoke === undefined ? [] : Array.isArray(state.invoke) ? state.invoke : [state.invoke];
    for (const invoke of invokes as Config[]) {
      if (invoke.onDone !== undefined) add(`done: ${invoke.src}`, invoke.onDone);
      if (invoke.onError !== undefined) add(`error: ${invoke.src}`, invoke.onError);
    }
    for (const [key, child] of Object.entries(children)) visit(child, childId(key), id);
  };
  visit(config, machineId, undefined);
  return facts;
}

function name(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && "type" in value) return String(value.type);
  throw new Error(`not a named action or guard: ${String(value)}`);
}
