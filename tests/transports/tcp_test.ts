/**
 * tcp transport: the conformance suite, plus nanomsg's address rules.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, NN_IPV4ONLY, NN_SOL_SOCKET, openSocket } from "../../mod.ts";
import { parseTcpAddress } from "../../src/transports/tcp.ts";
import { freePort, text } from "../_helpers.ts";
import { rawClientOf, runTransportConformance, tcpFrame } from "./_conformance.ts";

runTransportConformance({
  name: "tcp",
  url: () => `tcp://127.0.0.1:${freePort()}`,
  anyUrl: "tcp://127.0.0.1:0",
  frame: tcpFrame,
  async raw(url) {
    const port = Number(url.slice(url.lastIndexOf(":") + 1));
    return rawClientOf(await Deno.connect({ hostname: "127.0.0.1", port }));
  },
});

const errors: [string, "bind" | "connect", string][] = [
  ["127.0.0.1", "bind", "EINVAL"],
  ["127.0.0.1:99999", "bind", "EINVAL"],
  ["localhost:5555", "bind", "ENODEV"],
  ["eth99:5555", "bind", "ENODEV"],
  ["[::1]:5555", "bind", "ENODEV"],
  ["*:5555", "connect", "EINVAL"],
  ["127.0.0.1:0", "connect", "EINVAL"],
  ["[::1]:5555", "connect", "EINVAL"],
  ["lo;127.0.0.1:5555", "connect", "ENODEV"],
  ["bad host!:5555", "connect", "EINVAL"],
];

for (const [address, mode, code] of errors) {
  Deno.test(`tcp ${mode} refuses ${address} with ${code}`, () => {
    assert.throws(() => parseTcpAddress(address, mode, true), (e) => isSpError(e, code as never));
  });
}

Deno.test("tcp address rules accept nanomsg's forms", () => {
  assert.deepEqual(parseTcpAddress("*:5555", "bind", true), { host: "0.0.0.0", port: 5555 });
  assert.deepEqual(parseTcpAddress("[::1]:5555", "bind", false), { host: "::1", port: 5555 });
  assert.deepEqual(parseTcpAddress("example.org:80", "connect", true), { host: "example.org", port: 80 });
  assert.deepEqual(parseTcpAddress("127.0.0.1;127.0.0.2:80", "connect", true), {
    host: "127.0.0.2",
    port: 80,
    local: "127.0.0.1",
  });
});

Deno.test("tcp binds *:port and connects over IPv6 when IPV4ONLY is 0", async () => {
  await using a = openSocket("pair", { options: { rcvtimeo: 5000 } });
  await using b = openSocket("pair", { options: { rcvtimeo: 5000 } });
  a.setsockopt(NN_SOL_SOCKET, NN_IPV4ONLY, 0);
  b.setsockopt(NN_SOL_SOCKET, NN_IPV4ONLY, 0);
  const v6 = await a.listen("tcp://[::1]:0");
  assert.match(v6.url, /^tcp:\/\/\[::1\]:\d+$/);
  b.connect(v6.url);
  await b.send("v6");
  assert.equal(text(await a.recv()), "v6");
  await using c = openSocket("pair", { options: { rcvtimeo: 5000 } });
  const any = await c.listen("tcp://*:0");
  const port = any.url.slice(any.url.lastIndexOf(":") + 1);
  assert.equal(any.url, `tcp://0.0.0.0:${port}`);
  await using d = openSocket("pair");
  d.connect(`tcp://127.0.0.1:${port}`);
  await d.send("to any interface");
  assert.equal(text(await c.recv()), "to any interface");
});

Deno.test("tcp connects from a chosen local interface (iface;host:port)", async () => {
  await using a = openSocket("pair", { options: { rcvtimeo: 5000 } });
  await using b = openSocket("pair", { options: { rcvtimeo: 5000 } });
  const { url } = await a.listen("tcp://127.0.0.1:0");
  b.connect(url.replace("tcp://", "tcp://127.0.0.1;"));
  await b.send("from lo");
  assert.equal(text(await a.recv()), "from lo");
  await a.send("back");
  assert.equal(text(await b.recv()), "back");
});
