/**
 * A machine graph as a Mermaid `stateDiagram-v2`: nested states, the
 * initial state of every compound state (`[*] -->`), final states
 * (`--> [*]`), one edge per transition labelled `trigger [guard] /
 * actions`, and inside each state its entry/exit actions, invoked actors
 * and the transitions that only run actions. The output depends on the
 * graph alone (no ids or times of its own), so regenerating it from the
 * same definitions gives the same bytes.
 *
 * @module
 */

import { type MachineGraph, type MachineState, stateDetails } from "./graph.ts";

/**
 * Writes a Mermaid `stateDiagram-v2` of a machine graph.
 *
 * @example Usage
 * ```ts
 * import { Runtime } from "@sp/nanomsg";
 * import { machineGraph } from "./graph.ts";
 * import { toMermaid } from "./mermaid.ts";
 * const text = toMermaid(machineGraph(new Runtime().machines.pipe));
 * console.log(text.split("\n")[0]); // "stateDiagram-v2"
 * ```
 *
 * @param graph the machine graph
 * @returns the diagram text, ending with a newline
 */
export function toMermaid(graph: MachineGraph): string {
  const used = new Set<string>();
  const names = mermaidIds(graph.root, used);
  const name = (id: string) => names.get(id)!;
  const details = stateDetails(graph);
  const states = new Map<string, MachineState>();
  const visit = (state: MachineState) => {
    states.set(state.id, state);
    state.children.forEach(visit);
  };
  visit(graph.root);

  // A compound state's transitions to itself or its own states leave from
  // an "any state" pseudo-state inside it: Mermaid cannot draw an edge from
  // a composite state into itself.
  const anyStates = new Map<string, string>();
  const edges: string[] = [];
  for (const transition of graph.transitions) {
    const source = states.get(transition.source)!;
    for (const target of transition.targets) {
      let from = name(source.id);
      if (source.children.length > 0 && isWithin(states.get(target)!, source)) {
        from = anyStates.get(source.id) ?? uniqueId(`${from}__any`, used);
        anyStates.set(source.id, from);
      }
      edges.push(`  ${from} --> ${name(target)} : ${escapeText(transition.label)}`);
    }
  }

  const lines = ["stateDiagram-v2"];
  const finals: string[] = [];
  const writeState = (state: MachineState, indent: string) => {
    const id = name(state.id);
    const text = details.get(state.id) ?? [];
    if (state.children.length === 0) {
      lines.push(`${indent}state "${escapeText(state.key)}" as ${id}`);
      for (const detail of text) lines.push(`${indent}${id} : ${escapeText(detail)}`);
      if (state.type === "final") finals.push(`${indent}${id} --> [*]`);
      return;
    }
    lines.push(`${indent}state "${escapeText(state.key)}" as ${id} {`);
    if (state.initial !== undefined) lines.push(`${indent}  [*] --> ${name(state.initial)}`);
    const any = anyStates.get(state.id);
    if (any !== undefined) lines.push(`${indent}  state "any state" as ${any}`);
    const childFinals = finals.length;
    for (const child of state.children) writeState(child, `${indent}  `);
    lines.push(...finals.splice(childFinals));
    lines.push(`${indent}}`);
    // Mermaid draws no text inside a composite state: a note carries it.
    if (text.length > 0) {
      lines.push(`${indent}note right of ${id}`);
      for (const detail of text) lines.push(`${indent}  ${escapeText(detail)}`);
      lines.push(`${indent}end note`);
    }
  };
  writeState(graph.root, "  ");
  lines.push(...edges);
  return `${lines.join("\n")}\n`;
}

function isWithin(state: MachineState, ancestor: MachineState): boolean {
  return state.id === ancestor.id || ancestor.children.some((child) => isWithin(state, child));
}
// Mermaid ids are plain words: the state id with anything else turned into
// "_", made unique by a counter (in tree order, so still deterministic).
function mermaidIds(root: MachineState, used: Set<string>): Map<string, string> {
  const ids = new Map<string, string>();
  const visit = (state: MachineState) => {
    ids.set(state.id, uniqueId(state.id.replace(/[^A-Za-z0-9_]/g, "_"), used));
    state.children.forEach(visit);
  };
  visit(root);
  return ids;
}

function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
  used.add(id);
  return id;
}

// Names come from user code (plug-in machines): keep Mermaid's syntax
// characters out of the text with its #code; entities.
function escapeText(text: string): string {
  return text.replace(/[#;"<>{}]/g, (c) => `#${c.charCodeAt(0)};`);
}
