/**
 * Draws a {@linkcode MachineLayout} as SVG text: a box per state (nested
 * states inside their parents, final states with a double border), the
 * initial dot of each compound state, and an arrow per transition with
 * its label. Every state is a `<g data-state="<id>">` and every edge a
 * `<g data-transition="<id>">`, so a page can highlight them by class.
 * Plain string building with no dependencies: it runs in Deno (for the
 * committed diagrams) and in the browser (for the inspector) alike, and
 * the same layout always gives the same bytes.
 *
 * @module
 */

import { CHAR_WIDTH, LINE_HEIGHT, type MachineLayout, PAD_X, PAD_Y, type StateBox } from "./layout_model.ts";

/** How to draw. */
export interface SvgOptions {
  /** State ids to draw as active (see {@linkcode activeStateIds}). */
  active?: Iterable<string>;
  /** Prefix for the ids inside the SVG (its arrowhead), to keep several SVGs on one page apart. */
  idPrefix?: string;
}

/** The style sheet inside every diagram; `.active` marks the current state(s). */
export const DIAGRAM_STYLE: string = [
  "svg.sp-machine{background:#fff}",
  ".sp-machine text{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;fill:#1f2937}",
  ".sp-machine .state>rect{fill:#f8fafc;stroke:#64748b;stroke-width:1.2}",
  ".sp-machine .state.compound>rect{fill:#f1f5f9}",
  ".sp-machine .state.root>rect{fill:#fff}",
  ".sp-machine .state.region>rect{stroke-dasharray:6 4}",
  ".sp-machine .state .title{font-weight:bold}",
  ".sp-machine .state .detail{fill:#475569}",
  ".sp-machine .state .rule{stroke:#cbd5e1}",
  ".sp-machine .state.final>rect.inner{fill:none}",
  ".sp-machine .state.active:not(.root)>rect{fill:#fef3c7;stroke:#d97706;stroke-width:2.5}",
  ".sp-machine .state.compound.active:not(.root)>rect{fill:#fffbeb}",
  ".sp-machine .state.active>rect.inner{fill:none;stroke-width:1.2}",
  ".sp-machine .edge path{fill:none;stroke:#475569;stroke-width:1.2}",
  ".sp-machine .edge rect{fill:#fff;fill-opacity:.85}",
  ".sp-machine .edge text{fill:#334155}",
  ".sp-machine .marker.initial{fill:#1f2937}",
  ".sp-machine .marker.any rect{fill:#fff;stroke:#64748b;stroke-dasharray:4 3}",
  ".sp-machine .arrowhead{fill:#475569}",
].join("");

/**
 * Renders a laid-out machine as a standalone SVG document.
 *
 * @example Usage
 * ```ts
 * import { Runtime } from "@sp/nanomsg";
 * import { machineGraph } from "./graph.ts";
 * import { layoutMachine } from "./layout.ts";
 * import { renderSvg } from "./svg.ts";
 * const layout = await layoutMachine(machineGraph(new Runtime().machines.pipe));
 * const svg = renderSvg(layout, { active: ["pipe", "pipe.active"] });
 * console.log(svg.startsWith("<svg")); // true
 * ```
 *
 * @param layout the layout from `layoutMachine`
 * @param options active states and an id prefix
 * @returns the SVG text
 */
export function renderSvg(layout: MachineLayout, options: SvgOptions = {}): string {
  const active = new Set(options.active ?? []);
  const arrow = `${options.idPrefix ?? "sp"}-${layout.machine.replace(/[^A-Za-z0-9_-]/g, "_")}-arrow`;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="sp-machine" data-machine="${escapeXml(layout.machine)}" ` +
      `width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}">`,
    `<style>${DIAGRAM_STYLE}</style>`,
    `<defs><marker id="${arrow}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" ` +
      `orient="auto-start-reverse"><path class="arrowhead" d="M0,0L10,5L0,10z"/></marker></defs>`,
  );
  for (const box of layout.boxes) out.push(stateBox(box, active.has(box.state)));
  for (const marker of layout.markers) {
    const of = escapeXml(marker.of);
    if (marker.kind === "initial") {
      const r = marker.width / 2;
      out.push(
        `<g class="marker initial" data-initial-of="${of}"><circle cx="${num(marker.x + r)}" cy="${
          num(marker.y + r)
        }" r="${num(r * 0.75)}"/></g>`,
      );
    } else {
      out.push(
        `<g class="marker any" data-any-of="${of}"><rect x="${marker.x}" y="${marker.y}" width="${marker.width}" ` +
          `height="${marker.height}" rx="8"/>${
            text(marker.label ?? "", marker.x + PAD_X, marker.y + marker.height / 2 + 4, "detail")
          }</g>`,
      );
    }
  }
  for (const edge of layout.edges) {
    const d = edge.points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${num(x)},${num(y)}`).join("");
    const attributes = edge.transition === undefined
      ? `class="edge initial"`
      : `class="edge" data-transition="${escapeXml(edge.transition)}"`;
    let label = "";
    if (edge.label !== undefined) {
      const { x, y, width, height } = edge.label;
      label = `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="3"/>` +
        edge.label.lines.map((line, i) => text(line, x + 3, y + (i + 1) * LINE_HEIGHT - 3)).join("");
    }
    out.push(
      `<g ${attributes} data-source="${escapeXml(edge.source)}" data-target="${escapeXml(edge.target)}">` +
        `<path d="${d}" marker-end="url(#${arrow})"/>${label}</g>`,
    );
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

function stateBox(box: StateBox, active: boolean): string {
  const classes = ["state", box.compound ? "compound" : "atomic"];
  if (box.depth === 0) classes.push("root");
  if (box.type === "final") classes.push("final");
  if (box.region) classes.push("region");
  if (active) classes.push("active");
  const parts = [
    `<g class="${classes.join(" ")}" data-state="${escapeXml(box.state)}">`,
    `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" rx="${box.compound ? 10 : 8}"/>`,
  ];
  if (box.type === "final") {
    parts.push(
      `<rect class="inner" x="${num(box.x + 3)}" y="${num(box.y + 3)}" width="${num(box.width - 6)}" height="${
        num(box.height - 6)
      }" rx="6"/>`,
    );
  }
  // An atomic state centres its title; a compound one writes it at the top.
  const titleX = box.compound ? box.x + PAD_X : box.x + (box.width - box.key.length * CHAR_WIDTH) / 2;
  let y = box.y + PAD_Y + LINE_HEIGHT - 4;
  parts.push(text(box.key, titleX, y, "title"));
  if (box.details.length > 0) {
    const ruleY = box.y + PAD_Y + LINE_HEIGHT + 2;
    parts.push(
      `<line class="rule" x1="${box.x}" y1="${num(ruleY)}" x2="${num(box.x + box.width)}" y2="${num(ruleY)}"/>`,
    );
    y += 4;
    for (const line of box.details) {
      y += LINE_HEIGHT;
      parts.push(text(line, box.x + PAD_X, y, "detail"));
    }
  }
  parts.push("</g>");
  return parts.join("");
}

function text(content: string, x: number, y: number, cls?: string): string {
  const attribute = cls === undefined ? "" : ` class="${cls}"`;
  return `<text${attribute} x="${num(x)}" y="${num(y)}" xml:space="preserve">${escapeXml(content)}</text>`;
}

function num(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/**
 * Escapes text for SVG/HTML content and attribute values.
 *
 * @example Usage
 * ```ts
 * import { escapeXml } from "./svg.ts";
 * console.log(escapeXml(`<img src=x onerror="alert(1)">`));
 * // "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
 * ```
 *
 * @param value any text
 * @returns the text with `& < > " '` escaped
 */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The ids of the states a snapshot `value` is in, outermost first: the
 * machine itself, then each active state down to the leaves (all regions
 * of a parallel state). Keys the layout does not know are left out.
 *
 * @example Usage
 * ```ts
 * import { Runtime } from "@sp/nanomsg";
 * import { machineGraph } from "./graph.ts";
 * import { layoutMachine } from "./layout.ts";
 * import { activeStateIds } from "./svg.ts";
 * const layout = await layoutMachine(machineGraph(new Runtime().machines.socket));
 * console.log(activeStateIds(layout, { closing: "lingering" }));
 * // ["socket", "socket.closing", "socket.closing.lingering"]
 * ```
 *
 * @param layout the machine's layout (its boxes know each state's path)
 * @param value a snapshot's `value`: a state key, or `{ key: child value }`
 * @returns the active state ids
 */
export function activeStateIds(layout: Pick<MachineLayout, "boxes">, value: unknown): string[] {
  const byPath = new Map(layout.boxes.map((box) => [JSON.stringify(box.path), box.state]));
  const ids: string[] = [];
  const visit = (path: string[], at: unknown) => {
    const id = byPath.get(JSON.stringify(path));
    if (id === undefined) return;
    ids.push(id);
    if (typeof at === "string") visit([...path, at], undefined);
    else if (typeof at === "object" && at !== null) {
      for (const [key, child] of Object.entries(at)) visit([...path, key], child);
    }
  };
  visit([], value);
  return ids;
}
