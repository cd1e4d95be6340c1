/**
 * The browser side of the machine diagrams: draws a laid-out machine into
 * a page element and highlights the state(s) an actor is in. It needs no
 * library and touches no network; the inspector serves it bundled
 * ({@linkcode MACHINE_VIEW_SCRIPT}) next to the layouts it computes.
 *
 * @module
 */

import type { MachineLayout } from "./layout_model.ts";
import { activeStateIds, renderSvg } from "./svg.ts";

export { activeStateIds, renderSvg } from "./svg.ts";

/** The little of the DOM the view uses (so this module type-checks without the DOM library). */
export interface ViewElement {
  /** Replaced with the diagram. */
  innerHTML: string;
  /** Finds the drawn SVG. */
  querySelector(selector: string): ViewElement | null;
  /** Finds the drawn states. */
  querySelectorAll(selector: string): Iterable<ViewElement>;
  /** Reads `data-state`. */
  getAttribute(name: string): string | null;
  /** Marks a state active. */
  readonly classList: { toggle(token: string, force: boolean): boolean };
}

/** A machine drawn in a page. */
export interface MachineView {
  /** The `<svg>` element. */
  readonly element: ViewElement;
  /** The layout it shows. */
  readonly layout: MachineLayout;
  /**
   * Marks the states of a snapshot `value` active (class `active`) and
   * every other state inactive.
   *
   * @returns the ids of the states now marked
   */
  highlight(value: unknown): string[];
}

/**
 * Draws a machine into `container` (replacing its content).
 *
 * @example Usage
 * ```ts ignore
 * import { mountMachine } from "./view.ts";
 * const layout = await (await fetch("/machines/pipe.json")).json();
 * const view = mountMachine(document.getElementById("pipe")!, layout);
 * view.highlight("active"); // ["pipe", "pipe.active"]
 * ```
 *
 * @param container the element to draw into
 * @param layout the machine's layout (from `layoutMachine`, sent as JSON)
 * @param idPrefix keeps the ids of several diagrams on one page apart
 * @returns the view, to highlight states on
 */
export function mountMachine(container: ViewElement, layout: MachineLayout, idPrefix = "sp"): MachineView {
  container.innerHTML = renderSvg(layout, { idPrefix });
  const element = container.querySelector("svg");
  if (element === null) throw new Error(`machine ${layout.machine}: the diagram did not render`);
  const states = new Map<string, ViewElement>();
  for (const node of element.querySelectorAll("[data-state]")) states.set(node.getAttribute("data-state") ?? "", node);
  return {
    element,
    layout,
    highlight(value: unknown): string[] {
      const active = activeStateIds(layout, value);
      const set = new Set(active);
      for (const [id, node] of states) node.classList.toggle("active", set.has(id));
      return active;
    },
  };
}
