/**
 * SURVEYOR on a manual clock over inproc, cooked and raw: survey ids, the
 * fan-out to every respondent, the deadline (ETIMEDOUT once, then EFSM),
 * cancelling by a new survey, stale and malformed answers, and the
 * deadline option.
 *
 * @module
 */

import assert from "node:assert/strict";
import { NN_DONTWAIT } from "../../mod.ts";
import { NN_SURVEYOR, NN_SURVEYOR_DEADLINE } from "../../src/protocols/survey/surveyor.ts";
import { text } from "../_helpers.ts";
import { advance, bench, join, rejectsWith, settled, throwsWith, wordAt, words } from "./_backtrace_fixtures.ts";

Deno.test("SURVEYOR recv before any survey is EFSM", async () => {
  const { open } = bench();
  await using surveyor = open("surveyor");
  await rejectsWith(surveyor.recv(), "EFSM");
  await rejectsWith(surveyor.recv(NN_DONTWAIT), "EFSM");
});

Deno.test("a survey reaches every respondent and their answers arrive while it is open", async () => {
  const { open } = bench();
  await using surveyor = open("surveyor");
  const respondents = [open("respondent"), open("respondent"), open("respondent")];
  await join("survey-all", surveyor, ...respondents);
  await surveyor.send("who is there?");
  for (const [i, r] of respondents.entries()) {
    assert.equal(text(await r.recv()), "who is there?");
    await r.send(`r${i}`);
  }
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(text(await surveyor.recv()));
  assert.deepEqual(answers.sort(), ["r0", "r1", "r2"]);
  for (const r of respondents) await r.close();
});

Deno.test("SURVEYOR send with no peers succeeds at once", async () => {
  const { open } = bench();
  await using surveyor = open("surveyor");
  assert.equal(await surveyor.send("anyone?", NN_DONTWAIT), 7);
});

Deno.test("the recv waiting when the deadline passes gets ETIMEDOUT, the next one EFSM", async () => {
  const { clock, open } = bench();
  await using surveyor = open("surveyor");
  await using respondent = open("respondent");
  assert.equal(surveyor.getsockopt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE), 1000);
  await join("survey-deadline", surveyor, respondent);
  await surveyor.send("quick");
  await respondent.recv();
  await respondent.send("in time");
  assert.equal(text(await surveyor.recv()), "in time");
  const waiting = surveyor.recv();
  await advance(clock, 990, 330);
  assert.equal(await settled(waiting), false, "still open at 990 ms");
  const timedOut = rejectsWith(waiting, "ETIMEDOUT");
  await advance(clock, 10, 10);
  await timedOut;
  await rejectsWith(surveyor.recv(), "EFSM");
});

Deno.test("the first SURVEYOR recv after the deadline gets ETIMEDOUT even if it was not waiting (nanomsg)", async () => {
  const { clock, open } = bench();
  await using surveyor = open("surveyor");
  await surveyor.send("unheard");
  clock.advance(1000);
  await rejectsWith(surveyor.recv(NN_DONTWAIT), "ETIMEDOUT");
  await rejectsWith(surveyor.recv(NN_DONTWAIT), "EFSM");
  // A new survey starts afresh.
  await surveyor.send("again");
  await rejectsWith(surveyor.recv(NN_DONTWAIT), "EAGAIN");
});

Deno.test("two SURVEYOR recvs waiting at the deadline: ETIMEDOUT for the first, EFSM for the second", async () => {
  const { clock, open } = bench();
  await using surveyor = open("surveyor");
  await surveyor.send("s");
  const first = rejectsWith(surveyor.recv(), "ETIMEDOUT");
  const second = rejectsWith(surveyor.recv(), "EFSM");
  clock.advance(1000);
  await first;
  await second;
});

Deno.test("a new survey cancels the previous one; its late answers are dropped and counted", async () => {
  const { clock, open } = bench();
  await using surveyor = open("surveyor");
  await using respondent = open("respondent");
  await join("survey-cancel", surveyor, respondent);
  await surveyor.send("first");
  assert.equal(text(await respondent.recv()), "first");
  clock.advance(600);
  await surveyor.send("second"); // a fresh 1000 ms deadline
  await respondent.send("late answer to first");
  assert.equal(text(await respondent.recv()), "second");
  await respondent.send("answer to second");
  clock.advance(600);
  assert.equal(text(await surveyor.recv()), "answer to second", "open 600 ms into the second survey");
  assert.equal(surveyor.stats.messagesDropped, 1);
});

Deno.test("SURVEYOR survey ids grow by one per survey and carry the high bit", async () => {
  const { open } = bench();
  await using surveyor = open("surveyor");
  await using raw = open("respondent", true);
  await join("survey-ids", surveyor, raw);
  await surveyor.send("a");
  const first = wordAt((await raw.recvmsg()).header, 4);
  await surveyor.send("b");
  const second = wordAt((await raw.recvmsg()).header, 4);
  assert.ok(first >= 0x8000_0000);
  assert.equal(second, ((first + 1) | 0x8000_0000) >>> 0);
});

Deno.test("SURVEYOR drops answers with another id or shorter than a word", async () => {
  const { open } = bench();
  await using surveyor = open("surveyor");
  await using raw = open("respondent", true);
  await join("survey-garbage", surveyor, raw);
  await surveyor.send("q");
  const { header } = await raw.recvmsg();
  const pipe = wordAt(header);
  const id = wordAt(header, 4);
  await raw.sendmsg({ header: words(pipe, ((id + 5) | 0x8000_0000) >>> 0), body: "stale" });
  await raw.sendmsg({ header: words(pipe, 3, id), body: "hop first" });
  await raw.sendmsg({ header: words(pipe), body: new Uint8Array([0x80, 1]) });
  await raw.sendmsg({ header, body: "good" });
  assert.equal(text(await surveyor.recv()), "good");
  assert.equal(surveyor.stats.messagesDropped, 3);
});

Deno.test("a SURVEYOR peer that cannot keep up misses the survey, counted; the send does not wait", async () => {
  const { open } = bench();
  await using surveyor = open("surveyor", false, { sndbuf: 1 });
  await using slow = open("respondent", true, { rcvbuf: 1 }); // never reads
  await join("survey-slow", surveyor, slow);
  for (let i = 0; i < 3; i++) assert.ok(await settled(surveyor.send(`s${i}`)));
  assert.equal(surveyor.stats.messagesDropped, 1, "the first fills the reader, the second the pipe");
});

Deno.test("raw SURVEYOR sends header and body as given to every peer and splits answers after the id", async () => {
  const { open } = bench();
  await using surveyor = open("surveyor", true);
  await using a = open("respondent", true);
  await using b = open("respondent", true);
  await join("raw-survey", surveyor, a, b);
  await rejectsWith(surveyor.recv(NN_DONTWAIT), "EAGAIN"); // no EFSM on raw sockets
  await surveyor.sendmsg({ header: words(0x8000_0077), body: "raw survey" });
  for (const peer of [a, b]) {
    const got = await peer.recvmsg();
    assert.equal(wordAt(got.header, 4), 0x8000_0077);
    await peer.sendmsg({ header: got.header, body: "raw answer" });
  }
  for (let i = 0; i < 2; i++) {
    const answer = await surveyor.recvmsg();
    assert.deepEqual(answer.header, words(0x8000_0077));
    assert.equal(text(answer.body), "raw answer");
  }
  await rejectsWith(surveyor.recvmsg(NN_DONTWAIT), "EAGAIN");
});

Deno.test("NN_SURVEYOR_DEADLINE takes positive ms; raw SURVEYOR has no such option", async () => {
  const { clock, open } = bench();
  await using surveyor = open("surveyor");
  await using raw = open("surveyor", true);
  surveyor.setsockopt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 50);
  assert.equal(surveyor.getsockopt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE), 50);
  await surveyor.send("short");
  const timedOut = rejectsWith(surveyor.recv(), "ETIMEDOUT");
  clock.advance(50);
  await timedOut;
  for (const bad of [0, -5, 2.5, "1"]) {
    throwsWith(() => surveyor.setsockopt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE, bad), "EINVAL");
  }
  throwsWith(() => surveyor.setsockopt(NN_SURVEYOR, 9, 1), "ENOPROTOOPT");
  throwsWith(() => raw.setsockopt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 100), "ENOPROTOOPT");
});
