/**
 * TLS client certificates against `nngcat` (nng 1.5.2 on mbedTLS, TLS
 * 1.2), over tls+tcp and wss.
 *
 * nngcat has no flag for a listener's authentication mode: `--cacert` only
 * loads the CA, and its listener keeps nng's server default, "none". Its
 * listener never asks for a client certificate, even with `--cacert`
 * (`openssl s_client -msg` sees no CertificateRequest), so any client gets
 * in, whatever it would present. Its dialer presents `--cert`/`--key`
 * to a server that asks. The tests pin both: our dialer presenting a
 * certificate nngcat's CA did not sign still gets in, and our listener
 * with `tls-authmode: "required"` admits nngcat's dialer with the CA's
 * client certificate and refuses it (counted, `pipe:rejected` with EPROTO,
 * the listener serving on) without one or with another CA's.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, type PipeRejectedEvent } from "../../mod.ts";
import { freePort, text, until } from "../_helpers.ts";
import { CAN_MAKE_CERTS, testCerts } from "../transports/_certs.ts";
import { interopTest, spawnPeer, STEP_TIMEOUT_MS } from "./_peers.ts";
import { openOurSocket } from "./_scenarios.ts";

const certs = CAN_MAKE_CERTS ? await testCerts() : undefined;

function needCerts() {
  if (certs === undefined) throw new Error("openssl is needed to make test certificates");
  return certs;
}

for (const scheme of ["tls+tcp", "wss"] as const) {
  interopTest(
    "nngcat",
    `${scheme} interop: nngcat's listener with --cacert asks for no client certificate; ours, from another CA, gets in`,
    async () => {
      const { certFile, keyFile, caFile, client } = needCerts();
      const url = `${scheme}://127.0.0.1:${freePort()}`;
      await using peer = spawnPeer({
        peer: "nngcat",
        socket: "rep",
        endpoint: "bind",
        url,
        extra: ["--data", "answered", "--cert", certFile, "--key", keyFile, "--cacert", caFile],
      });
      for (const cert of [client.good, client.foreign]) {
        await using req = openOurSocket("req");
        req.setOption("rcvtimeo", STEP_TIMEOUT_MS);
        req.connect(url, { "tls-ca-file": caFile, "tls-cert": cert, "tls-key": client.key });
        await req.send("hello");
        assert.equal(text(await peer.guard(req.recv(), STEP_TIMEOUT_MS, "nngcat's reply")), "answered");
      }
    },
  );

  interopTest(
    "nngcat",
    `${scheme} interop: our listener requiring client certificates admits nngcat's --cert, refuses it without one`,
    async () => {
      const { cert, key, ca, caFile, client } = needCerts();
      await using ours = openOurSocket("rep");
      ours.setOption("rcvtimeo", STEP_TIMEOUT_MS);
      const { url } = await ours.listen(`${scheme}://127.0.0.1:0`, {
        "tls-cert": cert,
        "tls-key": key,
        "tls-ca": ca,
        "tls-authmode": "required",
      });
      const refusals: PipeRejectedEvent[] = [];
      ours.events.on("pipe:rejected", (event) => refusals.push(event));
      for (const presented of [[], ["--cert", client.foreignFile, "--key", client.keyFile]]) {
        const before = refusals.length;
        await using refused = spawnPeer({
          peer: "nngcat",
          socket: "req",
          endpoint: "connect",
          url,
          send: { data: "let me in" },
          // --async: nngcat's first dial does not wait, and a refused one is retried instead of ending nngcat.
          extra: ["--async", "--cacert", caFile, ...presented],
        });
        const label = presented.length === 0 ? "no certificate" : "another CA's certificate";
        await refused.guard(until(() => refusals.length > before, STEP_TIMEOUT_MS, label), STEP_TIMEOUT_MS, label);
        const reason = refusals.at(-1)!.reason;
        assert.ok(isSpError(reason, "EPROTO"), String(reason));
        assert.equal(ours.stats.currentConnections, 0);
      }
      assert.ok(ours.stats.dropped >= 2);
      await using admitted = spawnPeer({
        peer: "nngcat",
        socket: "req",
        endpoint: "connect",
        url,
        format: "quoted",
        send: { data: "certified" },
        extra: ["--cacert", caFile, "--cert", client.goodFile, "--key", client.keyFile],
      });
      const request = await admitted.guard(ours.recv(), STEP_TIMEOUT_MS, "the certified request");
      assert.equal(text(request), "certified");
      await ours.send("welcome");
      await admitted.waitForStdout(
        (out) => text(out).includes(`"welcome"`),
        STEP_TIMEOUT_MS,
        "nngcat prints the reply",
      );
    },
  );
}
