/**
 * tls+tcp and wss transports: the conformance suite over TLS with a test
 * CA, and the TLS options: a listener needs a certificate, a dialer that
 * does not trust the CA is refused (and counted), a server name other
 * than the address is checked, authmode "none" verifies nothing, unknown
 * option names are EINVAL. And
 * request/reply of messages larger than one TLS record keeps going in
 * both directions (Deno's own TLS held every such message ~40 ms: see
 * `src/transports/_tls_socket.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, openSocket } from "../../mod.ts";
import { freePort, text, until } from "../_helpers.ts";
import { CAN_MAKE_CERTS, testCerts } from "./_certs.ts";
import { rawClientOf, runTransportConformance, tcpFrame } from "./_conformance.ts";
import { clientFrame, rawWsClient } from "./_ws_peer.ts";
import { LARGE_ROUNDS, pingPong } from "./_ping_pong.ts";

if (!CAN_MAKE_CERTS) console.log("openssl is not on PATH: skipping the TLS transport tests");
const certs = CAN_MAKE_CERTS ? await testCerts() : undefined;
const bindOptions = { "tls-cert": certs?.cert, "tls-key": certs?.key };
const connectOptions = { "tls-ca-file": certs?.caFile };

if (certs !== undefined) {
  runTransportConformance({
    name: "tls+tcp",
    url: () => `tls+tcp://127.0.0.1:${freePort()}`,
    anyUrl: "tls+tcp://127.0.0.1:0",
    bindOptions,
    connectOptions,
    frame: tcpFrame,
    async raw(url) {
      const port = Number(url.slice(url.lastIndexOf(":") + 1));
      return rawClientOf(await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [certs.ca] }));
    },
  });
  runTransportConformance({
    name: "wss",
    url: () => `wss://127.0.0.1:${freePort()}/conformance`,
    anyUrl: "wss://127.0.0.1:0/conformance",
    bindOptions: { "tls-cert-key-file": certs.certKeyFile },
    connectOptions,
    frame: clientFrame,
    greeting: new Uint8Array(0),
    async raw(url) {
      const ws = await rawWsClient(url, "pull.sp.nanomsg.org", certs.ca);
      return { write: (bytes) => ws.write(bytes), close: () => ws.close() };
    },
  });
}

const tlsTest = (name: string, fn: () => Promise<void>) => Deno.test({ name, ignore: certs === undefined, fn });

for (const scheme of ["tls+tcp", "wss"]) {
  tlsTest(`${scheme}: option checks happen at bind and connect`, async () => {
    await using s = openSocket("pair");
    const url = `${scheme}://127.0.0.1:${freePort()}`;
    await assert.rejects(s.bind(url), (e) => isSpError(e, "EINVAL"));
    assert.throws(() => s.connect(url, { "tls-ca-file": "/nonexistent/ca.pem" }), (e) => isSpError(e, "EINVAL"));
    assert.throws(() => s.connect(url, { "tls-cafile": certs!.caFile }), (e) => isSpError(e, "EINVAL"));
    assert.throws(() => s.connect(url, { "tls-authmode": "sometimes" }), (e) => isSpError(e, "EINVAL"));
    await assert.rejects(s.bind(url, { ...bindOptions, "tls-authmode": "required" }), (e) => isSpError(e, "EINVAL"));
  });

  tlsTest(`${scheme}: a dialer that does not trust the CA is refused and retries; trusting it works`, async () => {
    await using server = openSocket("pair", { options: { rcvtimeo: 5000 } });
    await using untrusting = openSocket("pair", { options: { reconnectIvl: 20 } });
    await using trusting = openSocket("pair", { options: { rcvtimeo: 5000 } });
    const { url } = await server.listen(`${scheme}://127.0.0.1:0`, bindOptions);
    untrusting.connect(url);
    await until(() => untrusting.stats.dropped >= 2, 5000, "refused TLS handshakes are counted, again and again");
    assert.equal(untrusting.stats.currentConnections, 0);
    trusting.connect(url, connectOptions);
    await trusting.send("trusted");
    assert.equal(text(await server.recv()), "trusted");
  });

  tlsTest(`${scheme}: tls-server-name is what the certificate is checked against`, async () => {
    await using server = openSocket("pair", { options: { rcvtimeo: 5000 } });
    await using good = openSocket("pair");
    await using bad = openSocket("pair", { options: { reconnectIvl: 20 } });
    const { url } = await server.listen(`${scheme}://127.0.0.1:0`, bindOptions);
    good.connect(url, { ...connectOptions, "tls-server-name": "localhost" });
    bad.connect(url, { ...connectOptions, "tls-server-name": "example.org" });
    await good.send("by name");
    assert.equal(text(await server.recv()), "by name");
    await until(() => bad.stats.dropped >= 1, 5000, "a name the certificate lacks is refused");
    assert.equal(bad.stats.currentConnections, 0);
  });
}

tlsTest("tls+tcp and wss need --allow-net and read access to the certificate files, nothing more", async () => {
  const mod = new URL("../../mod.ts", import.meta.url);
  const script = `import { openSocket } from "${mod}";
    for (const scheme of ["tls+tcp", "wss"]) {
      const url = scheme + "://127.0.0.1:0";
      await using rep = openSocket("rep", { options: { rcvtimeo: 5000 } });
      await using req = openSocket("req", { options: { rcvtimeo: 5000 } });
      const bound = await rep.listen(url, { "tls-cert-key-file": ${JSON.stringify(certs!.certKeyFile)} });
      req.connect(bound.url, { "tls-ca-file": ${JSON.stringify(certs!.caFile)} });
      await req.send("ping");
      await rep.send(await rep.recv());
      console.log(scheme, new TextDecoder().decode(await req.recv()));
    }`;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, script);
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--config", config, "--allow-net=127.0.0.1", `--allow-read=${certs!.dir}`, file],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const printed = text(out.stdout) + text(out.stderr);
    assert.equal(printed, "tls+tcp ping\nwss ping\n");
  } finally {
    await Deno.remove(file);
  }
});

for (const scheme of ["tls+tcp", "wss"]) {
  tlsTest(`${scheme}: tls-authmode "none" connects without trusting the CA or matching the name (as nng)`, async () => {
    await using server = openSocket("pair", { options: { rcvtimeo: 5000 } });
    await using client = openSocket("pair");
    const { url } = await server.listen(`${scheme}://127.0.0.1:0`, bindOptions);
    client.connect(url, { "tls-authmode": "none", "tls-server-name": "example.org" });
    await client.send("unverified");
    assert.equal(text(await server.recv()), "unverified");
  });
}

for (const scheme of ["tls+tcp", "wss"]) {
  tlsTest(`${scheme}: REQ/REP of 20 KiB, 64 KiB and 1 MiB messages never stalls (both ends ours)`, async () => {
    await using rep = openSocket("rep", { options: { rcvmaxsize: -1 } });
    await using req = openSocket("req", { options: { rcvmaxsize: -1 } });
    const { url } = await rep.listen(`${scheme}://127.0.0.1:0${scheme === "wss" ? "/large" : ""}`, bindOptions);
    req.connect(url, connectOptions);
    const echo = (async () => {
      for (;;) await rep.send(await rep.recv());
    })();
    echo.catch(() => {}); // ends when rep closes
    for (const [size, rounds] of LARGE_ROUNDS) {
      const payload = new Uint8Array(size).map((_, i) => i * 7);
      await pingPong(req, payload, rounds, `${scheme} ${size} B`);
    }
  });
}
