/**
 * PAIR v1 against `nngcat --pair1` (nng 1.5.2; nanocat has no PAIR v1):
 * cooked both ways on every transport and endpoint role; our raw socket
 * against nngcat's cooked one, including a hop count nngcat must drop and
 * a raw device between two nngcats; our polyamorous socket routing by
 * pipe among three nngcats; and PAIR v0 peers (nanocat `--pair`, nngcat
 * `--pair0`) refused in both directions. nngcat has no raw or polyamorous
 * mode (its `--raw` is an output format), so those sides are ours only.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  AF_SP_RAW,
  device,
  isSpError,
  type Message,
  NN_DONTWAIT,
  NN_PAIR1,
  NN_PAIR1_POLY,
  openSocket,
} from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { RawConn, spHeader } from "../bad_input/_raw_peer.ts";
import { assertBytesEqual, sleep, until } from "../_helpers.ts";
import { INTEROP_TRANSPORTS, InteropAddress, interopTest, Peer, type PeerName, STEP_TIMEOUT_MS } from "./_peers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Starts `nngcat --pair1` on `url`, optionally sending `data` every second. */
function nngcatPair1(
  endpoint: "bind" | "connect",
  url: string,
  format: "raw" | "quoted",
  data?: string,
): Peer {
  const args = ["--pair1", endpoint === "bind" ? "--listen" : "--dial", url, `--${format}`];
  if (data !== undefined) args.push("--data", data, "--interval", "1");
  return new Peer("nngcat", args);
}

/** One of our PAIR v1 sockets, retrying connections sooner than the default (peers are just starting). */
function ours(options: { raw?: boolean; poly?: boolean } = {}): Socket {
  const s = openSocket("pair1", {
    domain: options.raw ? AF_SP_RAW : undefined,
    options: { reconnectIvl: 20, linger: 0 },
  });
  if (options.poly) s.setsockopt(NN_PAIR1, NN_PAIR1_POLY, 1);
  return s;
}

/** Waits until `peer` has printed exactly `expected` (quoted format: one `"…"` line per message). */
async function printed(peer: Peer, expected: string, label: string): Promise<void> {
  const bytes = encoder.encode(expected);
  const out = await peer.waitForStdout((o) => o.length >= bytes.length, STEP_TIMEOUT_MS, label);
  assertBytesEqual(out, bytes, label);
}

const hops = (n: number) => new Uint8Array([0, 0, 0, n]);

for (const transport of INTEROP_TRANSPORTS) {
  for (const we of ["bind", "connect"] as const) {
    const theyDo = we === "bind" ? "connects" : "binds";
    interopTest("nngcat", `pair1 interop: nngcat ${theyDo} ${transport}, we ${we}; messages both ways`, async () => {
      using address = new InteropAddress(transport);
      await using socket = ours();
      if (we === "bind") await socket.bind(address.url);
      const fromPeer = `pair1/${transport}: nngcat sends ünïcödé ✓`;
      await using peer = nngcatPair1(we === "bind" ? "connect" : "bind", address.url, "raw", fromPeer);
      if (we === "connect") socket.connect(address.url);

      const received = await peer.guard(socket.recvmsg(), STEP_TIMEOUT_MS, "our recvmsg");
      assert.equal(decoder.decode(received.body), fromPeer);
      assertBytesEqual(received.header, hops(1), "the hop count nngcat sent");

      const toPeer = encoder.encode(`pair1/${transport}, we ${we}: ünïcödé ✓ from deno`);
      await peer.guard(socket.send(toPeer), STEP_TIMEOUT_MS, "our send");
      const out = await peer.waitForStdout((o) => o.length >= toPeer.length, STEP_TIMEOUT_MS, "nngcat printing");
      assertBytesEqual(out, toPeer, "what nngcat printed");
    });
  }
}

interopTest(
  "nngcat",
  "pair1 interop: our raw socket and nngcat; nngcat drops the hop count beyond its ttl-max",
  async () => {
    using address = new InteropAddress("tcp");
    await using socket = ours({ raw: true });
    await socket.bind(address.url);
    await using peer = nngcatPair1("connect", address.url, "quoted", "cooked nngcat");

    const received = await peer.guard(socket.recvmsg(), STEP_TIMEOUT_MS, "our raw recvmsg");
    assertBytesEqual(received.header, hops(1), "the hop count as it arrived");
    assert.equal(decoder.decode(received.body), "cooked nngcat");

    // On the wire: header + 1. nng's ttl-max is 8: 8 arrives, 9 is dropped.
    await peer.guard(socket.sendmsg({ header: hops(7), body: "eight hops" }), STEP_TIMEOUT_MS, "send 7");
    await peer.guard(socket.sendmsg({ header: hops(8), body: "nine hops" }), STEP_TIMEOUT_MS, "send 8");
    await peer.guard(socket.sendmsg({ header: hops(0), body: "one hop" }), STEP_TIMEOUT_MS, "send 0");
    await printed(peer, '"eight hops"\n"one hop"\n', "what nngcat printed");
  },
);

interopTest("nngcat", "pair1 interop: a raw device of ours between two nngcats forwards both ways", async () => {
  using left = new InteropAddress("tcp");
  using right = new InteropAddress("ipc");
  const a = ours({ raw: true });
  const b = ours({ raw: true });
  await a.bind(left.url);
  await b.bind(right.url);
  const forwarding = device(a, b);
  try {
    await using x = nngcatPair1("connect", left.url, "quoted", "from x");
    await using y = nngcatPair1("connect", right.url, "quoted", "from y");
    // Each sends once a second: the first copy to arrive is enough.
    await x.waitForStdout((o) => o.length >= 9, STEP_TIMEOUT_MS, "x hears y");
    await y.waitForStdout((o) => o.length >= 9, STEP_TIMEOUT_MS, "y hears x");
    assertBytesEqual(x.stdout().subarray(0, 9), encoder.encode('"from y"\n'), "x printed");
    assertBytesEqual(y.stdout().subarray(0, 9), encoder.encode('"from x"\n'), "y printed");
  } finally {
    await a.close();
    await b.close();
    await forwarding;
  }
});

interopTest("nngcat", "pair1 interop: our polyamorous socket tells three nngcats apart and answers each", async () => {
  using address = new InteropAddress("tcp");
  await using hub = ours({ poly: true });
  await hub.bind(address.url);
  const peers: Peer[] = [];
  try {
    // One after the other, so the first is the longest-connected.
    for (let i = 0; i < 3; i++) {
      peers.push(nngcatPair1("connect", address.url, "quoted", `peer ${i}`));
      await until(() => hub.stats.currentConnections === i + 1, STEP_TIMEOUT_MS, `nngcat ${i} connected`);
    }
    const pipeOf = new Map<string, number>();
    while (pipeOf.size < 3) {
      const message: Message = await peers[0]!.guard(hub.recvmsg(), STEP_TIMEOUT_MS, "hub recvmsg");
      const name = decoder.decode(message.body);
      const known = pipeOf.get(name);
      if (known !== undefined) assert.equal(message.pipe, known, `${name} keeps its pipe`);
      pipeOf.set(name, message.pipe!);
    }
    assert.equal(new Set(pipeOf.values()).size, 3);

    await hub.send("no pipe named");
    for (let i = 2; i >= 0; i--) await hub.sendmsg({ body: `for peer ${i}`, pipe: pipeOf.get(`peer ${i}`)! });
    await printed(peers[0]!, '"no pipe named"\n"for peer 0"\n', "the oldest nngcat");
    await printed(peers[1]!, '"for peer 1"\n', "nngcat 1");
    await printed(peers[2]!, '"for peer 2"\n', "nngcat 2");
  } finally {
    for (const peer of peers) await peer[Symbol.asyncDispose]();
  }
});

// The peers on a mismatched protocol: each sends its SP header and closes
// the connection at once (nng: "peer mismatch"; nanomsg: not a valid peer).
interopTest("nngcat", "pair1 interop: nngcat --pair1 closes a connection that announces PAIR v0 (0x10)", async () => {
  using address = new InteropAddress("tcp");
  await using _listening = new Peer("nngcat", ["--pair1", "--listen", address.url, "--quoted"]);
  const port = Number(new URL(address.url).port);
  let conn: RawConn | undefined;
  // nngcat needs a moment to start listening.
  for (let attempt = 0; conn === undefined; attempt++) {
    try {
      conn = await RawConn.dial({ kind: "tcp", url: address.url, port });
    } catch (err) {
      if (attempt > 100) throw err;
      await sleep(20);
    }
  }
  try {
    assert.ok(await conn.write(spHeader(0x10)));
    await conn.waitClosed(STEP_TIMEOUT_MS, "nngcat --pair1 facing 0x10");
    assertBytesEqual(conn.received, spHeader(0x11), "nngcat's header before it closed");
  } finally {
    await conn.close();
  }
});

const V0_PEERS: readonly { peer: PeerName; args: string[] }[] = [
  { peer: "nanocat", args: ["--pair"] },
  { peer: "nngcat", args: ["--pair0"] },
];

for (const { peer: name, args } of V0_PEERS) {
  for (const we of ["bind", "connect"] as const) {
    interopTest(name, `pair1 interop: ${name} ${args[0]} (PAIR v0) is refused when we ${we}`, async () => {
      using address = new InteropAddress("tcp");
      await using socket = ours();
      if (we === "bind") await socket.bind(address.url);
      const endpoint = name === "nanocat"
        ? (we === "bind" ? "--connect" : "--bind")
        : we === "bind"
        ? "--dial"
        : "--listen";
      const interval = name === "nanocat" ? "0.1" : "1";
      await using peer = new Peer(name, [
        ...args,
        endpoint,
        address.url,
        "--quoted",
        "--data",
        "v0",
        "--interval",
        interval,
      ]);
      if (we === "connect") socket.connect(address.url);
      await peer.guard(
        until(() => socket.stats.protocolErrors >= 2, STEP_TIMEOUT_MS, "two refused handshakes"),
        STEP_TIMEOUT_MS + 500,
        "refusals",
      );
      assert.equal(socket.stats.currentConnections, 0);
      await assert.rejects(socket.recv(NN_DONTWAIT), (e) => isSpError(e, "EAGAIN"));
      await assert.rejects(socket.send("never paired", NN_DONTWAIT), (e) => isSpError(e, "EAGAIN"));
      assertBytesEqual(peer.stdout(), new Uint8Array(0), `what ${name} printed`);
    });
  }
}

interopTest("nngcat", "pair1 interop: our PAIR v0 socket is refused by nngcat --pair1", async () => {
  using address = new InteropAddress("tcp");
  await using v0 = openSocket("pair", { options: { reconnectIvl: 20, linger: 0 } });
  await using peer = new Peer("nngcat", [
    "--pair1",
    "--listen",
    address.url,
    "--quoted",
    "--data",
    "v1",
    "--interval",
    "1",
  ]);
  v0.connect(address.url);
  await peer.guard(
    until(() => v0.stats.protocolErrors >= 2, STEP_TIMEOUT_MS, "two refused handshakes"),
    STEP_TIMEOUT_MS + 500,
    "refusals",
  );
  assert.equal(v0.stats.currentConnections, 0);
  assertBytesEqual(peer.stdout(), new Uint8Array(0), "what nngcat printed");
});
