/**
 * Fuzzes address parsing: `splitUrl` (`src/core/url.ts`), the tcp rules
 * (`parseTcpAddress`), and the ipc, inproc, tls+tcp, ws and wss checks,
 * as `bind` and `connect` run them before touching the network.
 *
 * - Any string: only `SpError`s escape (EINVAL, ENODEV, ENAMETOOLONG).
 * - Generated valid tcp addresses (IPv4 literals, `*`, host names, a local
 *   interface, ports 1…65535) parse to exactly their host and port;
 *   ports outside 1…65535 or with extra characters are EINVAL.
 * - A URL is too long (ENAMETOOLONG) exactly when its UTF-8 encoding has
 *   128 bytes or more.
 * - ipc paths are accepted exactly when non-empty, NUL-free and shorter
 *   than 108 bytes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { splitUrl } from "../../src/core/url.ts";
import type { TransportOptions } from "../../src/core/transport.ts";
import { createInprocTransport } from "../../src/transports/inproc.ts";
import { createIpcTransport } from "../../src/transports/ipc.ts";
import { parseTcpAddress } from "../../src/transports/_tcp_address.ts";
import { createTcpTransport } from "../../src/transports/tcp.ts";
import { createTlsTcpTransport } from "../../src/transports/tls.ts";
import { createWssTransport, createWsTransport } from "../../src/transports/ws/ws.ts";
import { check, fc, spErrorOf } from "./_fuzz.ts";

const OPTIONS: TransportOptions = {
  recvMaxSize: -1,
  ipv4only: true,
  tcpNoDelay: false,
  tcpKeepAlive: false,
  endpoint: {},
};
const transports = [
  createTcpTransport(),
  createIpcTransport(),
  createInprocTransport(),
  createTlsTcpTransport(),
  createWsTransport(),
  createWssTransport(),
];

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const hostname = fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join("."))
  .filter((h) => !/^[\d.]+$/.test(h));
const port = fc.integer({ min: 1, max: 65535 });

/** Strings built from the characters addresses are made of, and any characters at all. */
const addressLike = fc.oneof(
  fc.string({ unit: fc.constantFrom(..."0123456789.:;[]*/?#abcdef-_%@ \0xtcpiws".split("")), maxLength: 40 }),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 70 }),
);

Deno.test("fuzz addresses: any string gives a typed error or an address", () => {
  check(
    "url parsing, arbitrary strings",
    fc.property(
      fc.constantFrom(
        "tcp://",
        "ipc://",
        "inproc://",
        "tls+tcp://",
        "ws://",
        "wss://",
        "",
        "tcp:/",
        "ws:/",
      ),
      addressLike,
      (scheme, rest) => {
        const url = scheme + rest;
        let parts: { scheme: string; address: string } | undefined;
        const error = spErrorOf(() => parts = splitUrl(url));
        if (error !== undefined) {
          assert.match(error.message, /^(EINVAL|ENAMETOOLONG):/);
          return;
        }
        const transport = transports.find((t) => t.scheme === parts!.scheme);
        if (transport === undefined) return;
        for (const mode of ["bind", "connect"] as const) {
          const e = spErrorOf(() => transport.checkAddress(parts!.address, mode, OPTIONS));
          if (e !== undefined) assert.match(e.message, /^(EINVAL|ENODEV|ENAMETOOLONG):/);
          if (transport.scheme === "tcp") {
            spErrorOf(() => parseTcpAddress(parts!.address, mode, false));
          }
        }
      },
    ),
    50_000,
  );
});

Deno.test("fuzz addresses: a URL is ENAMETOOLONG exactly when its UTF-8 encoding has 128 bytes or more", () => {
  const encoder = new TextEncoder();
  // Lengths around the limit, in 1- to 4-byte characters and lone surrogates.
  const unit = fc.oneof(fc.constantFrom("a", "é", "€", "😀", "\ud800", "\udc00"), fc.string({ maxLength: 1 }));
  check(
    "url length limit",
    fc.property(fc.array(unit, { minLength: 20, maxLength: 130 }), (parts) => {
      const url = `inproc://${parts.join("")}`;
      const tooLong = spErrorOf(() => splitUrl(url))?.message.startsWith("ENAMETOOLONG") === true;
      assert.equal(tooLong, encoder.encode(url).length >= 128, url);
    }),
    20_000,
  );
});

Deno.test("fuzz addresses: valid tcp addresses parse to their host and port", () => {
  check(
    "tcp address rules",
    fc.property(fc.oneof(ipv4, hostname), port, fc.option(ipv4), (host, p, local) => {
      const connect = parseTcpAddress(`${local === null ? "" : `${local};`}${host}:${p}`, "connect", true);
      assert.deepEqual(connect, local === null ? { host, port: p } : { host, port: p, local });
      if (/^[\d.]+$/.test(host)) {
        assert.deepEqual(parseTcpAddress(`${host}:${p}`, "bind", true), { host, port: p });
      } else {
        assert.match(spErrorOf(() => parseTcpAddress(`${host}:${p}`, "bind", true))?.message ?? "", /^ENODEV:/);
      }
      assert.deepEqual(parseTcpAddress(`*:${p}`, "bind", true), { host: "0.0.0.0", port: p });
    }),
    50_000,
  );
});

Deno.test("fuzz addresses: tcp ports outside 1…65535 are EINVAL (0 binds any free port)", () => {
  const badPort = fc.oneof(
    fc.integer({ min: 65536, max: 10_000_000 }).map(String),
    fc.constant(""),
    fc.integer({ min: 1, max: 65535 }).map((n) => `${n}x`),
    fc.integer({ min: 1, max: 65535 }).map((n) => `-${n}`),
    fc.integer({ min: 1, max: 65535 }).map((n) => ` ${n}`),
  );
  check(
    "tcp bad ports",
    fc.property(ipv4, badPort, (host, p) => {
      for (const mode of ["bind", "connect"] as const) {
        assert.match(spErrorOf(() => parseTcpAddress(`${host}:${p}`, mode, true))?.message ?? "", /^EINVAL:/);
      }
      assert.match(spErrorOf(() => parseTcpAddress(`${host}:0`, "connect", true))?.message ?? "", /^EINVAL:/);
      assert.deepEqual(parseTcpAddress(`${host}:0`, "bind", true), { host, port: 0 });
    }),
    50_000,
  );
});

Deno.test("fuzz addresses: ipc paths are checked by length and NUL bytes only (an empty one binds a fresh path)", () => {
  const ipc = createIpcTransport();
  check(
    "ipc path rules",
    fc.property(fc.string({ unit: "grapheme", maxLength: 130 }), fc.constantFrom("bind", "connect"), (path, mode) => {
      const bytes = new TextEncoder().encode(path).length;
      const error = spErrorOf(() => ipc.checkAddress(path, mode, OPTIONS));
      if (path === "" && mode === "bind") assert.equal(error, undefined);
      else if (path === "" || path.includes("\0")) assert.match(error?.message ?? "", /^EINVAL:/);
      else if (bytes >= 108) assert.match(error?.message ?? "", /^ENAMETOOLONG:/);
      else assert.equal(error, undefined);
    }),
    50_000,
  );
});
