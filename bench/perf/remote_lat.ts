/**
 * Latency, timing side (nanomsg's `remote_lat`): connects a PAIR socket
 * with TCP_NODELAY, then `<roundtrips>` times sends a `<msg-size>`-byte
 * message and waits for its echo. Prints the one-way latency: the total
 * time over twice the number of round trips. As in nanomsg, the clock
 * starts right after `connect`, so connection setup is in the total.
 *
 * Usage: `deno run -A bench/perf/remote_lat.ts <connect-url> <msg-size> <roundtrips>`
 *
 * @module
 */

import {
  endpointOptions,
  expectSize,
  latencyReport,
  makePayload,
  nowMicros,
  openPerfSocket,
  parseArgs,
  receiveOptions,
} from "./_perf.ts";

const [url, size, roundtrips] = parseArgs(Deno.args, "usage: remote_lat <connect-to> <msg-size> <roundtrips>", [
  "url",
  "size",
  "count",
]) as [string, number, number];

const socket = openPerfSocket(true);
socket.connect(url, endpointOptions(url, "connect"));
const payload = makePayload(size);

const receiving = receiveOptions(size);
const start = nowMicros();
for (let i = 0; i < roundtrips; i++) {
  await socket.send(payload);
  const echo = await socket.recv(receiving);
  if (echo.length !== size) expectSize(echo, size, "remote_lat");
}
const elapsed = nowMicros() - start;

console.log(latencyReport(size, roundtrips, elapsed));
await socket.close();
