/**
 * TLS for the transports that offer it (`tls+tcp://`, `wss://`): the
 * endpoint options, named after nng's where nng has one, and Deno's TLS
 * connections behind them.
 *
 * | option               | value                                              |
 * | -------------------- | -------------------------------------------------- |
 * | `tls-cert-key-file`  | path of a PEM file with our certificate chain and key (nng) |
 * | `tls-cert`, `tls-key`| the same as PEM text                               |
 * | `tls-ca-file`        | path of PEM CA certificates to verify the peer with (nng) |
 * | `tls-ca`             | the same as PEM text                               |
 * | `tls-server-name`    | the name to verify the server's certificate against (nng) |
 * | `tls-authmode`       | `"required"` (dialer default) or `"none"` (nng); see below |
 *
 * A listener needs a certificate and key. A dialer verifies the server
 * against the system roots plus the CA given. Deno cannot skip the chain
 * check per connection: `tls-authmode: "none"` only stops matching the
 * name (run Deno with `--unsafely-ignore-certificate-errors` to skip the
 * chain check too). Deno listeners cannot ask for client certificates, so
 * a listener's authmode can only be `"none"`.
 *
 * @module
 */

import { fromDenoError, SpError } from "../core/errors.ts";
import type { EndpointOptions } from "../core/transport.ts";
import type { ByteStream } from "./_stream_connection.ts";

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
  /** Extra CA certificates, PEM. */
  caCerts?: string[];
  /** The name the server's certificate must carry. */
  serverName?: string;
  /** Whether the server's name is checked. */
  verifyName: boolean;
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
  const settings: TlsSettings = { verifyName: true };
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
      throw new SpError("EINVAL", "tls-authmode: Deno's TLS listeners cannot ask for client certificates");
    }
    if (mode_ === "none") settings.verifyName = false;
    else if (mode_ !== "required") throw new SpError("EINVAL", `tls-authmode must be "none" or "required"`);
  }
  if (mode === "bind" && settings.cert === undefined) {
    throw new SpError("EINVAL", "a TLS listener needs tls-cert-key-file, or tls-cert and tls-key");
  }
  return settings;
}

/** Wraps a TLS connection so its handshake failure surfaces as EPROTO on first use. */
class TlsStream implements ByteStream {
  readonly #conn: Deno.TlsConn;
  readonly #ready: Promise<void>;

  constructor(conn: Deno.TlsConn, what: string) {
    this.#conn = conn;
    this.#ready = conn.handshake().then(
      () => {},
      (err) => {
        throw new SpError("EPROTO", `${what}: TLS handshake failed: ${(err as Error).message}`, { cause: err });
      },
    );
    this.#ready.catch(() => {});
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    await this.#ready;
    return this.#conn.read(buffer);
  }

  async write(data: Uint8Array): Promise<number> {
    await this.#ready;
    return this.#conn.write(data);
  }

  close(): void {
    this.#conn.close();
  }
}

/**
 * Wraps a TLS connection for a stream connection; the handshake runs on
 * first use, inside the pipe's handshake timeout.
 */
export function tlsStream(conn: Deno.TlsConn, what: string): ByteStream {
  return new TlsStream(conn, what);
}

/**
 * Dials a TLS server (the handshake itself happens on first use).
 *
 * @throws {SpError} ECONNREFUSED and the like
 */
export async function dialTls(
  host: string,
  port: number,
  settings: TlsSettings,
  signal: AbortSignal,
  url: string,
): Promise<Deno.TlsConn> {
  const name = settings.serverName ?? host;
  const verify = settings.verifyName ? {} : { unsafelyDisableHostnameVerification: true };
  const ca = settings.caCerts === undefined ? {} : { caCerts: settings.caCerts };
  try {
    if (name === host) {
      const mine = settings.cert === undefined ? {} : { cert: settings.cert, key: settings.key! };
      const conn = await Deno.connectTls({ hostname: host, port, ...ca, ...verify, ...mine });
      if (signal.aborted) {
        conn.close();
        throw signal.reason;
      }
      return conn;
    }
    // Another name than the address dialed: connect, then start TLS for that name.
    if (settings.cert !== undefined) {
      throw new SpError("EINVAL", "a client certificate cannot be combined with tls-server-name in Deno");
    }
    const tcp = await Deno.connect({ hostname: host, port, signal });
    return await Deno.startTls(tcp, { hostname: name, ...ca, ...verify });
  } catch (err) {
    if (err instanceof SpError) throw err;
    throw fromDenoError(err, url);
  }
}

/**
 * Listens for TLS connections.
 *
 * @throws {SpError} EADDRINUSE, EINVAL for an unusable certificate …
 */
export function listenTls(host: string, port: number, settings: TlsSettings, url: string): Deno.TlsListener {
  try {
    return Deno.listenTls({ hostname: host, port, cert: settings.cert!, key: settings.key! });
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse || err instanceof Deno.errors.PermissionDenied) {
      throw fromDenoError(err, url);
    }
    throw new SpError("EINVAL", `${url}: cannot listen with this certificate: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** `host:port` of a Deno address, IPv6 in brackets. */
export function describeAddr(addr: Deno.NetAddr): string {
  return addr.hostname.includes(":") ? `[${addr.hostname}]:${addr.port}` : `${addr.hostname}:${addr.port}`;
}
