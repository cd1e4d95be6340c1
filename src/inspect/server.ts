/**
 * `serveInspector()`: a live web inspector for a runtime, served by the
 * process itself on 127.0.0.1. The page shows the topology (sockets →
 * endpoints → pipes), each actor's state on its machine's diagram and its
 * lifecycle timeline, and counters and rates sampled ten times a second;
 * it needs nothing but this server (no CDN, works offline).
 *
 * Safe by default: it binds 127.0.0.1 and answers only requests addressed
 * to a loopback name (so a web page elsewhere cannot reach it through DNS
 * rebinding). Binding any other address must be asked for, and then every
 * request needs the random token the URL carries. It is read-only: GET
 * and HEAD only, nothing it serves changes a socket.
 *
 * @module
 */

import { defaultRuntime } from "../../mod.ts";
import type { MachineDefinition, Runtime } from "../core/runtime.ts";
import { type MachineGraph, machineGraph } from "./graph.ts";
import { layoutMachine } from "./layout.ts";
import type { MachineLayout } from "./layout_model.ts";
import { LiveHub } from "./live_hub.ts";
import { runtimeMachines } from "./machines.ts";
import { INSPECTOR_CSS, inspectorPage } from "./page.ts";
import { INSPECTOR_SCRIPT } from "./page_bundle.ts";
import { renderReport, type ReportOptions } from "./report.ts";

/** Settings of {@linkcode serveInspector}. */
export interface InspectorOptions {
  /** The runtime to inspect (default: the one `openSocket()` uses). */
  runtime?: Runtime;
  /**
   * The address to bind (default `127.0.0.1`). Anything that is not a
   * loopback address (`0.0.0.0`, `::`, a LAN address) makes every request
   * need the token.
   */
  hostname?: string;
  /** The port (default 0: any free port; `url` tells which). */
  port?: number;
  /**
   * The access token (at least 16 characters). Without one, a random token
   * is made when `hostname` is not a loopback address. Given with a
   * loopback address, it is required there too.
   */
  token?: string;
  /** How often statistics are sampled while a page is connected, ms (default and minimum 100). */
  sampleInterval?: number;
}

/** A running inspector. */
export interface InspectorServer extends AsyncDisposable {
  /** The page's address, with the token if one is needed. */
  readonly url: string;
  /** The bound address. */
  readonly hostname: string;
  /** The bound port. */
  readonly port: number;
  /** The access token, if requests need one. */
  readonly token: string | undefined;
  /** Pages connected now. */
  readonly clients: number;
  /**
   * The state as text, as the page's "copy as text" and `deno task top`
   * print it: topology, states, counters, rates, recently ended actors.
   */
  report(options?: ReportOptions): string;
  /** Stops serving and ends every page's stream. */
  close(): Promise<void>;
}

/** Layouts are computed once per machine definition (ELK takes a moment). */
const layoutCache = new WeakMap<MachineDefinition, MachineLayout>();

/**
 * The layouts of some machines: from the cache, else computed in a worker
 * (`layout_worker.ts`) so that ELK's work and garbage stay out of this
 * isolate, or here where workers are not available.
 */
async function layoutsOf(definitions: readonly MachineDefinition[]): Promise<MachineLayout[]> {
  const missing = definitions.filter((definition) => !layoutCache.has(definition));
  if (missing.length > 0) {
    const graphs = missing.map((definition) => machineGraph(definition));
    let layouts: MachineLayout[];
    try {
      layouts = await layoutInWorker(graphs);
    } catch {
      layouts = await Promise.all(graphs.map((graph) => layoutMachine(graph)));
    }
    missing.forEach((definition, i) => layoutCache.set(definition, layouts[i]!));
  }
  return definitions.map((definition) => layoutCache.get(definition)!);
}

async function layoutInWorker(graphs: readonly MachineGraph[]): Promise<MachineLayout[]> {
  const script = new URL("./layout_worker.ts", import.meta.url);
  // A worker inherits our permissions; a local script it may not read would fail noisily.
  if (script.protocol === "file:" && Deno.permissions.querySync({ name: "read", path: script }).state !== "granted") {
    throw new Error("no read permission for the layout worker");
  }
  const worker = new Worker(script.href, { type: "module" });
  try {
    const answer = await new Promise<unknown>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(event.message));
      };
      worker.postMessage(graphs);
    });
    if (!Array.isArray(answer)) throw new Error(`layout worker: ${(answer as { error?: string }).error}`);
    return answer as MachineLayout[];
  } finally {
    worker.terminate();
  }
}

/**
 * Whether an address only reaches this machine: `127.0.0.0/8`, `::1`,
 * `localhost`.
 *
 * @example Usage
 * ```ts
 * import { isLoopback } from "./server.ts";
 * console.log(isLoopback("127.0.0.1"), isLoopback("0.0.0.0")); // true false
 * ```
 *
 * @param hostname a host name or address
 * @returns whether it is a loopback address
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A random token: 128 bits, hex. */
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares in time that does not depend on where the strings differ. */
function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(token);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ b[i]!;
  return diff === 0;
}

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
  "cross-origin-resource-policy": "same-origin",
};

function respond(body: BodyInit | null, status: number, type: string): Response {
  return new Response(body, { status, headers: { ...SECURITY_HEADERS, "content-type": type } });
}

/**
 * Serves the live inspector for a runtime. Import it from
 * `@sp/nanomsg/inspect`; programs that do not inspect never load it.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * import { serveInspector } from "@sp/nanomsg/inspect";
 *
 * await using ui = await serveInspector({ port: 0 });
 * console.log(`inspector at ${ui.url}`); // e.g. http://127.0.0.1:40321/
 * await using pull = openSocket("pull");
 * await pull.listen("tcp://127.0.0.1:0"); // shows up on the page at once
 * ```
 *
 * @param options the runtime, address, port and token
 * @returns the running inspector; `close()` it (or `await using`)
 * @throws {TypeError} for a token shorter than 16 characters or a bad sample interval
 */
export async function serveInspector(options: InspectorOptions = {}): Promise<InspectorServer> {
  const runtime = options.runtime ?? defaultRuntime();
  const hostname = options.hostname ?? "127.0.0.1";
  const loopback = isLoopback(hostname);
  if (options.token !== undefined && options.token.length < 16) {
    throw new TypeError("the inspector's token must have at least 16 characters");
  }
  const token = options.token ?? (loopback ? undefined : randomToken());
  const sampleMs = options.sampleInterval ?? 100;
  if (!Number.isFinite(sampleMs) || sampleMs < 100) {
    throw new TypeError(`sampleInterval must be at least 100 ms, not ${sampleMs}`);
  }
  const registered = runtimeMachines(runtime);
  const layouts = await layoutsOf(registered.map((machine) => machine.definition));
  const machines = registered.map(({ id, owner }, i) => ({ id, owner, layout: layouts[i]! }));
  const machinesJson = JSON.stringify({ machines });
  const hub = new LiveHub(runtime, sampleMs, machines.map((machine) => machine.id));
  let port = 0;
  const report = (reportOptions?: ReportOptions): string => {
    const { hello, actors, stats } = hub.snapshot();
    const state = { hello, actors: new Map(actors.actors.map((actor) => [actor.key, actor])), stats };
    return renderReport(state, reportOptions);
  };

  const allowedHost = (host: string | null): boolean => {
    if (!loopback) return true; // the token guards it
    if (host === null) return false;
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
    return match !== null && isLoopback(match[1]!) && Number(match[2] ?? 80) === port;
  };

  const handler = (request: Request): Response => {
    const url = new URL(request.url);
    if (!allowedHost(request.headers.get("host"))) {
      return respond("this inspector answers requests to 127.0.0.1 or localhost only\n", 421, "text/plain");
    }
    if (token !== undefined && !sameToken(url.searchParams.get("token"), token)) {
      return respond("this inspector needs its token: use the URL it printed\n", 403, "text/plain");
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("the inspector is read-only\n", {
        status: 405,
        headers: { ...SECURITY_HEADERS, allow: "GET, HEAD", "content-type": "text/plain" },
      });
    }
    switch (url.pathname) {
      case "/":
        return respond(inspectorPage(token), 200, "text/html; charset=utf-8");
      case "/inspector.js":
        return respond(INSPECTOR_SCRIPT, 200, "text/javascript; charset=utf-8");
      case "/inspector.css":
        return respond(INSPECTOR_CSS, 200, "text/css; charset=utf-8");
      case "/machines.json":
        return respond(machinesJson, 200, "application/json");
      case "/state.json":
        return respond(JSON.stringify(hub.snapshot()), 200, "application/json");
      case "/state.txt":
        return respond(report() + "\n", 200, "text/plain; charset=utf-8");
      case "/events":
        return new Response(request.method === "HEAD" ? null : hub.connect(), {
          headers: { ...SECURITY_HEADERS, "content-type": "text/event-stream" },
        });
      default:
        return respond("not found\n", 404, "text/plain");
    }
  };

  const server = Deno.serve({ hostname, port: options.port ?? 0, onListen() {} }, handler);
  port = server.addr.port;
  const shownHost = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname;
  const url = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}/${
    token === undefined ? "" : `?token=${token}`
  }`;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      hub.close();
      await server.shutdown();
    })();
    return closing;
  };
  return {
    url,
    hostname,
    port,
    token,
    get clients() {
      return hub.clients;
    },
    report,
    close,
    [Symbol.asyncDispose]: close,
  };
}
