/**
 * The inspector's record of actors and what it derives from it: the
 * timeline of each actor with the event behind every change and why (the
 * reconnect back-off read from the dialer's named delay, the error that
 * closed a pipe), bounded memory, the topology joined from actors and
 * statistics, rates, and the text report.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ManualClock, registerBuiltins, Runtime } from "../../mod.ts";
import {
  ActorLog,
  type ActorView,
  buildTopology,
  computeRates,
  eventLabel,
  formatBytes,
  formatCount,
  renderReport,
  stateText,
  trafficSample,
} from "../../src/inspect/mod.ts";
import { freePort, until } from "../_helpers.ts";

function actor(log: ActorLog, key: string): ActorView | undefined {
  return log.views().find((view) => view.key === key);
}

Deno.test("a dialer's timeline shows each failed attempt with its error and the back-off delay, doubling to the maximum", async () => {
  const clock = new ManualClock();
  const runtime = registerBuiltins(new Runtime({ clock }));
  const log = new ActorLog(runtime);
  const socket = runtime.socket("pair", { options: { reconnectIvl: 100, reconnectIvlMax: 400 } });
  const dialer = socket.dial(`tcp://127.0.0.1:${freePort()}`);
  const waits = () => actor(log, "s1/e1")?.timeline.filter((entry) => entry.state === "waiting") ?? [];
  for (const delay of [100, 200, 400, 400]) {
    const before = waits().length;
    await until(() => waits().length > before, 5000, `attempt failing before a ${delay} ms wait`);
    const last = waits().at(-1)!;
    assert.equal(last.event, "dial.failed");
    assert.match(last.detail ?? "", new RegExp(`^ECONNREFUSED: .*; reconnectDelay ${delay} ms$`));
    assert.equal(last.failed, true);
    clock.advance(delay);
  }
  const view = actor(log, "s1/e1")!;
  assert.equal(view.name, dialer.name);
  assert.equal(view.kind, "dialer");
  assert.ok(view.timeline.some((entry) => entry.state === "connecting" && entry.event === "after reconnectDelay"));
  await socket.close();
  assert.equal(actor(log, "s1/e1")?.state, "closed");
  assert.ok(actor(log, "s1/e1")?.ended !== undefined);
  log.close();
});

Deno.test("a pipe refused for a bad greeting ends with the reason in its timeline", async () => {
  const runtime = registerBuiltins(new Runtime());
  const log = new ActorLog(runtime);
  await using pull = runtime.socket("pull");
  const { url } = await pull.listen("tcp://127.0.0.1:0");
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(url.replace("tcp", "http")).port) });
  await conn.write(new Uint8Array([0, 0x53, 0x50, 0, 0, 0x21, 0, 0])); // SUB, not PUSH
  await until(() => actor(log, "p1")?.ended !== undefined, 5000, "the pipe to end");
  conn.close();
  const pipe = actor(log, "p1")!;
  assert.deepEqual(pipe.timeline.map((entry) => entry.state), ["handshaking", "closed"]);
  assert.match(pipe.timeline[1]!.detail ?? "", /^EPROTO: .*protocol 0x21, expected 0x50/);
  assert.equal(pipe.timeline[1]!.failed, true);
  log.close();
});

Deno.test("memory stays bounded: timelines and the list of ended actors are capped", async () => {
  const runtime = registerBuiltins(new Runtime());
  const log = new ActorLog(runtime, { timelineLength: 3, keepEnded: 5 });
  for (let i = 0; i < 12; i++) await runtime.socket("pair").close();
  const views = log.views();
  assert.equal(views.length, 5);
  assert.deepEqual(views.map((view) => view.key), ["s8", "s9", "s10", "s11", "s12"]);
  assert.ok(views.every((view) => view.timeline.length <= 3));
  log.close();
});

Deno.test("event labels and state texts", () => {
  assert.equal(eventLabel("xstate.init"), "start");
  assert.equal(eventLabel("xstate.done.actor.0.pipe.handshaking"), "done: handshaking");
  assert.equal(eventLabel("xstate.error.actor.0.dialer.connecting"), "error: connecting");
  assert.equal(eventLabel("xstate.after.reconnectDelay.dialer.waiting"), "after reconnectDelay");
  assert.equal(eventLabel("conn.closed"), "conn.closed");
  assert.equal(stateText("active"), "active");
  assert.equal(stateText({ closing: "lingering" }), "closing.lingering");
  assert.equal(stateText({ a: "x", b: { c: "y" } }), "a.x, b.c.y");
});

Deno.test("rates come from two samples; the topology joins actors and statistics; the report prints both", async () => {
  const runtime = registerBuiltins(new Runtime());
  const log = new ActorLog(runtime);
  await using pull = runtime.socket("pull", { options: { socketName: "<jobs>" } });
  await using push = runtime.socket("push");
  const { url } = await pull.listen("tcp://127.0.0.1:0");
  push.connect(url);
  await pull.waitForPeers(1, { timeout: 5000 });
  await push.waitForPeers(1, { timeout: 5000 });
  const before = trafficSample(runtime.sockets().map((s) => s.statistics()));
  for (let i = 0; i < 10; i++) await push.send(new Uint8Array(100));
  for (let i = 0; i < 10; i++) await pull.recv();
  const sockets = runtime.sockets().map((s) => s.statistics());
  const rates = computeRates(before, trafficSample(sockets), 500);
  assert.deepEqual(rates.s2, { msgOut: 20, msgIn: 0, bytesOut: 2000, bytesIn: 0 });
  assert.equal(rates.s1!.msgIn, 20);
  assert.equal(Object.keys(rates).length, 6, "two sockets, two endpoints, two pipes");
  assert.deepEqual(computeRates(before, before, 0), {}, "no time, no rates");

  const actors = new Map(log.views().map((view) => [view.key, view]));
  const state = { actors, stats: { at: Date.now(), sockets, rates }, hello: undefined };
  const topology = buildTopology(state);
  assert.deepEqual(topology.map((s) => `${s.name} ${s.protocol} ${s.alias ?? "-"}`), [
    "socket#1(pull) pull <jobs>",
    "socket#2(push) push -",
  ]);
  const [listener] = topology[0]!.endpoints;
  assert.equal(listener!.actor?.state, "listening");
  assert.equal(listener!.pipes[0]!.actor?.state, "active");
  assert.equal(listener!.pipes[0]!.stats?.messagesReceived, 10);

  const text = renderReport(state, { selected: listener!.pipes[0]!.key });
  assert.match(text, /^2 sockets at /);
  assert.match(text, /socket#1\(pull\) {2}"<jobs>" {2}pull cooked {2}\[open\] {2}in 20 msg\/s 2\.0 KiB\/s/);
  assert.match(text, /\n {4}pipe#1 tcp .* {2}\[active\] {2}in 20 msg\/s/);
  assert.match(
    text,
    /\ntimeline of pipe#1 tcp .*:\n.* handshaking {2}start\n.* attaching {2}handshake\.done\n.* active {2}attach$/,
  );
  assert.equal(renderReport(state, { filter: "push" }).split("\n")[0]!.startsWith("1 socket matching"), true);
  assert.equal(formatCount(999), "999");
  assert.equal(formatCount(12_345), "12.3k");
  assert.equal(formatCount(4_100_000), "4.10M");
  assert.equal(formatBytes(1536), "1.5 KiB");
  log.close();
});

Deno.test("a machine a protocol runs (a SURVEYOR's survey) is named, followed and listed under its socket", async () => {
  const runtime = registerBuiltins(new Runtime());
  const log = new ActorLog(runtime);
  await using surveyor = runtime.socket("surveyor", { options: { deadline: 50 } });
  await surveyor.listen("inproc://actor-log-survey");
  await surveyor.send("anyone?");
  const key = "s1/m1";
  await until(() => actor(log, key)?.state === "surveying", 5000, "the survey machine");
  const survey = actor(log, key)!;
  assert.equal(survey.kind, "protocol");
  assert.equal(survey.machine, "survey");
  assert.equal(survey.name, "socket#1(surveyor) survey#1");
  assert.match(survey.timeline.at(-1)!.detail ?? "", /^deadline 50 ms$/);
  const state = { actors: new Map(log.views().map((view) => [view.key, view])) };
  assert.deepEqual(buildTopology(state)[0]!.machines.map((m) => m.key), [key]);
  assert.match(renderReport(state), /\n {2}socket#1\(surveyor\) survey#1 {2}\[surveying\]/);
  log.close();
});
