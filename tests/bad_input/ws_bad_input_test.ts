/**
 * Hostile WebSocket peers: a raw client that upgrades properly and then
 * sends frames RFC 6455 forbids (unmasked, RSV bits, oversized or unknown
 * control frames, a 2^63 length, a close inside a fragmented message), and
 * raw servers that answer the upgrade wrongly or never finish it. Each
 * connection is dropped and counted; the socket keeps serving others.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, registerBuiltins, Runtime } from "../../mod.ts";
import {
  encodeFrame,
  FIN,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  OP_TEXT,
} from "../../src/transports/ws/frame.ts";
import { text, until } from "../_helpers.ts";
import { clientFrame, rawWsClient, serverFrame } from "../transports/_ws_peer.ts";

const runtime = registerBuiltins(new Runtime({ handshakeTimeout: 300 }));
const bytes = (...values: number[]) => new Uint8Array(values);
const hello = new TextEncoder().encode("hello");
const MASK = [1, 2, 3, 4];

const HOSTILE_CLIENT_FRAMES: [string, Uint8Array][] = [
  ["an unmasked client frame", serverFrame(hello)],
  ["RSV1 set", clientFrame(hello, FIN | 0x40 | OP_BINARY)],
  ["RSV3 set", clientFrame(hello, FIN | 0x10 | OP_BINARY)],
  ["a 126-byte ping", clientFrame(new Uint8Array(126), FIN | OP_PING)],
  ["a fragmented ping", clientFrame(hello, OP_PING)],
  ["data opcode 0x3", clientFrame(hello, FIN | 0x3)],
  ["control opcode 0xB", clientFrame(hello, FIN | 0xb)],
  ["a 2^63-byte frame", bytes(0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, ...MASK)],
  ["a 2^62-byte frame", bytes(0x82, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, ...MASK)],
  ["a continuation with nothing to continue", clientFrame(hello, FIN | OP_CONTINUATION)],
  [
    "a close inside a fragmented message",
    new Uint8Array([...clientFrame(hello, OP_BINARY), ...clientFrame(bytes(3, 232), FIN | OP_CLOSE)]),
  ],
  ["a new message inside a fragmented one", new Uint8Array([...clientFrame(hello, OP_BINARY), ...clientFrame(hello)])],
  ["invalid UTF-8 in a text message", clientFrame(bytes(0xc3, 0x28), FIN | OP_TEXT)],
  ["a message over RCVMAXSIZE", bytes(0x82, 0xff, 0, 0, 0, 0, 0, 0x10, 0, 1, ...MASK)],
];

Deno.test("ws hostile clients: each bad frame drops its connection, counted; the socket keeps working", async () => {
  await using pull = runtime.socket("pull", { options: { rcvtimeo: 5000 } });
  const { url } = await pull.listen("ws://127.0.0.1:0");
  for (const [what, frame] of HOSTILE_CLIENT_FRAMES) {
    const dropped = pull.stats.dropped;
    const raw = await rawWsClient(url);
    assert.match(raw.response, /^HTTP\/1\.1 101 /, what);
    await raw.write(frame).catch(() => {});
    await until(() => pull.stats.dropped === dropped + 1, 3000, `${what} dropped`);
    assert.equal((await raw.readToEnd()).length, 0, `${what}: nothing sent back`);
    raw.close();
    const good = await rawWsClient(url);
    await good.write(clientFrame(new TextEncoder().encode(`after ${what}`)));
    assert.equal(text(await pull.recv()), `after ${what}`);
    good.close();
  }
  assert.equal(pull.stats.messagesReceived, HOSTILE_CLIENT_FRAMES.length);
});

Deno.test("ws: a single frame over RCVMAXSIZE is refused even when it arrives whole in one read", async () => {
  await using pull = runtime.socket("pull", { options: { rcvtimeo: 5000, rcvmaxsize: 100 } });
  const { url } = await pull.listen("ws://127.0.0.1:0");
  const raw = await rawWsClient(url);
  await raw.write(new Uint8Array([...clientFrame(new Uint8Array(100).fill(1)), ...clientFrame(new Uint8Array(101))]));
  assert.equal((await pull.recv()).length, 100);
  await until(() => pull.statistics().drops.oversize === 1, 3000, "the 101-byte message refused and counted");
  assert.equal((await raw.readToEnd()).length, 0, "the connection was dropped");
  raw.close();
  await assert.rejects(pull.recv({ dontwait: true }), (e) => isSpError(e, "EAGAIN"));
});

Deno.test("ws: a ping is answered with a pong carrying the same bytes; fragments reassemble around it", async () => {
  await using pull = runtime.socket("pull", { options: { rcvtimeo: 5000 } });
  const { url } = await pull.listen("ws://127.0.0.1:0");
  const raw = await rawWsClient(url);
  await raw.write(
    new Uint8Array([
      ...clientFrame(new TextEncoder().encode("frag"), OP_BINARY),
      ...clientFrame(new TextEncoder().encode("ping!"), FIN | OP_PING),
      ...clientFrame(new TextEncoder().encode("ment"), FIN | OP_CONTINUATION),
    ]),
  );
  assert.equal(text(await pull.recv()), "fragment");
  await raw.write(clientFrame(bytes(3, 232), FIN | OP_CLOSE));
  const answer = await raw.readToEnd();
  assert.deepEqual([...answer], [...encodeFrame(0x8a, new TextEncoder().encode("ping!"))]);
  raw.close();
});

/** A fake ws server that answers every connection with `respond(request)`. */
async function withFakeServer(
  respond: (conn: Deno.Conn, request: string) => Promise<void>,
  body: (url: string) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      (async () => {
        const buffer = new Uint8Array(4096);
        let request = "";
        while (!request.includes("\r\n\r\n")) {
          const n = await conn.read(buffer).catch(() => null);
          if (n === null) return;
          request += new TextDecoder().decode(buffer.subarray(0, n));
        }
        await respond(conn, request).catch(() => {});
      })();
    }
  })();
  try {
    await body(`ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`);
  } finally {
    listener.close();
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
    await serving.catch(() => {});
  }
}

async function acceptFor(request: string): Promise<string> {
  const key = /sec-websocket-key: *(\S+)/i.exec(request)![1]!;
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
  );
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

const upgraded = async (request: string, protocol = "pull.sp.nanomsg.org") =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Accept: ${await acceptFor(request)}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`;

const write = (conn: Deno.Conn, data: string | Uint8Array) =>
  conn.write(typeof data === "string" ? new TextEncoder().encode(data) : data);

const HOSTILE_SERVERS: [string, (conn: Deno.Conn, request: string) => Promise<void>][] = [
  ["an HTTP response that never ends", (conn) => write(conn, "HTTP/1.1 400 Incompatible\r\nX: y\r\n").then(() => {})],
  ["an endless HTTP head", (conn) => write(conn, `HTTP/1.1 101 OK\r\nX: ${"y".repeat(9000)}`).then(() => {})],
  ["a wrong Sec-WebSocket-Accept", async (conn, request) => {
    await write(conn, (await upgraded(request)).replace(/Accept: \S+/, "Accept: AAAA"));
  }],
  ["another subprotocol", async (conn, request) => {
    await write(conn, await upgraded(request, "rep.sp.nanomsg.org"));
  }],
  ["a masked frame from the server", async (conn, request) => {
    await write(conn, await upgraded(request));
    await write(conn, clientFrame(hello));
  }],
  ["a 2^63-byte frame from the server", async (conn, request) => {
    await write(conn, await upgraded(request));
    await write(conn, bytes(0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0));
  }],
];

for (const [what, respond] of HOSTILE_SERVERS) {
  Deno.test(`ws hostile server: ${what} is dropped and counted; the dialer retries`, async () => {
    await withFakeServer(respond, async (url) => {
      await using push = runtime.socket("push", { options: { reconnectIvl: 20 } });
      push.connect(url);
      await until(() => push.stats.dropped >= 2, 5000, "two dropped attempts");
      assert.equal(push.stats.currentConnections, 0);
    });
  });
}

Deno.test("ws hostile clients: a request that never ends, or never starts, is cut by the handshake timeout", async () => {
  await using pull = runtime.socket("pull", { options: { rcvtimeo: 5000 } });
  const { url } = await pull.listen("ws://127.0.0.1:0");
  const port = Number(new URL(url.replace("ws", "http")).port);
  const silent = await Deno.connect({ hostname: "127.0.0.1", port });
  const slow = await Deno.connect({ hostname: "127.0.0.1", port });
  await slow.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n"));
  await until(() => pull.stats.dropped === 2, 3000, "both cut and counted");
  assert.equal(await silent.read(new Uint8Array(16)).catch(() => null), null);
  silent.close();
  slow.close();
  const good = await rawWsClient(url);
  await good.write(clientFrame(hello));
  assert.equal(text(await pull.recv()), "hello");
  good.close();
});
