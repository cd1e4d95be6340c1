/**
 * Latency over `inproc://` with both ends in this process (nanomsg's
 * `inproc_lat`): one end echoes, the other times `<roundtrips>` round
 * trips and prints the one-way latency (total / (roundtrips × 2)).
 *
 * Usage: `deno run bench/perf/inproc_lat.ts <msg-size> <roundtrips>`
 *
 * @module
 */

import {
  expectSize,
  latencyReport,
  makePayload,
  nowMicros,
  openPerfSocket,
  parseArgs,
  receiveOptions,
} from "./_perf.ts";

const [size, roundtrips] = parseArgs(Deno.args, "usage: inproc_lat <msg-size> <roundtrips>", ["size", "count"]) as [
  number,
  number,
];

const url = `inproc://inproc_lat-${Deno.pid}`;
const timing = openPerfSocket(true);
await timing.bind(url);
const echoing = openPerfSocket(true);
echoing.connect(url);

/** Says "connected" with an empty message, then echoes every timed one. */
async function echoAll(): Promise<void> {
  await echoing.send(new Uint8Array(0));
  const receiving = receiveOptions(size);
  for (let i = 0; i < roundtrips; i++) await echoing.send(await echoing.recv(receiving));
}
const echoes = echoAll();

// The connection is made asynchronously: the clock starts once the echoing
// side's "ready" message has arrived (nanomsg's tool sleeps 100 ms instead).
expectSize(await timing.recv(), 0, "inproc_lat");

const payload = makePayload(size);
const receiving = receiveOptions(size);
const start = nowMicros();
for (let i = 0; i < roundtrips; i++) {
  await timing.send(payload);
  const echo = await timing.recv(receiving);
  if (echo.length !== size) expectSize(echo, size, "inproc_lat");
}
const elapsed = nowMicros() - start;
await echoes;

console.log(latencyReport(size, roundtrips, elapsed));
await echoing.close();
await timing.close();
