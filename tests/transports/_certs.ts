/**
 * Self-signed certificates for the TLS tests, made once per test process
 * with the openssl command-line tool: a CA, and a server certificate it
 * signed for `127.0.0.1` and `localhost` (rustls, behind Deno's TLS,
 * refuses a CA certificate used as a server's own). The address is also a
 * DNS name in the certificate: nng's mbedTLS matches names only, not IP
 * addresses.
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
  made = {
    dir,
    caFile: `${dir}/ca.pem`,
    certFile: `${dir}/server.pem`,
    keyFile: `${dir}/server.key`,
    certKeyFile: `${dir}/server-all.pem`,
    ca,
    cert,
    key,
  };
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone */ }
  });
  return made;
}
