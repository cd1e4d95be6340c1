/**
 * Latency, echoing side (nanomsg's `local_lat`): binds a PAIR socket with
 * TCP_NODELAY and sends every message straight back, `<roundtrips>` times.
 * Prints nothing; `remote_lat` does the timing. Waits a second before
 * closing, like `remote_thr`.
 *
 * Usage: `deno run -A bench/perf/local_lat.ts <bind-url> <msg-size> <roundtrips>`
 *
 * @module
 */

import { endpointOptions, expectSize, feederGrace, openPerfSocket, parseArgs, receiveOptions } from "./_perf.ts";

const [url, size, roundtrips] = parseArgs(Deno.args, "usage: local_lat <bind-to> <msg-size> <roundtrips>", [
  "url",
  "size",
  "count",
]) as [string, number, number];

const socket = openPerfSocket(true);
await socket.bind(url, endpointOptions(url, "bind"));

const receiving = receiveOptions(size);
for (let i = 0; i < roundtrips; i++) {
  const message = await socket.recv(receiving);
  if (message.length !== size) expectSize(message, size, "local_lat");
  await socket.send(message);
}

// The timing side has everything once it stops; see FEEDER_GRACE_MS.
await feederGrace();
await socket.close();
