/**
 * Watching our machines in Stately's inspector (`npm:@statelyai/inspect`).
 *
 * Every socket takes an XState inspector: `openSocket("rep", { inspect })`
 * reports the socket's machine and those of its endpoints and pipes. This
 * script starts Stately's WebSocket bridge (`createInspectorServer`), sends
 * it our machines through `createWebSocketInspector`, and runs a REQ/REP
 * exchange in rounds: each round a REQ socket connects, asks, gets the
 * reply and closes, so a dialer and two pipes go through their whole life.
 *
 * ```sh
 * deno task example:stately            # runs until Ctrl-C
 * deno task example:stately --port 8181 --rounds 3 --url tcp://127.0.0.1:5555
 * ```
 *
 * Then open the printed `http://localhost:<port>` in a browser: the page
 * is served locally, but the inspector UI inside it is Stately's own,
 * loaded from stately.ai, so that part needs the internet. Stately's
 * bridge listens on every interface of its port (it has no host option):
 * use it on a development machine.
 *
 * @module
 */

import { createWebSocketInspector } from "@statelyai/inspect";
import { createInspectorServer } from "@statelyai/inspect/server";
import { type Inspector, openSocket } from "../mod.ts";
import { complain, say } from "./_cli.ts";

interface Settings {
  port: number;
  rounds: number;
  url: string;
  interval: number;
}

const USAGE = "usage: stately_inspect.ts [--port N] [--rounds N] [--url URL] [--interval MS]";

function parse(args: readonly string[]): Settings | undefined {
  const settings: Settings = { port: 8080, rounds: Infinity, url: "inproc://stately-demo", interval: 1000 };
  for (let i = 0; i < args.length; i += 2) {
    const value = args[i + 1];
    if (value === undefined) return undefined;
    const number = Number(value);
    switch (args[i]) {
      case "--port":
        if (!Number.isInteger(number) || number < 1 || number > 65535) return undefined;
        settings.port = number;
        break;
      case "--rounds":
        if (!Number.isInteger(number) || number < 1) return undefined;
        settings.rounds = number;
        break;
      case "--interval":
        if (!Number.isFinite(number) || number < 0) return undefined;
        settings.interval = number;
        break;
      case "--url":
        settings.url = value;
        break;
      default:
        return undefined;
    }
  }
  return settings;
}

/** One round: a REQ socket connects, asks once, and closes. */
async function round(settings: Settings, n: number, inspect: Inspector): Promise<void> {
  await using req = openSocket("req", { inspect });
  req.connect(settings.url);
  await req.send(`ping ${n}`);
  say(`round ${n}: ${new TextDecoder().decode(await req.recv())}`);
}

async function main(settings: Settings): Promise<void> {
  const bridge = createInspectorServer({ port: settings.port, autoOpen: false });
  const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${settings.port}` });
  try {
    say(`Stately inspector: open http://localhost:${settings.port} (its UI comes from stately.ai)`);
    await using rep = openSocket("rep", { inspect: inspector.inspect });
    await rep.bind(settings.url);
    (async () => {
      for await (const request of rep) await rep.send(`pong to ${new TextDecoder().decode(request)}`);
    })().catch(() => {/* the socket closed */});
    for (let n = 1; n <= settings.rounds; n++) {
      await round(settings, n, inspector.inspect);
      await new Promise((resolve) => setTimeout(resolve, settings.interval));
    }
  } finally {
    // The inspector sends on a timer of its own: give it a moment to flush.
    await new Promise((resolve) => setTimeout(resolve, 200));
    inspector.stop();
    bridge.stop();
  }
}

const settings = parse(Deno.args);
if (settings === undefined) {
  complain(USAGE);
  Deno.exit(2);
}
await main(settings);
// The bridge's stop() leaves the connections of open inspector pages up,
// which would keep the process alive: the rounds are done, so end it.
Deno.exit(0);
