/**
 * Diagrams of the state machines, drawn from their definitions: the
 * serializable machine-graph model, Mermaid text, an ELK layout and an SVG
 * renderer, and the browser module that draws a machine and highlights the
 * state an actor is in. Import it as `@sp/nanomsg/inspect`; the main entry
 * point does not load it (nor its layout engine).
 *
 * @example Usage
 * ```ts
 * import { registerBuiltins, Runtime } from "@sp/nanomsg";
 * import { layoutMachine, machineGraph, renderSvg, runtimeMachines, toMermaid } from "@sp/nanomsg/inspect";
 *
 * const runtime = registerBuiltins(new Runtime());
 * for (const { id, definition } of runtimeMachines(runtime)) {
 *   const graph = machineGraph(definition);
 *   const mermaid = toMermaid(graph); // a stateDiagram-v2
 *   const svg = renderSvg(await layoutMachine(graph));
 *   console.log(id, mermaid.length, svg.length);
 * }
 * ```
 *
 * @module
 */

export {
  type MachineGraph,
  machineGraph,
  type MachineState,
  type MachineStateType,
  type MachineTransition,
  stateDetails,
  transitionLabel,
  type TransitionTrigger,
} from "./graph.ts";
export { layoutMachine } from "./layout.ts";
export {
  CHAR_WIDTH,
  type EdgeLabel,
  type EdgeRoute,
  labelLines,
  LINE_HEIGHT,
  type MachineLayout,
  type Marker,
  PAD_X,
  PAD_Y,
  type StateBox,
} from "./layout_model.ts";
export { type RegisteredMachine, runtimeMachines } from "./machines.ts";
export { toMermaid } from "./mermaid.ts";
export { activeStateIds, DIAGRAM_STYLE, escapeXml, renderSvg, type SvgOptions } from "./svg.ts";
export { type MachineView, mountMachine, type ViewElement } from "./view.ts";
export { MACHINE_VIEW_SCRIPT } from "./view_bundle.ts";
