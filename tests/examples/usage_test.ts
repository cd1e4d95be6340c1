/**
 * The examples' command lines: wrong arguments (or a bad
 * `SP_EXAMPLE_TIME_SCALE`) print the usage to stderr and exit with status
 * 2; a socket error exits with status 1 and one line saying what failed.
 * Neither shows a stack trace.
 *
 * @module
 */

import assert from "node:assert/strict";
import { freePort } from "../_helpers.ts";
import { type ExampleName, type ExampleOptions, startExample } from "./_example_process.ts";

const url = "tcp://127.0.0.1:5555";

const WRONG_ARGUMENTS: Record<ExampleName, string[][]> = {
  pipeline: [[], ["producer", url], ["consumer"], ["consumer", url, "extra"], ["push", url]],
  reqrep: [["client", url], ["server"], ["server", url, "extra"], ["rep", url]],
  pair: [["node1"], ["node1", url, "message"], ["node2", url, "message", "extra"], ["node3", url]],
  pubsub: [["publisher"], ["subscriber", url], ["subscriberX", url], ["subscriber1", url, "extra"]],
  survey: [["surveyor"], ["respondent", url], ["respondent1", url, "extra"], ["survey", url]],
  bus: [["node0"], ["node", url], ["bus0", url, url]],
};

/** Runs an example to its exit, which must come at once; returns its status and output. */
async function run(example: ExampleName, args: string[], options?: ExampleOptions) {
  await using child = startExample(example, args, options);
  return await child.exit();
}

function assertNoStackTrace(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, `a stack trace: ${stderr}`);
}

for (const [example, cases] of Object.entries(WRONG_ARGUMENTS) as [ExampleName, string[][]][]) {
  Deno.test(`${example} example: wrong arguments print the usage and exit 2`, async () => {
    for (const args of cases) {
      const exit = await run(example, args);
      const shown = `${example}.ts ${JSON.stringify(args)}`;
      assert.equal(exit.code, 2, `${shown}: exit status (stderr: ${exit.stderr})`);
      assert.deepEqual(exit.lines, [], `${shown}: stdout`);
      assert.match(exit.stderr, new RegExp(`^${example}\\.ts: .*\\nUsage:\\n  ${example}\\.ts `), `${shown}: stderr`);
      assertNoStackTrace(exit.stderr);
    }
  });
}

Deno.test("examples: a time scale that is not a positive number is a usage error", async () => {
  for (const timeScale of ["0", "-1", "fast"]) {
    const exit = await run("pair", ["node1", url], { timeScale });
    assert.equal(exit.code, 2, `SP_EXAMPLE_TIME_SCALE=${timeScale}: exit status`);
    assert.match(exit.stderr, /^pair\.ts: SP_EXAMPLE_TIME_SCALE must be a positive number/);
    assertNoStackTrace(exit.stderr);
  }
});

Deno.test("examples: a socket error exits 1 with one line saying what failed", async () => {
  const unknown = await run("reqrep", ["server", "carrier-pigeon://home"]);
  assert.deepEqual([unknown.code, unknown.lines], [1, []]);
  assert.match(unknown.stderr, /^reqrep\.ts: EPROTONOSUPPORT: [^\n]*\n$/);

  const port = freePort();
  // Holding the port makes the producer's bind fail.
  using _holder = Deno.listen({ hostname: "127.0.0.1", port });
  const inUse = await run("pipeline", ["producer", `tcp://127.0.0.1:${port}`, "message"]);
  assert.deepEqual([inUse.code, inUse.lines], [1, []]);
  assert.match(inUse.stderr, /^pipeline\.ts: EADDRINUSE: [^\n]*\n$/);
});
