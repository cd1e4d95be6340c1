/**
 * The request/reply example (REQ/REP), as in "Getting Started with
 * nanomsg": a server binds REP and sends every request back; a client
 * connects REQ, sends one request, prints the reply and exits.
 *
 * ```sh
 * deno task example:reqrep server tcp://127.0.0.1:5555 &
 * deno task example:reqrep client tcp://127.0.0.1:5555 "Hello, World!"
 * ```
 *
 * @module
 */

import { openSocket } from "../mod.ts";
import { runExample, say } from "./_cli.ts";

const decoder = new TextDecoder();

/** Binds REP at `url` and echoes every request, forever. */
async function server(url: string): Promise<void> {
  await using rep = openSocket("rep");
  await rep.bind(url);
  for await (const request of rep) {
    const text = decoder.decode(request);
    say(`[Server]: received "${text}"`);
    await rep.send(request);
    say(`[Server]: sent "${text}"`);
  }
}

/** Connects REQ to `url`, sends `message` and prints the reply. */
async function client(url: string, message: string): Promise<void> {
  await using req = openSocket("req");
  req.connect(url);
  say(`[Client]: send "${message}"`);
  say(`[Client]: received "${decoder.decode(await req.request(message))}"`);
}

await runExample("reqrep.ts", ["server <url>", "client <url> <msg>"], (role, rest) => {
  if (role === "server" && rest.length === 1) return server(rest[0]!);
  if (role === "client" && rest.length === 2) {
    const [url, message] = rest as [string, string];
    return client(url, message);
  }
  return undefined;
});
