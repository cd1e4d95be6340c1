/**
 * Our DIALING side against a hostile raw listener, on tcp and ipc: a bad
 * greeting, a wrong protocol, silence, an oversized frame or (ipc) an
 * unknown message type. The dialer must drop the connection, count it,
 * and reconnect after RECONNECT_IVL (not after the handshake timeout), so
 * the listener sees a fresh attempt; once the listener behaves, messages
 * flow.
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { Runtime, Socket, SocketOptions } from "../../mod.ts";
import { until, within } from "../_helpers.ts";
import {
  closeAll,
  impatientRuntime,
  MESSAGE_MS,
  patientRuntime,
  PROMPT_MS,
  SHORT_HANDSHAKE_MS,
  statReaches,
} from "./_fixtures.ts";
import {
  concat,
  frame,
  lengthPrefix,
  PROTO,
  type RawConn,
  RawListener,
  spHeader,
  STREAM_KINDS,
  type StreamKind,
} from "./_raw_peer.ts";

/** Reconnect interval of the dialers under test, ms: short, so retries are quick. */
const RECONNECT_MS = 10;

/**
 * The bound on waiting for the next attempt, ms: the reconnect interval plus
 * generous slack, but well under the patient runtime's 5 s handshake timeout.
 */
const RETRY_MS = 1000;

interface DialScene {
  dialer: Socket;
  listener: RawListener;
}

async function withDialer(
  runtime: Runtime,
  kind: StreamKind,
  options: Partial<SocketOptions>,
  body: (scene: DialScene) => Promise<void>,
): Promise<void> {
  const listener = new RawListener(kind);
  const dialer = runtime.socket("pair", {
    options: { linger: 0, reconnectIvl: RECONNECT_MS, reconnectIvlMax: 0, ...options },
  });
  try {
    dialer.connect(listener.address.url);
    await body({ dialer, listener });
  } finally {
    await closeAll(dialer, listener);
  }
}

/** The attempt was answered with `bytes` and our dialer hung up promptly. */
async function answerAndExpectHangUp(conn: RawConn, bytes: Uint8Array, label: string): Promise<void> {
  await conn.write(bytes);
  await conn.waitClosed(PROMPT_MS, label);
  // Before hanging up, the dialer announced itself as PAIR (maybe not all of it was read).
  const got = conn.received;
  ok(got.length <= 8);
  deepStrictEqual(got, spHeader(PROTO.pair).subarray(0, got.length));
}

/** The listener finally behaves: the dialer's message arrives framed. */
async function assertDialerWorks(kind: StreamKind, { dialer, listener }: DialScene): Promise<void> {
  const conn = await listener.accept(RETRY_MS, "well-behaved attempt");
  ok(await conn.write(spHeader(PROTO.pair)));
  await within(dialer.send("hello"), MESSAGE_MS, "send");
  const expected = concat(spHeader(PROTO.pair), frame(kind, "hello"));
  await until(() => conn.received.length >= expected.length, MESSAGE_MS, "message on the wire");
  deepStrictEqual(conn.received, expected);
  ok(!conn.closed);
}

/** What a hostile listener answers, on which mappings, and with which runtime. */
const HOSTILE_LISTENERS: readonly {
  name: string;
  kinds: readonly StreamKind[];
  answer: (kind: StreamKind) => Uint8Array;
}[] = [
  { name: "sends an HTTP response instead of a header", kinds: STREAM_KINDS, answer: () => http("HTTP/1.1 400 Bad") },
  { name: "sends header version 1", kinds: STREAM_KINDS, answer: () => spHeader(PROTO.pair, { 3: 1 }) },
  { name: "sends non-zero reserved bytes", kinds: STREAM_KINDS, answer: () => spHeader(PROTO.pair, { 6: 0xff }) },
  { name: "announces REQ (0x30)", kinds: STREAM_KINDS, answer: () => spHeader(PROTO.req) },
  {
    name: "announces a frame over RCVMAXSIZE",
    kinds: STREAM_KINDS,
    answer: (kind) => concat(spHeader(PROTO.pair), lengthPrefix(kind, 1001)),
  },
  {
    name: "sends a frame of message type 0x02",
    kinds: ["ipc"],
    answer: () => concat(spHeader(PROTO.pair), frame("ipc", "shm?", 0x02)),
  },
];

function http(line: string): Uint8Array {
  return new TextEncoder().encode(`${line}\r\n\r\n`);
}

for (const hostile of HOSTILE_LISTENERS) {
  for (const kind of hostile.kinds) {
    Deno.test(`${kind} dialer drops a listener that ${hostile.name} and reconnects`, async () => {
      await withDialer(patientRuntime, kind, { rcvmaxsize: 1000 }, async (scene) => {
        for (let attempt = 1; attempt <= 3; attempt++) {
          const conn = await scene.listener.accept(
            attempt === 1 ? MESSAGE_MS : RETRY_MS,
            `attempt ${attempt}`,
          );
          await answerAndExpectHangUp(conn, hostile.answer(kind), `attempt ${attempt}`);
        }
        // Three attempts within ~3 × RETRY_MS: each retry followed the drop, not the handshake timeout.
        await statReaches(scene.dialer, "protocolErrors", 3);
        strictEqual(scene.dialer.stats.dropped, 3);
        await assertDialerWorks(kind, scene);
        strictEqual(scene.listener.accepted, 4);
        strictEqual(scene.dialer.stats.established, 4);
        strictEqual(scene.dialer.stats.currentConnections, 1);
      });
    });
  }
}

for (const kind of STREAM_KINDS) {
  Deno.test(`${kind} dialer drops a silent listener after the handshake timeout and reconnects`, async () => {
    await withDialer(impatientRuntime, kind, {}, async (scene) => {
      const silent = await scene.listener.accept(MESSAGE_MS, "first attempt");
      const start = performance.now();
      await silent.waitClosed(SHORT_HANDSHAKE_MS + MESSAGE_MS, "silent listener");
      const waited = silent.closedAt - start;
      ok(waited >= SHORT_HANDSHAKE_MS - 30, `dropped after ${waited.toFixed(0)} ms, before the timeout`);
      deepStrictEqual(silent.received, spHeader(PROTO.pair));
      await statReaches(scene.dialer, "protocolErrors", 1);
      await assertDialerWorks(kind, scene);
    });
  });

  Deno.test(`${kind} dialer reconnects to a listener that hangs up mid-frame`, async () => {
    await withDialer(patientRuntime, kind, {}, async (scene) => {
      const conn = await scene.listener.accept(MESSAGE_MS, "first attempt");
      ok(
        await conn.write(concat(spHeader(PROTO.pair), frame(kind, "whole"), lengthPrefix(kind, 50), new Uint8Array(7))),
      );
      deepStrictEqual(await within(scene.dialer.recv(), MESSAGE_MS, "recv"), new TextEncoder().encode("whole"));
      await conn.shutdownWrite();
      await conn.waitClosed(PROMPT_MS, "mid-frame hang-up");
      await statReaches(scene.dialer, "protocolErrors", 1);
      await assertDialerWorks(kind, scene);
    });
  });
}
