/**
 * The cost of a pipe's whole life: connect, SP handshake, attach on both
 * sides (one message passes), close; over inproc, ipc and tcp; with a new
 * endpoint on a long-lived socket and with a new socket each time; and
 * many connections made at once. Before the benches run, the memory per
 * idle pipe is printed (see `_pipe_cycle.ts` and `pipe_costs.ts` for the
 * method).
 *
 * Run: `deno bench --allow-net --allow-read --allow-write --v8-flags=--expose-gc bench/pipe_lifecycle_bench.ts`
 *
 * @module
 */

import { openSocket } from "../mod.ts";
import { CycleTarget, type CycleTransport, cycleUrl, until } from "./_pipe_cycle.ts";
import { measureIdle } from "./pipe_costs.ts";

const transports: CycleTransport[] = ["inproc", "ipc", "tcp"];

// Memory is measured here, at load time, in a fresh process: inside a
// timed bench the garbage of the cycle benches and deno bench's mandatory
// warm-up run would distort it.
for (const t of transports) {
  const cost = await measureIdle(t, 200);
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
  console.log(
    `idle ${t} pipe (200 connections): heap ${kb(cost.heapPerPipe)}, ArrayBuffers ${kb(cost.externalPerPipe)}, RSS ${
      kb(cost.rssPerPipe)
    } per pipe end`,
  );
}

const targets = new Map<CycleTransport, CycleTarget>();
for (const t of transports) targets.set(t, await CycleTarget.open(t));

for (const t of transports) {
  const target = targets.get(t)!;
  Deno.bench({
    name: `${t}: connect + handshake + attach + shutdown (endpoint on a kept socket)`,
    group: "endpoint cycle",
    baseline: t === "inproc",
    // An `async` function: deno bench awaits only functions declared async,
    // a plain arrow returning a promise would be timed as synchronous.
    async fn() {
      await target.endpointCycle();
    },
  });
}

for (const t of transports) {
  const target = targets.get(t)!;
  Deno.bench({
    name: `${t}: open socket + connect + handshake + attach + close`,
    group: "socket cycle",
    baseline: t === "inproc",
    async fn() {
      await target.socketCycle();
    },
  });
}

for (const t of transports) {
  Deno.bench({
    name: `${t}: 100 idle connections made at once, then closed`,
    group: "idle connections",
    baseline: t === "inproc",
    async fn() {
      const url = cycleUrl(t);
      const listener = openSocket("pull");
      await listener.bind(url);
      const dialer = openSocket("push");
      for (let i = 0; i < 100; i++) dialer.connect(url);
      await until(() => listener.stats.currentConnections === 100, 10_000, "100 connections");
      await dialer.close();
      await listener.close();
    },
  });
}
