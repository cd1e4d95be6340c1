/**
 * The socket's surface beyond nanomsg's calls: waiting for peers, errors
 * that say why a wait was in vain and point at the caller, names,
 * statistics snapshots, endpoints, and the way sockets are made (no public
 * constructor; a protocol may bring its own socket class).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  isSpError,
  openSocket,
  pairProtocol,
  registerBuiltins,
  Runtime,
  Socket,
  type SocketSetup,
  type SocketStatistics,
} from "../../mod.ts";
import { freePort, text, within } from "../_helpers.ts";

const STEP_MS = 5_000;

Deno.test("waitForPeers: resolves at once when enough pipes are there, and with the count", async () => {
  await using pull = openSocket("pull");
  await using push = openSocket("push");
  assert.equal(await pull.waitForPeers(0), 0);
  push.connect((await pull.listen("inproc://peers-now")).url);
  assert.equal(await pull.waitForPeers(1, { timeout: STEP_MS }), 1);
  assert.equal(await pull.waitForPeers(), 1);
});

Deno.test("waitForPeers: a timeout says how many attached and what went wrong meanwhile", async () => {
  await using pub = openSocket("pub", { options: { reconnectIvl: 20 } });
  const url = `tcp://127.0.0.1:${freePort()}`;
  pub.connect(url);
  const error = await pub.waitForPeers(1, { timeout: 200 }).catch((e) => e);
  assert.ok(isSpError(error, "ETIMEDOUT"), String(error));
  assert.match(
    error.message,
    /waitForPeers\(1\) gave up after 200 ms with 0 attached; last trouble \(\d+ ms ago\): dialer#1/,
  );
  assert.match(error.message, /ECONNREFUSED/);
  assert.ok(isSpError(error.cause, "ECONNREFUSED"));
});

Deno.test("waitForPeers: aborting is ECANCELED with the signal's reason; closing is EBADF", async () => {
  const pull = openSocket("pull");
  const controller = new AbortController();
  const waiting = pull.waitForPeers(1, { signal: controller.signal });
  const reason = new Error("no longer needed");
  controller.abort(reason);
  const canceled = await waiting.catch((e) => e);
  assert.ok(isSpError(canceled, "ECANCELED"));
  assert.equal(canceled.cause, reason);
  const closing = pull.waitForPeers(2);
  await pull.close();
  await assert.rejects(closing, (e) => isSpError(e, "EBADF"));
});

Deno.test("a send that times out says why no peer came, with the cause", async () => {
  await using push = openSocket("push", { options: { reconnectIvl: 50 } });
  // The name lookup may take a while where no resolver answers: wait for it to fail first.
  const failed = new Promise((resolve) => push.events.on("connect:error", resolve, { once: true }));
  push.connect("tcp://no-such-host.invalid:5555");
  await within(failed, 15_000, "the lookup fails");
  const error = await push.send("lost?", { timeout: 50 }).catch((e) => e);
  assert.ok(isSpError(error, "ETIMEDOUT"), String(error));
  assert.match(error.message, /^ETIMEDOUT: socket#\d+\(push\): send gave up after 50 ms: no peer is attached; /);
  assert.match(error.message, /dialer#1 tcp:\/\/no-such-host\.invalid:5555: /);
  assert.ok(isSpError(error.cause));
});

Deno.test("the error of a call that waited points at the caller's line", async () => {
  await using pull = openSocket("pull");
  const error: Error = await pull.recv({ timeout: 10 }).catch((e) => e);
  assert.ok(isSpError(error, "ETIMEDOUT"));
  const here = new URL(import.meta.url).pathname.split("/").pop()!;
  assert.match(String(error.stack), new RegExp(`at async .*${here.replace(".", "\\.")}:\\d+`), error.stack);
});

Deno.test("names: sockets, endpoints and pipes are named in events, statistics and errors", async () => {
  const rep = openSocket("rep");
  const runtime = registerBuiltins(new Runtime());
  const rawReq = runtime.socket("req", { domain: 2 });
  assert.match(rep.name, /^socket#\d+\(rep\)$/);
  assert.match(rawReq.name, /^socket#\d+\(raw req\)$/);
  const endpoint = await rep.listen("tcp://127.0.0.1:0");
  assert.match(endpoint.name, /^listener#1 tcp:\/\/127\.0\.0\.1:\d+$/);
  await rep.close();
  await assert.rejects(rep.recv(), (e) => isSpError(e, "EBADF") && (e as Error).message.includes(rep.name));
  await rawReq.close();
});

Deno.test("statistics: one plain snapshot with endpoints and pipes; closed pipes still count", async () => {
  await using pull = openSocket("pull", { options: { rcvtimeo: STEP_MS } });
  const push = openSocket("push");
  const listener = await pull.listen("tcp://127.0.0.1:0");
  push.connect(listener.url);
  for (const message of ["one", "two", "three"]) await push.send(message);
  for (let i = 0; i < 3; i++) await pull.recv();
  const snapshot: SocketStatistics = pull.statistics();
  assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot);
  assert.equal(snapshot.name, pull.name);
  assert.equal(snapshot.state, "open");
  assert.equal(snapshot.messagesReceived, 3);
  assert.equal(snapshot.bytesReceived, 11);
  const [endpoint] = snapshot.endpoints;
  assert.deepEqual([endpoint!.kind, endpoint!.url, endpoint!.connections], ["listener", listener.url, 1]);
  assert.equal(endpoint!.pipes[0]!.messagesReceived, 3);
  const sender = push.statistics();
  assert.equal(sender.endpoints[0]!.kind, "dialer");
  assert.equal(sender.endpoints[0]!.pipes[0]!.messagesSent, 3);
  assert.equal(sender.messagesSent, 3);
  await push.close();
  await within(
    (async () => {
      while (pull.stats.currentConnections > 0) await new Promise((r) => setTimeout(r, 5));
    })(),
    STEP_MS,
    "the pipe goes",
  );
  const after = pull.statistics();
  assert.equal(after.messagesReceived, 3);
  assert.equal(after.endpoints[0]!.messagesReceived, 3);
  assert.deepEqual(after.endpoints[0]!.pipes, []);
  assert.equal(pull.stats.messagesReceived, 3);
});

Deno.test("endpoints: bind and connect ids lead to endpoint objects; close() removes one", async () => {
  await using pair = openSocket("pair");
  const id = await pair.bind("tcp://127.0.0.1:0");
  const endpoint = pair.endpoint(id)!;
  assert.equal(endpoint.kind, "listener");
  assert.match(endpoint.url, /^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
  const dialer = pair.dial(endpoint.url);
  assert.deepEqual(pair.endpoints, [id, dialer.id]);
  await dialer.close();
  assert.deepEqual(pair.endpoints, [id]);
  assert.equal(pair.endpoint(dialer.id), undefined);
});

Deno.test("ipc:// without a path binds a fresh path, removed with its directory on close", async () => {
  await using pull = openSocket("pull", { options: { rcvtimeo: STEP_MS } });
  await using push = openSocket("push");
  const { url } = await pull.listen("ipc://");
  const path = url.slice("ipc://".length);
  assert.ok((await Deno.lstat(path)).isSocket);
  push.connect(url);
  await push.send("via a fresh path");
  assert.equal(text(await pull.recv()), "via a fresh path");
  await pull.close();
  await assert.rejects(Deno.lstat(path.slice(0, path.lastIndexOf("/"))), Deno.errors.NotFound);
});

Deno.test("sockets come from the runtime: the constructor refuses anything else", () => {
  assert.throws(() => new Socket({ protocol: "pair", id: 1 } as SocketSetup), TypeError);
});

Deno.test("a protocol may bring its own socket class (the seam for typed sockets)", async () => {
  class GreetingSocket extends Socket {
    greet(): Promise<number> {
      return this.send("hello");
    }
  }
  const runtime = registerBuiltins(new Runtime());
  runtime.registerProtocol({
    ...pairProtocol,
    name: "greeting",
    id: 0x7f0,
    peerId: 0x7f0,
    createSocket: (setup) => new GreetingSocket(setup),
  });
  await using a = runtime.socket("greeting") as GreetingSocket;
  await using b = runtime.socket("greeting", { options: { rcvtimeo: STEP_MS } });
  assert.ok(a instanceof GreetingSocket);
  b.connect((await a.listen("inproc://greeting")).url);
  await a.greet();
  assert.equal(text(await b.recv()), "hello");
  await runtime.term();
});
