/**
 * The laid-out machine: plain data (boxes, markers, edge routes and labels
 * in absolute coordinates) that {@linkcode layoutMachine} computes and the
 * SVG renderer draws. It has no dependencies, so the browser side of the
 * inspector can import it.
 *
 * @module
 */

/** Width of one character of the diagram font (monospace, 12 px), with room to spare. */
export const CHAR_WIDTH = 7.5;
/** Height of one line of text. */
export const LINE_HEIGHT = 16;
/** Space between a box's border and its text, left and right. */
export const PAD_X = 10;
/** Space between a box's border and its text, top and bottom. */
export const PAD_Y = 6;

/**
 * Splits a transition label for drawing: the trigger and guard on one
 * line, the actions on the next.
 *
 * @example Usage
 * ```ts
 * import { labelLines } from "./layout_model.ts";
 * console.log(labelLines("attach / attachDataPath")); // ["attach", "/ attachDataPath"]
 * ```
 *
 * @param label a transition label
 * @returns one or two lines
 */
export function labelLines(label: string): string[] {
  const cut = label.indexOf(" / ");
  return cut < 0 ? [label] : [label.slice(0, cut), label.slice(cut + 1)];
}

/** A state's box. */
export interface StateBox {
  /** The state id, e.g. `"pipe.active"`. */
  readonly state: string;
  /** The keys from the root down to the state, as in a snapshot's `value`. */
  readonly path: readonly string[];
  /** The state's key, its title. */
  readonly key: string;
  /** The kind of state. */
  readonly type: string;
  /** Nesting depth: 0 for the machine itself. */
  readonly depth: number;
  /** Whether it holds other states (its text is a header). */
  readonly compound: boolean;
  /** Whether it is a region of a parallel state (drawn dashed). */
  readonly region: boolean;
  /** The lines under the title: entry/exit actions, invoked actors, internal transitions. */
  readonly details: readonly string[];
  /** Left edge. */
  readonly x: number;
  /** Top edge. */
  readonly y: number;
  /** Width. */
  readonly width: number;
  /** Height. */
  readonly height: number;
}

/** A pseudo-state: the initial dot of a compound state, or its "any state" source. */
export interface Marker {
  /** `"initial"`: where the compound state starts; `"any"`: the source of its own transitions. */
  readonly kind: "initial" | "any";
  /** The id of the compound state it belongs to. */
  readonly of: string;
  /** Text drawn in the marker (for `"any"`). */
  readonly label?: string;
  /** Left edge. */
  readonly x: number;
  /** Top edge. */
  readonly y: number;
  /** Width. */
  readonly width: number;
  /** Height. */
  readonly height: number;
}

/** An edge's text and where it goes. */
export interface EdgeLabel {
  /** The transition label. */
  readonly text: string;
  /** The label as drawn: the trigger and guard, then `/ actions` on a line of its own. */
  readonly lines: readonly string[];
  /** Left edge. */
  readonly x: number;
  /** Top edge. */
  readonly y: number;
  /** Width. */
  readonly width: number;
  /** Height. */
  readonly height: number;
}

/** One drawn edge. */
export interface EdgeRoute {
  /** The transition it draws; absent for the arrow from an initial marker. */
  readonly transition: string | undefined;
  /** Source box or marker id. */
  readonly source: string;
  /** Target state id. */
  readonly target: string;
  /** The route, start to end. */
  readonly points: readonly (readonly [number, number])[];
  /** The label, if the edge has one. */
  readonly label?: EdgeLabel;
}

/** A machine graph laid out for drawing. */
export interface MachineLayout {
  /** The machine id. */
  readonly machine: string;
  /** Total width. */
  readonly width: number;
  /** Total height. */
  readonly height: number;
  /** One box per state, parents before children. */
  readonly boxes: readonly StateBox[];
  /** Initial and "any state" markers. */
  readonly markers: readonly Marker[];
  /** One route per transition target, plus one per initial marker. */
  readonly edges: readonly EdgeRoute[];
}
