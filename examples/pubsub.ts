/**
 * The publish/subscribe example (PUB/SUB), as in "Getting Started with
 * nanomsg": a publisher binds PUB and publishes the current time every
 * second; each subscriber (`subscriber1`, `subscriber2`, …) subscribes to
 * everything, connects, and prints what it gets.
 *
 * ```sh
 * deno task example:pubsub publisher tcp://127.0.0.1:5555 &
 * deno task example:pubsub subscriber1 tcp://127.0.0.1:5555 &
 * deno task example:pubsub subscriber2 tcp://127.0.0.1:5555
 * ```
 *
 * @module
 */

import { openSocket } from "../mod.ts";
import { isNumbered, nowInSeconds, runExample, say, sleep } from "./_cli.ts";

const decoder = new TextDecoder();

/** Binds PUB at `url` and publishes the time in seconds every second, forever. */
async function publisher(url: string): Promise<void> {
  await using pub = openSocket("pub");
  await pub.bind(url);
  for (;;) {
    const now = nowInSeconds();
    say(`[Publisher] publish ${now}`);
    await pub.send(now);
    await sleep(1_000);
  }
}

/** Subscribes to everything, connects SUB to `url` and prints every message as `name`, forever. */
async function subscriber(name: string, url: string): Promise<void> {
  await using sub = openSocket("sub");
  sub.subscribe("");
  sub.connect(url);
  for await (const message of sub) say(`[${name}] received ${decoder.decode(message)}`);
}

await runExample("pubsub.ts", ["publisher <url>", "subscriber<n> <url>"], (role, rest) => {
  if (rest.length !== 1) return undefined;
  const url = rest[0]!;
  if (role === "publisher") return publisher(url);
  if (isNumbered(role, "subscriber")) return subscriber(role, url);
  return undefined;
});
