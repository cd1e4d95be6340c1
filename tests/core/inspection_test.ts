/**
 * What the runtime reports to inspectors: readable names for every actor
 * (in a socket's own `inspect` stream and in `runtime.inspect()`),
 * inspection events as plain JSON, runtime-wide inspection that starts
 * late and stops cleanly, and the queue and back-pressure figures of the
 * statistics.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  actorIdentity,
  actorName,
  type InspectionRecord,
  inspectionRecord,
  type MachineInspectionEvent,
  registerBuiltins,
  Runtime,
} from "../../mod.ts";
import { plainValue } from "../../src/core/inspection_record.ts";
import { until } from "../_helpers.ts";

function runtime(): Runtime {
  return registerBuiltins(new Runtime());
}

/** Opens a PULL listening on tcp and a PUSH connected to it, waits until both pipes are active. */
async function pair(rt: Runtime, inspect?: (event: MachineInspectionEvent) => void) {
  const pull = rt.socket("pull", inspect ? { inspect } : {});
  const push = rt.socket("push", inspect ? { inspect } : {});
  const listener = await pull.listen("tcp://127.0.0.1:0");
  push.connect(listener.url);
  await pull.waitForPeers(1, { timeout: 5000 });
  await push.waitForPeers(1, { timeout: 5000 });
  return { pull, push, listener };
}

Deno.test("a socket's inspect stream names every actor: sockets and endpoints by XState id, pipes by actorName()", async () => {
  const records: InspectionRecord[] = [];
  const ids = new Map<string, string>();
  const rt = runtime();
  const { pull, push, listener } = await pair(rt, (event) => {
    records.push(inspectionRecord(event));
    const identity = actorIdentity(event.actorRef);
    if (identity !== undefined) ids.set(identity.name, (event.actorRef as { id: string }).id);
  });
  await push.send("x");
  await pull.recv();
  await push.close();
  await pull.close();

  const pipeName = /^pipe#\d+ tcp 127\.0\.0\.1:\d+⇄127\.0\.0\.1:\d+$/;
  const names = new Set(records.map((record) => record.actor));
  assert.ok(names.has(pull.name) && names.has(push.name), [...names].join(", "));
  assert.ok(names.has(listener.name), `the listener by its bound URL: ${listener.name}`);
  assert.ok(names.has(`dialer#1 ${listener.url}`));
  assert.equal([...names].filter((name) => pipeName.test(name)).length, 2, "both pipes by name");
  assert.ok(
    [...names].some((name) => name === `${listener.name} ▸ acceptLoop`),
    "an invoked actor by its owner's name",
  );
  assert.ok(![...names].some((name) => /^x:\d+$/.test(name)), "no session ids as names");

  // Root actors carry their name as their XState id; pipes keep their machine's id.
  assert.equal(ids.get(pull.name), pull.name);
  assert.equal(ids.get(`dialer#1 ${listener.url}`), `dialer#1 ${listener.url}`);
  for (const [name, id] of ids) if (pipeName.test(name)) assert.equal(id, "pipe");

  const pipeSnapshot = records.find((r) => r.kind === "pipe" && r.type === "@xstate.snapshot" && r.state === "active");
  assert.ok(pipeSnapshot !== undefined);
  assert.equal(pipeSnapshot.machine, "pipe");
  assert.equal(typeof pipeSnapshot.pipe, "number");
  assert.equal(pipeSnapshot.socket, pull.id === pipeSnapshot.socket ? pull.id : push.id);
  const context = pipeSnapshot.context as Record<string, unknown>;
  assert.match(String(context.pipe), pipeName, "the pipe object as its name");
  assert.match(String(context.owner), /^(listener|dialer)#1 /, "the owner actor as its name");
  assert.equal(actorName(pull.actor), pull.name);
});

Deno.test("inspection records are plain JSON: no functions, no cycles, secrets redacted", async () => {
  const rt = runtime();
  const raw: MachineInspectionEvent[] = [];
  const { pull, push } = await pair(rt, (event) => raw.push(event));
  const tls = rt.socket("pair", { inspect: (event) => raw.push(event) });
  tls.dial("tls+tcp://127.0.0.1:1", { "tls-ca": "-----BEGIN CERTIFICATE-----\nsecret" });
  await until(() => raw.some((e) => inspectionRecord(e).actor.startsWith("dialer#1 tls+tcp")), 5000, "the dialer");
  await Promise.all([push.close(), pull.close(), tls.close()]);
  for (const event of raw) {
    const record = inspectionRecord(event);
    const json = JSON.stringify(record);
    assert.deepEqual(JSON.parse(json), record, `${record.type} of ${record.actor} survives JSON`);
    assert.ok(!json.includes("BEGIN"), "no certificate or key appears");
  }
  const cyclic: Record<string, unknown> = { n: 1, f() {}, error: new Error("boom"), bytes: new Uint8Array(3) };
  cyclic.self = cyclic;
  assert.deepEqual(plainValue(cyclic), {
    n: 1,
    error: { name: "Error", message: "boom" },
    bytes: "<3 bytes>",
    self: "[circular]",
  });
  assert.deepEqual(plainValue({ password: "x", apiToken: "y", nested: { key: "z" } }), {
    password: "[redacted]",
    apiToken: "[redacted]",
    nested: { key: "[redacted]" },
  });
});

Deno.test("runtime.inspect() sees actors running before it started (and their pipes), new ones, and nothing after it stops", async () => {
  const rt = runtime();
  const { pull, push } = await pair(rt);
  const seen: InspectionRecord[] = [];
  const stop = rt.inspect((event) => seen.push(inspectionRecord(event)));
  const present = seen.filter((r) =>
    r.type === "@xstate.snapshot" && (r.event as { type: string }).type === "sp.inspect.present"
  );
  assert.deepEqual(
    present.map((r) => r.kind).sort(),
    ["dialer", "listener", "pipe", "pipe", "socket", "socket"],
    "each running actor once, with its current state",
  );
  assert.ok(present.filter((r) => r.kind === "pipe").every((r) => r.state === "active"));

  const sub = rt.socket("sub");
  sub.connect(`inproc://later`);
  await until(() => seen.some((r) => r.actor === "dialer#1 inproc://later" && r.state === "waiting"), 5000, "dialer");
  assert.ok(seen.some((r) => r.type === "@xstate.actor" && r.actor === sub.name), "a new socket is announced");
  assert.ok(seen.some((r) => r.type === "@xstate.actor" && r.actor === "dialer#1 inproc://later"));

  stop();
  stop(); // twice is harmless
  const count = seen.length;
  await push.send("x");
  await pull.recv();
  await Promise.all([sub.close(), push.close(), pull.close()]);
  assert.equal(seen.length, count, "nothing after stop()");

  // Starting again after everything stopped works, and so does a second observer.
  const again: string[] = [];
  const other: string[] = [];
  const stopAgain = rt.inspect((event) => again.push(event.type));
  const stopOther = rt.inspect({ next: (event) => other.push(event.type) });
  const pair2 = rt.socket("pair");
  await pair2.close();
  stopAgain();
  stopOther();
  assert.ok(again.includes("@xstate.actor") && other.includes("@xstate.actor"));
});

Deno.test("an inspector that throws does not disturb the socket; the error is reported", async () => {
  const rt = runtime();
  const reported: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    reported.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    const stop = rt.inspect(() => {
      throw new Error("inspector bug");
    });
    const { pull, push } = await pair(rt);
    await push.send("still works");
    assert.equal(new TextDecoder().decode(await pull.recv()), "still works");
    await Promise.all([push.close(), pull.close()]);
    stop();
    await until(() => reported.length > 0, 2000, "the error reported");
    assert.match(String(reported[0]), /inspector bug/);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
});

Deno.test("statistics show queues and back-pressure: inbound bytes, paused reading, waiting calls", async () => {
  const rt = runtime();
  const pull = rt.socket("pull", { options: { rcvbuf: 1024 } });
  const push = rt.socket("push");
  const { url } = await pull.listen("tcp://127.0.0.1:0");
  push.connect(url);
  await pull.waitForPeers(1, { timeout: 5000 });
  const waiting = pull.statistics();
  assert.equal(waiting.waitingRecvs, 0);
  for (let i = 0; i < 40; i++) await push.send(new Uint8Array(100));
  await until(() => pull.statistics().endpoints[0]!.pipes[0]!.recvPaused, 5000, "reading paused at RCVBUF");
  const pipe = pull.statistics().endpoints[0]!.pipes[0]!;
  assert.ok(pipe.inboundMessages >= 10 && pipe.inboundBytes >= 1024, JSON.stringify(pipe));
  assert.equal(pipe.sendBlocked, false);
  while (pull.statistics().endpoints[0]!.pipes[0]!.inboundMessages > 0) await pull.recv();
  const pending = pull.recv();
  assert.equal(pull.statistics().waitingRecvs, 1, "a receive waits");
  await push.send("last");
  await pending;
  await Promise.all([push.close(), pull.close()]);
});
