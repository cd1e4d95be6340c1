/**
 * nngcat's TLS flags, which nanocat 1.1.5 lacks (it has no TLS):
 * `--cert`/`-E FILE`, `--key FILE`, `--cacert FILE`, `--insecure`/`-k`.
 * They are matched by their full names only and stay out of `--help`, so
 * nanocat's own option abbreviations, errors and help text are unchanged.
 * They turn into the TLS endpoint options of `wss://` and `tls+tcp://`
 * addresses. `--cert`/`--key` are a listener's certificate, or the client
 * certificate a dialer presents when asked. `--cacert` applies to dialers
 * only: nngcat's listener loads it but keeps nng's server default and
 * never asks a client for a certificate, and neither does ours.
 *
 * @module
 */

import type { EndpointOptions } from "../../mod.ts";
import type { OptionSpec } from "./option_table.ts";

/** What the TLS flags said. */
export interface TlsFlags {
  /** `--cert`: our certificate, a listener's or a dialer's client certificate (with the key too when `--key` is absent). */
  cert?: string;
  /** `--key`: our private key. */
  key?: string;
  /** `--cacert`: CA certificates a dialer verifies the server with. */
  cacert?: string;
  /** `--insecure`: do not verify the server's certificate. */
  insecure: boolean;
}

function flag(long: string, short: string | undefined, metavar: string | undefined, apply: OptionSpec["apply"]) {
  return {
    long,
    ...(short === undefined ? {} : { short }),
    ...(metavar === undefined ? {} : { metavar }),
    group: "TLS Options",
    description: "",
    provides: 0,
    conflicts: 0,
    requires: 0,
    apply,
  } satisfies OptionSpec;
}

/** The TLS flags, in nngcat's spelling. */
export const TLS_OPTION_TABLE: readonly OptionSpec[] = [
  flag("cert", "E", "FILE", (target, argument) => target.tls.cert = argument),
  flag("key", undefined, "FILE", (target, argument) => target.tls.key = argument),
  flag("cacert", undefined, "FILE", (target, argument) => target.tls.cacert = argument),
  flag("insecure", "k", undefined, (target) => target.tls.insecure = true),
];

/**
 * The endpoint options an address gets from the TLS flags: none unless it
 * is `wss://` or `tls+tcp://`.
 *
 * @example Usage
 * ```ts
 * import { tlsEndpointOptions } from "./tls_options.ts";
 * console.log(tlsEndpointOptions("tcp://127.0.0.1:1", "connect", { insecure: true })); // {}
 * ```
 */
export function tlsEndpointOptions(address: string, mode: "bind" | "connect", flags: TlsFlags): EndpointOptions {
  if (!address.startsWith("wss") && !address.startsWith("tls+tcp")) return {};
  const options: Record<string, unknown> = {};
  if (flags.cert !== undefined && flags.key === undefined) options["tls-cert-key-file"] = flags.cert;
  if (flags.cert !== undefined && flags.key !== undefined) {
    options["tls-cert"] = Deno.readTextFileSync(flags.cert);
    options["tls-key"] = Deno.readTextFileSync(flags.key);
  }
  if (mode === "connect") {
    if (flags.cacert !== undefined) options["tls-ca-file"] = flags.cacert;
    if (flags.insecure) options["tls-authmode"] = "none";
  }
  return options;
}
