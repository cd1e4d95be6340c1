/**
 * Fuzzes nanocat's command-line parser (`cli/nanocat/options.ts`).
 *
 * - Any argument list (option words, abbreviations, `--name=value`,
 *   grouped short options, numbers, addresses, arbitrary text): the parser
 *   returns options or throws a `NanocatExit` with nanocat's exit code (0
 *   only for `--help`, 1 for a bad command line, 2 for an unreadable
 *   `--file`) and a message; nothing else escapes.
 * - Generated valid command lines (a socket type under any unambiguous
 *   abbreviation, endpoints in `--bind ADDR`, `--bind=ADDR`, `-X PATH`,
 *   `-LPORT` forms, shuffled with other options) parse to exactly what was
 *   written, endpoints in command-line order.
 *
 * @module
 */

import assert from "node:assert/strict";
import { NanocatExit } from "../../cli/nanocat/exit.ts";
import { OPTION_TABLE, parseOptions } from "../../cli/nanocat/options.ts";
import { check, fc } from "./_fuzz.ts";

/** The shortest prefix of `--long` that names only that option (nanocat accepts any longer one). */
function shortestPrefix(long: string): number {
  if (OPTION_TABLE.some((o) => o.long !== long && o.long.startsWith(long))) return long.length; // exact only
  for (let n = 1; n <= long.length; n++) {
    const prefix = long.slice(0, n);
    if (OPTION_TABLE.filter((o) => o.long.startsWith(prefix)).length === 1) return n;
  }
  return long.length;
}

const longName = fc.constantFrom(...OPTION_TABLE.map((o) => o.long));
const word = fc.oneof(
  longName.map((l) => `--${l}`),
  fc.tuple(longName, fc.nat()).map(([l, n]) => `--${l.slice(0, 1 + (n % l.length))}`),
  fc.tuple(longName, fc.string({ maxLength: 8 })).map(([l, v]) => `--${l}=${v}`),
  fc.constantFrom(...OPTION_TABLE.flatMap((o) => o.short === undefined ? [] : [`-${o.short}`])),
  fc.stringMatching(/^-[vqhAQXxLldiDsrf0-9]{1,4}$/),
  fc.constantFrom("--", "-", "---", "--=", "-=", "tcp://127.0.0.1:5555", "ipc:///tmp/x", "1.5", "-1", "nan", "1e309"),
  fc.constant("--file=/nonexistent/sp-fuzz"),
  fc.string({ maxLength: 10 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
).filter((w) => !mayReadFile(w));

/** `--file` (or `-F` in a group) reads a path: the fuzz stays off the disk, except for one missing file. */
function mayReadFile(w: string): boolean {
  return /^--fi/.test(w) || /^-[^-]*F/.test(w);
}

Deno.test("fuzz nanocat arguments: any command line parses or exits with nanocat's code and a message", () => {
  check(
    "nanocat argument parser, arbitrary words",
    fc.property(fc.array(word, { maxLength: 8 }), (args) => {
      try {
        const options = parseOptions(args);
        assert.ok(options.socketType !== undefined, "parsed without a socket type");
        assert.ok(options.bindAddresses.length + options.connectAddresses.length > 0, "parsed without an endpoint");
      } catch (err) {
        if (!(err instanceof NanocatExit)) throw err;
        assert.ok([0, 1, 2].includes(err.code), `exit code ${err.code}`);
        if (err.code === 0) assert.ok(err.stdout.length > 0, "help without text");
        else assert.ok(err.stderr.length > 0, "an error without a message");
      }
    }),
    50_000,
  );
});

const socketTypes = ["pull", "rep", "respondent", "bus", "pair", "sub"] as const; // those needing no --data
const endpointArg = fc.oneof(
  fc.tuple(fc.constantFrom("bind", "connect"), fc.stringMatching(/^tcp:\/\/[a-z0-9.]{1,12}:[0-9]{1,5}$/), fc.boolean())
    .map(([kind, url, equals]) => ({
      words: equals ? [`--${kind}=${url}`] : [`--${kind}`, url],
      kind: kind as "bind" | "connect",
      url,
    })),
  fc.tuple(fc.constantFrom("X", "x"), fc.stringMatching(/^\/[a-z0-9/]{1,20}$/)).map(([letter, path]) => ({
    words: [`-${letter}`, path],
    kind: letter === "X" ? "bind" as const : "connect" as const,
    url: `ipc://${path}`,
  })),
  fc.tuple(fc.constantFrom("L", "l"), fc.integer({ min: 1, max: 65535 })).map(([letter, port]) => ({
    words: [`-${letter}${port}`],
    kind: letter === "L" ? "bind" as const : "connect" as const,
    url: `tcp://127.0.0.1:${port}`,
  })),
);

Deno.test("fuzz nanocat arguments: valid command lines parse to what was written", () => {
  check(
    "nanocat argument parser, valid command lines",
    fc.property(
      fc.constantFrom(...socketTypes),
      fc.nat(),
      fc.array(endpointArg, { minLength: 1, maxLength: 4 }),
      fc.option(fc.stringMatching(/^[a-z]{1,10}$/)),
      fc.nat(),
      (type, cut, endpoints, name, position) => {
        const min = shortestPrefix(type);
        const typeWord = `--${type.slice(0, min + (cut % (type.length - min + 1)))}`;
        const groups: string[][] = endpoints.map((e) => e.words);
        if (name !== null) groups.push(["--socket-name", name]);
        groups.splice(position % (groups.length + 1), 0, [typeWord]);
        const options = parseOptions(groups.flat());
        assert.equal(options.socketType, type);
        assert.deepEqual(options.bindAddresses, endpoints.filter((e) => e.kind === "bind").map((e) => e.url));
        assert.deepEqual(options.connectAddresses, endpoints.filter((e) => e.kind === "connect").map((e) => e.url));
        assert.equal(options.socketName, name ?? undefined);
      },
    ),
    50_000,
  );
});
