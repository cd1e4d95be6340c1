/**
 * Lays out a machine graph with ELK (`npm:elkjs`, layered, top to bottom,
 * nested states laid out together with their parents) and returns a
 * {@linkcode MachineLayout}: plain data with every box, edge route and
 * label in one absolute coordinate system, ready for
 * {@linkcode renderSvg} on a server or in a browser. Text is sized for a
 * monospace font, so no text measuring (and no browser) is needed, and the
 * same graph always gives the same layout.
 *
 * @module
 */

import elkBundle from "elkjs/lib/elk.bundled.js";
import type { ELK, ElkExtendedEdge, ElkLabel, ElkNode } from "elkjs/lib/elk-api.js";
import { type MachineGraph, type MachineState, stateDetails } from "./graph.ts";
import {
  CHAR_WIDTH,
  type EdgeRoute,
  labelLines,
  LINE_HEIGHT,
  type MachineLayout,
  type Marker,
  PAD_X,
  PAD_Y,
  type StateBox,
} from "./layout_model.ts";

// The bundle is CommonJS: its module object is the constructor, which its
// type declarations (written for ESM) do not say.
const Elk = elkBundle as unknown as new () => ELK;

const MARKER_SIZE = 14;
const ANY_LABEL = "any state";

const ROOT_OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.edgeLabels.placement": "CENTER",
  "elk.spacing.nodeNode": "28",
  "elk.spacing.edgeNode": "16",
  "elk.spacing.edgeEdge": "12",
  "elk.spacing.edgeLabel": "4",
  "elk.layered.spacing.nodeNodeBetweenLayers": "36",
  "elk.layered.spacing.edgeNodeBetweenLayers": "16",
  "elk.layered.spacing.edgeEdgeBetweenLayers": "12",
  "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.randomSeed": "1",
  "elk.json.shapeCoords": "ROOT",
  "elk.json.edgeCoords": "ROOT",
  "elk.padding": "[top=8,left=8,bottom=8,right=8]",
};

/**
 * Computes the layout of a machine graph.
 *
 * @example Usage
 * ```ts
 * import { Runtime } from "@sp/nanomsg";
 * import { machineGraph } from "./graph.ts";
 * import { layoutMachine } from "./layout.ts";
 * const layout = await layoutMachine(machineGraph(new Runtime().machines.pipe));
 * console.log(layout.boxes.length); // 6: the machine and its five states
 * ```
 *
 * @param graph the machine graph
 * @returns boxes, markers and edge routes in absolute coordinates
 */
export async function layoutMachine(graph: MachineGraph): Promise<MachineLayout> {
  const details = stateDetails(graph);
  const states = new Map<string, MachineState>();
  const parents = new Map<string, string>();
  const visit = (state: MachineState) => {
    states.set(state.id, state);
    for (const child of state.children) {
      parents.set(child.id, state.id);
      visit(child);
    }
  };
  visit(graph.root);
  const isWithin = (id: string, ancestor: string): boolean => {
    for (let at: string | undefined = id; at !== undefined; at = parents.get(at)) if (at === ancestor) return true;
    return false;
  };

  // A transition from a compound state to itself or to one of its own
  // states leaves from an "any state" marker inside it: an edge from a box
  // to its own inside has no good drawing.
  const anyMarkers = new Set<string>();
  const edges: ElkExtendedEdge[] = [];
  const edgeLabels = new Map<string, string>();
  for (const transition of graph.transitions) {
    transition.targets.forEach((target, n) => {
      const compound = states.get(transition.source)!.children.length > 0;
      const fromInside = compound && isWithin(target, transition.source);
      if (fromInside) anyMarkers.add(transition.source);
      const id = `${transition.id}>${n}`;
      edgeLabels.set(id, transition.label);
      edges.push({
        id,
        sources: [fromInside ? anyId(transition.source) : transition.source],
        targets: [target],
        labels: [textLabel(transition.label)],
      });
    });
  }

  const node = (state: MachineState): ElkNode => {
    const lines = [state.key, ...(details.get(state.id) ?? [])];
    const width = textWidth(lines) + 2 * PAD_X;
    if (state.children.length === 0) {
      return { id: state.id, width, height: lines.length * LINE_HEIGHT + 2 * PAD_Y + (lines.length > 1 ? 4 : 0) };
    }
    const children: ElkNode[] = [];
    if (state.initial !== undefined) {
      children.push({ id: initialId(state.id), width: MARKER_SIZE, height: MARKER_SIZE });
      edges.push({ id: `${state.id}>initial`, sources: [initialId(state.id)], targets: [state.initial] });
    }
    if (anyMarkers.has(state.id)) {
      children.push({ id: anyId(state.id), width: textWidth([ANY_LABEL]) + 2 * PAD_X, height: LINE_HEIGHT + PAD_Y });
    }
    children.push(...state.children.map(node));
    const header = lines.length * LINE_HEIGHT + 2 * PAD_Y + 8;
    return {
      id: state.id,
      layoutOptions: {
        "elk.padding": `[top=${header},left=16,bottom=16,right=16]`,
        "elk.nodeSize.constraints": "MINIMUM_SIZE",
        "elk.nodeSize.minimum": `(${width}, ${header + 16})`,
      },
      children,
    };
  };

  const rootNode = node(graph.root);
  const elk = new Elk();
  const graphNode: ElkNode = { id: "__graph", layoutOptions: ROOT_OPTIONS, children: [rootNode], edges };
  const result: ElkNode = await elk.layout(graphNode);

  const boxes: StateBox[] = [];
  const markers: Marker[] = [];
  const collect = (laidOut: ElkNode, depth: number, parallel: boolean) => {
    for (const child of laidOut.children ?? []) {
      const rect = { x: round(child.x!), y: round(child.y!), width: round(child.width!), height: round(child.height!) };
      const state = states.get(child.id);
      if (state !== undefined) {
        boxes.push({
          state: state.id,
          path: state.path,
          key: state.key,
          type: state.type,
          depth,
          compound: state.children.length > 0,
          region: parallel,
          details: details.get(state.id) ?? [],
          ...rect,
        });
        collect(child, depth + 1, state.type === "parallel");
      } else {
        const [kind, of] = child.id.startsWith("initial:")
          ? ["initial", child.id.slice(8)] as const
          : ["any", child.id.slice(4)] as const;
        markers.push({ kind, of, ...(kind === "any" ? { label: ANY_LABEL } : {}), ...rect });
      }
    }
  };
  collect(result, 0, false);

  const routes: EdgeRoute[] = [];
  for (const edge of result.edges ?? []) {
    const section = edge.sections?.[0];
    if (section === undefined) continue;
    const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]
      .map((point) => [round(point.x), round(point.y)] as [number, number]);
    const [transition] = edge.id.split(">") as [string];
    const label = edge.labels?.[0];
    const text = edgeLabels.get(edge.id);
    routes.push({
      transition: edge.id.endsWith(">initial") ? undefined : transition,
      source: edge.sources[0]!,
      target: edge.targets[0]!,
      points,
      ...(label !== undefined && text !== undefined
        ? {
          label: {
            text,
            lines: labelLines(text),
            x: round(label.x!),
            y: round(label.y!),
            width: round(label.width!),
            height: round(label.height!),
          },
        }
        : {}),
    });
  }
  return {
    machine: graph.id,
    width: round(result.width!),
    height: round(result.height!),
    boxes,
    markers,
    edges: routes,
  };
}

function initialId(stateId: string): string {
  return `initial:${stateId}`;
}

function anyId(stateId: string): string {
  return `any:${stateId}`;
}

function textLabel(text: string): ElkLabel {
  const lines = labelLines(text);
  return { text, width: textWidth(lines) + 6, height: lines.length * LINE_HEIGHT + 2 };
}

function textWidth(lines: readonly string[]): number {
  return Math.ceil(Math.max(...lines.map((line) => line.length)) * CHAR_WIDTH);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
