/**
 * WebSocket and TLS specifics against the real peers (every pattern over
 * ws runs in the pattern files): messages of 0 B, 1 MiB, 1 MiB + 1 and
 * 16 MiB both ways with nngcat (nng refuses frames over 1 MiB, and its
 * listener sends 64 KiB fragments, its dialer 1 MiB ones); RCVMAXSIZE on
 * the reassembled size; nanocat's 400 that never ends, cut by the
 * handshake timeout while the dialer retries; and `wss://` and
 * `tls+tcp://` with nngcat's `--cert`, `--key` and `--cacert`, including
 * request/reply of 20 KiB, 64 KiB and 1 MiB messages that must not stall
 * (messages larger than one TLS record; see `_tls_socket.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { registerBuiltins, Runtime } from "../../mod.ts";
import { freePort, text, until } from "../_helpers.ts";
import { CAN_MAKE_CERTS, testCerts } from "../transports/_certs.ts";
import { LARGE_ROUNDS, pingPong } from "../transports/_ping_pong.ts";
import { interopTest, PayloadFile, spawnPeer, STEP_TIMEOUT_MS } from "./_peers.ts";
import { binaryPayload, openOurSocket, receiveFromPeer, sendToPeer } from "./_scenarios.ts";

const MIB = 1024 * 1024;
const BIG_SIZES = [MIB, MIB + 1, 16 * MIB];
const BIG_TIMEOUT_MS = 20_000;

interopTest("nngcat", "ws interop: we send 1 MiB, 1 MiB + 1 and 16 MiB to nngcat (1 MiB fragments)", async () => {
  const messages = BIG_SIZES.map((size, i) => binaryPayload(size + 0 * i));
  const expected = new Uint8Array(messages.reduce((n, m) => n + m.length, 0));
  let at = 0;
  for (const m of messages) {
    expected.set(m, at);
    at += m.length;
  }
  await sendToPeer({
    peer: "nngcat",
    transport: "ws",
    we: "bind",
    ours: "push",
    theirs: "pull",
    messages,
    format: "raw",
    expectedStdout: expected,
    timeoutMs: BIG_TIMEOUT_MS,
  });
});

interopTest("nngcat", "ws interop: a zero-length message reaches nngcat as an empty message", () =>
  sendToPeer({
    peer: "nngcat",
    transport: "ws",
    we: "connect",
    ours: "push",
    theirs: "pull",
    messages: [new Uint8Array(0), new TextEncoder().encode("end")],
    format: "quoted",
    expectedStdout: new TextEncoder().encode(`""\n"end"\n`),
  }));

for (const we of ["bind", "connect"] as const) {
  const their = we === "bind" ? "dialer (1 MiB fragments)" : "listener (64 KiB fragments)";
  interopTest("nngcat", `ws interop: nngcat's ${their} sends us 0 B, 1 MiB, 1 MiB + 1 and 16 MiB`, async () => {
    for (const size of [0, ...BIG_SIZES]) {
      await receiveFromPeer({
        peer: "nngcat",
        transport: "ws",
        we,
        ours: "pull",
        theirs: "push",
        payload: binaryPayload(size),
        recvMaxSize: -1,
        timeoutMs: BIG_TIMEOUT_MS,
      });
    }
  });
}

interopTest(
  "nngcat",
  "ws interop: RCVMAXSIZE applies to the reassembled message; the connection is dropped",
  async () => {
    using file = new PayloadFile(binaryPayload(MIB + 1));
    await using ours = openOurSocket("pull"); // default RCVMAXSIZE: 1 MiB
    const url = `ws://127.0.0.1:${freePort()}`;
    await ours.bind(url);
    await using peer = spawnPeer({
      peer: "nngcat",
      socket: "push",
      endpoint: "connect",
      url,
      send: { file: file.path },
    });
    await peer.guard(
      until(() => ours.stats.dropped >= 1, STEP_TIMEOUT_MS, "oversized message"),
      STEP_TIMEOUT_MS,
      "drop",
    );
    assert.equal(ours.stats.messagesReceived, 0);
  },
);

interopTest(
  "nanocat",
  "ws interop: nanocat's never-ending 400 is cut by the handshake timeout; the dialer retries",
  async () => {
    const runtime = registerBuiltins(new Runtime({ handshakeTimeout: 200 }));
    const url = `ws://127.0.0.1:${freePort()}`;
    await using peer = spawnPeer({ peer: "nanocat", socket: "pull", endpoint: "bind", url });
    await using ours = runtime.socket("pull", { options: { reconnectIvl: 20 } }); // asks for push.sp.nanomsg.org
    ours.connect(url);
    await peer.guard(
      until(() => ours.stats.dropped >= 2, STEP_TIMEOUT_MS, "two timed-out handshakes"),
      STEP_TIMEOUT_MS,
      "retries",
    );
    assert.equal(ours.stats.currentConnections, 0);
  },
);

const certs = CAN_MAKE_CERTS ? await testCerts() : undefined;
for (const scheme of ["wss", "tls+tcp"] as const) {
  for (const we of ["bind", "connect"] as const) {
    const name = `${scheme} interop: nngcat ${we === "bind" ? "connects" : "binds"} with its certificate flags`;
    interopTest("nngcat", name, async () => {
      if (certs === undefined) throw new Error("openssl is needed to make test certificates");
      const url = `${scheme}://127.0.0.1:${freePort()}`;
      await using ours = openOurSocket("rep");
      ours.setOption("rcvtimeo", STEP_TIMEOUT_MS);
      if (we === "bind") await ours.bind(url, { "tls-cert": certs.cert, "tls-key": certs.key });
      const extra = we === "bind" ? ["--cacert", certs.caFile] : ["--cert", certs.certFile, "--key", certs.keyFile];
      await using peer = spawnPeer({
        peer: "nngcat",
        socket: "req",
        endpoint: we === "bind" ? "connect" : "bind",
        url,
        format: "quoted",
        send: { data: `over ${scheme}` },
        extra,
      });
      if (we === "connect") ours.connect(url, { "tls-ca-file": certs.caFile });
      const request = await peer.guard(ours.recv(), STEP_TIMEOUT_MS, "the request");
      assert.equal(text(request), `over ${scheme}`);
      await ours.send("answered");
      await peer.waitForStdout((out) => text(out).includes(`"answered"`), STEP_TIMEOUT_MS, "nngcat prints the reply");
    });
  }
}

for (const scheme of ["wss", "tls+tcp"] as const) {
  for (const we of ["bind", "connect"] as const) {
    const name = `${scheme} interop: our REQ ${we === "bind" ? "binds" : "connects"}, nngcat's REP answers ` +
      `20 KiB, 64 KiB and 1 MiB messages without stalling`;
    interopTest("nngcat", name, async () => {
      if (certs === undefined) throw new Error("openssl is needed to make test certificates");
      for (const [size, rounds] of LARGE_ROUNDS) {
        const url = `${scheme}://127.0.0.1:${freePort()}`;
        const answer = binaryPayload(size);
        using file = new PayloadFile(answer);
        await using req = openOurSocket("req");
        req.setOption("rcvmaxsize", -1);
        if (we === "bind") await req.bind(url, { "tls-cert": certs.cert, "tls-key": certs.key });
        await using peer = spawnPeer({
          peer: "nngcat",
          socket: "rep",
          endpoint: we === "bind" ? "connect" : "bind",
          url,
          extra: [
            ...(we === "bind" ? ["--cacert", certs.caFile] : ["--cert", certs.certFile, "--key", certs.keyFile]),
            ...["--file", file.path, "--recv-maxsz", String(2 * size)],
          ],
        });
        if (we === "connect") req.connect(url, { "tls-ca-file": certs.caFile });
        await peer.guard(
          pingPong(req, binaryPayload(size), rounds, `${scheme} ${size} B`, answer),
          15_000,
          "ping-pong",
        );
      }
    });
  }
}
