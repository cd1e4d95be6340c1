/**
 * Self-signed certificates for the TLS tests, made once per test process
 * with the openssl command-line tool: a CA, and a server certificate it
 * signed for `127.0.0.1` and `localhost` (rustls, behind Deno's TLS,
 * refuses a CA certificate used as a server's own). The address is also a
 * DNS name in the certificate: nng's mbedTLS matches names only, not IP
 * addresses. For client authentication: a client certificate the CA
 * signed, and three it must not let in: one signed by another CA, an
 * expired one, and one for servers only (extended key usage serverAuth).
 *
 * @module
 */

import { hasCommand } from "../_helpers.ts";

/** The files and PEM texts of a test PKI. */
export interface TestCerts {
  /** Directory holding the files. */
  dir: string;
  /** CA certificate file. */
  caFile: string;
  /** Server certificate file. */
  certFile: string;
  /** Server key file. */
  keyFile: string;
  /** Certificate and key in one file (nng's tls-cert-key-file). */
  certKeyFile: string;
  /** PEM texts. */
  ca: string;
  cert: string;
  key: string;
  /** Client certificates (PEM texts and files), all with one key, `clientKey`. */
  client: ClientCerts;
}

/** Client certificates: one the CA signed for clients, and three a listener must refuse. */
export interface ClientCerts {
  /** The key of every client certificate here (PEM), and its file. */
  key: string;
  keyFile: string;
  /** Signed by the test CA, for client authentication. */
  good: string;
  goodFile: string;
  /** The good certificate and the key in one file (tls-cert-key-file). */
  goodCertKeyFile: string;
  /** Signed by another CA. */
  foreign: string;
  foreignFile: string;
  /** Signed by the test CA, but expired. */
  expired: string;
  /** Signed by the test CA, for servers only (extended key usage serverAuth). */
  serverOnly: string;
}

let made: TestCerts | undefined;

/** Whether certificates can be made here. */
export const CAN_MAKE_CERTS: boolean = hasCommand("openssl");

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

/** The test PKI, made on first use. */
export async function testCerts(): Promise<TestCerts> {
  if (made !== undefined) return made;
  const dir = await Deno.makeTempDir({ prefix: "sp-tls-" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(
    dir,
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=sp test CA",
  );
  await openssl(dir, "req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n",
  );
  await openssl(
    dir,
    ...["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"],
    ...["-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"],
  );
  const read = (name: string) => Deno.readTextFileSync(`${dir}/${name}`);
  const [ca, cert, key] = [read("ca.pem"), read("server.pem"), read("server.key")];
  Deno.writeTextFileSync(`${dir}/server-all.pem`, cert + key);
  const client = await makeClientCerts(dir, ec);
  made = {
    dir,
    caFile: `${dir}/ca.pem`,
    certFile: `${dir}/server.pem`,
    keyFile: `${dir}/server.key`,
    certKeyFile: `${dir}/server-all.pem`,
    ca,
    cert,
    key,
    client,
  };
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone */ }
  });
  return made;
}

/** The client certificates, in `dir` where the test CA is. */
async function makeClientCerts(dir: string, ec: string[]): Promise<ClientCerts> {
  await Promise.all([
    openssl(
      dir,
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "other-ca.key",
      "-out",
      "other-ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=other CA",
    ),
    openssl(dir, "req", ...ec, "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=sp test client"),
  ]);
  await Deno.writeTextFile(`${dir}/client.cnf`, "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  await Deno.writeTextFile(`${dir}/server-only.cnf`, "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  // -days -1 ends the validity a day before it starts: expired from the start.
  // Serial numbers of their own: -CAcreateserial would race on the CA's serial file.
  const sign = (out: string, ca: string, days: string, ext: string, serial: number) =>
    openssl(
      dir,
      ...["x509", "-req", "-in", "client.csr", "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-set_serial", `${serial}`],
      ...["-out", out, "-days", days, "-extfile", ext],
    );
  await Promise.all([
    sign("client.pem", "ca", "2", "client.cnf", 1001),
    sign("client-foreign.pem", "other-ca", "2", "client.cnf", 1002),
    sign("client-expired.pem", "ca", "-1", "client.cnf", 1003),
    sign("client-server-only.pem", "ca", "2", "server-only.cnf", 1004),
  ]);
  const read = (name: string) => Deno.readTextFileSync(`${dir}/${name}`);
  const key = read("client.key");
  Deno.writeTextFileSync(`${dir}/client-all.pem`, read("client.pem") + key);
  return {
    key,
    keyFile: `${dir}/client.key`,
    good: read("client.pem"),
    goodFile: `${dir}/client.pem`,
    goodCertKeyFile: `${dir}/client-all.pem`,
    foreign: read("client-foreign.pem"),
    foreignFile: `${dir}/client-foreign.pem`,
    expired: read("client-expired.pem"),
    serverOnly: read("client-server-only.pem"),
  };
}
