/**
 * The inspector's server without a browser: what it serves and with which
 * headers, that it is read-only, that on loopback it answers only
 * requests addressed to a loopback name, that beyond loopback every
 * request needs the token, and what its event stream carries (hello,
 * every actor, changes within a moment, statistics with rates sampled only
 * while a page is connected).
 *
 * @module
 */

import assert from "node:assert/strict";
import { registerBuiltins, Runtime } from "../../mod.ts";
import { isLoopback, runtimeMachines, serveInspector } from "../../src/inspect/mod.ts";
import type { ActorsFrame, ActorView, HelloFrame, StatsFrame } from "../../src/inspect/live_types.ts";
import { within } from "../_helpers.ts";

function runtime(): Runtime {
  return registerBuiltins(new Runtime());
}

/** One HTTP/1.1 request over a raw connection, so the Host header is ours to choose. */
async function rawGet(port: number, path: string, host: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    let text = "";
    const buffer = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
      if (text.includes("\r\n\r\n")) break;
    }
    return text.split("\r\n")[0]!;
  } finally {
    conn.close();
  }
}

/** Reads SSE frames from a response body, keeping the latest view of each actor. */
class Frames {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  /** Every actor seen so far, by key. */
  readonly actors = new Map<string, ActorView>();

  constructor(response: Response) {
    this.#reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  }

  async next(): Promise<{ event: string; data: unknown }> {
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === undefined || data === undefined) continue;
        const parsed = JSON.parse(data);
        if (event === "actors") {
          for (const actor of (parsed as ActorsFrame).actors) this.actors.set(actor.key, actor);
        }
        return { event, data: parsed };
      }
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("the stream ended");
      this.#buffer += value;
    }
  }

  /** The next frame of a type that passes `accept`. */
  async find<T>(event: string, accept: (data: T) => boolean, ms: number): Promise<T> {
    return await within(
      (async () => {
        for (;;) {
          const frame = await this.next();
          if (frame.event === event && accept(frame.data as T)) return frame.data as T;
        }
      })(),
      ms,
      `a ${event} frame`,
    );
  }

  /** Waits until the actors seen so far pass `accept`. */
  async until(accept: (actors: Map<string, ActorView>) => boolean, ms: number, label: string): Promise<void> {
    await within(
      (async () => {
        while (!accept(this.actors)) await this.next();
      })(),
      ms,
      label,
    );
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

Deno.test("loopback addresses are told apart from the rest", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) assert.ok(isLoopback(host), host);
  for (const host of ["0.0.0.0", "::", "192.168.1.2", "example.com", "127.0.0.1.example.com"]) {
    assert.ok(!isLoopback(host), host);
  }
});

Deno.test("the inspector serves its page and assets on 127.0.0.1 with strict headers, read-only", async () => {
  const rt = runtime();
  await using ui = await serveInspector({ runtime: rt });
  assert.equal(ui.hostname, "127.0.0.1");
  assert.equal(ui.token, undefined);
  assert.equal(ui.url, `http://127.0.0.1:${ui.port}/`);
  const expect = [
    ["", "text/html"],
    ["inspector.js", "text/javascript"],
    ["inspector.css", "text/css"],
    ["machines.json", "application/json"],
    ["state.json", "application/json"],
    ["state.txt", "text/plain"],
  ];
  for (const [path, type] of expect) {
    const response = await fetch(`${ui.url}${path}`);
    const body = await response.text();
    assert.equal(response.status, 200, path);
    assert.ok(
      response.headers.get("content-type")!.startsWith(type!),
      `${path}: ${response.headers.get("content-type")}`,
    );
    assert.match(response.headers.get("content-security-policy")!, /default-src 'none'; script-src 'self'/);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    assert.ok(body.length > 0, path);
  }
  const machines = await (await fetch(`${ui.url}machines.json`)).json();
  assert.deepEqual(machines.machines.map((m: { id: string }) => m.id), runtimeMachines(rt).map((m) => m.id));
  assert.deepEqual(machines.machines.map((m: { id: string }) => m.id).slice(0, 4), [
    "socket",
    "dialer",
    "listener",
    "pipe",
  ]);
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    const response = await fetch(ui.url, { method, body: method === "DELETE" ? undefined : "x" });
    await response.body?.cancel();
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get("allow"), "GET, HEAD");
  }
  const missing = await fetch(`${ui.url}../../etc/passwd`);
  await missing.body?.cancel();
  assert.equal(missing.status, 404);
});

Deno.test("on loopback, a request addressed to another host name is refused (DNS rebinding)", async () => {
  await using ui = await serveInspector({ runtime: runtime() });
  assert.match(await rawGet(ui.port, "/", `127.0.0.1:${ui.port}`), / 200 /);
  assert.match(await rawGet(ui.port, "/", `localhost:${ui.port}`), / 200 /);
  assert.match(await rawGet(ui.port, "/state.json", `evil.example:${ui.port}`), / 421 /);
  assert.match(await rawGet(ui.port, "/", `127.0.0.1:${ui.port + 1}`), / 421 /);
});

Deno.test("bound beyond loopback, every request needs the random token", async () => {
  await using ui = await serveInspector({ runtime: runtime(), hostname: "0.0.0.0" });
  assert.match(ui.token ?? "", /^[0-9a-f]{32}$/);
  assert.equal(ui.url, `http://127.0.0.1:${ui.port}/?token=${ui.token}`);
  const token = ui.token!;
  const otherLast = token.endsWith("0") ? "1" : "0";
  for (const path of ["", "inspector.js", "inspector.css", "machines.json", "state.json", "state.txt", "events"]) {
    for (const query of ["", "?token=", `?token=${token.slice(0, -1)}${otherLast}`, `?token=${token}x`]) {
      const response = await fetch(`http://127.0.0.1:${ui.port}/${path}${query}`);
      await response.body?.cancel();
      assert.equal(response.status, 403, `/${path}${query}`);
    }
    const response = await fetch(`http://127.0.0.1:${ui.port}/${path}?token=${ui.token}`);
    await response.body?.cancel();
    assert.equal(response.status, 200, path);
  }
  // The page passes the token on to what it loads.
  const html = await (await fetch(ui.url)).text();
  assert.ok(html.includes(`inspector.js?token=${ui.token}`));
  // Another inspector bound beyond loopback gets another token.
  await using other = await serveInspector({ runtime: runtime(), hostname: "0.0.0.0" });
  assert.notEqual(other.token, ui.token);
});

Deno.test("a token can be required on loopback too, and must be long enough", async () => {
  await assert.rejects(() => serveInspector({ runtime: runtime(), token: "short" }), TypeError);
  await assert.rejects(() => serveInspector({ runtime: runtime(), sampleInterval: 10 }), TypeError);
  await using ui = await serveInspector({ runtime: runtime(), token: "0123456789abcdef0123" });
  const refused = await fetch(`http://127.0.0.1:${ui.port}/`);
  await refused.body?.cancel();
  assert.equal(refused.status, 403);
  const page = await fetch(ui.url);
  await page.body?.cancel();
  assert.equal(page.status, 200);
});

Deno.test("the event stream: hello, every actor, new actors within a moment, statistics with rates while connected", async () => {
  const rt = runtime();
  await using pull = rt.socket("pull");
  const { url } = await pull.listen("tcp://127.0.0.1:0");
  await using ui = await serveInspector({ runtime: rt });
  const frames = new Frames(await fetch(`${ui.url}events`));
  try {
    const hello = await frames.find<HelloFrame>("hello", () => true, 5000);
    assert.deepEqual(hello.machines, runtimeMachines(rt).map((m) => m.id));
    assert.equal(hello.peers.push, "pull");
    const first = await frames.find<ActorsFrame>("actors", (f) => f.full, 5000);
    assert.deepEqual(first.actors.map((a) => `${a.key} ${a.state}`), ["s1 open", "s1/e1 listening"]);
    assert.equal(first.actors[0]!.timeline[0]!.event, "(running when the inspector started)");
    await frames.find<StatsFrame>("stats", (s) => s.sockets.length === 1, 5000);
    assert.equal(ui.clients, 1);

    const opened = Date.now();
    await using push = rt.socket("push");
    push.connect(url);
    await frames.until((actors) => actors.has("s2"), 500, "the new socket");
    const elapsed = Date.now() - opened;
    assert.ok(elapsed < 500, `the new socket arrived after ${elapsed} ms`);
    await frames.until(
      (actors) => [...actors.values()].filter((a) => a.kind === "pipe" && a.state === "active").length === 2,
      5000,
      "both pipes active",
    );
    const pipe = [...frames.actors.values()].find((a) => a.kind === "pipe" && a.socket === 2)!;
    assert.deepEqual(pipe.timeline.map((entry) => entry.state), ["handshaking", "attaching", "active"]);
    let sending = true;
    const load = (async () => {
      while (sending) {
        for (let i = 0; i < 20; i++) await push.send(new Uint8Array(64));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const busy = await frames.find<StatsFrame>("stats", (s) => (s.rates.s2?.msgOut ?? 0) > 0, 5000);
    sending = false;
    await load;
    assert.ok(busy.rates.s1!.bytesIn > 0, "the receiver's rate too");
    const pipes = busy.sockets.find((s) => s.id === 1)!.endpoints[0]!.pipes;
    assert.equal(pipes.length, 1);
    assert.ok(busy.rates[`p${pipes[0]!.id}`] !== undefined, "rates per pipe");
  } finally {
    await frames.cancel();
  }
  const deadline = Date.now() + 2000;
  while (ui.clients > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(ui.clients, 0, "a page that leaves is forgotten (and sampling stops)");
});

Deno.test("state.json and state.txt tell the same story; close() ends the streams", async () => {
  const rt = runtime();
  await using rep = rt.socket("rep", { options: { socketName: "orders" } });
  await rep.listen("inproc://state-doc");
  const ui = await serveInspector({ runtime: rt });
  const state = await (await fetch(`${ui.url}state.json`)).json();
  assert.deepEqual(state.stats.sockets.map((s: { name: string }) => s.name), ["socket#1(rep)"]);
  const text = await (await fetch(`${ui.url}state.txt`)).text();
  assert.match(text, /^1 socket at /);
  assert.match(text, /socket#1\(rep\) {2}"orders" {2}rep→req cooked {2}\[open\]/);
  assert.match(text, /listener#1 inproc:\/\/state-doc {2}\[listening\]/);
  assert.match(ui.report(), /socket#1\(rep\) {2}"orders" {2}rep→req cooked {2}\[open\]/, "report() is the same text");
  const stream = await fetch(`${ui.url}events`);
  const reader = stream.body!.getReader();
  await reader.read();
  await ui.close();
  for (;;) if ((await reader.read()).done) break;
  await ui.close(); // twice is harmless
});
