/**
 * The survey example (SURVEYOR/RESPONDENT), as in "Getting Started with
 * nanomsg": a surveyor binds, gives the respondents a second to connect,
 * asks once (the current time) and prints the answers until the deadline
 * (nanomsg's default, 1 s) passes; each respondent (`respondent1`, …)
 * connects and answers every survey by sending its text back.
 *
 * ```sh
 * deno task example:survey respondent1 tcp://127.0.0.1:5555 &
 * deno task example:survey respondent2 tcp://127.0.0.1:5555 &
 * deno task example:survey surveyor tcp://127.0.0.1:5555
 * ```
 *
 * @module
 */

import { openSocket } from "../mod.ts";
import { isNumbered, nowInSeconds, runExample, say, scaled, sleep } from "./_cli.ts";

const decoder = new TextDecoder();

/** nanomsg's default survey deadline, ms. */
const DEADLINE_MS = 1_000;

/** Binds SURVEYOR at `url`, asks once after a second and prints the answers until the deadline. */
async function surveyor(url: string): Promise<void> {
  await using survey = openSocket("surveyor");
  await survey.bind(url);
  await sleep(1_000); // A survey reaches only the respondents connected when it is sent.
  const question = nowInSeconds();
  // The deadline is set although it is the default, so the time scale shortens it too.
  const answers = survey.survey(question, { deadline: scaled(DEADLINE_MS) });
  say(`[Surveyor] request ${question}`);
  // The answers end when the deadline passes: the survey is over.
  for await (const answer of answers) say(`[Surveyor] receive ${decoder.decode(answer)}`);
}

/** Connects RESPONDENT to `url` and sends every survey's text back, printing as `name`, forever. */
async function respondent(name: string, url: string): Promise<void> {
  await using respond = openSocket("respondent");
  respond.connect(url);
  await respond.serve((question) => {
    const text = decoder.decode(question);
    say(`[${name}] received ${text}`);
    say(`[${name}] response ${text}`);
    return question;
  });
}

await runExample("survey.ts", ["surveyor <url>", "respondent<n> <url>"], (role, rest) => {
  if (rest.length !== 1) return undefined;
  const url = rest[0]!;
  if (role === "surveyor") return surveyor(url);
  if (isNumbered(role, "respondent")) return respondent(role, url);
  return undefined;
});
