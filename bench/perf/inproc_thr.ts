/**
 * Throughput over `inproc://` with both ends in this process (nanomsg's
 * `inproc_thr`). nanomsg runs the sender on a second thread; here both
 * ends share the one event loop, as they would in any Deno program, so the
 * number includes the cost of switching between sender and receiver.
 * Output is nanomsg's, including its "mean throughput" wording.
 *
 * Usage: `deno run bench/perf/inproc_thr.ts <msg-size> <msg-count>`
 *
 * @module
 */

import {
  expectSize,
  makePayload,
  nowMicros,
  openPerfSocket,
  parseArgs,
  receiveOptions,
  throughputReport,
} from "./_perf.ts";

const [size, count] = parseArgs(Deno.args, "usage: inproc_thr <msg-size> <msg-count>", ["size", "count"]) as [
  number,
  number,
];

const url = `inproc://inproc_thr-${Deno.pid}`;
const receiver = openPerfSocket(false);
await receiver.bind(url);
const sender = openPerfSocket(false);
sender.connect(url);

async function sendAll(): Promise<void> {
  const payload = makePayload(size);
  await sender.send(new Uint8Array(0));
  for (let i = 0; i < count; i++) await sender.send(payload);
}

const sending = sendAll();
expectSize(await receiver.recv(), 0, "inproc_thr");
const receiving = receiveOptions(size);
const start = nowMicros();
for (let i = 0; i < count; i++) {
  const message = await receiver.recv(receiving);
  if (message.length !== size) expectSize(message, size, "inproc_thr");
}
const elapsed = nowMicros() - start;
await sending;

console.log(throughputReport(size, count, elapsed, "mean throughput"));
await sender.close();
await receiver.close();
