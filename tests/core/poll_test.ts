/**
 * `poll()`: nanomsg's readiness per protocol (a REQ can always send, a SUB
 * whose waiting message matches nothing is not readable, a SURVEYOR wakes
 * its poller at the deadline…), timeouts, signals and closed sockets on a
 * manual clock over inproc; and waking on traffic over every transport.
 *
 * @module
 */

import assert from "node:assert/strict";
import { openSocket, poll, type PollEntry, type Socket } from "../../mod.ts";
import { tempIpcPath, text, within } from "../_helpers.ts";
import { advance, rejectsWith, settle, settled } from "../protocols/_backtrace_fixtures.ts";
import { contextBench, joinAll } from "../protocols/_context_fixtures.ts";

/** What poll reports for one socket right now. */
async function readiness(socket: Socket): Promise<{ recv: boolean; send: boolean }> {
  const [result] = await poll([{ socket, recv: true, send: true }], { timeout: 0 });
  return { recv: result!.recv, send: result!.send };
}

Deno.test("poll readiness: REQ can always send, and receive once the reply is in", async () => {
  const { open } = contextBench();
  await using req = open("req");
  assert.deepEqual(await readiness(req), { recv: false, send: true }, "no peer: a REQ still sends at once");
  await using rep = open("rep");
  await joinAll(rep, req);
  await req.send("q");
  assert.deepEqual(await readiness(rep), { recv: true, send: false });
  await rep.recv();
  assert.deepEqual(await readiness(rep), { recv: false, send: true }, "REP can send while answering");
  await rep.send("a");
  await settle();
  assert.deepEqual(await readiness(req), { recv: true, send: true });
  await req.recv();
  assert.deepEqual(await readiness(req), { recv: false, send: true });
});

Deno.test("poll readiness: a SUB is not readable for a message that matches no subscription", async () => {
  const { open } = contextBench();
  await using pub = open("pub");
  await using sub = open("sub");
  sub.subscribe("a");
  await joinAll(pub, sub);
  assert.deepEqual(await readiness(pub), { recv: false, send: true }, "PUB always sends, never receives");
  await pub.send("b: filtered");
  await settle();
  assert.deepEqual(await readiness(sub), { recv: false, send: false });
  const woken = poll([{ socket: sub, recv: true }]);
  await pub.send("b: filtered too");
  await settle();
  assert.equal(await settled(woken), false);
  await pub.send("a: matches");
  assert.deepEqual((await woken).map((r) => r.recv), [true]);
  assert.equal(text(await sub.recv()), "a: matches");
});

Deno.test("poll readiness: PUSH and PAIR can send only with a peer that can take it; PULL never sends", async () => {
  const { open } = contextBench();
  await using push = open("push");
  await using pull = open("pull");
  await using pair = open("pair");
  assert.deepEqual(await readiness(push), { recv: false, send: false });
  assert.deepEqual(await readiness(pair), { recv: false, send: false });
  const waiting = poll([{ socket: push, send: true }, { socket: pull, recv: true }]);
  await joinAll(pull, push);
  assert.deepEqual((await waiting).map((r) => [r.recv, r.send]), [[false, true], [false, false]]);
  await push.send("job");
  await settle();
  assert.deepEqual(await readiness(pull), { recv: true, send: false });
  await using other = open("pair");
  await joinAll(pair, other);
  assert.deepEqual(await readiness(pair), { recv: false, send: true });
  await using bus = open("bus");
  assert.deepEqual(await readiness(bus), { recv: false, send: true }, "BUS never waits to send");
});

Deno.test("poll readiness: a SURVEYOR is readable while no survey is open, so its poller wakes at the deadline", async () => {
  const { clock, open } = contextBench();
  await using surveyor = open("surveyor");
  surveyor.setOption("deadline", 100);
  assert.deepEqual(await readiness(surveyor), { recv: true, send: true }, "no survey: a receive fails at once");
  await surveyor.send("anyone?");
  assert.deepEqual(await readiness(surveyor), { recv: false, send: true });
  const woken = poll([{ socket: surveyor, recv: true }]);
  await advance(clock, 50);
  assert.equal(await settled(woken), false);
  await advance(clock, 60);
  assert.deepEqual((await woken).map((r) => r.recv), [true]);
  await rejectsWith(surveyor.recv(), "ETIMEDOUT");
});

Deno.test("poll: the timeout passes with nothing ready, the signal aborts, a closed socket is EBADF", async () => {
  const { clock, open } = contextBench();
  await using pull = open("pull");
  const timedOut = poll([{ socket: pull, recv: true }], { timeout: 100 });
  await advance(clock, 110);
  assert.deepEqual((await timedOut).map((r) => [r.socket, r.recv, r.send]), [[pull, false, false]]);
  const controller = new AbortController();
  const aborted = poll([{ socket: pull, recv: true }], { signal: controller.signal });
  controller.abort();
  await rejectsWith(aborted, "ECANCELED");
  const closing = open("pull");
  const waiting = poll([{ socket: pull, recv: true }, { socket: closing, recv: true }]);
  await closing.close();
  await rejectsWith(waiting, "EBADF");
  await rejectsWith(poll([{ socket: closing, recv: true }]), "EBADF");
  await rejectsWith(poll([{ socket: {} as Socket, recv: true }]), "EINVAL");
  await rejectsWith(poll([{ socket: pull, recv: true }], { timeout: 1.5 }), "EINVAL");
  await rejectsWith(poll("no" as unknown as PollEntry[]), "EINVAL");
  assert.deepEqual(await poll([], { timeout: 0 }), []);
  // An entry that asks for nothing is never ready.
  await using req = open("req");
  const nothing = poll([{ socket: req }], { timeout: 10 });
  await advance(clock, 20);
  assert.deepEqual((await nothing).map((r) => r.send), [false]);
});

const TRANSPORTS = [
  { name: "inproc", url: () => `inproc://poll-${crypto.randomUUID()}` },
  { name: "ipc", url: () => `ipc://${tempIpcPath("poll")}` },
  { name: "tcp", url: () => "tcp://127.0.0.1:0" },
  { name: "ws", url: () => "ws://127.0.0.1:0/poll" },
];

for (const transport of TRANSPORTS) {
  Deno.test(`poll over ${transport.name}: wakes when a peer attaches and when a message arrives, telling which socket`, async () => {
    await using pull = openSocket("pull");
    await using idle = openSocket("pull");
    await using push = openSocket("push");
    const { url } = await pull.listen(transport.url());
    const attached = poll([{ socket: push, send: true }, { socket: idle, recv: true }], { timeout: 5_000 });
    push.connect(url);
    assert.deepEqual((await within(attached, 6_000, "attach")).map((r) => r.send), [true, false]);
    const arrived = poll([{ socket: idle, recv: true }, { socket: pull, recv: true }], { timeout: 5_000 });
    await push.send("over the wire");
    const [first, second] = await within(arrived, 6_000, "arrival");
    assert.deepEqual([first!.recv, second!.recv, second!.socket === pull], [false, true, true]);
    assert.equal(text(await pull.recv()), "over the wire");
    const quiet = await poll([{ socket: pull, recv: true }], { timeout: 20 });
    assert.equal(quiet[0]!.recv, false);
  });
}

Deno.test("poll over tcp: a REP polled for receive wakes for a request from a REQ context", async () => {
  await using rep = openSocket("rep");
  await using req = openSocket("req");
  req.connect((await rep.listen("tcp://127.0.0.1:0")).url);
  const asked = req.request("ping", { timeout: 5_000 });
  const [ready] = await within(poll([{ socket: rep, recv: true }], { timeout: 5_000 }), 6_000, "request");
  assert.ok(ready!.recv);
  await rep.recv();
  assert.ok((await poll([{ socket: rep, send: true }], { timeout: 0 }))[0]!.send);
  await rep.send("pong");
  assert.equal(text(await asked), "pong");
});
