/**
 * The pieces of our nanocat, in-process and without peers: C number
 * parsing and conversions, the output formats (expected bytes captured
 * from nanocat 1.1.5), the command-line parser's forms and messages, the
 * help layout, error texts, and a few runs over inproc with our own
 * sockets as the other side.
 *
 * @module
 */

import assert from "node:assert/strict";
import { openSocket, SpError } from "../../mod.ts";
import { cInt, millisFromSeconds, parseCFloat, truncatedMillis } from "../../cli/nanocat/c_numbers.ts";
import { strerror } from "../../cli/nanocat/errno.ts";
import { NanocatExit } from "../../cli/nanocat/exit.ts";
import { formatMessage } from "../../cli/nanocat/format.ts";
import { helpText, usageLine } from "../../cli/nanocat/help.ts";
import type { Output } from "../../cli/nanocat/loops.ts";
import { OPTION_TABLE, parseOptions } from "../../cli/nanocat/options.ts";
import { runNanocat } from "../../cli/nanocat/run.ts";
import { text, within } from "../_helpers.ts";

const encoder = new TextEncoder();

/** The message nanocat's outputs below were captured with. */
const SAMPLE = Uint8Array.of(
  ...encoder.encode('a\tb\nc\rd\\e"f'),
  0x00,
  0x01,
  0x7f,
  0x80,
  0xc3,
  0xa9,
  0xff,
  0x20,
  0x7e,
);

function parseError(args: string[]): NanocatExit {
  try {
    parseOptions(args);
  } catch (err) {
    if (err instanceof NanocatExit) return err;
    throw err;
  }
  throw new Error(`${args.join(" ")} parsed without error`);
}

function collectingOutput(): Output & { printed(): string; warnings: string[] } {
  const chunks: Uint8Array[] = [];
  const warnings: string[] = [];
  return {
    stdout: (bytes) => void chunks.push(bytes.slice()),
    stderr: (line) => void warnings.push(line),
    printed: () => chunks.map((chunk) => text(chunk)).join(""),
    warnings,
  };
}

Deno.test("nanocat units: strtof forms", () => {
  const accepted: [string, number][] = [
    ["1", 1],
    [" 2.5", 2.5],
    ["\t+.5", 0.5],
    ["1.", 1],
    ["1e3", 1000],
    ["1E-1", Math.fround(0.1)],
    ["0x1p-3", 0.125],
    ["0X.8", 0.5],
    ["-0x10", -16],
    ["inf", Infinity],
    ["-Infinity", -Infinity],
    ["1e400", Infinity],
  ];
  for (const [input, value] of accepted) assert.equal(parseCFloat(input), value, JSON.stringify(input));
  assert.ok(Number.isNaN(parseCFloat("nan")));
  assert.ok(Number.isNaN(parseCFloat("NAN(abc_1)")));
  for (
    const rejected of ["", " ", ".", "e5", "1e", "1e+", "0x", "0x.", "0x1p", "1 ", "1,5", "infinit", "nan(", "--1"]
  ) {
    assert.equal(parseCFloat(rejected), undefined, JSON.stringify(rejected));
  }
});

Deno.test("nanocat units: C casts and nanocat's millisecond conversions", () => {
  assert.deepEqual([cInt(1.9), cInt(-1.9), cInt(NaN), cInt(Infinity), cInt(3e9)], [
    1,
    -1,
    -(2 ** 31),
    -(2 ** 31),
    -(2 ** 31),
  ]);
  assert.equal(millisFromSeconds(parseCFloat("0.1")!), 100);
  assert.equal(millisFromSeconds(parseCFloat("0.3")!), 300);
  assert.equal(millisFromSeconds(-1), -1000);
  // The receive timeout drops the fraction first, and wraps like a 32-bit int.
  assert.deepEqual([truncatedMillis(0.5), truncatedMillis(1.7), truncatedMillis(Infinity)], [0, 1000, 0]);
  assert.equal(truncatedMillis(2147484), -2147483296);
});

Deno.test("nanocat units: output formats match nanocat's bytes", () => {
  const expected: Record<string, string> = {
    raw: text(SAMPLE),
    ascii: 'a.b.c.d\\e"f....... ~\n',
    quoted: '"a\\x09b\\nc\\rd\\\\e\\"f\\x00\\x01\\x7f\\x80\\xc3\\xa9\\xff ~"\n',
    hex: '"\\x61\\x09\\x62\\x0a\\x63\\x0d\\x64\\x5c\\x65\\x22\\x66\\x00\\x01\\x7f\\x80\\xc3\\xa9\\xff\\x20\\x7e"\n',
  };
  for (const [format, output] of Object.entries(expected)) {
    const actual = formatMessage(format as "raw", SAMPLE);
    if (format === "raw") assert.deepEqual(actual, SAMPLE);
    else assert.equal(text(actual), output, format);
  }
  assert.deepEqual(formatMessage("msgpack", SAMPLE), Uint8Array.of(0xc4, SAMPLE.length, ...SAMPLE));
  assert.deepEqual(formatMessage("msgpack", new Uint8Array(300)).subarray(0, 3), Uint8Array.of(0xc5, 0x01, 0x2c));
  assert.deepEqual(
    formatMessage("msgpack", new Uint8Array(70000)).subarray(0, 5),
    Uint8Array.of(0xc6, 0, 1, 0x11, 0x70),
  );
  assert.equal(formatMessage("no", SAMPLE).length, 0);
  const empty = new Uint8Array(0);
  assert.deepEqual(
    ["raw", "ascii", "quoted", "msgpack", "hex"].map((format) => [...formatMessage(format as "raw", empty)]),
    [[], [0x0a], [0x22, 0x22, 0x0a], [0xc4, 0], [0x22, 0x22, 0x0a]],
  );
});

Deno.test("nanocat units: long, short, grouped and abbreviated options", () => {
  const options = parseOptions([
    "--pa",
    "--bind=tcp://127.0.0.1:1",
    "-X",
    "/tmp/a",
    "-l5",
    "--connect-i",
    "b",
    "-vvqQ",
    "--recv-timeout",
    "1.5",
    "-Dhello",
    "-i0.25",
    "--socket-name=s",
    "--",
    "-",
  ]);
  assert.equal(options.socketType, "pair");
  assert.deepEqual(options.bindAddresses, ["tcp://127.0.0.1:1", "ipc:///tmp/a"]);
  assert.deepEqual(options.connectAddresses, ["tcp://127.0.0.1:5", "ipc://b"]);
  assert.equal(options.verbose, 1);
  assert.equal(options.echoFormat, "quoted");
  assert.equal(options.recvTimeout, 1.5);
  assert.equal(text(options.data!), "hello");
  assert.equal(options.sendInterval, 0.25);
  assert.equal(options.socketName, "s");
  const sub = parseOptions(["--sub", "-L", "7", "--subs", "a", "--subscribe=", "--format", "hex"]);
  assert.deepEqual(sub.subscriptions, ["a", ""]);
  assert.equal(sub.echoFormat, "hex");
});

Deno.test("nanocat units: option errors word the option as it was written", () => {
  const cases: [string[], number, string][] = [
    [["--pus", "--bind", "x"], 1, "nanocat: Option --pus[h] requires at least one of the following options:\n"],
    [["--push", "-vD"], 1, "nanocat: Option -D (--data) requires an argument\n"],
    [["--format=foo"], 1, "nanocat: Invalid value ``foo'' for --format=foo . Options are:\n    no\n"],
    [
      ["-D", "a", "--file", "/etc/hostname"],
      1,
      "nanocat: Option --file conflicts with the following options:\n    -D (--data) \n",
    ],
    // The same option twice: its last spelling is the one named, on both lines.
    [["-D", "a", "--da=b"], 1, "nanocat: Option --da[ta] conflicts with the following options:\n    --da[ta] \n"],
    [["--pull", "--sub"], 1, "nanocat: Option --sub conflicts with the following options:\n    --pull \n"],
    [["-d", "1x"], 1, "nanocat: Option -d (--delay) requires float point argument\n"],
    [["--bi", "x"], 1, "nanocat: Ambiguous option ``--bi'':\n    bind\n    bind-ipc\n    bind-local\n"],
    [["-F", "/nonexistent/file"], 2, "Error opening file ``/nonexistent/file'': No such file or directory\n"],
  ];
  for (const [args, code, start] of cases) {
    const stop = parseError(args);
    assert.equal(stop.code, code, args.join(" "));
    assert.ok(typeof stop.stderr === "string" && stop.stderr.startsWith(start), `${args.join(" ")}: ${stop.stderr}`);
  }
  // A directory opens but cannot be read (nanocat 1.1.5 spins forever on it).
  assert.equal(parseError(["-F", "/tmp"]).stderr, "Error reading file ``/tmp'': Is a directory\n");
  // An unknown multi-byte short option: nanocat prints its first byte only.
  assert.deepEqual(
    parseError(["-é"]).stderr,
    Uint8Array.of(...encoder.encode("nanocat: Unknown option ``-"), 0xc3, ...encoder.encode("''\n")),
  );
  assert.equal(parseError(["-h"]).code, 0);
});

Deno.test("nanocat units: an empty --file is an empty message (nanocat 1.1.5 aborts on it)", () => {
  const path = Deno.makeTempFileSync({ prefix: "sp-cli-empty-" });
  try {
    assert.deepEqual(parseOptions(["--push", "--bind", "x", "-F", path]).data, new Uint8Array(0));
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("nanocat units: usage line and help layout", () => {
  assert.equal(
    usageLine(OPTION_TABLE),
    "    nanocat {--push|--pull|--pub|--sub|--req|--rep|--surveyor|--respondent|--bus|--pair|--bind|--connect|" +
      "--bind-ipc|--connect-ipc|--bind-local|--connect-local} [-vqhAQ] [-i SEC] [-d SEC] [-D DATA] [-F PATH] " +
      "[options] \n",
  );
  const help = helpText(OPTION_TABLE);
  assert.ok(help.includes(
    " --connect-local,-l PORT\n                        Connect socket to the tcp address\n" +
      '                        "tcp://127.0.0.1:PORT".\n',
  ));
  assert.ok(help.includes(' --bind-local,-L PORT   Bind socket to the tcp address "tcp://127.0.0.1:PORT".\n'));
  // Only the usage line is wider than 80 columns.
  for (const line of help.split("\n").slice(2)) assert.ok(line.length <= 80, line);
});

Deno.test("nanocat units: error texts are strerror's", () => {
  assert.equal(strerror(new SpError("ETIMEDOUT", "x")), "Connection timed out");
  assert.equal(strerror(new SpError("EFSM", "x")), "Operation cannot be performed in this state");
  assert.equal(strerror(new SpError("EPROTONOSUPPORT", "x")), "Protocol not supported");
  const missing = new Deno.errors.NotFound("No such file or directory (os error 2): bind '/x/y'");
  assert.equal(strerror(new SpError("ECONNREFUSED", "x", { cause: missing })), "No such file or directory");
  assert.equal(strerror(new Deno.errors.NotCapable("Requires read access")), "Permission denied");
});

Deno.test("nanocat units: a pull prints until its whole-second receive timeout", async () => {
  await using push = openSocket("push");
  const output = collectingOutput();
  const started = performance.now();
  const pulling = runNanocat(
    parseOptions(["--pull", "--bind", "inproc://units-pull", "-Q", "--recv-timeout", "1.9"]),
    output,
  );
  push.connect("inproc://units-pull");
  await push.send("one");
  await push.send("two\n");
  await within(pulling, 3_000, "the pull ends");
  const elapsed = performance.now() - started;
  assert.equal(output.printed(), '"one"\n"two\\n"\n');
  // 1.9 s counts as 1 s, as in nanocat.
  assert.ok(elapsed >= 990 && elapsed < 1_800, `ended after ${elapsed} ms`);
});

Deno.test("nanocat units: a fractional receive timeout under a second does not wait", async () => {
  const output = collectingOutput();
  const started = performance.now();
  await runNanocat(parseOptions(["--sub", "--bind", "inproc://units-sub", "--recv-timeout", "0.9"]), output);
  assert.ok(performance.now() - started < 500);
});

Deno.test("nanocat units: a rep answers each request with DATA, a req prints the answer and ends", async () => {
  const repOutput = collectingOutput();
  const answering = runNanocat(
    parseOptions(["--rep", "--bind", "inproc://units-rep", "-D", "pong", "-A", "--recv-timeout", "1"]),
    repOutput,
  );
  const reqOutput = collectingOutput();
  await within(
    runNanocat(parseOptions(["--req", "--connect", "inproc://units-rep", "-D", "ping", "-A"]), reqOutput),
    3_000,
    "the req ends",
  );
  assert.equal(reqOutput.printed(), "pong\n");
  await assert.rejects(within(answering, 3_000, "the rep fails"), (err: unknown) => {
    assert.ok(err instanceof NanocatExit);
    assert.deepEqual([err.code, err.stderr], [3, "Can't recv: Connection timed out\n"]);
    return true;
  });
  assert.equal(repOutput.printed(), "ping\n");
});
