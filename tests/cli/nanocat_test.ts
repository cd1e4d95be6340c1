/**
 * Our nanocat against the real `nanocat` and `nngcat`, in both roles, for
 * PUSH/PULL (tcp and ipc), REQ/REP, SURVEYOR/RESPONDENT, PUB/SUB, PAIR and
 * BUS: what one side sends, the other prints, and each side exits (or keeps
 * running) as nanocat would. Also: a one-shot send is delivered before our
 * process exits (our LINGER flushes; nanocat's can lose it), `--file -`
 * reads stdin, and the errors nanocat reports while running ("Can't send:
 * …", "Can't recv: …") come out the same.
 *
 * The real peers always bind where they can, so no test depends on how
 * fast a process starts: our side connects and retries until they are
 * there.
 *
 * @module
 */

import assert from "node:assert/strict";
import { openSocket } from "../../mod.ts";
import { assertBytesEqual, freePort, text } from "../_helpers.ts";
import { INTEROP_TRANSPORTS, InteropAddress, interopTest, PEER_NAMES, type PeerName } from "../interop/_peers.ts";
import { CAN_MAKE_CERTS, testCerts } from "../transports/_certs.ts";
import { run, start } from "./_processes.ts";

const encoder = new TextEncoder();

/** A payload with UTF-8, quotes, a backslash and a newline, checked byte for byte with `--raw`. */
const PAYLOAD = encoder.encode('from deno: ünïcödé ✓ "quoted" back\\slash\nnext line');

/** The real program's flag for a socket type (nngcat wants the versioned names). */
function socketFlag(peer: PeerName, type: string): string {
  return peer === "nanocat" ? `--${type}` : `--${type}0`;
}

/** A resend interval for the real program: nngcat takes whole seconds only. */
function interval(peer: PeerName): string {
  return peer === "nanocat" ? "0.1" : "1";
}

/** The flags that make ours connect to `address`: `-x PATH` for ipc, `-l PORT` for tcp on 127.0.0.1, else `--connect`. */
function ourConnectFlags(address: InteropAddress): string[] {
  if (address.url.startsWith("ipc://")) return ["-x", address.url.slice("ipc://".length)];
  if (address.url.startsWith("tcp://")) return ["-l", address.url.slice(address.url.lastIndexOf(":") + 1)];
  return ["--connect", address.url];
}

function lines(stdout: Uint8Array): string[] {
  return text(stdout).split("\n").slice(0, -1);
}

function endsWith(stdout: Uint8Array, suffix: string): boolean {
  return text(stdout).endsWith(suffix);
}

for (const peer of PEER_NAMES) {
  for (const transport of INTEROP_TRANSPORTS) {
    // Not against nanocat over ipc: libnanomsg discards what is still in its
    // ipc receive buffer once the sender hangs up, which would measure
    // nanocat, not us (see tests/interop/pipeline_interop_test.ts).
    if (peer !== "nanocat" || transport !== "ipc") {
      interopTest(
        peer,
        `nanocat cli vs ${peer} over ${transport}: our one-shot push is delivered before we exit`,
        async () => {
          using address = new InteropAddress(transport);
          await using theirs = start(peer, [socketFlag(peer, "pull"), "--bind", address.url, "--raw"]);
          const ours = await run("ours", ["--push", ...ourConnectFlags(address), "-D", text(PAYLOAD)]);
          assert.deepEqual({ code: ours.code, stdout: text(ours.stdout), stderr: ours.stderr }, {
            code: 0,
            stdout: "",
            stderr: "",
          });
          const received = await theirs.waitForStdout((out) => out.length >= PAYLOAD.length, `${peer} prints it`);
          assertBytesEqual(received, PAYLOAD, `what ${peer} received`);
        },
      );
    }

    interopTest(peer, `nanocat cli vs ${peer} over ${transport}: their push reaches our quoting pull`, async () => {
      using address = new InteropAddress(transport);
      await using _theirs = start(peer, [
        socketFlag(peer, "push"),
        "--bind",
        address.url,
        "--data",
        "hello\tworld",
        "--interval",
        interval(peer),
      ]);
      await using ours = start("ours", ["--pull", ...ourConnectFlags(address), "-Q"]);
      const out = await ours.waitForStdout((stdout) => stdout.length >= 16, "we print their message");
      assert.equal(lines(out)[0], '"hello\\x09world"');
    });
  }

  interopTest(peer, `nanocat cli vs ${peer}: our push with --interval sends again every interval`, async () => {
    const url = `tcp://127.0.0.1:${freePort()}`;
    await using theirs = start(peer, [socketFlag(peer, "pull"), "--bind", url, "--raw"]);
    await using _ours = start("ours", ["--push", "--connect", url, "-D", "tick;", "-i", "0.05"]);
    await theirs.waitForStdout((out) => text(out).startsWith("tick;tick;tick;"), `${peer} gets three`);
  });

  interopTest(peer, `nanocat cli vs ${peer}: our req with --interval asks again every interval`, async () => {
    const url = `tcp://127.0.0.1:${freePort()}`;
    await using _theirs = start(peer, [socketFlag(peer, "rep"), "--bind", url, "--data", "answer"]);
    await using ours = start("ours", ["--req", "--connect", url, "-D", "question", "-i", "0.05", "-A"]);
    await ours.waitForStdout((out) => text(out).startsWith("answer\nanswer\nanswer\n"), "we print three answers");
  });

  interopTest(peer, `nanocat cli vs ${peer}: their req gets our rep's answer`, async () => {
    const url = `tcp://127.0.0.1:${freePort()}`;
    await using theirs = start(peer, [socketFlag(peer, "req"), "--bind", url, "--data", "ping", "--quoted"]);
    await using ours = start("ours", ["--rep", "--connect", url, "--data", "pong", "--quoted"]);
    const answered = await theirs.finished(`${peer} gets the reply and exits`);
    assert.equal(answered.code, 0, answered.stderr);
    assert.equal(text(answered.stdout), '"pong"\n');
    await ours.waitForStdout((out) => endsWith(out, '"ping"\n'), "we print the request");
  });

  interopTest(peer, `nanocat cli vs ${peer}: our req prints their rep's answer and exits`, async () => {
    const url = `tcp://127.0.0.1:${freePort()}`;
    await using _theirs = start(peer, [socketFlag(peer, "rep"), "--bind", url, "--data", "pong"]);
    const ours = await run("ours", ["--req", "--connect", url, "-D", "ping", "-Q"]);
    assert.deepEqual({ code: ours.code, stdout: text(ours.stdout), stderr: ours.stderr }, {
      code: 0,
      stdout: '"pong"\n',
      stderr: "",
    });
  });

  interopTest(peer, `nanocat cli vs ${peer}: our respondent answers their surveys`, async () => {
    const url = `tcp://127.0.0.1:${freePort()}`;
    await using theirs = start(peer, [
      socketFlag(peer, "surveyor"),
      "--bind",
      url,
      "--data",
      "what?",
      "--interval",
      interval(peer),
      "--ascii",
    ]);
    await using ours = start("ours", ["--respondent", "--connect", url, "-D", "this", "-A"]);
    await ours.waitForStdout((out) => text(out).startsWith("what?\n"), "we print the survey");
    await theirs.waitForStdout((out) => text(out).includes("this"), `${peer} prints our answer`);
  });

  interopTest(peer, `nanocat cli vs ${peer}: our surveyor prints the answers until the deadline`, async () => {
    const url = `tcp://127.0.0.1:${freePort()}`;
    await using _theirs = start(peer, [socketFlag(peer, "respondent"), "--bind", url, "--data", "here"]);
    // The delay lets the connection come up first: a survey goes only to the respondents there.
    const ours = await run("ours", ["--surveyor", "--connect", url, "-D", "who?", "-A", "-d", "0.3"]);
    assert.deepEqual({ code: ours.code, stdout: text(ours.stdout), stderr: ours.stderr }, {
      code: 0,
      stdout: "here\n",
      stderr: "",
    });
  });

  interopTest(peer, `nanocat cli vs ${peer}: their pub reaches our sub`, async () => {
    const url = `tcp://127.0.0.1:${freePort()}`;
    await using _theirs = start(peer, [
      socketFlag(peer, "pub"),
      "--bind",
      url,
      "--data",
      "abc",
      "--interval",
      interval(peer),
    ]);
    await using ours = start("ours", ["--sub", "--connect", url, "--subscribe", "ab", "-A"]);
    await ours.waitForStdout((out) => text(out).startsWith("abc\n"), "we print the subscribed message");
  });

  interopTest(peer, `nanocat cli vs ${peer}: our one-shot pub with --delay reaches their sub`, async () => {
    const url = `tcp://127.0.0.1:${freePort()}`;
    await using theirs = start(peer, [socketFlag(peer, "sub"), "--bind", url, "--raw"]);
    const ours = await run("ours", ["--pub", "--connect", url, "-D", "news", "-d", "0.3"]);
    assert.equal(ours.code, 0, ours.stderr);
    await theirs.waitForStdout((out) => text(out) === "news", `${peer} prints it`);
  });

  interopTest(peer, `nanocat cli vs ${peer}: pair sockets print what the other side sent`, async () => {
    const url = `tcp://127.0.0.1:${freePort()}`;
    await using theirs = start(peer, [
      socketFlag(peer, "pair"),
      "--bind",
      url,
      "--data",
      "from them",
      "--interval",
      interval(peer),
      "--ascii",
    ]);
    await using ours = start("ours", ["--pair", "--connect", url, "-D", "from us", "-A"]);
    await ours.waitForStdout((out) => text(out).startsWith("from them\n"), "we print theirs");
    await theirs.waitForStdout((out) => text(out).includes("from us"), `${peer} prints ours`);
  });
}

interopTest("nanocat", "nanocat cli vs nanocat: our sub gets only its prefixes from two publishers", async () => {
  const [first, second] = [`tcp://127.0.0.1:${freePort()}`, `tcp://127.0.0.1:${freePort()}`];
  await using _wanted = start("nanocat", ["--pub", "--bind", first, "-D", "abc", "-i", "0.05"]);
  await using _unwanted = start("nanocat", ["--pub", "--bind", second, "-D", "xyz", "-i", "0.05"]);
  await using ours = start("ours", [
    "--sub",
    "--connect",
    first,
    "--connect",
    second,
    "--subscribe",
    "ab",
    "--subscribe",
    "q",
    "-A",
  ]);
  const out = await ours.waitForStdout((stdout) => lines(stdout).length >= 5, "we print five messages");
  assert.deepEqual(lines(out).slice(0, 5), ["abc", "abc", "abc", "abc", "abc"]);
});

interopTest("nanocat", "nanocat cli vs nanocat: bus messages go both ways", async () => {
  const url = `tcp://127.0.0.1:${freePort()}`;
  await using theirs = start("nanocat", ["--bus", "--bind", url, "-D", "theirs", "-i", "0.1", "-A"]);
  // Without an interval our bus sends once, then receives until the (whole-second) timeout.
  const ours = await run("ours", ["--bus", "--connect", url, "-D", "ours", "-d", "0.2", "--recv-timeout", "0.9", "-A"]);
  assert.equal(ours.code, 0, ours.stderr);
  await theirs.waitForStdout((out) => text(out).includes("ours\n"), "nanocat prints ours");
});

interopTest("nanocat", "nanocat cli vs nanocat: --file - sends stdin, binary and all", async () => {
  const url = `tcp://127.0.0.1:${freePort()}`;
  const allBytes = Uint8Array.from({ length: 512 }, (_, i) => i & 0xff);
  await using theirs = start("nanocat", ["--pull", "--bind", url, "--raw"]);
  const ours = await run("ours", ["--push", "--connect", url, "--file", "-"], allBytes);
  assert.equal(ours.code, 0, ours.stderr);
  const received = await theirs.waitForStdout((out) => out.length >= allBytes.length, "nanocat prints it");
  assertBytesEqual(received, allBytes, "what nanocat received");
});

interopTest("nanocat", "nanocat cli: failed sends and receives end the run as nanocat's do", async () => {
  const cases = [
    // Nobody to push to: the send times out (code 3).
    ["--push", "--connect", "tcp://127.0.0.1:1", "-D", "x", "--send-timeout", "0.2"],
    // A REP with DATA treats a receive timeout as fatal; 0.9 s is 0 s for nanocat.
    ["--rep", "--bind", "inproc://cli-rep", "-D", "x", "--recv-timeout", "0.9"],
    // Without DATA it just ends (code 0).
    ["--rep", "--bind", "inproc://cli-rep", "--recv-timeout", "0.9"],
    // A REQ with no answer ends at its receive timeout.
    ["--req", "--connect", "tcp://127.0.0.1:1", "-D", "x", "--recv-timeout", "0"],
  ];
  for (const args of cases) {
    const [theirs, ours] = await Promise.all([run("nanocat", args), run("ours", args)]);
    assert.deepEqual(
      { code: ours.code, stdout: text(ours.stdout), stderr: ours.stderr },
      { code: theirs.code, stdout: text(theirs.stdout), stderr: theirs.stderr },
      args.join(" "),
    );
  }
});

const certs = CAN_MAKE_CERTS ? await testCerts() : undefined;

interopTest(
  "nngcat",
  "nanocat cli vs nngcat over wss: we bind with --cert and --key, nngcat trusts --cacert",
  async () => {
    if (certs === undefined) throw new Error("openssl is needed to make test certificates");
    const url = `wss://127.0.0.1:${freePort()}/tls`;
    await using ours = start("ours", [
      "--rep",
      "--bind",
      url,
      "--cert",
      certs.certFile,
      "--key",
      certs.keyFile,
      "-D",
      "secure",
      "-Q",
    ]);
    await using theirs = start("nngcat", [
      "--req0",
      "--dial",
      url,
      "--async",
      "--cacert",
      certs.caFile,
      "-D",
      "hello",
      "-Q",
    ]);
    const answered = await theirs.finished("nngcat gets our answer and exits");
    assert.equal(text(answered.stdout), '"secure"\n', answered.stderr);
    await ours.waitForStdout((out) => text(out).includes('"hello"'), "we print the request");
  },
);

interopTest(
  "nngcat",
  "nanocat cli vs nngcat over tls+tcp: nngcat binds with its certificate, we --cacert",
  async () => {
    if (certs === undefined) throw new Error("openssl is needed to make test certificates");
    const url = `tls+tcp://127.0.0.1:${freePort()}`;
    const key = ["--cert", certs.certFile, "--key", certs.keyFile];
    await using _theirs = start("nngcat", ["--rep0", "--listen", url, ...key, "-D", "secure"]);
    await using ours = start("ours", [
      "--req",
      "--connect",
      url,
      "--cacert",
      certs.caFile,
      "-D",
      "hi",
      "-i",
      "0.1",
      "-Q",
    ]);
    await ours.waitForStdout((out) => text(out).includes('"secure"'), "we print their answer");
  },
);

Deno.test({
  name: "nanocat cli: --cert and --key on a dialer are a client certificate for a listener that requires one",
  ignore: certs === undefined,
  async fn() {
    const { cert, key, ca, caFile, client } = certs!;
    await using rep = openSocket("rep", { options: { rcvtimeo: 10_000 } });
    const tls = { "tls-cert": cert, "tls-key": key, "tls-ca": ca, "tls-authmode": "required" };
    const { url } = await rep.listen("tls+tcp://127.0.0.1:0", tls);
    const presented = ["--cacert", caFile, "--cert", client.goodFile, "--key", client.keyFile];
    await using ours = start("ours", ["--req", "--connect", url, ...presented, "-D", "hi", "-Q"]);
    assert.equal(text(await rep.recv()), "hi");
    await rep.send("certified");
    await ours.waitForStdout((out) => text(out).includes('"certified"'), "we print the answer");
  },
});
