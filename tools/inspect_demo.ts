/**
 * `deno task inspect:demo`: the six scalability protocols running side by
 * side with the live inspector on. Prints the inspector's URL and keeps
 * going until stopped (Ctrl-C) or for `--duration` seconds:
 *
 * - pipeline: a PUSH over tcp feeding two PULL workers;
 * - request/reply: a REP over ipc with a REQ asking every 50 ms, and every
 *   3 s a short-lived REQ that connects, asks once and leaves (its pipes
 *   come and go);
 * - pair: two PAIR sockets playing ping-pong over inproc;
 * - publish/subscribe: a PUB over tcp with two SUBs, and a third SUB that
 *   never reads (its RCVBUF fills, reading pauses, the PUB drops what it
 *   cannot take: `slow-peer`);
 * - survey: a SURVEYOR over tcp asking three RESPONDENTs every 500 ms;
 * - bus: three BUS nodes connected in a triangle over tcp;
 * - and a dialer to a port where nothing listens, backing off.
 *
 * ```sh
 * deno task inspect:demo [--port N] [--host H] [--duration S] [--top]
 * ```
 *
 * `--top` also prints the text view to the terminal every second.
 *
 * @module
 */

import {
  isSpError,
  NN_SUB,
  NN_SUB_SUBSCRIBE,
  NN_SURVEYOR,
  NN_SURVEYOR_DEADLINE,
  openSocket,
  type Socket,
} from "../mod.ts";
import { serveInspector } from "../src/inspect/mod.ts";

interface Settings {
  port: number;
  host: string;
  duration: number;
  top: boolean;
}

const USAGE = "usage: inspect_demo.ts [--port N] [--host H] [--duration SECONDS] [--top]";

function parse(args: readonly string[]): Settings | undefined {
  const settings: Settings = { port: 0, host: "127.0.0.1", duration: Infinity, top: false };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === "--top") {
      settings.top = true;
      continue;
    }
    const value = args[++i];
    if (value === undefined) return undefined;
    const number = Number(value);
    if (flag === "--port" && Number.isInteger(number) && number >= 0 && number <= 65535) settings.port = number;
    else if (flag === "--duration" && number > 0) settings.duration = number;
    else if (flag === "--host" && value !== "") settings.host = value;
    else return undefined;
  }
  return settings;
}

/** The demo's sockets and loops; closing it stops everything. */
class Demo implements AsyncDisposable {
  readonly #sockets = new Set<Socket>();
  readonly #loops: Promise<void>[] = [];
  readonly #stop = new AbortController();

  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  open(protocol: string, options: Record<string, number> = {}): Socket {
    const socket = openSocket(protocol, { options: { sndtimeo: 1000, rcvtimeo: 1000, linger: 100, ...options } });
    this.#sockets.add(socket);
    return socket;
  }

  async close(socket: Socket): Promise<void> {
    this.#sockets.delete(socket);
    await socket.close();
  }

  /** Runs `step` every `ms` until the demo stops; timeouts are part of the show, other errors end the loop. */
  every(ms: number, step: () => Promise<void>): void {
    const signal = this.signal;
    this.#loops.push((async () => {
      while (!signal.aborted) {
        try {
          await step();
        } catch (error) {
          if (signal.aborted || isSpError(error, "EBADF") || isSpError(error, "ETERM")) return;
          if (!isSpError(error, "ETIMEDOUT") && !isSpError(error, "EFSM")) throw error;
        }
        await sleep(ms, signal);
      }
    })());
  }

  /** Answers every message on `socket` with `reply(message)` until it closes. */
  serve(socket: Socket, reply: (message: Uint8Array) => string | undefined): void {
    this.every(0, async () => {
      const answer = reply(await socket.recv());
      if (answer !== undefined) await socket.send(answer);
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#stop.abort();
    await Promise.all([...this.#sockets].map((socket) => socket.close().catch(() => {})));
    await Promise.allSettled(this.#loops);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

const decoder = new TextDecoder();

async function pipeline(demo: Demo): Promise<void> {
  const push = demo.open("push");
  const { url } = await push.listen("tcp://127.0.0.1:0");
  for (let i = 0; i < 2; i++) {
    const worker = demo.open("pull");
    worker.connect(url);
    demo.serve(worker, () => undefined);
  }
  let task = 0;
  demo.every(10, async () => {
    for (let i = 0; i < 10; i++) await push.send(`task ${++task}`);
  });
}

async function reqrep(demo: Demo): Promise<void> {
  const rep = demo.open("rep");
  const { url } = await rep.listen("ipc://");
  demo.serve(rep, (request) => decoder.decode(request).toUpperCase());
  const req = demo.open("req");
  req.connect(url);
  demo.every(50, async () => {
    await req.send("hello");
    await req.recv();
  });
  demo.every(3000, async () => {
    const visitor = demo.open("req");
    try {
      visitor.connect(url);
      await visitor.send("just passing by");
      await visitor.recv();
      await sleep(1000, demo.signal);
    } finally {
      await demo.close(visitor);
    }
  });
}

async function pair(demo: Demo): Promise<void> {
  const [a, b] = [demo.open("pair"), demo.open("pair")];
  const { url } = await a.listen("inproc://inspect-demo-pair");
  b.connect(url);
  demo.serve(b, () => "pong");
  demo.every(100, async () => {
    await a.send("ping");
    await a.recv();
  });
}

async function pubsub(demo: Demo): Promise<void> {
  const pub = demo.open("pub");
  const { url } = await pub.listen("tcp://127.0.0.1:0");
  for (const topic of ["weather", "news"]) {
    const sub = demo.open("sub");
    sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, topic);
    sub.connect(url);
    demo.serve(sub, () => undefined);
  }
  const lazy = demo.open("sub", { rcvbuf: 4096 });
  lazy.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "");
  lazy.connect(url);
  let n = 0;
  demo.every(20, async () => {
    await pub.send(`weather ${++n}: ${"sunny ".repeat(20)}`);
    await pub.send(`news ${n}: all quiet`);
  });
}

async function survey(demo: Demo): Promise<void> {
  const surveyor = demo.open("surveyor");
  surveyor.setsockopt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 200);
  const { url } = await surveyor.listen("tcp://127.0.0.1:0");
  for (let i = 1; i <= 3; i++) {
    const respondent = demo.open("respondent");
    respondent.connect(url);
    demo.serve(respondent, () => `respondent ${i} is here`);
  }
  demo.every(500, async () => {
    await surveyor.send("who is there?");
    for (;;) await surveyor.recv(); // ends with ETIMEDOUT at the deadline
  });
}

async function bus(demo: Demo): Promise<void> {
  const nodes = [demo.open("bus"), demo.open("bus"), demo.open("bus")];
  const urls: string[] = [];
  for (const node of nodes) urls.push((await node.listen("tcp://127.0.0.1:0")).url);
  nodes[1]!.connect(urls[0]!);
  nodes[2]!.connect(urls[0]!);
  nodes[2]!.connect(urls[1]!);
  for (const [i, node] of nodes.entries()) {
    demo.serve(node, () => undefined);
    demo.every(300, () => node.send(`node ${i + 1} says hi`).then(() => {}));
  }
}

function nowhere(demo: Demo): void {
  const dialer = demo.open("pair", { reconnectIvl: 200, reconnectIvlMax: 3200 });
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = probe.addr as Deno.NetAddr;
  probe.close();
  dialer.connect(`tcp://127.0.0.1:${port}`);
}

async function main(settings: Settings): Promise<void> {
  await using ui = await serveInspector({ hostname: settings.host, port: settings.port });
  await using demo = new Demo();
  await Promise.all([pipeline(demo), reqrep(demo), pair(demo), pubsub(demo), survey(demo), bus(demo)]);
  nowhere(demo);
  console.log(`inspector: ${ui.url}`);
  console.log(settings.duration === Infinity ? "running; Ctrl-C stops" : `running for ${settings.duration} s`);
  const stopped = new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGINT", () => resolve());
    if (settings.duration !== Infinity) setTimeout(resolve, settings.duration * 1000);
  });
  const top = settings.top ? setInterval(() => console.log(`\x1b[H\x1b[2J${ui.report()}\n${ui.url}`), 1000) : undefined;
  await stopped;
  clearInterval(top);
}

const settings = parse(Deno.args);
if (settings === undefined) {
  console.error(USAGE);
  Deno.exit(2);
}
await main(settings);
Deno.exit(0);
