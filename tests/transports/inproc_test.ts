/**
 * inproc transport: the conformance suite, plus inproc-only behaviour.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, openSocket } from "../../mod.ts";
import { runTransportConformance } from "./_conformance.ts";

let n = 0;
runTransportConformance({ name: "inproc", url: () => `inproc://conformance-${++n}` });

Deno.test("inproc accepts an empty name, as nanomsg does", async () => {
  await using a = openSocket("pair");
  await a.bind("inproc://");
});

Deno.test("inproc refuses a peer of the wrong protocol", async () => {
  await using pull = openSocket("pull");
  await using pair = openSocket("pair", { options: { reconnectIvl: 10 } });
  await pull.bind("inproc://wrong-peer");
  pair.connect("inproc://wrong-peer");
  const deadline = Date.now() + 2000;
  while (pull.stats.protocolErrors < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.ok(pull.stats.protocolErrors >= 1);
  assert.equal(pull.stats.currentConnections, 0);
  await assert.rejects(pair.send("x", { dontwait: true }), (e) => isSpError(e, "EAGAIN"));
});
