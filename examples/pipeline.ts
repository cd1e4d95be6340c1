/**
 * The pipeline example (PUSH/PULL), as in "Getting Started with nanomsg":
 * a producer binds a PUSH socket and sends one message; a consumer connects
 * a PULL socket and prints every message it gets.
 *
 * ```sh
 * deno task example:pipeline consumer tcp://127.0.0.1:5555 &
 * deno task example:pipeline producer tcp://127.0.0.1:5555 "Hello, World!"
 * ```
 *
 * @module
 */

import { openSocket } from "../mod.ts";
import { runExample, say } from "./_cli.ts";

const decoder = new TextDecoder();

/** Binds PUSH at `url` and sends `message` once. */
async function producer(url: string, message: string): Promise<void> {
  await using push = openSocket("push");
  await push.bind(url);
  say(`[Producer]: send "${message}"`);
  await push.send(message);
  // Leaving the block closes the socket, which keeps flushing for up to
  // NN_LINGER (1 s): the message really arrives although we exit at once.
}

/** Connects PULL to `url` and prints every message, forever. */
async function consumer(url: string): Promise<void> {
  await using pull = openSocket("pull");
  pull.connect(url);
  for await (const message of pull) say(`[Consumer]: receive "${decoder.decode(message)}"`);
}

await runExample("pipeline.ts", ["producer <url> <msg>", "consumer <url>"], (role, rest) => {
  if (role === "producer" && rest.length === 2) {
    const [url, message] = rest as [string, string];
    return producer(url, message);
  }
  if (role === "consumer" && rest.length === 1) return consumer(rest[0]!);
  return undefined;
});
