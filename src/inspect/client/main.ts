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
import { buildTopology, type EndpointNode, type LiveState, matchesFilter, type PipeNode } from "../topology.ts";
import { type MachineView, mountMachine, type ViewElement } from "../view.ts";
import { applyFrame, emptyState, freezeState } from "./live_state.ts";

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

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== "") node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A clickable row: name, state and extra parts, each set as text. */
function row(key: string, name: string, actor: ActorView | undefined, parts: [string, string][]): HTMLElement {
  const div = element("div", "row");
  div.dataset.actor = key;
  if (key === selected) div.classList.add("selected");
  div.append(element("span", "name", name));
  const ended = actor?.ended === undefined ? "" : actor.timeline.at(-1)?.failed ? " ended failed" : " ended";
  div.append(element("span", `state${ended}`, actor === undefined ? "…" : actor.state));
  for (const [className, text] of parts) if (text !== "") div.append(element("span", className, text));
  return div;
}

function pipeRow(pipe: PipeNode): HTMLElement {
  const div = row(pipe.key, pipe.name, pipe.actor, [
    ["rates", formatRates(pipe.rates)],
    ["queues", formatQueues(pipe)],
    ["detail failed", pipe.actor?.ended === undefined ? "" : lastDetail(pipe.actor)],
  ]);
  div.classList.add("pipe");
  div.dataset.key = pipe.key;
  return div;
}

function endpointBlock(endpoint: EndpointNode): HTMLElement {
  const block = element("div", "endpoint");
  block.dataset.key = endpoint.key;
  const stats = endpoint.stats;
  block.append(row(endpoint.key, endpoint.name, endpoint.actor, [
    ["counters", stats === undefined ? "" : `conns ${stats.connections} · errors ${stats.errors}`],
    ["rates", formatRates(endpoint.rates)],
    ["detail failed", endpoint.actor?.state === "waiting" ? lastDetail(endpoint.actor) : ""],
  ]));
  for (const pipe of endpoint.pipes.slice(0, PIPES_SHOWN)) block.append(pipeRow(pipe));
  if (endpoint.pipes.length > PIPES_SHOWN) {
    block.append(element("div", "more", `… ${endpoint.pipes.length - PIPES_SHOWN} more pipes`));
  }
  return block;
}

function renderTopology(state: LiveState): void {
  const sockets = buildTopology(state);
  const visible = sockets.filter((socket) => matchesFilter(socket, filter));
  const container = $("topology");
  const fragment = document.createDocumentFragment();
  for (const socket of visible) {
    const block = element("div", "socket");
    block.dataset.key = socket.key;
    const stats = socket.stats;
    const protocol = socket.protocol === undefined
      ? ""
      : `${socket.protocol}${socket.peer ? ` → ${socket.peer}` : ""} · ${socket.raw ? "raw" : "cooked"}`;
    block.append(row(socket.key, socket.name, socket.actor, [
      ["alias", socket.alias === undefined ? "" : `“${socket.alias}”`],
      ["proto", protocol],
      ["rates", formatRates(socket.rates)],
      [
        "counters",
        stats === undefined || (stats.waitingSends === 0 && stats.waitingRecvs === 0)
          ? ""
          : `waiting: ${stats.waitingSends} sends, ${stats.waitingRecvs} recvs`,
      ],
      ["drops", stats === undefined || formatDrops(stats.drops) === "" ? "" : `drops: ${formatDrops(stats.drops)}`],
    ]));
    for (const endpoint of socket.endpoints) block.append(endpointBlock(endpoint));
    fragment.append(block);
  }
  if (visible.length === 0) {
    fragment.append(element("p", "empty", sockets.length === 0 ? "No socket yet." : "No socket matches the filter."));
  }
  container.replaceChildren(fragment);
  $("summary").textContent = `${sockets.length} socket${sockets.length === 1 ? "" : "s"}${
    state.stats ? ` · sampled ${formatTime(state.stats.at)}` : ""
  }`;
}

function renderEnded(state: LiveState): void {
  const list = $("ended");
  const fragment = document.createDocumentFragment();
  const ended = [...state.actors.values()].filter((actor) => actor.ended !== undefined).slice(-30).reverse();
  for (const actor of ended) {
    const item = element("li", "");
    item.append(row(actor.key, actor.name, actor, [
      ["mono", formatTime(actor.ended ?? 0)],
      [actor.timeline.at(-1)?.failed ? "detail failed" : "detail", lastDetail(actor)],
    ]));
    fragment.append(item);
  }
  list.replaceChildren(fragment);
}

function renderDetail(state: LiveState): void {
  const actor = selected === undefined ? undefined : state.actors.get(selected);
  const title = $("detail-title");
  const body = $("timeline").querySelector("tbody")!;
  if (actor === undefined) {
    title.textContent = selected === undefined ? "Select a socket, endpoint or pipe" : "(gone)";
    if (diagram !== undefined) {
      $("diagram").replaceChildren();
      diagram = undefined;
    }
    body.replaceChildren();
    return;
  }
  title.textContent = `${actor.name} — ${actor.machine} machine, ${
    actor.ended === undefined ? "" : "ended, "
  }${actor.state}`;
  const layout = layouts.get(actor.machine);
  if (layout !== undefined && diagram?.machine !== actor.machine) {
    diagram = { machine: actor.machine, view: mountMachine($("diagram") as unknown as ViewElement, layout, "sel") };
  }
  diagram?.view.highlight(actor.value);
  const fragment = document.createDocumentFragment();
  for (const entry of actor.timeline) {
    const tr = element("tr", "");
    tr.append(
      element("td", "", formatTime(entry.at)),
      element("td", "", entry.state),
      element("td", "", entry.event),
      element("td", entry.failed ? "detail failed" : "detail", entry.detail ?? ""),
    );
    fragment.append(tr);
  }
  body.replaceChildren(fragment);
}

function render(): void {
  renderQueued = false;
  const state = shown();
  renderTopology(state);
  renderEnded(state);
  renderDetail(state);
}

function queueRender(): void {
  if (renderQueued || frozen !== undefined) return;
  renderQueued = true;
  requestAnimationFrame(render);
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
