/**
 * Hostile frame lengths and type bytes against a listening PULL socket
 * (sp-spec.md §1.2–1.3; eco.md §3.3: CVE-2019-6250's attacker-chosen 64-bit
 * sizes, CVE-2021-20235's unknown ipc message types). A raw PUSH peer
 * completes the handshake properly and then misbehaves, while a
 * well-behaved PUSH socket that connected before it must keep working.
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { Socket, SocketOptions } from "../../mod.ts";
import { text, until, within } from "../_helpers.ts";
import {
  assertPushReaches,
  bound,
  closeAll,
  connectedPusher,
  MESSAGE_MS,
  patientRuntime,
  PROMPT_MS,
  receiveMany,
  statReaches,
} from "./_fixtures.ts";
import {
  concat,
  frame,
  lengthPrefix,
  pattern,
  PROTO,
  type RawAddress,
  RawConn,
  spHeader,
  STREAM_KINDS,
  type StreamKind,
} from "./_raw_peer.ts";

/** A PULL listener, a well-behaved pusher and a raw pusher past its handshake. */
interface Scene {
  pull: Socket;
  pusher: Socket;
  raw: RawConn;
  address: RawAddress;
}

async function withRawPusher(
  kind: StreamKind,
  options: Partial<SocketOptions>,
  body: (scene: Scene) => Promise<void>,
): Promise<void> {
  const { socket: pull, address } = await bound(patientRuntime, "pull", kind, options);
  let pusher: Socket | undefined;
  let raw: RawConn | undefined;
  try {
    pusher = await connectedPusher(patientRuntime, address);
    raw = await RawConn.dial(address);
    ok(await raw.write(spHeader(PROTO.push)));
    await statReaches(pull, "currentConnections", 2, MESSAGE_MS);
    await body({ pull, pusher, raw, address });
  } finally {
    await closeAll(raw, pusher, pull);
  }
}

/** The raw peer was cut off promptly, counted, and the good pusher still gets through. */
async function assertRawDropped({ pull, pusher, raw }: Scene, label: string): Promise<void> {
  await raw.waitClosed(PROMPT_MS, label);
  await statReaches(pull, "protocolErrors", 1);
  strictEqual(pull.stats.dropped, 1);
  await until(() => pull.stats.currentConnections === 1, PROMPT_MS, "pipe count back to 1");
  await assertPushReaches(pusher, pull);
}

/** Lengths no receiver can honour; `n` as a bigint so none is rounded. */
const IMPOSSIBLE_LENGTHS: readonly { name: string; n: bigint }[] = [
  { name: "2^63", n: 2n ** 63n },
  { name: "2^64-1", n: 2n ** 64n - 1n },
  { name: "2^53+1 (rounds to 2^53 as a double)", n: 2n ** 53n + 1n },
  { name: "2^53-1 (MAX_SAFE_INTEGER)", n: 2n ** 53n - 1n },
  { name: "2^32+5 (5 if truncated to 32 bits)", n: 2n ** 32n + 5n },
  { name: "2^32 (0 if truncated to 32 bits)", n: 2n ** 32n },
];

for (const kind of STREAM_KINDS) {
  for (const limit of [{ name: "default 1 MiB", rcvmaxsize: 1024 * 1024 }, { name: "-1", rcvmaxsize: -1 }]) {
    for (const { name, n } of IMPOSSIBLE_LENGTHS) {
      Deno.test(`${kind} listener with RCVMAXSIZE ${limit.name} drops a peer announcing a frame of ${name} bytes`, async () => {
        await withRawPusher(kind, { rcvmaxsize: limit.rcvmaxsize }, async (scene) => {
          // Bytes after the length: a truncating decoder would take them as a payload
          // ("abcde"), a valid frame, or both.
          await scene.raw.write(
            concat(lengthPrefix(kind, n), new TextEncoder().encode("abcde"), frame(kind, "smuggled")),
          );
          await scene.raw.waitClosed(PROMPT_MS, name);
          strictEqual(scene.pull.stats.messagesReceived, 0, "nothing from the raw peer was delivered");
          await assertRawDropped(scene, name);
        });
      });
    }
  }

  Deno.test(`${kind} listener with RCVMAXSIZE 1000 delivers a 1000-byte frame and drops a 1001-byte one`, async () => {
    await withRawPusher(kind, { rcvmaxsize: 1000 }, async (scene) => {
      await scene.raw.write(frame(kind, pattern(1000, 1)));
      deepStrictEqual(await within(scene.pull.recv(), MESSAGE_MS, "recv"), pattern(1000, 1));
      // The length alone must be enough: no waiting for a body that may never come.
      await scene.raw.write(lengthPrefix(kind, 1001));
      await assertRawDropped(scene, "1001 > 1000");
    });
  });

  Deno.test(`${kind} listener delivers a frame of exactly the default 1 MiB RCVMAXSIZE`, async () => {
    await withRawPusher(kind, {}, async ({ pull, raw }) => {
      const body = pattern(1024 * 1024, 3);
      const writing = raw.write(frame(kind, body));
      deepStrictEqual(await within(pull.recv(), MESSAGE_MS, "recv 1 MiB"), body);
      ok(await writing);
      strictEqual(pull.stats.protocolErrors, 0);
      ok(!raw.closed);
    });
  });

  Deno.test(`${kind} listener drops a frame one byte above the default 1 MiB RCVMAXSIZE from its length`, async () => {
    await withRawPusher(kind, {}, async (scene) => {
      await scene.raw.write(concat(lengthPrefix(kind, 1024 * 1024 + 1), pattern(1000)));
      await assertRawDropped(scene, "1 MiB + 1");
      strictEqual(scene.pull.stats.bytesReceived, "still here".length);
    });
  });

  Deno.test(`${kind} listener with RCVMAXSIZE 0 still takes empty frames but drops a 1-byte one`, async () => {
    await withRawPusher(kind, { rcvmaxsize: 0 }, async (scene) => {
      await scene.raw.write(concat(frame(kind, ""), frame(kind, "")));
      deepStrictEqual(await receiveMany(scene.pull, 2), [new Uint8Array(0), new Uint8Array(0)]);
      await scene.raw.write(frame(kind, "x"));
      await scene.raw.waitClosed(PROMPT_MS, "1 > 0");
      await statReaches(scene.pull, "protocolErrors", 1);
    });
  });

  Deno.test(`${kind} listener with unlimited RCVMAXSIZE does not allocate a claimed 4 GiB frame up front`, async () => {
    await withRawPusher(kind, { rcvmaxsize: -1 }, async ({ pull, pusher, raw }) => {
      const before = Deno.memoryUsage().external;
      await raw.write(concat(lengthPrefix(kind, 2 ** 32 - 1), pattern(4096)));
      // A round trip through the good pipe lets the event loop read the raw bytes too.
      await assertPushReaches(pusher, pull, "meanwhile");
      await assertPushReaches(pusher, pull, "and again");
      const grown = Deno.memoryUsage().external - before;
      ok(grown < 64 * 1024 * 1024, `external memory grew by ${grown} bytes for 4105 bytes received`);
      // The frame is legal, just huge: the connection stays open, waiting for the rest.
      ok(!raw.closed, "a legal (if huge) frame does not close the connection");
      strictEqual(pull.stats.protocolErrors, 0);
      // Hanging up mid-frame is what ends it, and nothing of it is delivered.
      await raw.shutdownWrite();
      await raw.waitClosed(PROMPT_MS, "EOF mid-frame");
      await statReaches(pull, "protocolErrors", 1);
      strictEqual(pull.stats.messagesReceived, 2);
    });
  });

  Deno.test(`${kind} listener delivers frames that arrived before a bad one`, async () => {
    await withRawPusher(kind, { rcvmaxsize: 100 }, async (scene) => {
      await scene.raw.write(concat(frame(kind, "one"), frame(kind, "two"), lengthPrefix(kind, 101)));
      await scene.raw.waitClosed(PROMPT_MS, "101 > 100");
      deepStrictEqual((await receiveMany(scene.pull, 2)).map(text), ["one", "two"]);
      await assertRawDropped(scene, "101 > 100");
    });
  });
}

for (const typeByte of [0x00, 0x02, 0xff]) {
  const hex = `0x${typeByte.toString(16).padStart(2, "0")}`;

  Deno.test(`ipc listener drops a peer whose frame has message type ${hex}`, async () => {
    await withRawPusher("ipc", {}, async (scene) => {
      await scene.raw.write(concat(frame("ipc", "ok"), frame("ipc", "evil", typeByte)));
      await scene.raw.waitClosed(PROMPT_MS, hex);
      deepStrictEqual(text(await within(scene.pull.recv(), MESSAGE_MS, "recv")), "ok");
      await assertRawDropped(scene, hex);
      strictEqual(scene.pull.stats.messagesReceived, 2, "'ok' and the good pusher's message, not 'evil'");
    });
  });
}

Deno.test("ipc listener drops a bad message type that arrives in the same write as the header", async () => {
  // Frames that arrive before the pipe is attached are held back; the error
  // must still close the pipe once it is, and the good frame still count.
  const { socket: pull, address } = await bound(patientRuntime, "pull", "ipc");
  const raw = await RawConn.dial(address);
  try {
    await raw.write(concat(spHeader(PROTO.push), frame("ipc", "early"), frame("ipc", "evil", 0x02)));
    await raw.waitClosed(PROMPT_MS, "type 0x02");
    deepStrictEqual(text(await within(pull.recv(), MESSAGE_MS, "recv")), "early");
    await statReaches(pull, "protocolErrors", 1);
    await until(() => pull.stats.currentConnections === 0, PROMPT_MS, "pipe gone");
    await pull.recv({ dontwait: true }).then(
      (m) => Promise.reject(new Error(`unexpected message ${text(m)}`)),
      () => {},
    );
  } finally {
    await closeAll(raw, pull);
  }
});

Deno.test("tcp listener takes no type byte: a leading 0x01 is part of the length", async () => {
  // 01 00 00 00 00 00 00 00 as a tcp length is 2^56: far over the limit.
  await withRawPusher("tcp", {}, async (scene) => {
    await scene.raw.write(frame("ipc", "ipc framing on tcp"));
    await assertRawDropped(scene, "ipc frame on tcp");
  });
});
