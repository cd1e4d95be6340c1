/**
 * Throughput, sending side (nanomsg's `remote_thr`): connects a PAIR
 * socket, sends one empty message to start the receiver's clock, then
 * `<msg-count>` messages of `<msg-size>` bytes as fast as the socket takes
 * them, then waits a second before closing (see `FEEDER_GRACE_MS`).
 *
 * Usage: `deno run -A bench/perf/remote_thr.ts <connect-url> <msg-size> <msg-count>`
 *
 * @module
 */

import { endpointOptions, feederGrace, makePayload, openPerfSocket, parseArgs } from "./_perf.ts";

const [url, size, count] = parseArgs(Deno.args, "usage: remote_thr <connect-to> <msg-size> <msg-count>", [
  "url",
  "size",
  "count",
]) as [string, number, number];

const socket = openPerfSocket(false);
socket.connect(url, endpointOptions(url, "connect"));
const payload = makePayload(size);

await socket.send(new Uint8Array(0));
for (let i = 0; i < count; i++) await socket.send(payload);

// LINGER (1 s by default) keeps the socket open until the queued messages
// are written; the grace period covers peers that stop reading at hang-up.
await feederGrace();
await socket.close();
