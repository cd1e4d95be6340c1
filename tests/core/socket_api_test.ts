/**
 * The socket API: nanomsg's errors and options, waiting, cancelling,
 * iterating, closing and terminating.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  AF_SP,
  AF_SP_RAW,
  isSpError,
  NN_DOMAIN,
  NN_DONTWAIT,
  NN_LINGER,
  NN_MAXTTL,
  NN_PAIR,
  NN_PROTOCOL,
  NN_PULL,
  NN_RCVBUF,
  NN_RCVMAXSIZE,
  NN_RCVPRIO,
  NN_RCVTIMEO,
  NN_RECONNECT_IVL,
  NN_RECONNECT_IVL_MAX,
  NN_SNDBUF,
  NN_SNDPRIO,
  NN_SNDTIMEO,
  NN_SOCKET_NAME,
  NN_SOL_SOCKET,
  NN_TCP,
  NN_TCP_NODELAY,
  openSocket,
  registerBuiltins,
  Runtime,
  socket,
  SpError,
} from "../../mod.ts";
import { text, until } from "../_helpers.ts";

const rejectsWith = (p: Promise<unknown>, code: string) => assert.rejects(p, (e) => isSpError(e, code as never));
const throwsWith = (fn: () => unknown, code: string) => assert.throws(fn, (e) => isSpError(e, code as never));

Deno.test("options start at nanomsg's defaults", async () => {
  await using s = socket(AF_SP, NN_PAIR);
  const get = (o: number, level = NN_SOL_SOCKET) => s.getsockopt(level, o);
  assert.equal(get(NN_LINGER), 1000);
  assert.equal(get(NN_SNDBUF), 131072);
  assert.equal(get(NN_RCVBUF), 131072);
  assert.equal(get(NN_SNDTIMEO), -1);
  assert.equal(get(NN_RCVTIMEO), -1);
  assert.equal(get(NN_RECONNECT_IVL), 100);
  assert.equal(get(NN_RECONNECT_IVL_MAX), 0);
  assert.equal(get(NN_SNDPRIO), 8);
  assert.equal(get(NN_RCVPRIO), 8);
  assert.equal(get(NN_RCVMAXSIZE), 1048576);
  assert.equal(get(NN_MAXTTL), 8);
  assert.equal(get(NN_SOCKET_NAME), String(s.id));
  assert.equal(get(NN_DOMAIN), AF_SP);
  assert.equal(get(NN_PROTOCOL), NN_PAIR);
  assert.equal(get(NN_TCP_NODELAY, NN_TCP), 0);
});

Deno.test("setsockopt validates ranges like nanomsg", async () => {
  await using s = openSocket("pair");
  throwsWith(() => s.setsockopt(NN_SOL_SOCKET, NN_SNDBUF, 0), "EINVAL");
  throwsWith(() => s.setsockopt(NN_SOL_SOCKET, NN_SNDPRIO, 17), "EINVAL");
  throwsWith(() => s.setsockopt(NN_SOL_SOCKET, NN_RCVPRIO, 0), "EINVAL");
  throwsWith(() => s.setsockopt(NN_SOL_SOCKET, NN_RCVMAXSIZE, -2), "EINVAL");
  throwsWith(() => s.setsockopt(NN_SOL_SOCKET, NN_MAXTTL, 256), "EINVAL");
  throwsWith(() => s.setsockopt(NN_TCP, NN_TCP_NODELAY, 2), "EINVAL");
  throwsWith(() => s.setsockopt(NN_SOL_SOCKET, NN_SOCKET_NAME, "x".repeat(64)), "EINVAL");
  throwsWith(() => s.setsockopt(NN_SOL_SOCKET, NN_DOMAIN, 2), "ENOPROTOOPT");
  throwsWith(() => s.setsockopt(NN_SOL_SOCKET, 999, 1), "ENOPROTOOPT");
  throwsWith(() => s.getsockopt(NN_SOL_SOCKET, 999), "ENOPROTOOPT");
  s.setsockopt(NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
  s.setsockopt(NN_SOL_SOCKET, NN_SOCKET_NAME, "worker");
  assert.equal(s.getOption("socketName"), "worker");
  assert.equal(s.getOption("rcvmaxsize"), -1);
});

Deno.test("bad addresses fail with nanomsg's errors", async () => {
  await using s = openSocket("pair");
  throwsWith(() => s.connect("nonsense"), "EINVAL");
  throwsWith(() => s.connect("foo://bar"), "EPROTONOSUPPORT");
  throwsWith(() => s.connect("zt://127.0.0.1:80"), "EPROTONOSUPPORT");
  throwsWith(() => s.connect(`inproc://${"n".repeat(128)}`), "ENAMETOOLONG");
  await rejectsWith(s.bind("tcp://127.0.0.1"), "EINVAL");
  await rejectsWith(s.bind("tcp://8.8.8.8:5555"), "EADDRNOTAVAIL");
  await rejectsWith(s.shutdown(42), "EINVAL");
});

Deno.test("an endpoint option the transport does not know is EINVAL naming it", async () => {
  await using s = openSocket("pair");
  for (const url of ["inproc://opts", "tcp://127.0.0.1:5555", "ipc:///tmp/sp-opts.ipc"]) {
    const scheme = url.split(":")[0];
    assert.throws(
      () => s.connect(url, { tls: {} }),
      (e) => isSpError(e, "EINVAL") && (e as Error).message.endsWith(`${scheme}:// takes no endpoint option tls`),
    );
    await rejectsWith(s.bind(url, { bogus: 1 }), "EINVAL");
  }
  assert.deepEqual(s.endpoints, []);
});

Deno.test("an inproc name bound twice is EADDRINUSE", async () => {
  await using a = openSocket("pair");
  await using b = openSocket("pair");
  await a.bind("inproc://twice");
  await rejectsWith(b.bind("inproc://twice"), "EADDRINUSE");
  assert.equal(b.stats.bindErrors, 1);
});

Deno.test("send and recv fail with ENOTSUP where the protocol cannot", async () => {
  await using pull = openSocket("pull");
  await using push = socket(AF_SP_RAW, 0x50);
  await rejectsWith(pull.send("x"), "ENOTSUP");
  await rejectsWith(push.recv(), "ENOTSUP");
  assert.equal(push.getsockopt(NN_SOL_SOCKET, NN_DOMAIN), AF_SP_RAW);
  throwsWith(() => socket(99, NN_PAIR), "EINVAL");
  throwsWith(() => socket(AF_SP, 999), "EINVAL");
});

Deno.test("NN_DONTWAIT gives EAGAIN when nothing can move", async () => {
  await using s = openSocket("pair");
  await rejectsWith(s.send("x", NN_DONTWAIT), "EAGAIN");
  await rejectsWith(s.recv(NN_DONTWAIT), "EAGAIN");
  await rejectsWith(s.recv({ dontwait: true }), "EAGAIN");
});

Deno.test("an AbortSignal cancels a waiting recv and leaves the socket usable", async () => {
  await using a = openSocket("pair");
  await using b = openSocket("pair");
  await a.bind("inproc://abort");
  b.connect("inproc://abort");
  const controller = new AbortController();
  const waiting = a.recv({ signal: controller.signal });
  controller.abort(new Error("stop waiting"));
  await assert.rejects(waiting, /stop waiting/);
  await b.send("after abort");
  assert.equal(text(await a.recv()), "after abort");
  await assert.rejects(a.recv({ signal: AbortSignal.abort() }));
});

Deno.test("concurrent sends queue in order up to SNDBUF, then EAGAIN", async () => {
  await using push = openSocket("push", { options: { sndbuf: 100 } });
  await using pull = openSocket("pull");
  const queued = Array.from({ length: 5 }, (_, i) => push.send(`m${i}`.padEnd(20, ".")));
  await rejectsWith(push.send("one too many".padEnd(20, ".")), "EAGAIN");
  await pull.bind("inproc://queue");
  push.connect("inproc://queue");
  assert.deepEqual(await Promise.all(queued), [20, 20, 20, 20, 20]);
  for (let i = 0; i < 5; i++) assert.equal(text(await pull.recv()).slice(0, 2), `m${i}`);
});

Deno.test("for await yields messages and ends when the socket closes", async () => {
  const pull = openSocket("pull");
  await using push = openSocket("push");
  await pull.bind("inproc://iterate");
  push.connect("inproc://iterate");
  for (let i = 0; i < 3; i++) await push.send(`n${i}`);
  const seen: string[] = [];
  for await (const msg of pull) {
    seen.push(text(msg));
    if (seen.length === 3) setTimeout(() => pull.close(), 0);
  }
  assert.deepEqual(seen, ["n0", "n1", "n2"]);
});

Deno.test("close fails waiting receives with EBADF; later calls are EBADF", async () => {
  const s = openSocket("pair");
  const waiting = s.recv();
  await s.close();
  await rejectsWith(waiting, "EBADF");
  await rejectsWith(s.send("x"), "EBADF");
  await rejectsWith(s.recv(), "EBADF");
  await rejectsWith(s.close(), "EBADF");
  throwsWith(() => s.connect("inproc://x"), "EBADF");
  assert.equal(s.actor.getSnapshot().value, "closed");
});

Deno.test("term() closes every socket: blocked and later calls get ETERM", async () => {
  const runtime = registerBuiltins(new Runtime());
  const s = runtime.socket("pair");
  await s.bind("inproc://term");
  const waiting = s.recv();
  await runtime.term();
  await rejectsWith(waiting, "ETERM");
  await rejectsWith(s.send("x"), "ETERM");
  throwsWith(() => runtime.socket("pair"), "ETERM");
});

Deno.test("shutdown(endpoint) closes that endpoint's pipes only", async () => {
  await using pull = openSocket("pull");
  await using p1 = openSocket("push");
  await using p2 = openSocket("push");
  const e1 = await pull.bind("inproc://ep1");
  const e2 = await pull.bind("inproc://ep2");
  assert.deepEqual([e1, e2], [1, 2]);
  p1.connect("inproc://ep1");
  p2.connect("inproc://ep2");
  await until(() => pull.stats.currentConnections === 2, 2000, "both attach");
  await pull.shutdown(e1);
  assert.deepEqual(pull.endpoints, [e2]);
  await until(() => pull.stats.currentConnections === 1, 2000, "one left");
  await p2.send("still here");
  assert.equal(text(await pull.recv()), "still here");
});

Deno.test("PUSH prefers the best SNDPRIO and round-robins within it", async () => {
  await using push = openSocket("push");
  const pulls = [openSocket("pull"), openSocket("pull"), openSocket("pull")];
  try {
    push.setOption("sndprio", 1);
    await push.bind("inproc://prio-a");
    push.setOption("sndprio", 2);
    await push.bind("inproc://prio-b");
    pulls[0]!.connect("inproc://prio-a");
    pulls[1]!.connect("inproc://prio-b");
    pulls[2]!.connect("inproc://prio-b");
    await until(() => push.stats.currentConnections === 3, 2000, "all attach");
    for (let i = 0; i < 4; i++) await push.send(`hi${i}`);
    for (let i = 0; i < 4; i++) assert.equal(text(await pulls[0]!.recv()), `hi${i}`);
    await pulls[0]!.close();
    await until(() => push.stats.currentConnections === 2, 2000, "first pull gone");
    for (let i = 0; i < 4; i++) await push.send(`lo${i}`);
    assert.deepEqual([text(await pulls[1]!.recv()), text(await pulls[1]!.recv())].sort(), ["lo0", "lo2"]);
    assert.deepEqual([text(await pulls[2]!.recv()), text(await pulls[2]!.recv())].sort(), ["lo1", "lo3"]);
  } finally {
    for (const p of pulls) await p[Symbol.asyncDispose]();
  }
});

Deno.test("PULL serves the best RCVPRIO first", async () => {
  await using pull = openSocket("pull");
  await using high = openSocket("push");
  await using low = openSocket("push");
  pull.setOption("rcvprio", 9);
  await pull.bind("inproc://rprio-low");
  pull.setOption("rcvprio", 1);
  await pull.bind("inproc://rprio-high");
  low.connect("inproc://rprio-low");
  high.connect("inproc://rprio-high");
  await until(() => pull.stats.currentConnections === 2, 2000, "both attach");
  await low.send("low");
  await high.send("high");
  await until(() => pull.stats.messagesReceived === 2, 2000, "both queued");
  assert.equal(text(await pull.recv()), "high");
  assert.equal(text(await pull.recv()), "low");
});

Deno.test("the inspect option sees the socket, endpoint and pipe machines", async () => {
  const seen = new Set<string>();
  const inspect = (event: { type: string; actorRef: unknown }) => {
    if (event.type === "@xstate.snapshot") {
      const logic = (event.actorRef as { logic?: { id?: string } }).logic;
      if (logic?.id) seen.add(logic.id);
    }
  };
  await using a = openSocket("pair", { inspect });
  await using b = openSocket("pair");
  await a.bind("inproc://inspect");
  b.connect("inproc://inspect");
  await b.send("x");
  await a.recv();
  await a.close();
  assert.deepEqual([...seen].sort(), ["listener", "pipe", "socket"]);
});

Deno.test("SpError carries nanomsg's errno numbers", () => {
  assert.equal(new SpError("ETERM", "x").errno, 156384765);
  assert.equal(new SpError("EFSM", "x").errno, 156384766);
  assert.equal(new SpError("EAGAIN", "x").errno, 11);
  assert.equal(NN_PULL, 0x51);
});

Deno.test("a missing --allow-net permission names the flag", async () => {
  const script = `import { openSocket } from "${new URL("../../mod.ts", import.meta.url)}";
    const s = openSocket("pair");
    try { await s.bind("tcp://127.0.0.1:45999"); } catch (e) { console.log(e.code, e.message); }
    await s.close();`;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, script);
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", config, file],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  await Deno.remove(file);
  const printed = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.match(printed, /EACCES .*--allow-net/);
});

Deno.test("sendmsg/recvmsg carry an empty header on header-less protocols", async () => {
  await using a = socket(AF_SP_RAW, NN_PAIR);
  await using b = openSocket("pair");
  await a.bind("inproc://msg");
  b.connect("inproc://msg");
  await b.sendmsg({ body: "body only" });
  const got = await a.recvmsg();
  assert.equal(got.header.length, 0);
  assert.equal(text(got.body), "body only");
  await rejectsWith(a.sendmsg({ header: new Uint8Array([1, 2, 3, 4]), body: "x" }), "EINVAL");
});

Deno.test("closing a socket releases the pipes its dialers made", async () => {
  await using listener = openSocket("pair");
  const dialer = openSocket("pair");
  await listener.bind("inproc://release");
  dialer.connect("inproc://release");
  await dialer.send("hi");
  await listener.recv();
  assert.equal(dialer.stats.currentConnections, 1);
  await dialer.close();
  assert.equal(dialer.stats.currentConnections, 0);
  await until(() => listener.stats.currentConnections === 0, 2000, "listener sees the pipe go");
});
