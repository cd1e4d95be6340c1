/**
 * TLS client authentication on tls+tcp and wss, both ends ours: a
 * listener's `tls-authmode` ("none" by default, "optional", "required"),
 * a dialer presenting `tls-cert-key-file` or `tls-cert` + `tls-key`. A
 * refused client (none where one is required; another CA's, an expired
 * or a server-only certificate anywhere one is asked for) is `pipe:rejected`
 * with EPROTO and counted as dropped on both sides, and the listener
 * keeps serving the clients it lets in. Options that cannot work are
 * EINVAL at bind or connect.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, openSocket, type PipeRejectedEvent, type Socket } from "../../mod.ts";
import { text, until, within } from "../_helpers.ts";
import { CAN_MAKE_CERTS, testCerts } from "./_certs.ts";

const certs = CAN_MAKE_CERTS ? await testCerts() : undefined;
const tlsTest = (name: string, fn: () => Promise<void>) => Deno.test({ name, ignore: certs === undefined, fn });

/** Dialers retry a refused connection this often (ms). */
const RETRY = 50;
/** Generous bound on any one wait (ms): other lanes' tests share the two cores. */
const WAIT = 5000;

function bindOptions(authMode?: string | number) {
  return {
    "tls-cert": certs!.cert,
    "tls-key": certs!.key,
    "tls-ca": certs!.ca,
    ...(authMode === undefined ? {} : { "tls-authmode": authMode }),
  };
}

/** Our dialer's options: trusting the test CA, presenting `cert` (with the client key) if given. */
function presenting(cert?: string) {
  const ours = cert === undefined ? {} : { "tls-cert": cert, "tls-key": certs!.client.key };
  return { "tls-ca-file": certs!.caFile, ...ours };
}

/** The first `pipe:rejected` event of `socket` from now on. */
function nextRejection(socket: Socket): Promise<PipeRejectedEvent> {
  return new Promise((resolve) => {
    const off = socket.events.on("pipe:rejected", (event) => {
      off();
      resolve(event);
    });
  });
}

/** A client that gets in: its message arrives. */
async function admitted(server: Socket, url: string, options: Record<string, unknown>, label: string) {
  await using client = openSocket("pair");
  client.connect(url, options);
  await client.send(label);
  assert.equal(text(await within(server.recv(), WAIT, `${label}: admitted`)), label);
}

/** A client that is refused: both sides see EPROTO, count a dropped connection, and no pipe attaches. */
async function refused(server: Socket, url: string, options: Record<string, unknown>, label: string) {
  await using client = openSocket("pair", { options: { reconnectIvl: RETRY } });
  const serverSaw = nextRejection(server);
  const clientSaw = nextRejection(client);
  const serverDropped = server.stats.dropped;
  client.connect(url, options);
  const [ours, theirs] = await within(Promise.all([serverSaw, clientSaw]), WAIT, `${label}: refused on both sides`);
  assert.ok(isSpError(ours.reason, "EPROTO"), `${label}, listener: ${ours.reason}`);
  assert.ok(isSpError(theirs.reason, "EPROTO"), `${label}, dialer: ${theirs.reason}`);
  assert.ok(server.stats.dropped > serverDropped, `${label}: the listener counts it`);
  assert.ok(client.stats.dropped >= 1, `${label}: the dialer counts it`);
  await until(() => client.stats.dropped >= 2, WAIT, `${label}: the dialer retries and is refused again`);
  assert.equal(client.stats.currentConnections, 0);
  return { listener: ours.reason.message, dialer: theirs.reason.message };
}

for (const scheme of ["tls+tcp", "wss"]) {
  const anyUrl = `${scheme}://127.0.0.1:0${scheme === "wss" ? "/auth" : ""}`;

  tlsTest(`${scheme}: a listener authenticates no client by default (nng's "none"), certificate or not`, async () => {
    await using server = openSocket("pair", { options: { rcvtimeo: WAIT } });
    const { url } = await server.listen(anyUrl, { "tls-cert-key-file": certs!.certKeyFile });
    await admitted(server, url, presenting(), "no certificate");
    await admitted(server, url, presenting(certs!.client.foreign), "another CA's certificate, not asked for");
  });

  tlsTest(`${scheme}: "required" admits only a client certificate the CA signed`, async () => {
    await using server = openSocket("pair", { options: { rcvtimeo: WAIT } });
    const { url } = await server.listen(anyUrl, bindOptions("required"));
    // No certificate: the handshake fails with an alert that names it. A bad one: the listener closes after it.
    const none = await refused(server, url, presenting(), "no certificate");
    assert.match(none.listener, /no certificate/);
    assert.match(none.dialer, /CertificateRequired/);
    const foreign = await refused(server, url, presenting(certs!.client.foreign), "another CA's certificate");
    assert.match(foreign.listener, /does not verify against tls-ca/);
    await refused(server, url, presenting(certs!.client.expired), "an expired certificate");
    await refused(server, url, presenting(certs!.client.serverOnly), "a certificate for servers only");
    await admitted(server, url, presenting(certs!.client.good), "the CA's client certificate");
    const fromFile = { "tls-ca-file": certs!.caFile, "tls-cert-key-file": certs!.client.goodCertKeyFile };
    await admitted(server, url, fromFile, "the same from tls-cert-key-file");
  });

  tlsTest(
    `${scheme}: "optional" admits a client without a certificate, and one whose certificate verifies`,
    async () => {
      await using server = openSocket("pair", { options: { rcvtimeo: WAIT } });
      const { url } = await server.listen(anyUrl, bindOptions(1)); // nng's NNG_TLS_AUTH_MODE_OPTIONAL
      await admitted(server, url, presenting(), "no certificate");
      await refused(server, url, presenting(certs!.client.foreign), "another CA's certificate");
      await refused(server, url, presenting(certs!.client.expired), "an expired certificate");
      await admitted(server, url, presenting(certs!.client.good), "the CA's client certificate");
    },
  );

  tlsTest(`${scheme}: client authentication options that cannot work are EINVAL`, async () => {
    await using s = openSocket("pair");
    const withoutCa = { "tls-cert-key-file": certs!.certKeyFile };
    for (const mode of ["optional", "required", 2]) {
      await assert.rejects(s.listen(anyUrl, { ...withoutCa, "tls-authmode": mode }), (e) => isSpError(e, "EINVAL"));
    }
    await assert.rejects(s.listen(anyUrl, bindOptions("sometimes")), (e) => isSpError(e, "EINVAL"));
    await assert.rejects(s.listen(anyUrl, bindOptions(3)), (e) => isSpError(e, "EINVAL"));
    const dialUrl = `${scheme}://127.0.0.1:1`;
    assert.throws(() => s.connect(dialUrl, { "tls-authmode": "optional" }), (e) => isSpError(e, "EINVAL"));
    assert.throws(() => s.connect(dialUrl, { "tls-cert": certs!.client.good }), (e) => isSpError(e, "EINVAL"));
  });
}

tlsTest("wss: paths sharing a port share its client policy, so another tls-authmode or CA is EADDRINUSE", async () => {
  await using open = openSocket("pair");
  await using strict = openSocket("pair");
  const { url } = await open.listen("wss://127.0.0.1:0/open", bindOptions());
  const port = new URL(url.replace(/^wss/, "https")).port;
  await assert.rejects(
    strict.listen(`wss://127.0.0.1:${port}/strict`, bindOptions("required")),
    (e) => isSpError(e, "EADDRINUSE"),
  );
  await strict.listen(`wss://127.0.0.1:${port}/same`, bindOptions());
});
