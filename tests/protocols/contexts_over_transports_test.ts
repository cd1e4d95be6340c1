/**
 * Contexts over real transports and the real clock: 1,000 concurrent
 * `request()`s on one REQ socket against a REP that answers through many
 * contexts in whatever order its handlers finish, and overlapping surveys
 * through contexts, over inproc, ipc and tcp.
 *
 * @module
 */

import assert from "node:assert/strict";
import { openSocket } from "../../mod.ts";
import { tempIpcPath, text, within } from "../_helpers.ts";

const TRANSPORTS = [
  { name: "inproc", url: () => `inproc://contexts-${crypto.randomUUID()}` },
  { name: "ipc", url: () => `ipc://${tempIpcPath("ctx")}` },
  { name: "tcp", url: () => "tcp://127.0.0.1:0" },
];

for (const transport of TRANSPORTS) {
  Deno.test(`over ${transport.name}: 1,000 concurrent request()s, answered out of order by 32 REP contexts`, async () => {
    await using rep = openSocket("rep");
    await using req = openSocket("req");
    req.connect((await rep.listen(transport.url())).url);
    let inFlight = 0;
    let most = 0;
    const serving = rep.serve(async (request) => {
      most = Math.max(most, ++inFlight);
      const n = Number(text(request));
      // Later requests finish first now and then: answers leave out of order.
      if (n % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 1 + (n % 7)));
      inFlight--;
      return `reply ${n}`;
    }, { concurrency: 32 });
    const replies = await within(
      Promise.all(Array.from({ length: 1000 }, (_, n) => req.request(`${n}`, { timeout: 20_000 }))),
      25_000,
      "1,000 replies",
    );
    replies.forEach((reply, n) => assert.equal(text(reply), `reply ${n}`));
    assert.ok(most > 1, `handlers overlapped (${most} at most)`);
    await rep.close();
    await serving;
  });

  Deno.test(`over ${transport.name}: overlapping surveys through contexts each get every respondent's answer`, async () => {
    await using surveyor = openSocket("surveyor");
    const { url } = await surveyor.listen(transport.url());
    const respondents = Array.from({ length: 3 }, () => openSocket("respondent"));
    for (const respondent of respondents) respondent.connect(url);
    await surveyor.waitForPeers(respondents.length, { timeout: 5_000 });
    const serving = respondents.map((r, i) => r.serve((q) => `${i}:${text(q)}`, { concurrency: 4 }));
    const surveys = ["red", "green", "blue", "gold"].map((question) =>
      Array.fromAsync(surveyor.survey(question, { deadline: 200 }))
    );
    const answers = await within(Promise.all(surveys), 5_000, "four surveys");
    assert.deepEqual(
      answers.map((list) => list.map(text).sort()),
      ["red", "green", "blue", "gold"].map((q) => [`0:${q}`, `1:${q}`, `2:${q}`]),
    );
    for (const respondent of respondents) await respondent.close();
    await Promise.all(serving);
  });
}
