/**
 * `examples/reqrep.ts`: our client and server with each other (two
 * clients in turn, over tcp) and with `nanocat` (libnanomsg) as the server
 * or the client, checking the printed lines exactly.
 *
 * @module
 */

import assert from "node:assert/strict";
import { until } from "../_helpers.ts";
import { InteropAddress, interopTest, Peer } from "../interop/_peers.ts";
import { startExample, STEP_TIMEOUT_MS } from "./_example_process.ts";

Deno.test("reqrep example: our server echoes two clients, over tcp", async () => {
  using address = new InteropAddress("tcp");
  await using server = startExample("reqrep", ["server", address.url]);
  for (const message of ["Hello, World!", "again"]) {
    await using client = startExample("reqrep", ["client", address.url, message]);
    assert.deepEqual(await client.exit(), {
      code: 0,
      lines: [`[Client]: send "${message}"`, `[Client]: received "${message}"`],
      stderr: "",
    });
  }
  assert.deepEqual(await server.waitForLines(4), [
    '[Server]: received "Hello, World!"',
    '[Server]: sent "Hello, World!"',
    '[Server]: received "again"',
    '[Server]: sent "again"',
  ]);
});

interopTest("nanocat", "reqrep example: our client asks nanocat --rep", async () => {
  using address = new InteropAddress("tcp");
  await using rep = new Peer("nanocat", ["--rep", "--bind", address.url, "--data", "libnanomsg answers", "--quoted"]);
  await using client = startExample("reqrep", ["client", address.url, "a question"]);
  assert.deepEqual(await rep.guard(client.exit(), STEP_TIMEOUT_MS, "our client"), {
    code: 0,
    lines: ['[Client]: send "a question"', '[Client]: received "libnanomsg answers"'],
    stderr: "",
  });
  const printed = await rep.waitForStdout((out) => out.includes(0x0a), STEP_TIMEOUT_MS, "nanocat printing");
  assert.equal(new TextDecoder().decode(printed), '"a question"\n');
});

interopTest("nanocat", "reqrep example: nanocat --req asks our server", async () => {
  using address = new InteropAddress("tcp");
  await using server = startExample("reqrep", ["server", address.url]);
  // Without --interval nanocat asks once, prints the reply and exits (so
  // it is not a Peer.guard, which fails when the peer exits).
  await using req = new Peer("nanocat", ["--req", "--connect", address.url, "--data", "libnanomsg asks", "--quoted"]);
  assert.deepEqual(await server.waitForLines(2), [
    '[Server]: received "libnanomsg asks"',
    '[Server]: sent "libnanomsg asks"',
  ]);
  await until(() => req.stdout().includes(0x0a), STEP_TIMEOUT_MS, "nanocat printing the reply");
  assert.equal(new TextDecoder().decode(req.stdout()), '"libnanomsg asks"\n');
});
