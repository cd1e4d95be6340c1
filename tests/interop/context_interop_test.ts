/**
 * Contexts against the real peers, in both roles: our REQ's concurrent
 * `request()`s (one context each) to nanocat's and nngcat's REP, their
 * REQ to our REP answering through contexts (`serve`), our overlapping
 * `survey()`s (one context each) to their RESPONDENT, and their SURVEYOR
 * to our RESPONDENT's contexts, and their PUB to our SUB's contexts (each
 * with subscriptions of its own). The wire is nanomsg's either way: the
 * peers see one request or survey id per exchange and echo it back.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, NN_DONTWAIT, openSocket } from "../../mod.ts";
import { text, until } from "../_helpers.ts";
import { spawnBacktracePeer } from "./_backtrace_exchange.ts";
import { InteropAddress, interopTest, PEER_NAMES, spawnPeer, STEP_TIMEOUT_MS } from "./_peers.ts";

/** Quoted lines the peer printed. */
function printedLines(stdout: Uint8Array): string[] {
  return text(stdout).split("\n").filter((line) => line.length > 0);
}

for (const peer of PEER_NAMES) {
  interopTest(peer, `context interop: 20 concurrent request()s of ours, each answered by ${peer}'s REP`, async () => {
    using address = new InteropAddress("tcp");
    await using req = openSocket("req", { options: { reconnectIvl: 20 } });
    await req.listen(address.url);
    await using server = spawnBacktracePeer(peer, "rep", "connect", address.url, `${peer} replies`);
    const asked = Array.from({ length: 20 }, (_, n) => req.request(`request ${n}`, { timeout: STEP_TIMEOUT_MS }));
    const replies = await server.guard(Promise.all(asked), STEP_TIMEOUT_MS + 1_000, "20 replies");
    assert.deepEqual(replies.map(text), Array(20).fill(`${peer} replies`));
    const printed = printedLines(server.stdout());
    for (let n = 0; n < 20; n++) assert.ok(printed.includes(`"request ${n}"`), `${peer} got request ${n}`);
  });

  interopTest(
    peer,
    `context interop: 3 overlapping survey()s of ours, each answered by ${peer}'s RESPONDENT`,
    async () => {
      using address = new InteropAddress("tcp");
      await using surveyor = openSocket("surveyor", { options: { reconnectIvl: 20 } });
      await surveyor.listen(address.url);
      await using respondent = spawnBacktracePeer(peer, "respondent", "connect", address.url, `${peer} is here`);
      await respondent.guard(
        until(() => surveyor.stats.currentConnections > 0, STEP_TIMEOUT_MS, "attached"),
        STEP_TIMEOUT_MS,
        "attach",
      );
      const surveys = ["one", "two", "three"].map((q) => Array.fromAsync(surveyor.survey(q, { deadline: 400 })));
      const answers = await respondent.guard(Promise.all(surveys), STEP_TIMEOUT_MS, "three surveys");
      assert.deepEqual(answers.map((list) => list.map(text)), Array(3).fill([`${peer} is here`]));
    },
  );

  for (const [theirs, ours] of [["req", "rep"], ["surveyor", "respondent"]] as const) {
    interopTest(peer, `context interop: ${peer}'s ${theirs} answered by our ${ours} through contexts`, async () => {
      using address = new InteropAddress("tcp");
      await using answerer = ours === "rep" ? openSocket("rep") : openSocket("respondent");
      await answerer.listen(address.url);
      const serving = answerer.serve((question) => `our contexts answer ${text(question)}`, { concurrency: 4 });
      await using asker = spawnBacktracePeer(peer, theirs, "connect", address.url, `a ${theirs} question`);
      await asker.waitForStdout(
        (out) => printedLines(out).includes(`"our contexts answer a ${theirs} question"`),
        STEP_TIMEOUT_MS,
        `${peer} printing our answer`,
      );
      await answerer.close();
      await serving;
    });
  }

  interopTest(peer, `context interop: ${peer}'s PUB to our SUB's contexts, each with its own topics`, async () => {
    using address = new InteropAddress("tcp");
    await using sub = openSocket("sub");
    using weather = sub.openContext();
    using sports = sub.openContext();
    weather.setOption("subscribe", "weather.");
    sports.setOption("subscribe", "sports.");
    sub.subscribe("");
    await sub.listen(address.url);
    await using publisher = spawnPeer({
      peer,
      socket: "pub",
      endpoint: "connect",
      url: address.url,
      send: { data: "weather. sunny" },
    });
    const [forWeather, forSocket] = await publisher.guard(
      Promise.all([weather.recv({ timeout: STEP_TIMEOUT_MS }), sub.recv({ timeout: STEP_TIMEOUT_MS })]),
      STEP_TIMEOUT_MS + 1_000,
      `${peer} publishing`,
    );
    assert.deepEqual([text(forWeather), text(forSocket)], ["weather. sunny", "weather. sunny"]);
    await assert.rejects(sports.recv(NN_DONTWAIT), (e) => isSpError(e, "EAGAIN"));
  });
}
