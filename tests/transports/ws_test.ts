/**
 * ws transport: the conformance suite, the address rules, several sockets
 * sharing a port by path, and the handshake's refusals.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, openSocket } from "../../mod.ts";
import { parseWsAddress } from "../../src/transports/ws/address.ts";
import { freePort, text, until } from "../_helpers.ts";
import { runTransportConformance } from "./_conformance.ts";
import { clientFrame, rawWsClient } from "./_ws_peer.ts";

runTransportConformance({
  name: "ws",
  url: () => `ws://127.0.0.1:${freePort()}/conformance`,
  anyUrl: "ws://127.0.0.1:0/conformance",
  frame: clientFrame,
  greeting: new Uint8Array(0),
  async raw(url) {
    const ws = await rawWsClient(url);
    return { write: (bytes) => ws.write(bytes), close: () => ws.close() };
  },
});

Deno.test("ws address rules: nanomsg's hosts, a port to bind, default ports and paths to connect", () => {
  assert.deepEqual(parseWsAddress("127.0.0.1:5555", "bind", true, false), {
    host: "127.0.0.1",
    port: 5555,
    path: "/",
    target: "/",
    hostHeader: "127.0.0.1:5555",
  });
  assert.equal(parseWsAddress("*:5555/a/b", "bind", true, false).path, "/a/b");
  assert.equal(parseWsAddress("example.org", "connect", true, false).port, 80);
  assert.equal(parseWsAddress("example.org", "connect", true, true).port, 443);
  const q = parseWsAddress("example.org:81/x?y=1", "connect", true, false);
  assert.deepEqual([q.path, q.target, q.hostHeader], ["/x", "/x?y=1", "example.org:81"]);
  assert.equal(parseWsAddress("[::1]:81", "connect", false, false).host, "::1");
  for (
    const [address, mode, code] of [
      ["127.0.0.1", "bind", "EINVAL"],
      ["localhost:5555", "bind", "ENODEV"],
      [":5555", "connect", "EINVAL"],
      ["127.0.0.1;127.0.0.1:5555", "connect", "EINVAL"],
      ["127.0.0.1:5555/a b", "connect", "EINVAL"],
    ] as const
  ) {
    assert.throws(() => parseWsAddress(address, mode, true, false), (e) => isSpError(e, code), address);
  }
});

Deno.test("ws: sockets bound under different paths share a port; an unknown path gets 404", async () => {
  const port = freePort();
  await using a = openSocket("pull", { options: { rcvtimeo: 5000 } });
  await using b = openSocket("pull", { options: { rcvtimeo: 5000 } });
  await using pa = openSocket("push");
  await using pb = openSocket("push");
  await a.bind(`ws://127.0.0.1:${port}/a`);
  await b.bind(`ws://127.0.0.1:${port}/b`);
  await assert.rejects(openSocket("pull").bind(`ws://127.0.0.1:${port}/a`), (e) => isSpError(e, "EADDRINUSE"));
  pa.connect(`ws://127.0.0.1:${port}/a`);
  pb.connect(`ws://127.0.0.1:${port}/b`);
  await pa.send("to a");
  await pb.send("to b");
  assert.equal(text(await a.recv()), "to a");
  assert.equal(text(await b.recv()), "to b");
  const lost = await rawWsClient(`ws://127.0.0.1:${port}/c`);
  assert.match(lost.response, /^HTTP\/1\.1 404 /);
  lost.close();
  await until(() => a.stats.dropped === 1, 3000, "the unroutable request is counted at the port's first listener");
  // Closing one path leaves the other served.
  await a.close();
  await pb.send("still b");
  assert.equal(text(await b.recv()), "still b");
});

Deno.test("ws: a wrong subprotocol gets 400 and is counted; the right one is served", async () => {
  await using pull = openSocket("pull", { options: { rcvtimeo: 5000 } });
  const { url } = await pull.listen("ws://127.0.0.1:0");
  const wrong = await rawWsClient(url, "rep.sp.nanomsg.org");
  assert.match(wrong.response, /^HTTP\/1\.1 400 /);
  wrong.close();
  await until(() => pull.stats.dropped === 1, 3000, "refused handshake counted");
  const right = await rawWsClient(url);
  assert.match(right.response, /^HTTP\/1\.1 101 /);
  assert.match(right.response, /Sec-WebSocket-Protocol: pull\.sp\.nanomsg\.org/);
  await right.write(clientFrame(new TextEncoder().encode("hello")));
  assert.equal(text(await pull.recv()), "hello");
  right.close();
});
