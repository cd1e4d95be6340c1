/**
 * TLS for the transports that offer it (`tls+tcp://`, `wss://`): the
 * endpoint options, named after nng's where nng has one (the connections
 * themselves are in `_tls_socket.ts`).
 *
 * | option               | value                                              |
 * | -------------------- | -------------------------------------------------- |
 * | `tls-cert-key-file`  | path of a PEM file with our certificate chain and key (nng) |
 * | `tls-cert`, `tls-key`| the same as PEM text                               |
 * | `tls-ca-file`        | path of PEM CA certificates to verify the peer with, instead of the default roots (nng) |
 * | `tls-ca`             | the same as PEM text                               |
 * | `tls-server-name`    | the name to verify the server's certificate against (nng) |
 * | `tls-authmode`       | `"required"` (dialer default) or `"none"` (nng): verify the peer or not |
 *
 * A listener needs a certificate and key. A dialer verifies the server
 * against the CA given (else the default roots), and its name against
 * `tls-server-name` or the host dialed; `tls-authmode: "none"` skips both,
 * as nng's does. Our listeners do not ask for client certificates, so a
 * listener's authmode can only be `"none"`.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";
import type { EndpointOptions } from "../core/transport.ts";

/** The TLS endpoint option names. */
export const TLS_OPTIONS: readonly string[] = [
  "tls-cert-key-file",
  "tls-cert",
  "tls-key",
  "tls-ca-file",
  "tls-ca",
  "tls-server-name",
  "tls-authmode",
];

/** TLS settings resolved from an endpoint's options. */
export interface TlsSettings {
  /** Our certificate chain, PEM. */
  cert?: string;
  /** Our private key, PEM. */
  key?: string;
  /** The CA certificates to verify the server with (instead of the default roots), PEM. */
  caCerts?: string[];
  /** The name the server's certificate must carry. */
  serverName?: string;
  /** Whether the server's certificate is verified (its chain and its name). */
  verify: boolean;
}

function text(options: EndpointOptions, name: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw new SpError("EINVAL", `${name} must be a non-empty string`);
  return value;
}

function readPem(path: string, option: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (err) {
    throw new SpError("EINVAL", `${option}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----\s*/g;

/**
 * Resolves an endpoint's TLS options (reading the files they name).
 *
 * @example Usage
 * ```ts
 * import { tlsSettings } from "./_tls.ts";
 * console.log(tlsSettings({ "tls-server-name": "example.org" }, "connect").serverName); // "example.org"
 * ```
 *
 * @throws {SpError} EINVAL for an unreadable file, a bad value, or a listener without a certificate
 */
export function tlsSettings(options: EndpointOptions, mode: "bind" | "connect"): TlsSettings {
  const settings: TlsSettings = { verify: true };
  const certKeyFile = text(options, "tls-cert-key-file");
  let cert = text(options, "tls-cert");
  let key = text(options, "tls-key");
  if (certKeyFile !== undefined) {
    if (cert !== undefined || key !== undefined) {
      throw new SpError("EINVAL", "give tls-cert-key-file or tls-cert with tls-key, not both");
    }
    const pem = readPem(certKeyFile, "tls-cert-key-file");
    key = (pem.match(PEM_KEY) ?? []).join("");
    cert = pem.replace(PEM_KEY, "");
    if (key === "" || !cert.includes("-----BEGIN CERTIFICATE-----")) {
      throw new SpError("EINVAL", `tls-cert-key-file ${certKeyFile} must hold a certificate and a private key`);
    }
  }
  if ((cert === undefined) !== (key === undefined)) throw new SpError("EINVAL", "tls-cert and tls-key go together");
  if (cert !== undefined) [settings.cert, settings.key] = [cert, key];
  const ca = [text(options, "tls-ca"), ...[text(options, "tls-ca-file")].map((f) => f && readPem(f, "tls-ca-file"))]
    .filter((pem): pem is string => pem !== undefined);
  if (ca.length > 0) settings.caCerts = ca;
  const serverName = text(options, "tls-server-name");
  if (serverName !== undefined) settings.serverName = serverName;
  const authmode = options["tls-authmode"];
  if (authmode !== undefined) {
    const mode_ = authmode === 0 ? "none" : authmode === 1 ? "optional" : authmode === 2 ? "required" : authmode;
    if (mode === "bind" && mode_ !== "none") {
      throw new SpError("EINVAL", "tls-authmode: our TLS listeners do not ask for client certificates");
    }
    if (mode_ === "none") settings.verify = false;
    else if (mode_ !== "required") throw new SpError("EINVAL", `tls-authmode must be "none" or "required"`);
  }
  if (mode === "bind" && settings.cert === undefined) {
    throw new SpError("EINVAL", "a TLS listener needs tls-cert-key-file, or tls-cert and tls-key");
  }
  return settings;
}
