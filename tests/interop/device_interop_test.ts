/**
 * REQ → a real libnanomsg `nn_device` (raw REP | raw REQ) → REP, with our
 * sockets at both ends: the backtrace words nanomsg's device pushes and
 * pops must round-trip through our REQ and REP.
 *
 * @module
 */

import assert from "node:assert/strict";
import { openSocket } from "../../mod.ts";
import { freePort, PEERS_REQUIRED, tempIpcPath, text, within } from "../_helpers.ts";
import { libnanomsgAvailable, LibnanomsgDevice, NN } from "./_libnanomsg.ts";

const available = libnanomsgAvailable();
if (!available && !PEERS_REQUIRED) console.log("libnanomsg is not installed: skipping the nn_device interop test");

for (const transport of ["tcp", "ipc"] as const) {
  const url = () => transport === "tcp" ? `tcp://127.0.0.1:${freePort()}` : `ipc://${tempIpcPath("dev")}`;
  Deno.test({
    name: `device interop: our REQ reaches our REP through libnanomsg's nn_device over ${transport}`,
    ignore: !available && !PEERS_REQUIRED,
    sanitizeOps: false, // the device runs on FFI's thread until nn_term
    sanitizeResources: false,
    async fn() {
      if (!available) throw new Error("libnanomsg is required on CI");
      const front = url();
      const back = url();
      await using _device = new LibnanomsgDevice(front, back, NN.NN_REP, NN.NN_REQ);
      await using server = openSocket("rep", { options: { rcvtimeo: 5000 } });
      await using client = openSocket("req", { options: { rcvtimeo: 5000 } });
      server.connect(back);
      client.connect(front);
      for (let i = 0; i < 3; i++) {
        await client.send(`question ${i}`);
        const request = await within(server.recv(), 5000, "request through the device");
        assert.equal(text(request), `question ${i}`);
        await server.send(`answer ${i}`);
        assert.equal(text(await within(client.recv(), 5000, "reply through the device")), `answer ${i}`);
      }
    },
  });
}
