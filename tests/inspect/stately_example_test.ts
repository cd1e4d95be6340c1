/**
 * `examples/stately_inspect.ts` against Stately's own bridge, offline: the
 * example starts `createInspectorServer`, sends our machines through
 * `createWebSocketInspector`, and a WebSocket client of the bridge (where
 * the Stately UI page would sit) receives the actors and their snapshots.
 *
 * @module
 */

import assert from "node:assert/strict";
import { freePort, within } from "../_helpers.ts";

interface StatelyEvent {
  type: string;
  name?: string;
  sessionId: string;
  snapshot?: { value?: unknown; status?: string };
}

Deno.test("the Stately example sends every kind of machine to the inspector bridge over its WebSocket", async () => {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env=WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE",
      "examples/stately_inspect.ts",
      "--port",
      String(port),
      "--rounds",
      "1",
      "--interval",
      "100",
    ],
    cwd: new URL("../../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const events: StatelyEvent[] = [];
  let socket: WebSocket | undefined;
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let stdout = "";
    while (!stdout.includes("Stately inspector: open")) {
      const { value, done } = await within(reader.read(), 10_000, "the example's first line");
      if (done) break;
      stdout += value;
    }
    assert.match(stdout, new RegExp(`open http://localhost:${port} `));
    // The bridge replays what it got before we connected (up to 200 events).
    const ws = socket = new WebSocket(`ws://127.0.0.1:${port}`);
    const closed = new Promise<void>((resolve) => ws.onclose = () => resolve());
    ws.onmessage = (message) => events.push(JSON.parse(String(message.data)));
    const rest = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return stdout;
        stdout += value;
      }
    })();
    const [status, output] = await within(Promise.all([child.status, rest]), 20_000, "the example to finish");
    const stderr = await new Response(child.stderr).text();
    assert.equal(status.code, 0, stderr);
    assert.match(output, /round 1: pong to ping 1/);
    await within(closed, 5_000, "the bridge to close its WebSocket");
  } finally {
    socket?.close();
    try {
      child.kill();
    } catch { /* already gone */ }
    await child.status;
  }

  const actors = events.filter((e) => e.type === "@xstate.actor");
  const names = new Set(actors.map((e) => e.name));
  // Sockets and endpoints are named as everywhere else; pipes keep their machine's id (see startActor).
  for (
    const name of [
      "socket#1(rep)",
      "listener#1 inproc://stately-demo",
      "socket#2(req)",
      "dialer#1 inproc://stately-demo",
    ]
  ) {
    assert.ok(names.has(name), `an actor named ${name}: ${[...names].join(", ")}`);
  }
  const pipes = new Set(actors.filter((e) => e.name === "pipe").map((e) => e.sessionId));
  assert.ok(pipes.size >= 2, `a pipe at each end, got ${pipes.size}`);
  const values = events.filter((e) => e.type === "@xstate.snapshot" && pipes.has(e.sessionId)).map((e) =>
    e.snapshot?.value
  );
  assert.ok(values.includes("active"), `a pipe went active: ${JSON.stringify(values)}`);
  assert.ok(values.includes("closed"), "a pipe closed");
  assert.ok(events.length < 200, `${events.length} events: the bridge replays at most 200, some may be lost`);
});
