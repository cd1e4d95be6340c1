/**
 * `examples/survey.ts`: our surveyor asking two of our respondents, and
 * `nanocat` (libnanomsg) as respondent or surveyor. The survey is the
 * time, so the tests read it from the surveyor's first line and then check
 * every line exactly. The surveyor's 1 s wait and 1 s deadline run at half
 * (`SP_EXAMPLE_TIME_SCALE=0.5`): the respondents, started first, redial
 * every 100 ms and must be connected when the survey goes out.
 *
 * @module
 */

import assert from "node:assert/strict";
import { InteropAddress, interopTest, Peer } from "../interop/_peers.ts";
import { until } from "../_helpers.ts";
import { type ExampleExit, startExample, STEP_TIMEOUT_MS } from "./_example_process.ts";

const timeScale = 0.5;

/** The survey the surveyor sent, checking its first line's shape. */
function question(exit: ExampleExit): string {
  const match = /^\[Surveyor\] request (\d+(?:\.\d+)?)$/.exec(exit.lines[0] ?? "");
  assert.ok(match, `the surveyor's first line: ${JSON.stringify(exit.lines[0])}`);
  return match[1]!;
}

Deno.test("survey example: our surveyor asks two respondents, over tcp", async () => {
  using address = new InteropAddress("tcp");
  await using respondent1 = startExample("survey", ["respondent1", address.url], { timeScale });
  await using respondent2 = startExample("survey", ["respondent2", address.url], { timeScale });
  await using surveyor = startExample("survey", ["surveyor", address.url], { timeScale });
  const exit = await surveyor.exit();
  const asked = question(exit);
  assert.deepEqual(exit, {
    code: 0,
    lines: [`[Surveyor] request ${asked}`, `[Surveyor] receive ${asked}`, `[Surveyor] receive ${asked}`],
    stderr: "",
  });
  for (const [name, respondent] of [["respondent1", respondent1], ["respondent2", respondent2]] as const) {
    assert.deepEqual(await respondent.waitForLines(2), [`[${name}] received ${asked}`, `[${name}] response ${asked}`]);
  }
});

interopTest("nanocat", "survey example: our surveyor asks nanocat --respondent", async () => {
  using address = new InteropAddress("tcp");
  await using respondent = new Peer("nanocat", [
    "--respondent",
    "--connect",
    address.url,
    "--data",
    "libnanomsg answers",
    "--quoted",
  ]);
  await using surveyor = startExample("survey", ["surveyor", address.url], { timeScale });
  const exit = await respondent.guard(surveyor.exit(), STEP_TIMEOUT_MS, "our surveyor");
  const asked = question(exit);
  assert.deepEqual(exit, {
    code: 0,
    lines: [`[Surveyor] request ${asked}`, "[Surveyor] receive libnanomsg answers"],
    stderr: "",
  });
  await until(() => respondent.stdout().length > 0, STEP_TIMEOUT_MS, "nanocat printing the survey");
  assert.equal(new TextDecoder().decode(respondent.stdout()), `"${asked}"\n`);
});

interopTest("nanocat", "survey example: nanocat --surveyor asks our respondent3", async () => {
  using address = new InteropAddress("tcp");
  // nanocat asks again every 0.2 s, so a survey sent before we connect is not all there is.
  await using surveyor = new Peer("nanocat", [
    "--surveyor",
    "--bind",
    address.url,
    "--data",
    "libnanomsg asks",
    "-i",
    "0.2",
    "--quoted",
  ]);
  await using respondent = startExample("survey", ["respondent3", address.url], { timeScale });
  assert.deepEqual(await surveyor.guard(respondent.waitForLines(2), STEP_TIMEOUT_MS, "our respondent"), [
    "[respondent3] received libnanomsg asks",
    "[respondent3] response libnanomsg asks",
  ]);
  const out = await surveyor.waitForStdout((bytes) => bytes.includes(0x0a), STEP_TIMEOUT_MS, "nanocat printing");
  assert.equal(new TextDecoder().decode(out).split("\n")[0], '"libnanomsg asks"');
});
