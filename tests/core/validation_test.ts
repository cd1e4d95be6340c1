/**
 * Validation, as a table: per-call timeouts follow the options' rules;
 * option values are checked with messages naming the type and range
 * expected; durations stop at the timer limit; flags and signals are
 * checked; an aborted call is `ECANCELED` with the signal's reason as its
 * cause.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  isSpError,
  MAX_DURATION,
  NN_LINGER,
  NN_REQ,
  NN_REQ_RESEND_IVL,
  NN_SOL_SOCKET,
  openSocket,
  type SocketOptions,
} from "../../mod.ts";

const BAD_DURATIONS: [unknown, string][] = [
  [-5, "-5"],
  [-2, "-2"],
  [NaN, "NaN"],
  [1.5, "1.5"],
  [Infinity, "Infinity"],
  [MAX_DURATION + 1, String(MAX_DURATION + 1)],
  ["100", 'the string "100"'],
  [null, "null"],
  [true, "the boolean true"],
];

const DURATION_RULE = "an integer from -1 to 2147483647 (ms; -1 waits forever)";

for (const [value, shown] of BAD_DURATIONS) {
  Deno.test(`validation: a per-call timeout of ${shown} is EINVAL for send, recv and waitForPeers`, async () => {
    await using pair = openSocket("pair");
    const message = `EINVAL: timeout must be ${DURATION_RULE}, not ${shown}`;
    const rejects = (call: Promise<unknown>) =>
      assert.rejects(call, (e) => isSpError(e, "EINVAL") && (e as Error).message === message);
    await rejects(pair.send("x", { timeout: value as number }));
    await rejects(pair.recv({ timeout: value as number }));
    await rejects(pair.recvmsg({ timeout: value as number }));
    await rejects(pair.sendmsg({ body: "x" }, { timeout: value as number }));
    await rejects(pair.waitForPeers(1, { timeout: value as number }));
  });
}

Deno.test("validation: per-call timeouts of -1, 0 and the timer limit are fine", async () => {
  await using pair = openSocket("pair");
  await assert.rejects(pair.recv({ timeout: 0 }), (e) => isSpError(e, "ETIMEDOUT"));
  const controller = new AbortController();
  const forever = pair.recv({ timeout: -1, signal: controller.signal });
  const longest = pair.recv({ timeout: MAX_DURATION, signal: controller.signal });
  controller.abort();
  await assert.rejects(forever, (e) => isSpError(e, "ECANCELED"));
  await assert.rejects(longest, (e) => isSpError(e, "ECANCELED"));
});

/** Option, a bad value, and the message it must get. */
const BAD_OPTIONS: [keyof SocketOptions, unknown, string][] = [
  ["rcvtimeo", "100", `rcvtimeo must be ${DURATION_RULE}, not the string "100"`],
  ["sndtimeo", -2, `sndtimeo must be ${DURATION_RULE}, not -2`],
  ["linger", 1e12, `linger must be ${DURATION_RULE}, not 1000000000000`],
  ["linger", 0.5, `linger must be ${DURATION_RULE}, not 0.5`],
  ["sndbuf", 0, "sndbuf must be an integer from 1 to 2147483647 (bytes), not 0"],
  ["rcvbuf", NaN, "rcvbuf must be an integer from 1 to 2147483647 (bytes), not NaN"],
  ["reconnectIvl", MAX_DURATION + 1, "reconnectIvl must be an integer from 0 to 2147483647 (ms), not 2147483648"],
  ["reconnectIvlMax", -1, "reconnectIvlMax must be an integer from 0 to 2147483647 (ms), not -1"],
  ["sndprio", 17, "sndprio must be an integer from 1 to 16 (1 is the highest priority), not 17"],
  ["rcvprio", "1", 'rcvprio must be an integer from 1 to 16 (1 is the highest priority), not the string "1"'],
  ["ipv4only", 2, "ipv4only must be an integer from 0 to 1 (0 or 1), not 2"],
  ["tcpNodelay", true, "tcpNodelay must be an integer from 0 to 1 (0 or 1), not the boolean true"],
  ["rcvmaxsize", -2, "rcvmaxsize must be an integer from -1 to 9007199254740991 (bytes; -1 is unlimited), not -2"],
  ["maxttl", 0, "maxttl must be an integer from 1 to 255 (hops), not 0"],
  ["socketName", 5, "socketName must be a string of at most 63 bytes, not 5"],
  ["socketName", "x".repeat(64), `socketName must be a string of at most 63 bytes, not the string "${"x".repeat(64)}"`],
];

Deno.test("validation: option values are checked, naming the type and range expected", async () => {
  await using pair = openSocket("pair");
  for (const [key, value, message] of BAD_OPTIONS) {
    assert.throws(
      () => pair.setOption(key, value as never),
      (e) => isSpError(e, "EINVAL") && (e as Error).message === `EINVAL: ${message}`,
      `${key} = ${String(value)}`,
    );
    assert.throws(() => openSocket("pair", { options: { [key]: value } }), (e) => isSpError(e, "EINVAL"));
  }
  assert.throws(() => pair.setsockopt(NN_SOL_SOCKET, NN_LINGER, 2 ** 31), (e) => isSpError(e, "EINVAL"));
  pair.setOption("linger", MAX_DURATION);
  pair.setOption("linger", -1);
  pair.setOption("linger", 0);
});

Deno.test("validation: protocol intervals stop at the timer limit too", async () => {
  await using req = openSocket("req");
  assert.throws(() => req.setsockopt(NN_REQ, NN_REQ_RESEND_IVL, 2 ** 31), (e) => isSpError(e, "EINVAL"));
  assert.throws(
    () => req.setsockopt(NN_REQ, NN_REQ_RESEND_IVL, "5" as never),
    (e) => isSpError(e, "EINVAL") && /not the string "5"/.test((e as Error).message),
  );
  req.setsockopt(NN_REQ, NN_REQ_RESEND_IVL, MAX_DURATION);
});

Deno.test("validation: flags, signals, messages and peer counts are checked", async () => {
  await using pair = openSocket("pair");
  const invalid = (call: Promise<unknown>, pattern: RegExp) =>
    assert.rejects(call, (e) => isSpError(e, "EINVAL") && pattern.test((e as Error).message));
  await invalid(pair.send("x", 2), /flags must be 0 or NN_DONTWAIT \(1\), not 2/);
  await invalid(pair.recv(3), /flags must be 0 or NN_DONTWAIT/);
  await invalid(pair.send("x", { signal: {} as AbortSignal }), /signal must be an AbortSignal, not an object/);
  await invalid(pair.send(42 as never), /messages are a Uint8Array or a string, not 42/);
  await invalid(pair.waitForPeers(-1), /a count of 0 or more, not -1/);
  await invalid(pair.waitForPeers(1.5), /a count of 0 or more, not 1\.5/);
});

Deno.test("validation: an aborted call is ECANCELED whose cause is the signal's reason, aborted before or during", async () => {
  await using pair = openSocket("pair");
  const before = AbortSignal.abort("stop");
  const early = await pair.recv({ signal: before }).catch((e) => e);
  assert.ok(isSpError(early, "ECANCELED"));
  assert.equal(early.cause, "stop");
  assert.match(early.message, /recv was aborted: stop$/);
  const timeout = AbortSignal.timeout(10);
  const late = await pair.send("x", { signal: timeout }).catch((e) => e);
  assert.ok(isSpError(late, "ECANCELED"), String(late));
  assert.equal(late.cause, timeout.reason);
  assert.equal((late.cause as DOMException).name, "TimeoutError");
});
