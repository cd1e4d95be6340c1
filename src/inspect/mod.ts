/**
 * Seeing the machines: the live web inspector ({@linkcode serveInspector}:
 * topology, each actor's state on its machine's diagram, lifecycle
 * timelines, counters and rates, served on 127.0.0.1 with no CDN), its
 * text report (`deno task top`), and the diagrams of the state machines,
 * drawn from their definitions: the serializable machine-graph model,
 * Mermaid text, an ELK layout and an SVG renderer, and the browser module
 * that draws a machine and highlights the state an actor is in. Import it
 * as `@sp/nanomsg/inspect`; the main entry point does not load it (nor
 * its layout engine).
 *
 * @example The live inspector
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * import { serveInspector } from "@sp/nanomsg/inspect";
 *
 * await using ui = await serveInspector(); // 127.0.0.1, any free port
 * console.log(`open ${ui.url}`);
 * await using rep = openSocket("rep");
 * await rep.listen("tcp://127.0.0.1:0");
 * ```
 *
 * @example Diagrams
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
export { ActorLog, type ActorLogOptions, eventLabel, stateText } from "./actor_log.ts";
export {
  type ActorsFrame,
  type ActorView,
  endpointKey,
  type HelloFrame,
  pipeKey,
  protocolMachineKey,
  type Rates,
  socketKey,
  type StatsFrame,
  type TimelineEntry,
} from "./live_types.ts";
export { type RegisteredMachine, runtimeMachines } from "./machines.ts";
export { INSPECTOR_SCRIPT } from "./page_bundle.ts";
export { computeRates, type TrafficSample, trafficSample } from "./rates.ts";
export {
  formatBytes,
  formatCount,
  formatDrops,
  formatQueues,
  formatRates,
  formatTime,
  lastDetail,
  renderReport,
  type ReportOptions,
} from "./report.ts";
export { type InspectorOptions, type InspectorServer, isLoopback, serveInspector } from "./server.ts";
export {
  buildTopology,
  type EndpointNode,
  type LiveState,
  matchesFilter,
  type PipeNode,
  type SocketNode,
} from "./topology.ts";
export { toMermaid } from "./mermaid.ts";
export { activeStateIds, DIAGRAM_STYLE, escapeXml, renderSvg, type SvgOptions } from "./svg.ts";
export { type MachineView, mountMachine, type ViewElement } from "./view.ts";
export { MACHINE_VIEW_SCRIPT } from "./view_bundle.ts";
