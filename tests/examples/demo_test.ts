/**
 * `deno task demo` (`examples/demo.ts`), run with the task's permissions:
 * it exits 0 within a few seconds, silent on stderr, with a transcript
 * section for each of the six patterns over inproc and over tcp, each
 * holding the lines that show the pattern worked.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startExample } from "./_example_process.ts";

/**
 * What each pattern's two sections start with, and the lines each must
 * hold: a string exactly once, a pattern that many times (for lines whose
 * order or numbering may vary, such as which consumer gets which task).
 */
const SECTIONS: { heading: string; inproc: string; lines: (string | [RegExp, number])[] }[] = [
  {
    heading: "PIPELINE (PUSH → PULL)",
    inproc: "inproc://demo-pipeline",
    lines: ['[Producer] send "task 4"', [/^\[Consumer [12]\] receive "task [1-4]"$/, 4]],
  },
  {
    heading: "REQUEST/REPLY (REQ ⇄ REP)",
    inproc: "inproc://demo-reqrep",
    lines: ['[Server] received "hello"', '[Client] received "HELLO"', '[Client] received "HOW ARE YOU?"'],
  },
  {
    heading: "PAIR (PAIR ⇄ PAIR)",
    inproc: "inproc://demo-pair",
    lines: ["[Node1] received Node2 (round 2)", "[Node2] received Node1 (round 2)"],
  },
  {
    heading: "PUBLISH/SUBSCRIBE (PUB → SUB)",
    inproc: "inproc://demo-pubsub",
    lines: [
      [/^\[Subscriber "" \(all\)\] received /, 3],
      '[Subscriber "weather:"] received "weather: sunny, 24 °C"',
      '[Subscriber "weather:"] nothing more within 100 ms: the other topics were filtered out',
    ],
  },
  {
    heading: "SURVEY (SURVEYOR ⇄ RESPONDENT)",
    inproc: "inproc://demo-survey",
    lines: [
      [/^\[Respondent [1-3]\] received "who is there\?"$/, 3],
      [/^\[Surveyor\] receive "respondent [1-3] is here"$/, 3],
      "[Surveyor] deadline passed (ETIMEDOUT) after 3 answers",
    ],
  },
  {
    heading: "BUS (BUS ⇄ BUS ⇄ BUS)",
    inproc: "inproc://demo-bus-0, inproc://demo-bus-1, inproc://demo-bus-2",
    lines: ["[node0] receive node1 from bus", "[node1] receive node2 from bus", "[node2] receive node0 from bus"],
  },
];

/** The transcript cut at its `== ` headings: heading line → the lines after it. */
function sections(lines: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    if (line.startsWith("== ")) found.set(line, current = []);
    else if (line !== "") current?.push(line);
  }
  return found;
}

Deno.test("demo: all six patterns over inproc and tcp, exit 0 within a few seconds", async () => {
  const started = performance.now();
  await using demo = startExample("demo", [], { permissions: ["--allow-net=127.0.0.1"] });
  const exit = await demo.exit(10_000);
  const elapsed = performance.now() - started;
  assert.equal(exit.code, 0, `exit status (stderr: ${exit.stderr})`);
  assert.equal(exit.stderr, "");
  assert.ok(elapsed < 5_000, `the demo took ${Math.round(elapsed)} ms`);
  assert.match(exit.lines[0]!, /^sp demo: the six scalability protocols/);
  assert.match(
    exit.lines.at(-1)!,
    /^All six patterns ran over inproc and tcp in \d+ ms; every socket closed cleanly\.$/,
  );

  const found = [...sections(exit.lines)];
  assert.equal(found.length, SECTIONS.length * 2, `headings: ${found.map(([heading]) => heading).join(" | ")}`);
  for (const [index, expected] of SECTIONS.entries()) {
    for (const [offset, transport] of ["inproc", "tcp"].entries()) {
      const [heading, body] = found[index * 2 + offset]!;
      const prefix = `== ${expected.heading} over `;
      assert.ok(heading.startsWith(prefix), `${JSON.stringify(heading)} should start with ${JSON.stringify(prefix)}`);
      const addresses = heading.slice(prefix.length, heading.indexOf(": ", prefix.length));
      if (transport === "inproc") assert.equal(addresses, expected.inproc, heading);
      else assert.match(addresses, /^tcp:\/\/127\.0\.0\.1:\d+(, tcp:\/\/127\.0\.0\.1:\d+)*$/, heading);
      for (const expectedLine of expected.lines) {
        const [matcher, count] = typeof expectedLine === "string" ? [expectedLine, 1] : expectedLine;
        const seen = body.filter((line) => typeof matcher === "string" ? line === matcher : matcher.test(line)).length;
        assert.equal(seen, count, `${heading}: ${String(matcher)} printed ${seen} times\n${body.join("\n")}`);
      }
    }
  }
});
