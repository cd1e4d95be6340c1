/**
 * `examples/pipeline.ts`: our producer and consumer with each other (one
 * consumer, two producers, over ipc) and with `nanocat` (libnanomsg) on the
 * other side, checking the printed lines exactly.
 *
 * @module
 */

import assert from "node:assert/strict";
import { InteropAddress, interopTest, Peer } from "../interop/_peers.ts";
import { startExample, STEP_TIMEOUT_MS } from "./_example_process.ts";

Deno.test("pipeline example: two producers, one consumer, over ipc", async () => {
  using address = new InteropAddress("ipc");
  await using consumer = startExample("pipeline", ["consumer", address.url]);
  for (const message of ["Hello, World!", "second message"]) {
    await using producer = startExample("pipeline", ["producer", address.url, message]);
    const exit = await producer.exit();
    assert.deepEqual(exit, { code: 0, lines: [`[Producer]: send "${message}"`], stderr: "" });
  }
  assert.deepEqual(await consumer.waitForLines(2), [
    '[Consumer]: receive "Hello, World!"',
    '[Consumer]: receive "second message"',
  ]);
});

interopTest("nanocat", "pipeline example: our producer sends to nanocat --pull", async () => {
  using address = new InteropAddress("tcp");
  await using producer = startExample("pipeline", ["producer", address.url, "to libnanomsg"]);
  await using pull = new Peer("nanocat", ["--pull", "--connect", address.url, "--quoted"]);
  // The producer exits right after sending: only its LINGER gets the message out.
  assert.deepEqual(await producer.exit(), { code: 0, lines: ['[Producer]: send "to libnanomsg"'], stderr: "" });
  const printed = await pull.waitForStdout((out) => out.includes(0x0a), STEP_TIMEOUT_MS, "nanocat printing");
  assert.equal(new TextDecoder().decode(printed), '"to libnanomsg"\n');
});

interopTest("nanocat", "pipeline example: nanocat --push sends to our consumer", async () => {
  using address = new InteropAddress("tcp");
  // nanocat repeats its message: one sent before we are connected is not lost.
  await using push = new Peer("nanocat", ["--push", "--bind", address.url, "--data", "from libnanomsg", "-i", "0.1"]);
  await using consumer = startExample("pipeline", ["consumer", address.url]);
  const lines = await push.guard(consumer.waitForLines(2), STEP_TIMEOUT_MS, "our consumer");
  assert.deepEqual(lines, Array(2).fill('[Consumer]: receive "from libnanomsg"'));
});
