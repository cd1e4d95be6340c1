/**
 * `deno task bench:contexts`: what many requests in flight on one REQ
 * socket cost. Each round starts 1,000 `request()`s at once (a context
 * each) against a REP serving them through 16 contexts, over inproc and
 * tcp, and reports requests per second (best and median round) and the
 * heap held per request while all are in flight; the socket's own
 * one-at-a-time `send`/`recv` against a plain REP loop is the reference.
 *
 * ```sh
 * deno task bench:contexts [rounds]
 * ```
 *
 * @module
 */

import { openSocket } from "../mod.ts";

const CONCURRENT = 1_000;
const rounds = Number(Deno.args[0] ?? 20);
const gc = (globalThis as { gc?: () => void }).gc;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function concurrent(url: string): Promise<{ best: number; median: number; bytesEach: number }> {
  await using rep = openSocket("rep");
  await using req = openSocket("req");
  req.connect((await rep.listen(url)).url);
  await rep.waitForPeers(1);
  const serving = rep.serve((request) => request, { concurrency: 16 });
  const rates: number[] = [];
  let bytesEach = 0;
  for (let round = -1; round < rounds; round++) {
    gc?.();
    const before = Deno.memoryUsage().heapUsed;
    const started = performance.now();
    const asked = Array.from({ length: CONCURRENT }, (_, n) => req.request(`request ${n}`));
    const held = (Deno.memoryUsage().heapUsed - before) / CONCURRENT;
    await Promise.all(asked);
    const elapsed = performance.now() - started;
    if (round < 0) continue; // warm-up
    rates.push(CONCURRENT / elapsed * 1000);
    bytesEach = Math.max(bytesEach, held);
  }
  await rep.close();
  await serving;
  return { best: Math.max(...rates), median: median(rates), bytesEach };
}

async function sequential(url: string): Promise<number> {
  await using rep = openSocket("rep");
  await using req = openSocket("req");
  req.connect((await rep.listen(url)).url);
  await rep.waitForPeers(1);
  const echo = (async () => {
    for await (const request of rep) await rep.send(request);
  })();
  const count = 5 * CONCURRENT;
  const started = performance.now();
  for (let n = 0; n < count; n++) {
    await req.send("request");
    await req.recv();
  }
  const rate = count / (performance.now() - started) * 1000;
  await rep.close();
  await echo;
  return rate;
}

console.log(
  `| transport | ${CONCURRENT} concurrent request(): best req/s | median req/s | heap per request in flight | sequential send/recv req/s |`,
);
console.log("| --- | --- | --- | --- | --- |");
for (const [name, url] of [["inproc", "inproc://bench-contexts"], ["tcp", "tcp://127.0.0.1:0"]]) {
  const result = await concurrent(url!);
  const reference = await sequential(url!);
  const kb = gc === undefined ? "(run with --expose-gc)" : `${(result.bytesEach / 1024).toFixed(1)} KB`;
  console.log(
    `| ${name} | ${Math.round(result.best)} | ${Math.round(result.median)} | ${kb} | ${Math.round(reference)} |`,
  );
}
