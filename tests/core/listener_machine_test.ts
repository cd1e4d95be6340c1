/**
 * The listener machine on a manual clock: accept errors cool down, pipes
 * are made per connection, close waits for them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ManualClock, NN_PULL, registerBuiltins, Runtime } from "../../mod.ts";
import { advance, MockTransport, settle } from "./_mock_transport.ts";

Deno.test("an accept error cools down for 100 ms before accepting again", async () => {
  const clock = new ManualClock();
  const runtime = registerBuiltins(new Runtime({ clock }));
  const mock = new MockTransport(clock, 0x50);
  runtime.registerTransport(mock);
  mock.failAccepts = 2;
  const s = runtime.socket("pull", { options: { linger: 0 } });
  await s.bind("mock://here");
  await settle();
  assert.deepEqual(mock.acceptTimes, [0]);
  await advance(clock, 100);
  assert.deepEqual(mock.acceptTimes, [0, 100]);
  await advance(clock, 100);
  assert.deepEqual(mock.acceptTimes, [0, 100, 200]);
  assert.equal(s.stats.acceptErrors, 2);
  await s.close();
});

Deno.test("a listener makes a pipe per connection and closes them all on close", async () => {
  const clock = new ManualClock();
  const runtime = registerBuiltins(new Runtime({ clock }));
  const mock = new MockTransport(clock, 0x50);
  runtime.registerTransport(mock);
  const s = runtime.socket(NN_PULL, { options: { linger: 0 } });
  await s.bind("mock://here");
  for (let i = 0; i < 3; i++) {
    mock.incoming();
    await settle();
  }
  assert.equal(s.stats.accepted, 3);
  assert.equal(s.stats.currentConnections, 3);
  mock.connections[1]!.sink!.message(new TextEncoder().encode("via pipe 2"));
  assert.equal(new TextDecoder().decode(await s.recv()), "via pipe 2");
  await s.close();
  assert.ok(mock.connections.every((c) => c.closed));
  assert.equal(s.actor.getSnapshot().value, "closed");
});
