/**
 * `deno task inspect:demo` and `deno task top`: the demo runs the six
 * patterns with the inspector on and prints its URL; `top --once` against
 * that URL prints every pattern's sockets with their states and rates;
 * the demo stops by itself after `--duration`. Also: the text view shows
 * control characters from a peer or a name escaped, never raw.
 *
 * @module
 */

import assert from "node:assert/strict";
import { renderReport } from "../../src/inspect/report.ts";
import type { ActorView } from "../../src/inspect/live_types.ts";
import { stopChild, within } from "../_helpers.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("the inspector demo runs the six patterns; top prints them from its URL", async () => {
  const demo = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-write", "tools/inspect_demo.ts", "--duration", "3"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const reader = demo.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let output = "";
    while (!/inspector: \S+\n/.test(output)) {
      const { value, done } = await within(reader.read(), 20_000, "the demo's URL");
      if (done) break;
      output += value;
    }
    const url = /inspector: (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(output)?.[1];
    assert.ok(url !== undefined, output);
    // Let a sample interval or two pass so that rates exist.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const top = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", "tools/top.ts", url, "--once"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(top.stdout);
    assert.equal(top.code, 0, new TextDecoder().decode(top.stderr));
    for (const protocol of ["push", "pull", "req", "rep", "pair", "pub", "sub", "surveyor", "respondent", "bus"]) {
      assert.match(text, new RegExp(`^socket#\\d+\\(${protocol}\\) .*\\[open\\]`, "m"), protocol);
    }
    assert.match(text, /^ {2}dialer#1 tcp:\/\/127\.0\.0\.1:\d+ {2}\[(waiting|connecting)\]/m, "the dialer backing off");
    assert.match(text, /^ {4}pipe#\d+ ipc .* {2}\[active\]/m, "an ipc pipe");
    assert.ok(!text.includes("\x1b"), "--once prints no terminal control sequence");
    const drained = (async () => {
      while (!(await reader.read()).done) { /* the rest of its output */ }
    })();
    const stderr = new Response(demo.stderr).text();
    const [status] = await within(Promise.all([demo.status, drained]), 20_000, "the demo to stop");
    assert.equal(status.code, 0, await stderr);
  } finally {
    await stopChild(demo, "inspect demo");
  }
});

Deno.test("top with a bad URL or no inspector fails with a message", async () => {
  const run = (...args: string[]) =>
    new Deno.Command(Deno.execPath(), { args: ["run", "--allow-net", "tools/top.ts", ...args], cwd: ROOT }).output();
  assert.equal((await run()).code, 2);
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (closed.addr as Deno.NetAddr).port;
  closed.close();
  const refused = await run(`http://127.0.0.1:${port}/`, "--once");
  assert.equal(refused.code, 1);
  assert.match(new TextDecoder().decode(refused.stderr), /^top: /);
});

Deno.test("the text view escapes control characters from names and errors", () => {
  const actor: ActorView = {
    key: "s1",
    kind: "socket",
    machine: "socket",
    name: "socket#1(pair)\x1b[2J",
    socket: 1,
    value: "closed",
    state: "closed",
    status: "done",
    since: 0,
    ended: 0,
    timeline: [{ at: 0, state: "closed", event: "close", detail: "EPROTO: bad\rheader\x07" }],
  };
  const text = renderReport({ actors: new Map([["s1", actor]]) });
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\x00-\x09\x0b-\x1f]/.test(text), JSON.stringify(text));
  assert.match(text, /socket#1\(pair\)\\x1b\[2J/);
  assert.match(text, /EPROTO: bad\\x0dheader\\x07/);
});
