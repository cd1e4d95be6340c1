/// <reference lib="dom" />
/**
 * The inspector page's script (bundled into `page_bundle.ts` by `deno task
 * inspect:bundle`): follows the server's event stream, draws the
 * topology with states, counters and rates, the selected actor's machine
 * with its current state highlighted and its timeline; filter, pause and
 * copy as text. Every name, address and error text is set as text
 * (`textContent`), never parsed as HTML.
 *
 * @module
 */

import type { MachineLayout } from "../layout_model.ts";
import type { ActorView } from "../live_types.ts";
import { formatDrops, formatQueues, formatRates, formatTime, lastDetail, renderReport } from "../report.ts";
import {
  buildTopology,
  type EndpointNode,
  type LiveState,
  matchesFilter,
  type PipeNode,
  type SocketNode,
} from "../topology.ts";
import { type MachineView, mountMachine, type ViewElement } from "../view.ts";
import { applyFrame, emptyState, freezeState } from "./live_state.ts";
import { type NodeSpec, patchChildren } from "./patch.ts";

/** Pipes listed per endpoint; the rest are counted. */
const PIPES_SHOWN = 50;

const token = new URLSearchParams(location.search).get("token");
const query = token === null ? "" : `?token=${encodeURIComponent(token)}`;

const live = emptyState();
let frozen: LiveState | undefined;
let selected: string | undefined;
let filter = "";
let layouts = new Map<string, MachineLayout>();
let diagram: { machine: string; view: MachineView } | undefined;
let renderQueued = false;

const $ = (id: string) => document.getElementById(id)!;

function shown(): LiveState {
  return frozen ?? live;
}

/** A clickable row: name, state and extra parts, each set as text. */
function row(key: string, name: string, actor: ActorView | undefined, parts: [string, string][]): NodeSpec {
  const ended = actor?.ended === undefined ? "" : actor.timeline.at(-1)?.failed ? " ended failed" : " ended";
  return {
    tag: "div",
    className: key === selected ? "row selected" : "row",
    data: { actor: key },
    children: [
      { tag: "span", className: "name", text: name },
      { tag: "span", className: `state${ended}`, text: actor === undefined ? "…" : actor.state },
      ...parts.filter(([, text]) => text !== "").map(([className, text]) => ({ tag: "span", className, text })),
    ],
  };
}

function pipeRow(pipe: PipeNode): NodeSpec {
  const spec = row(pipe.key, pipe.name, pipe.actor, [
    ["rates", formatRates(pipe.rates)],
    ["queues", formatQueues(pipe)],
    ["detail failed", pipe.actor?.ended === undefined ? "" : lastDetail(pipe.actor)],
  ]);
  return { ...spec, className: `${spec.className} pipe`, data: { actor: pipe.key, key: pipe.key } };
}

function endpointBlock(endpoint: EndpointNode): NodeSpec {
  const stats = endpoint.stats;
  const children = [
    row(endpoint.key, endpoint.name, endpoint.actor, [
      ["counters", stats === undefined ? "" : `conns ${stats.connections} · errors ${stats.errors}`],
      ["rates", formatRates(endpoint.rates)],
      ["detail failed", endpoint.actor?.state === "waiting" ? lastDetail(endpoint.actor) : ""],
    ]),
    ...endpoint.pipes.slice(0, PIPES_SHOWN).map(pipeRow),
  ];
  if (endpoint.pipes.length > PIPES_SHOWN) {
    children.push({ tag: "div", className: "more", text: `… ${endpoint.pipes.length - PIPES_SHOWN} more pipes` });
  }
  return { tag: "div", className: "endpoint", data: { key: endpoint.key }, children };
}

function socketBlock(socket: SocketNode): NodeSpec {
  const stats = socket.stats;
  const protocol = socket.protocol === undefined
    ? ""
    : `${socket.protocol}${socket.peer ? ` → ${socket.peer}` : ""} · ${socket.raw ? "raw" : "cooked"}`;
  const waiting = stats === undefined || (stats.waitingSends === 0 && stats.waitingRecvs === 0)
    ? ""
    : `waiting: ${stats.waitingSends} sends, ${stats.waitingRecvs} recvs`;
  const drops = stats === undefined ? "" : formatDrops(stats.drops);
  return {
    tag: "div",
    className: "socket",
    data: { key: socket.key },
    children: [
      row(socket.key, socket.name, socket.actor, [
        ["alias", socket.alias === undefined ? "" : `“${socket.alias}”`],
        ["proto", protocol],
        ["rates", formatRates(socket.rates)],
        ["counters", waiting],
        ["drops", drops === "" ? "" : `drops: ${drops}`],
      ]),
      ...socket.machines.map((machine) => {
        const spec = row(machine.key, machine.name, machine, [["counters", `${machine.machine} machine`]]);
        return { ...spec, className: `${spec.className} machine` };
      }),
      ...socket.endpoints.map(endpointBlock),
    ],
  };
}

function renderTopology(state: LiveState): void {
  const sockets = buildTopology(state);
  const visible = sockets.filter((socket) => matchesFilter(socket, filter));
  const specs = visible.map(socketBlock);
  if (visible.length === 0) {
    specs.push({
      tag: "p",
      className: "empty",
      text: sockets.length === 0 ? "No socket yet." : "No socket matches the filter.",
    });
  }
  patchChildren($("topology"), specs);
  const summary = `${sockets.length} socket${sockets.length === 1 ? "" : "s"}`;
  if ($("summary").textContent !== summary) $("summary").textContent = summary;
}

function renderEnded(state: LiveState): void {
  const ended = [...state.actors.values()].filter((actor) => actor.ended !== undefined).slice(-30).reverse();
  patchChildren(
    $("ended"),
    ended.map((actor) => ({
      tag: "li",
      children: [
        row(actor.key, actor.name, actor, [
          ["mono", formatTime(actor.ended ?? 0)],
          [actor.timeline.at(-1)?.failed ? "detail failed" : "detail", lastDetail(actor)],
        ]),
      ],
    })),
  );
}

function renderDetail(state: LiveState): void {
  const actor = selected === undefined ? undefined : state.actors.get(selected);
  const title = $("detail-title");
  const body = $("timeline").querySelector("tbody")!;
  const titleText = actor === undefined
    ? selected === undefined ? "Select a socket, endpoint or pipe" : "(gone)"
    : `${actor.name} — ${actor.machine} machine, ${actor.ended === undefined ? "" : "ended, "}${actor.state}`;
  if (title.textContent !== titleText) title.textContent = titleText;
  if (actor === undefined) {
    if (diagram !== undefined) {
      $("diagram").replaceChildren();
      diagram = undefined;
    }
    patchChildren(body, []);
    return;
  }
  const layout = layouts.get(actor.machine);
  if (layout !== undefined && diagram?.machine !== actor.machine) {
    diagram = { machine: actor.machine, view: mountMachine($("diagram") as unknown as ViewElement, layout, "sel") };
  }
  diagram?.view.highlight(actor.value);
  patchChildren(
    body,
    actor.timeline.map((entry) => ({
      tag: "tr",
      children: [
        { tag: "td", text: formatTime(entry.at) },
        { tag: "td", text: entry.state },
        { tag: "td", text: entry.event },
        { tag: "td", className: entry.failed ? "detail failed" : "detail", text: entry.detail ?? "" },
      ],
    })),
  );
}

function render(): void {
  renderQueued = false;
  const state = shown();
  renderTopology(state);
  renderEnded(state);
  renderDetail(state);
}

/**
 * Draws once after the frames that have just arrived (a timer, not
 * `requestAnimationFrame`: nothing is drawn for a frame that changed
 * nothing, and a hidden page draws nothing).
 */
function queueRender(): void {
  if (renderQueued || frozen !== undefined || document.hidden) return;
  renderQueued = true;
  setTimeout(render, 0);
}

function setStatus(text: string, kind: "live" | "paused" | "down"): void {
  const status = $("status");
  status.textContent = text;
  status.className = `status ${kind}`;
}

function connect(): void {
  const source = new EventSource(`events${query}`);
  for (const event of ["hello", "actors", "stats"]) {
    source.addEventListener(event, (message) => {
      applyFrame(live, event, JSON.parse((message as MessageEvent<string>).data));
      queueRender();
    });
  }
  source.addEventListener("open", () => {
    if (frozen === undefined) setStatus("live", "live");
  });
  source.addEventListener("error", () => setStatus("reconnecting…", "down"));
}

function wire(): void {
  $("filter").addEventListener("input", (event) => {
    filter = (event.target as HTMLInputElement).value;
    render();
  });
  // On pointerdown, not click: the rows are redrawn up to ten times a
  // second, and a click needs the same element under both ends of it.
  $("topology").addEventListener("pointerdown", select);
  $("ended").addEventListener("pointerdown", select);
  $("pause").addEventListener("click", () => {
    const button = $("pause");
    if (frozen === undefined) {
      frozen = freezeState(live);
      button.textContent = "Resume";
      button.setAttribute("aria-pressed", "true");
      setStatus("paused", "paused");
    } else {
      frozen = undefined;
      button.textContent = "Pause";
      button.setAttribute("aria-pressed", "false");
      setStatus("live", "live");
      render();
    }
  });
  $("copy").addEventListener("click", async () => {
    const text = renderReport(shown(), { filter, ...(selected === undefined ? {} : { selected }) });
    const area = $("report") as HTMLTextAreaElement;
    area.value = text;
    $("report-panel").hidden = false;
    area.select();
    const status = $("report-status");
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = "Copied to the clipboard.";
    } catch {
      status.textContent = "Select the text and copy it (the clipboard is not available here).";
    }
  });
  $("report-close").addEventListener("click", () => $("report-panel").hidden = true);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) render();
  });
}

function select(event: Event): void {
  const target = (event.target as HTMLElement).closest<HTMLElement>("[data-actor]");
  if (target === null) return;
  selected = target.dataset.actor;
  render();
}

async function start(): Promise<void> {
  wire();
  const response = await fetch(`machines.json${query}`);
  const machines = (await response.json()) as { machines: { id: string; layout: MachineLayout }[] };
  layouts = new Map(machines.machines.map((machine) => [machine.id, machine.layout]));
  connect();
}

start().catch((error) => setStatus(`failed: ${String(error)}`, "down"));
