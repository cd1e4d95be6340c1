/**
 * The inspector's state as text: the topology with each actor's state and
 * counters, rates, back-pressure and drops, the actors that ended
 * recently, and optionally one actor's timeline. The page's "copy as
 * text" and `deno task top` both print it.
 *
 * @module
 */

import type { DropReason } from "../core/socket_events.ts";
import type { ActorView, Rates } from "./live_types.ts";
import { buildTopology, type LiveState, matchesFilter, type PipeNode } from "./topology.ts";

/** What to print. */
export interface ReportOptions {
  /** Only sockets matching this text (see `matchesFilter`). */
  filter?: string;
  /** The key of an actor whose timeline to add. */
  selected?: string;
  /** How many ended actors to list (default 10). */
  ended?: number;
}

/**
 * A count with a k/M suffix: `950`, `12.3k`, `4.1M`.
 *
 * @example Usage
 * ```ts
 * import { formatCount } from "./report.ts";
 * console.log(formatCount(12345)); // "12.3k"
 * ```
 *
 * @param value a non-negative number
 * @returns the text
 */
export function formatCount(value: number): string {
  if (value < 1000) return String(Math.round(value));
  if (value < 1e6) return `${(value / 1e3).toFixed(value < 1e4 ? 2 : 1)}k`;
  if (value < 1e9) return `${(value / 1e6).toFixed(value < 1e7 ? 2 : 1)}M`;
  return `${(value / 1e9).toFixed(1)}G`;
}

/**
 * A byte count: `512 B`, `12.3 KiB`, `4.1 MiB`.
 *
 * @example Usage
 * ```ts
 * import { formatBytes } from "./report.ts";
 * console.log(formatBytes(2048)); // "2.0 KiB"
 * ```
 *
 * @param value bytes
 * @returns the text
 */
export function formatBytes(value: number): string {
  if (value < 1024) return `${Math.round(value)} B`;
  if (value < 1024 ** 2) return `${(value / 1024).toFixed(1)} KiB`;
  if (value < 1024 ** 3) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  return `${(value / 1024 ** 3).toFixed(1)} GiB`;
}

/**
 * Rates as text: `in 1.20k msg/s 75.0 KiB/s · out 0 msg/s 0 B/s`.
 *
 * @param rates the rates, if known
 * @returns the text ("" when unknown)
 */
export function formatRates(rates: Rates | undefined): string {
  if (rates === undefined) return "";
  return `in ${formatCount(rates.msgIn)} msg/s ${formatBytes(rates.bytesIn)}/s · out ${
    formatCount(rates.msgOut)
  } msg/s ${formatBytes(rates.bytesOut)}/s`;
}

/**
 * Drops by reason as text, only the reasons that happened: `slow-peer 12, oversize 1`.
 *
 * @param drops counts by reason
 * @returns the text ("" when none)
 */
export function formatDrops(drops: Readonly<Record<DropReason, number>> | undefined): string {
  if (drops === undefined) return "";
  return Object.entries(drops).filter(([, count]) => count > 0).map(([reason, count]) => `${reason} ${count}`)
    .join(", ");
}

/** The time of day of an epoch time, with ms: `14:03:27.512`. */
export function formatTime(at: number): string {
  const date = new Date(at);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${
    String(date.getMilliseconds()).padStart(3, "0")
  }`;
}

/** A pipe's back-pressure and queues: `pending 4.0 KiB · inbound 3 (192 B) · send blocked`. */
export function formatQueues(pipe: PipeNode): string {
  const stats = pipe.stats;
  if (stats === undefined) return "";
  const parts = [`pending ${formatBytes(stats.pendingBytes)}`, `inbound ${stats.inboundMessages}`];
  if (stats.sendBlocked) parts.push("send blocked");
  if (stats.recvPaused) parts.push("recv paused");
  if (stats.dropped > 0) parts.push(`dropped ${stats.dropped}`);
  return parts.join(" · ");
}

function stateOf(actor: ActorView | undefined): string {
  return actor === undefined ? "?" : actor.state;
}

/** The last detail in an actor's timeline (its error, its delay). */
export function lastDetail(actor: ActorView | undefined): string {
  const entry = actor?.timeline.at(-1);
  return entry?.detail ?? "";
}

/**
 * Renders the state as text, one line per socket, endpoint and pipe.
 *
 * @example Usage
 * ```ts
 * import { renderReport } from "./report.ts";
 * console.log(renderReport({ actors: new Map() }).split("\n")[0]); // "0 sockets"
 * ```
 *
 * @param state what the inspector knows
 * @param options filter, selected actor, number of ended actors
 * @returns the text
 */
export function renderReport(state: LiveState, options: ReportOptions = {}): string {
  const sockets = buildTopology(state).filter((socket) => matchesFilter(socket, options.filter ?? ""));
  const lines: string[] = [];
  const at = state.stats?.at;
  lines.push(
    `${sockets.length} socket${sockets.length === 1 ? "" : "s"}${
      options.filter ? ` matching "${options.filter}"` : ""
    }${at === undefined ? "" : ` at ${formatTime(at)}`}`,
  );
  for (const socket of sockets) {
    const stats = socket.stats;
    const protocol = socket.protocol === undefined
      ? ""
      : `${socket.protocol}${socket.peer ? `→${socket.peer}` : ""} ${socket.raw ? "raw" : "cooked"}`;
    const extra = [
      formatRates(socket.rates),
      stats && (stats.waitingSends > 0 || stats.waitingRecvs > 0)
        ? `waiting sends ${stats.waitingSends} recvs ${stats.waitingRecvs}`
        : "",
      stats && formatDrops(stats.drops) ? `drops: ${formatDrops(stats.drops)}` : "",
    ].filter((part) => part !== "");
    const alias = socket.alias === undefined ? "" : JSON.stringify(socket.alias);
    lines.push(join([socket.name, alias, protocol, `[${stateOf(socket.actor)}]`, ...extra]));
    for (const machine of socket.machines) lines.push("  " + join([machine.name, `[${machine.state}]`]));
    for (const endpoint of socket.endpoints) {
      const e = endpoint.stats;
      const counters = e === undefined ? "" : `conns ${e.connections} errors ${e.errors} reconnects ${e.reconnects}`;
      lines.push(
        "  " + join([endpoint.name, `[${stateOf(endpoint.actor)}]`, counters, lastDetail(endpoint.actor)]),
      );
      for (const pipe of endpoint.pipes) {
        lines.push(
          "    " + join([pipe.name, `[${stateOf(pipe.actor)}]`, formatRates(pipe.rates), formatQueues(pipe)]),
        );
      }
    }
  }
  const ended = [...state.actors.values()].filter((actor) => actor.ended !== undefined)
    .slice(-(options.ended ?? 10));
  if (ended.length > 0) {
    lines.push("recently ended:");
    for (const actor of ended) {
      lines.push("  " + join([formatTime(actor.ended ?? 0), actor.name, `[${actor.state}]`, lastDetail(actor)]));
    }
  }
  const selected = options.selected === undefined ? undefined : state.actors.get(options.selected);
  if (selected !== undefined) {
    lines.push(`timeline of ${selected.name}:`);
    for (const entry of selected.timeline) {
      lines.push("  " + join([formatTime(entry.at), entry.state, entry.event, entry.detail ?? ""]));
    }
  }
  return lines.map(printable).join("\n");
}

/**
 * Control characters shown as `\xNN`: a name or an error text from a peer
 * must not move a terminal's cursor or clear its screen.
 */
function printable(line: string): string {
  // deno-lint-ignore no-control-regex
  return line.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function join(parts: readonly string[]): string {
  return parts.filter((part) => part !== "").join("  ");
}
