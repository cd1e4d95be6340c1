/**
 * `examples/pubsub.ts`: our publisher with two of our subscribers, and
 * with `nanocat` (libnanomsg) as subscriber or publisher. What is published
 * is the time, so the tests check the lines' exact shape and that every
 * received value was published. The publisher's 1 s interval runs at a
 * tenth (`SP_EXAMPLE_TIME_SCALE=0.1`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { InteropAddress, interopTest, Peer } from "../interop/_peers.ts";
import { until } from "../_helpers.ts";
import { type ExampleProcess, startExample, STEP_TIMEOUT_MS } from "./_example_process.ts";

const timeScale = 0.1;

/** The time in seconds as the publisher prints it: digits, maybe a fraction. */
const TIME = String.raw`\d+(?:\.\d+)?`;

/** The values the publisher says it published, checking each line's shape. */
function published(lines: readonly string[]): Set<string> {
  return new Set(lines.map((line) => {
    const match = new RegExp(`^\\[Publisher\\] publish (${TIME})$`).exec(line);
    assert.ok(match, `publisher line ${JSON.stringify(line)}`);
    return match[1]!;
  }));
}

/**
 * Waits (bounded) until the publisher has printed `value`: it prints
 * before it sends, but we may read its pipe after a subscriber's.
 */
async function assertPublished(publisher: ExampleProcess, value: string, who: string): Promise<void> {
  await until(() => published(publisher.lines()).has(value), STEP_TIMEOUT_MS, `${who} received ${value}: published?`);
}

/** Checks `lines` are `[name] received <value>` with values the publisher published; returns the values. */
async function assertReceivedPublished(
  name: string,
  lines: readonly string[],
  publisher: ExampleProcess,
): Promise<string[]> {
  const values = [];
  for (const line of lines) {
    const match = new RegExp(`^\\[${name}\\] received (${TIME})$`).exec(line);
    assert.ok(match, `${name} line ${JSON.stringify(line)}`);
    await assertPublished(publisher, match[1]!, name);
    values.push(match[1]!);
  }
  return values;
}

Deno.test("pubsub example: our publisher and two subscribers, over tcp", async () => {
  using address = new InteropAddress("tcp");
  await using publisher = startExample("pubsub", ["publisher", address.url], { timeScale });
  await using subscriber1 = startExample("pubsub", ["subscriber1", address.url], { timeScale });
  await using subscriber2 = startExample("pubsub", ["subscriber2", address.url], { timeScale });
  const received1 = await assertReceivedPublished("subscriber1", await subscriber1.waitForLines(3), publisher);
  await assertReceivedPublished("subscriber2", await subscriber2.waitForLines(3), publisher);
  // Once connected, a subscriber gets every publication, in order.
  const order = [...published(publisher.lines())];
  const start = order.indexOf(received1[0]!);
  assert.deepEqual(received1, order.slice(start, start + 3));
});

interopTest("nanocat", "pubsub example: nanocat --sub receives our publisher's time", async () => {
  using address = new InteropAddress("tcp");
  await using publisher = startExample("pubsub", ["publisher", address.url], { timeScale });
  await using sub = new Peer("nanocat", ["--sub", "--connect", address.url, "--quoted"]);
  const out = await sub.waitForStdout(
    (bytes) => bytes.filter((b) => b === 0x0a).length >= 2,
    STEP_TIMEOUT_MS,
    "nanocat printing two messages",
  );
  const lines = new TextDecoder().decode(out).split("\n").slice(0, 2);
  for (const line of lines) {
    assert.match(line, new RegExp(`^"${TIME}"$`));
    await assertPublished(publisher, line.slice(1, -1), "nanocat");
  }
});

interopTest("nanocat", "pubsub example: our subscriber7 receives nanocat --pub", async () => {
  using address = new InteropAddress("tcp");
  await using pub = new Peer("nanocat", ["--pub", "--bind", address.url, "--data", "1234567890.5", "-i", "0.1"]);
  await using subscriber = startExample("pubsub", ["subscriber7", address.url], { timeScale });
  const lines = await pub.guard(subscriber.waitForLines(2), STEP_TIMEOUT_MS, "our subscriber");
  assert.deepEqual(lines, Array(2).fill("[subscriber7] received 1234567890.5"));
});
