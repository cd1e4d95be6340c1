/**
 * Our nanocat's command line against the real nanocat's: for each command
 * line both are run and must print the same bytes on stdout and stderr and
 * exit with the same code — `--help`, every kind of option error
 * (unknown, ambiguous, conflicting, missing arguments and requirements,
 * malformed numbers and formats, unreadable files), and the socket errors
 * nanocat reports after it has parsed the options ("Can't bind: …").
 *
 * @module
 */

import assert from "node:assert/strict";
import { freePort, tempIpcPath } from "../_helpers.ts";
import { interopTest } from "../interop/_peers.ts";
import { type Finished, pool, run } from "./_processes.ts";

const decoder = new TextDecoder();

/**
 * Runs both on each command line and lists every difference. The two run
 * one after the other, as a command line may bind an address.
 */
async function assertSameAsNanocat(commandLines: readonly (readonly string[])[]): Promise<void> {
  const results = await pool(
    commandLines.map((args) => async () => {
      const theirs = await run("nanocat", args);
      const ours = await run("ours", args);
      return { args, theirs, ours };
    }),
    3,
  );
  const differences = results.filter(({ theirs, ours }) => !sameResult(theirs, ours)).map(({ args, theirs, ours }) =>
    `nanocat ${args.map((a) => JSON.stringify(a)).join(" ")}\n` +
    `  real: code ${theirs.code}, stdout ${show(theirs.stdout)}, stderr ${JSON.stringify(theirs.stderr)}\n` +
    `  ours: code ${ours.code}, stdout ${show(ours.stdout)}, stderr ${JSON.stringify(ours.stderr)}`
  );
  assert.deepEqual(differences, [], `\n${differences.join("\n")}`);
}

function sameResult(a: Finished, b: Finished): boolean {
  return a.code === b.code && a.stderr === b.stderr && decoder.decode(a.stdout) === decoder.decode(b.stdout) &&
    a.stdout.length === b.stdout.length;
}

function show(bytes: Uint8Array): string {
  return JSON.stringify(decoder.decode(bytes).slice(0, 120));
}

interopTest("nanocat", "nanocat cli: --help, -h and help inside a group print the same text", async () => {
  await assertSameAsNanocat([
    ["--help"],
    ["-h"],
    ["-vqh"],
    ["--hel"],
    ["-h", "--no-such-option"],
    ["--pull", "--help", "--push"],
  ]);
});

interopTest("nanocat", "nanocat cli: unknown, ambiguous and malformed options", async () => {
  await assertSameAsNanocat([
    [],
    ["--foo"],
    ["-z"],
    ["-vé"],
    ["foo"],
    [""],
    ["--pu"],
    ["--pu=3"],
    ["--h"],
    ["--he"],
    ["--"],
    ["--=x"],
    ["---push"],
    ["--push="],
    ["--pull=x"],
    ["--pul", "--pu"],
    ["--foo", "-h"],
    ["--push", "-Xpath", "-v", "--", "--pu"],
  ]);
});

interopTest("nanocat", "nanocat cli: missing arguments, conflicts and requirements", async () => {
  await assertSameAsNanocat([
    ["--push"],
    ["--req", "--bind", "x"],
    ["--pus", "--bind", "x"],
    ["--bind", "x"],
    ["--pull"],
    ["--pull", "--bind"],
    ["--pull", "-X"],
    ["--socket-name"],
    ["--push", "-vD"],
    ["-vqAQ", "--pull", "--bind", "x", "-D"],
    ["--push", "--pull"],
    ["--push", "--push"],
    ["--pull", "--sub"],
    ["--sub", "--pub", "--bus", "--bind", "x"],
    ["--push", "--bind", "x", "-D", "a", "-F", "b"],
    ["--push", "--bind", "x", "-D", "a", "-D", "b"],
    ["--bus", "--connect", "x", "--data", "a", "--file", "/etc/hostname", "--da=b"],
    ["--push", "--bind", "x", "-D", "a", "--file=/nonexistent", "--pull"],
    ["--pull", "--data", "x", "--bind", "tcp://127.0.0.1:1"],
    ["--pull", "-Xfoo", "--raw", "--data", "x"],
    ["--pull", "-Dx", "--bind", "y"],
    ["--push", "--data=", "--bind", "x", "--subscribe", "a"],
    ["--push", "--format", "raw", "--bind", "x", "-D", "x"],
    ["--pull", "--interval", "1", "--bind", "x"],
    ["--pull", "-i1", "-L", "5", "--send-timeout", "2", "-d", "1"],
    ["-Q", "-A", "--pair", "-d", " 1", "-x", "/tmp/x", "-D"],
  ]);
});

interopTest("nanocat", "nanocat cli: malformed numbers and formats, unreadable files", async () => {
  await assertSameAsNanocat([
    ["--pull", "--recv-timeout", "abc", "--bind", "x"],
    ["--pull", "--recv-timeout=", "--bind", "x"],
    ["--recv-t=abc"],
    ["--pull", "--bind", "x", "--recv-t=1", "--form=bad"],
    ["--format", "foo"],
    ["--pull", "--format=foo", "--bind", "x"],
    ["--pull", "-d", "1e", "--bind", "x"],
    ["-d", "0x"],
    ["-d", "1 "],
    ["-d", "."],
    ["--push", "--", "--bind", "x", "-Dy", "--send-timeout="],
    ["--push", "-- --bind", "x"],
    ["--push", "-F", "/nonexistent", "--bind", "x"],
    ["--push", "--bind", "x", "--file=/nonexistent", "-D", "a", "--pull"],
    ["--push", "--bind", "x", "--file=/etc/passwd/x"],
  ]);
});

interopTest("nanocat", "nanocat cli: numbers in every form strtof takes are accepted", async () => {
  const forms = [" 1", "+.5", "1.", "1e0", "1E-1", "0x1p-3", "0X.8", "inf", "-INFINITY", "nan", "NaN(x1)", "-0", "\t2"];
  // A pair socket that does not wait to receive: every form must parse, then the receive times out at once.
  await assertSameAsNanocat(
    forms.map((form) => ["--pair", "--bind", "inproc://n", "--recv-timeout", "0", "--send-timeout", form]),
  );
});

interopTest("nanocat", "nanocat cli: bind and connect errors are reported as nanocat's", async () => {
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const busyPort = (busy.addr as Deno.NetAddr).port;
    const addresses: [string, string][] = [
      ["--bind", `tcp://127.0.0.1:${busyPort}`],
      ["--bind", "tcp://nosuchhost.invalid:5"],
      ["--bind", "tcp://lo:5"],
      ["--bind", "tcp://[::1]:5"],
      ["--bind", "tcp://127.0.0.1:"],
      ["--bind", "tcp://127.0.0.1:0"],
      ["--bind", "tcp://127.0.0.1:65536"],
      ["--bind", "tcp://127.0.0.1:5x"],
      ["--bind", "tcp://1.2.3.4:5"],
      ["--bind", "tcp://256.1.1.1:5"],
      ["--bind", "foo://x"],
      ["--bind", "x"],
      ["--bind", "ipc:///nonexistent/dir/x"],
      ["--bind", `ipc:///tmp/${"a".repeat(120)}`],
      ["--bind", `tcp://127.0.0.1:${freePort()}`],
      ["--bind", "tcp://*:0"],
      ["--bind", "inproc://x"],
      ["-X", tempIpcPath("cli")],
      ["-L", String(freePort())],
      ["--connect", "tcp://:5"],
      ["--connect", "tcp://*:5"],
      ["--connect", "tcp://127.0.0.1"],
      ["--connect", "tcp://127.0.0.1:0"],
      ["--connect", "tcp://a_b:5"],
      ["--connect", "tcp://[::1]:5"],
      ["--connect", "tcp://nosuchhost.invalid:5"],
      ["--connect", "tcp://127.0.0.1;127.0.0.1:5"],
      ["--connect", "foo://x"],
      ["-x", "/nonexistent/x"],
      ["-l", "1"],
    ];
    await assertSameAsNanocat(addresses.map((endpoint) => ["--pull", ...endpoint, "--recv-timeout", "0"]));
    await assertSameAsNanocat([
      ["--pull", "--bind", "inproc://n", "--recv-timeout", "0", "--socket-name", "n".repeat(64)],
      ["--pull", "--bind", "inproc://n", "--recv-timeout", "0", "--socket-name", "n".repeat(63)],
      ["--sub", "--bind", "inproc://n", "--recv-timeout", "0", "--socket-name", "", "--subscribe", "x"],
    ]);
  } finally {
    busy.close();
  }
});
