/**
 * Throughput, receiving side (nanomsg's `local_thr`): binds a PAIR socket,
 * waits for the empty start message, then times the arrival of
 * `<msg-count>` messages of `<msg-size>` bytes and prints the rate.
 *
 * Usage: `deno run -A bench/perf/local_thr.ts <bind-url> <msg-size> <msg-count>`
 *
 * @module
 */

import {
  endpointOptions,
  expectSize,
  nowMicros,
  openPerfSocket,
  parseArgs,
  receiveOptions,
  throughputReport,
} from "./_perf.ts";

const [url, size, count] = parseArgs(Deno.args, "usage: local_thr <bind-to> <msg-size> <msg-count>", [
  "url",
  "size",
  "count",
]) as [string, number, number];

const socket = openPerfSocket(false);
await socket.bind(url, endpointOptions(url, "bind"));

// The empty message only says "the sender is connected and starting": the
// clock must not include connection setup.
expectSize(await socket.recv(), 0, "local_thr");
const receiving = receiveOptions(size);
const start = nowMicros();
for (let i = 0; i < count; i++) {
  const message = await socket.recv(receiving);
  if (message.length !== size) expectSize(message, size, "local_thr");
}
const elapsed = nowMicros() - start;

console.log(throughputReport(size, count, elapsed));
await socket.close();
