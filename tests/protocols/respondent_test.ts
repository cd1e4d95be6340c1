/**
 * RESPONDENT on a manual clock over inproc, cooked and raw: answers follow
 * the survey's backtrace back to the right surveyor, EFSM, forgetting an
 * unanswered survey, answers that cannot be delivered, and the backtrace
 * checks fed by a raw SURVEYOR peer.
 *
 * @module
 */

import assert from "node:assert/strict";
import { NN_DONTWAIT } from "../../mod.ts";
import { text } from "../_helpers.ts";
import { bench, join, rejectsWith, settle, settled, wordAt, words } from "./_backtrace_fixtures.ts";

const SURVEY = 0x8000_1234;

Deno.test("RESPONDENT send before a survey was received is EFSM", async () => {
  const { open } = bench();
  await using respondent = open("respondent");
  await rejectsWith(respondent.send("unasked"), "EFSM");
});

Deno.test("RESPONDENT answers go back to the surveyor that asked", async () => {
  const { open } = bench();
  await using respondent = open("respondent");
  await using north = open("surveyor");
  await using south = open("surveyor");
  await join("resp-route", respondent, north, south);
  await north.send("north asks");
  await south.send("south asks");
  for (let i = 0; i < 2; i++) {
    const survey = text(await respondent.recv());
    await respondent.send(`${survey.split(" ")[0]} answered`);
  }
  assert.equal(text(await north.recv()), "north answered");
  assert.equal(text(await south.recv()), "south answered");
});

Deno.test("a new RESPONDENT recv forgets the unanswered survey; an answer after the reply is EFSM", async () => {
  const { open } = bench();
  await using respondent = open("respondent");
  await using surveyor = open("surveyor");
  await join("resp-forget", respondent, surveyor);
  await surveyor.send("s1");
  await respondent.recv();
  await respondent.send("a1");
  await rejectsWith(respondent.send("a1 again"), "EFSM");
  await surveyor.send("s2");
  await respondent.recv();
  await rejectsWith(respondent.recv(NN_DONTWAIT), "EAGAIN");
  await rejectsWith(respondent.send("a2"), "EFSM");
});

Deno.test("a RESPONDENT answer whose pipe has gone is dropped and counted, and send does not wait", async () => {
  const { open } = bench();
  await using respondent = open("respondent");
  const surveyor = open("surveyor");
  await join("resp-gone", respondent, surveyor);
  await surveyor.send("s");
  await respondent.recv();
  await surveyor.close();
  await settle();
  assert.ok(await settled(respondent.send("too late")));
  assert.equal(respondent.stats.messagesDropped, 1);
});

Deno.test("RESPONDENT drops surveys with too many hops or no survey id and keeps the connection", async () => {
  const { open } = bench();
  await using respondent = open("respondent");
  await using raw = open("surveyor", true);
  await join("resp-bad", respondent, raw);
  await raw.sendmsg({ header: words(1, 2, 3, 4, 5, 6, 7, 8, SURVEY), body: "8 hops" });
  await raw.send(words(0x0000_0005, 0x0000_0006)); // no id
  await raw.send(new Uint8Array([0x80, 0, 0])); // 3 bytes
  await raw.sendmsg({ header: words(1, 2, 3, 4, 5, 6, 7, SURVEY), body: "7 hops" });
  assert.equal(text(await respondent.recv()), "7 hops");
  assert.equal(respondent.stats.messagesDropped, 3);
  await respondent.send("answer");
  const answer = await raw.recvmsg();
  assert.deepEqual(answer.header, words(1, 2, 3, 4, 5, 6, 7, SURVEY));
  assert.equal(respondent.stats.currentConnections, 1);
});

Deno.test("raw RESPONDENT puts the pipe id in front and routes answers by it", async () => {
  const { open } = bench();
  await using respondent = open("respondent", true);
  await using surveyor = open("surveyor");
  await join("raw-resp", respondent, surveyor);
  await rejectsWith(respondent.recv(NN_DONTWAIT), "EAGAIN");
  assert.equal(await respondent.send("no header"), 9, "dropped silently");
  assert.equal(respondent.stats.messagesDropped, 1);
  await surveyor.send("ping");
  const survey = await respondent.recvmsg();
  assert.equal(survey.header.length, 8);
  assert.equal(wordAt(survey.header) & 0x8000_0000, 0);
  assert.ok(wordAt(survey.header, 4) >= 0x8000_0000);
  await respondent.sendmsg({ header: words(0x7fff_0000, wordAt(survey.header, 4)), body: "nowhere" });
  assert.equal(respondent.stats.messagesDropped, 2);
  await respondent.sendmsg({ header: survey.header, body: "pong" });
  assert.equal(text(await surveyor.recv()), "pong");
});
