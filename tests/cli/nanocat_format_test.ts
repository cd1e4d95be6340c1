/**
 * Our nanocat prints received messages byte for byte as the real nanocat
 * does, in every output format and spelling of it (`--quoted`, `-Q`,
 * `--format=quoted`, …, and none): both run as PULL sockets, get the same
 * messages from one of our PUSH sockets (over ipc) — every byte value, an empty
 * message, text with quotes, backslashes, CR/LF and UTF-8, and messages
 * long enough for msgpack's 2- and 4-byte lengths — and exit when no more
 * come; their stdout and exit codes must be identical.
 *
 * @module
 */

import assert from "node:assert/strict";
import { openSocket } from "../../mod.ts";
import { assertBytesEqual } from "../_helpers.ts";
import { InteropAddress, interopTest } from "../interop/_peers.ts";
import { type Program, start } from "./_processes.ts";

const encoder = new TextEncoder();

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

/** Messages covering every escape, the empty message and each msgpack length class. */
const MESSAGES: readonly Uint8Array[] = [
  encoder.encode('tab\there, "quotes", back\\slash, CR\rLF\n, ünïcödé ✓, ~ and DEL\x7f'),
  new Uint8Array(0),
  ALL_BYTES,
  Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff),
  Uint8Array.from({ length: 70_000 }, (_, i) => (i * 13) & 0xff),
];

/** Every way to choose a format, and none. */
const FORMAT_FLAGS: readonly (readonly string[])[] = [
  [],
  ["--raw"],
  ["--ascii"],
  ["-Q"],
  ["--msgpack"],
  ["--hex"],
  ["--format", "no"],
  ["--format=ascii"],
  ["--format", "quoted"],
  ["--form=hex"],
];

/**
 * One receiver run: the program as a PULL bound at a fresh ipc address (no
 * port can be taken by another of the 20 runs at once), printing with
 * `flags`, ending 2 s after the last message (a margin for a loaded
 * machine). Our PUSH sends the messages in order once it is connected and
 * stays open until the receiver has ended: libnanomsg drops messages it
 * has not handed to nanocat yet when their sender disconnects.
 */
async function receive(program: Program, flags: readonly string[]) {
  using address = new InteropAddress("ipc");
  await using receiver = start(program, ["--pull", "--bind", address.url, ...flags, "--recv-timeout", "2"]);
  await using push = openSocket("push");
  push.connect(address.url);
  for (const message of MESSAGES) await push.send(message);
  return await receiver.finished(`${program} ${flags.join(" ")} exits after its receive timeout`);
}

interopTest("nanocat", "nanocat cli: every output format prints what nanocat prints, byte for byte", async () => {
  const runs = await Promise.all(FORMAT_FLAGS.map(async (flags) => {
    const [theirs, ours] = await Promise.all([receive("nanocat", flags), receive("ours", flags)]);
    return { flags, theirs, ours };
  }));
  for (const { flags, theirs, ours } of runs) {
    const label = `format flags [${flags.join(" ")}]`;
    assert.equal(theirs.code, 0, `${label}: nanocat exit code (stderr ${JSON.stringify(theirs.stderr)})`);
    assert.equal(ours.code, 0, `${label}: our exit code (stderr ${JSON.stringify(ours.stderr)})`);
    assert.equal(ours.stderr, "", `${label}: our stderr`);
    assertBytesEqual(ours.stdout, theirs.stdout, label);
  }
  // The comparison means something only if the formats differ and print the messages.
  const raw = runs.find(({ flags }) => flags[0] === "--raw")!.theirs.stdout;
  assert.equal(raw.length, MESSAGES.reduce((sum, message) => sum + message.length, 0));
  assert.equal(runs[0]!.theirs.stdout.length, 0, "no format prints nothing");
});
