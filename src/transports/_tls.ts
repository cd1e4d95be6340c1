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
 * | `tls-authmode`       | `"none"`, `"optional"` or `"required"` (nng's, or its numbers 0, 1, 2): how the peer is authenticated |
 *
 * A listener needs a certificate and key; a dialer presents its own (if
 * given) to a server that asks for one. nng's defaults hold: a dialer
 * verifies the server (`"required"`: its chain against the CA given, else
 * the default roots, and its name against `tls-server-name` or the host
 * dialed), a listener does not authenticate clients (`"none"`).
 * `"optional"` on a listener asks for a client certificate and lets a
 * client without one in; `"required"` refuses it. A listener that asks
 * needs `tls-ca`/`tls-ca-file` to verify against (EINVAL at bind without).
 *
 * Differences from nng (1.5.2, mbedTLS): nng's `"optional"` also lets in a
 * client whose certificate fails verification, and records the outcome in
 * the pipe's `tls-verified` option; we have no such pipe option, so a
 * certificate that is sent must verify, or the client is refused. A dialer
 * takes `"none"` or `"required"` only: a server always presents a
 * certificate, so `"optional"` (nng: verify, then go on anyway) would be
 * `"none"` in disguise. nng accepts `"required"` on a listener without a
 * CA and fails each handshake later; we refuse it at bind.
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
  /** The CA certificates to verify the peer with (instead of the default roots), PEM. */
  caCerts?: string[];
  /** The name the server's certificate must carry. */
  serverName?: string;
  /**
   * How the peer is authenticated: a dialer verifies the server (its chain
   * and its name) unless `"none"`; a listener asks clients for a
   * certificate unless `"none"`, and refuses one without a valid
   * certificate (`"required"`) or one whose certificate fails (`"optional"`).
   */
  authMode: TlsAuthMode;
}

/** nng's authentication modes (`NNG_TLS_AUTH_MODE_NONE`, `_OPTIONAL`, `_REQUIRED`). */
export type TlsAuthMode = "none" | "optional" | "required";

const AUTH_MODES: readonly TlsAuthMode[] = ["none", "optional", "required"];

/** `tls-authmode` as given (a name, or nng's number), or the role's default as nng has it. */
function authMode(options: EndpointOptions, mode: "bind" | "connect"): TlsAuthMode {
  const value = options["tls-authmode"];
  if (value === undefined) return mode === "bind" ? "none" : "required";
  const named = typeof value === "number" ? AUTH_MODES[value] : AUTH_MODES.find((m) => m === value);
  if (named === undefined) {
    throw new SpError("EINVAL", `tls-authmode must be "none", "optional" or "required" (or 0, 1, 2), not ${value}`);
  }
  if (mode === "connect" && named === "optional") {
    throw new SpError(
      "EINVAL",
      `tls-authmode "optional" is for listeners: a server always presents a certificate, so a dialer verifies it ("required") or not ("none")`,
    );
  }
  return named;
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
 * @throws {SpError} EINVAL for an unreadable file, a bad value, a listener without a certificate, or
 *   one that authenticates clients without a CA
 */
export function tlsSettings(options: EndpointOptions, mode: "bind" | "connect"): TlsSettings {
  const settings: TlsSettings = { authMode: authMode(options, mode) };
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
  if (mode === "bind" && settings.authMode !== "none" && settings.caCerts === undefined) {
    throw new SpError(
      "EINVAL",
      `tls-authmode "${settings.authMode}" on a listener needs tls-ca or tls-ca-file to verify client certificates against`,
    );
  }
  if (mode === "bind" && settings.cert === undefined) {
    throw new SpError("EINVAL", "a TLS listener needs tls-cert-key-file, or tls-cert and tls-key");
  }
  return settings;
}

/**
 * Whether two listeners' TLS settings serve clients alike (certificate,
 * key, and how clients are authenticated), so they can share one port.
 *
 * @example Usage
 * ```ts
 * import { sameListenerTls } from "./_tls.ts";
 * const a = { cert: "C", key: "K", authMode: "none" as const };
 * console.log(sameListenerTls(a, { ...a, authMode: "required", caCerts: ["CA"] })); // false
 * ```
 */
export function sameListenerTls(a: TlsSettings, b: TlsSettings | undefined): boolean {
  if (b === undefined || a.cert !== b.cert || a.key !== b.key || a.authMode !== b.authMode) return false;
  return a.authMode === "none" || (a.caCerts ?? []).join("\n") === (b.caCerts ?? []).join("\n");
}
