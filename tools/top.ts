/**
 * `deno task top URL`: the inspector's view in a terminal, for servers
 * without a browser. Reads a running inspector's `state.json` (the URL
 * `serveInspector()` printed, token included) and prints the topology
 * with states, counters, rates, back-pressure, drops and the connections
 * that ended recently, refreshed every second.
 *
 * ```sh
 * deno task top http://127.0.0.1:40321/            # refreshes until Ctrl-C
 * deno task top http://127.0.0.1:40321/ --once     # prints once
 * deno task top URL --filter req --interval 2000
 * ```
 *
 * @module
 */

import type { ActorsFrame, HelloFrame, StatsFrame } from "../src/inspect/live_types.ts";
import { renderReport } from "../src/inspect/report.ts";
import type { LiveState } from "../src/inspect/topology.ts";

const USAGE = "usage: top.ts URL [--once] [--interval MS] [--filter TEXT]";

interface Settings {
  url: URL;
  once: boolean;
  interval: number;
  filter: string;
}

function parse(args: readonly string[]): Settings | undefined {
  const [address, ...rest] = args;
  if (address === undefined || !URL.canParse(address)) return undefined;
  const settings: Settings = { url: new URL(address), once: false, interval: 1000, filter: "" };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    if (flag === "--once") {
      settings.once = true;
      continue;
    }
    const value = rest[++i];
    if (value === undefined) return undefined;
    if (flag === "--interval" && Number(value) >= 100) settings.interval = Number(value);
    else if (flag === "--filter") settings.filter = value;
    else return undefined;
  }
  return settings;
}

/**
 * Reads a running inspector's state.
 *
 * @param page the inspector's URL (its page), with the token if it needs one
 * @returns what the inspector knows now
 * @throws {Error} when the inspector does not answer with its state
 */
export async function fetchState(page: URL): Promise<LiveState> {
  const url = new URL("state.json", page);
  url.search = page.search; // the token
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.origin}: ${response.status} ${(await response.text()).trim()}`);
  const state = await response.json() as { hello: HelloFrame; actors: ActorsFrame; stats: StatsFrame };
  return {
    hello: state.hello,
    actors: new Map(state.actors.actors.map((actor) => [actor.key, actor])),
    stats: state.stats,
  };
}

async function main(settings: Settings): Promise<void> {
  const clear = settings.once ? "" : "\x1b[H\x1b[2J";
  for (;;) {
    const text = renderReport(await fetchState(settings.url), { filter: settings.filter });
    console.log(`${clear}${text}`);
    if (settings.once) return;
    await new Promise((resolve) => setTimeout(resolve, settings.interval));
  }
}

if (import.meta.main) {
  const settings = parse(Deno.args);
  if (settings === undefined) {
    console.error(USAGE);
    Deno.exit(2);
  }
  try {
    await main(settings);
  } catch (error) {
    console.error(`top: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
