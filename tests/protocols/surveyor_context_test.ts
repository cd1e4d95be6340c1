/**
 * SURVEYOR contexts and `survey()` on a manual clock over inproc: each
 * survey has its own id and deadline, answers find their survey even when
 * another party reads them off the pipe, `survey()` and `for await` end at
 * the deadline, and each survey's lifecycle is a machine the inspector
 * sees.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type MachineInspectionEvent, NN_DONTWAIT } from "../../mod.ts";
import { runtimeMachines } from "../../src/inspect/machines.ts";
import { text } from "../_helpers.ts";
import { advance, rejectsWith, settle, throwsWith } from "./_backtrace_fixtures.ts";
import { contextBench, joinAll } from "./_context_fixtures.ts";

/** Collects `iterable` while the clock is advanced by `ms`. */
async function collectOver<T>(
  clock: { advance(ms: number): void },
  ms: number,
  iterable: AsyncIterable<T>,
): Promise<T[]> {
  const out: T[] = [];
  const done = (async () => {
    for await (const item of iterable) out.push(item);
  })();
  await advance(clock, ms);
  await done;
  return out;
}

Deno.test("survey() yields every answer and ends at the deadline; for await over the socket ends there too", async () => {
  const { clock, open } = contextBench();
  await using surveyor = open("surveyor");
  const respondents = [open("respondent"), open("respondent")];
  await joinAll(surveyor, ...respondents);
  const serving = respondents.map((r, i) => r.serve((q) => `${i + 1} says yes to ${text(q)}`));
  const answers = await collectOver(clock, 120, surveyor.survey("tea?", { deadline: 100 }));
  assert.deepEqual(answers.map(text).sort(), ["1 says yes to tea?", "2 says yes to tea?"]);
  // The socket's own survey: its for-await ends at the deadline instead of throwing ETIMEDOUT.
  surveyor.setOption("deadline", 50);
  await surveyor.send("coffee?");
  const own = await collectOver(clock, 60, surveyor);
  assert.equal(own.length, 2);
  await rejectsWith(surveyor.recv(NN_DONTWAIT), "EFSM");
  for (const r of respondents) await r.close();
  await Promise.all(serving);
});

Deno.test("surveys through contexts run at once, each with its own answers and deadline", async () => {
  const { clock, open } = contextBench();
  await using surveyor = open("surveyor");
  const respondents = [open("respondent"), open("respondent"), open("respondent")];
  await joinAll(surveyor, ...respondents);
  const serving = respondents.map((r, i) => r.serve((q) => `${i}:${text(q)}`, { concurrency: 2 }));
  const short = collectOver(clock, 0, surveyor.survey("short", { deadline: 40 }));
  const long = collectOver(clock, 0, surveyor.survey("long", { deadline: 200 }));
  await advance(clock, 60);
  await settle();
  const [shortAnswers, longAnswers] = await Promise.all([
    short,
    (async () => {
      await advance(clock, 200);
      return await long;
    })(),
  ]);
  assert.deepEqual(shortAnswers.map(text).sort(), ["0:short", "1:short", "2:short"]);
  assert.deepEqual(longAnswers.map(text).sort(), ["0:long", "1:long", "2:long"]);
  for (const r of respondents) await r.close();
  await Promise.all(serving);
});

Deno.test("answers to a context's survey wait in its queue while another party reads the pipe", async () => {
  const { open } = contextBench();
  await using surveyor = open("surveyor");
  await using raw = open("respondent", true);
  await joinAll(surveyor, raw);
  using a = surveyor.openContext();
  using b = surveyor.openContext();
  await a.send("qa");
  await b.send("qb");
  const qa = await raw.recvmsg();
  const qb = await raw.recvmsg();
  const bWaits = b.recv();
  await raw.sendmsg({ header: qa.header, body: "to a, 1" });
  await raw.sendmsg({ header: qa.header, body: "to a, 2" });
  await raw.sendmsg({ header: qb.header, body: "to b" });
  assert.equal(text(await bWaits), "to b");
  assert.equal(text(await a.recv(NN_DONTWAIT)), "to a, 1");
  assert.equal(text(await a.recv(NN_DONTWAIT)), "to a, 2");
  // b reads a's third answer off the pipe and keeps it for a; a's new
  // survey then makes it stale.
  await raw.sendmsg({ header: qa.header, body: "to a, 3" });
  await settle();
  await rejectsWith(b.recv(NN_DONTWAIT), "EAGAIN");
  assert.equal(surveyor.statistics().drops.stale, 0);
  await a.send("qa again");
  assert.equal(surveyor.statistics().drops.stale, 1);
  await rejectsWith(a.recv(NN_DONTWAIT), "EAGAIN");
});

Deno.test("a SURVEYOR context's deadline is its own; survey() takes one too; raw sockets have none", async () => {
  const { open } = contextBench();
  await using surveyor = open("surveyor");
  surveyor.setOption("deadline", 300);
  assert.equal(surveyor.getsockopt(0x62, 1), 300);
  using context = surveyor.openContext();
  assert.equal(context.getOption("deadline"), 300);
  context.setOption("deadline", 20);
  assert.equal(surveyor.getOption("deadline"), 300);
  throwsWith(() => context.setOption("deadline", 0), "EINVAL");
  await rejectsWith(surveyor.survey("x", { deadline: -5 }).next(), "EINVAL");
  await using raw = open("surveyor", true);
  throwsWith(() => raw.openContext(), "ENOTSUP");
  await rejectsWith(raw.survey("x").next(), "ENOTSUP");
});

Deno.test("survey() takes a signal: aborting fails the iteration with ECANCELED", async () => {
  const { open } = contextBench();
  await using surveyor = open("surveyor");
  const controller = new AbortController();
  const answers = surveyor.survey("anyone?", { signal: controller.signal });
  const next = answers.next();
  await settle();
  controller.abort();
  await rejectsWith(next, "ECANCELED");
});

Deno.test("each survey's lifecycle is a machine (idle → surveying → timedOut → idle) the inspector sees", async () => {
  const { clock, runtime } = contextBench();
  assert.ok(runtimeMachines(runtime).some((m) => m.id === "survey" && m.owner === "surveyor"));
  const states: string[] = [];
  const inspect = (event: MachineInspectionEvent) => {
    if (event.type !== "@xstate.snapshot") return;
    const actor = event.actorRef as { id: string; getSnapshot(): { value: unknown } };
    if (actor.id === "survey") states.push(String(actor.getSnapshot().value));
  };
  await using surveyor = runtime.socket("surveyor", { options: { linger: 0, deadline: 100 }, inspect });
  await surveyor.send("q");
  const ended = rejectsWith(surveyor.recv(), "ETIMEDOUT");
  await advance(clock, 110);
  await ended;
  await surveyor.send("q again");
  assert.deepEqual(states.filter((state, i) => state !== states[i - 1]), [
    "idle",
    "surveying",
    "timedOut",
    "idle",
    "surveying",
  ]);
});
