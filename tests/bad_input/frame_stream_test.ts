/**
 * How frames are cut by the byte stream, on tcp and ipc: a peer hanging up
 * mid-length-prefix, mid-body or at any byte offset at all (eco.md §3.3,
 * nanomsg#603), many frames packed into one write, and frames split across
 * many writes. Whole frames received before a hang-up are still delivered;
 * a partial one never is; nothing hangs.
 *
 * @module
 */

import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { isSpError, type Socket } from "../../mod.ts";
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
import { concat, frame, lengthPrefix, pattern, PROTO, RawConn, spHeader, STREAM_KINDS } from "./_raw_peer.ts";

/** No further message is waiting on `socket`. */
async function assertNothingMore(socket: Socket): Promise<void> {
  await rejects(socket.recv({ dontwait: true }), (err) => isSpError(err, "EAGAIN"));
}

for (const kind of STREAM_KINDS) {
  const cuts = [
    { name: "inside the length prefix", tail: lengthPrefix(kind, 100).subarray(0, kind === "ipc" ? 5 : 4) },
    { name: "right after the length prefix", tail: lengthPrefix(kind, 100) },
    { name: "inside a small body", tail: concat(lengthPrefix(kind, 100), pattern(10)) },
    // 200 KiB is read straight into the frame's own buffer: a different path.
    { name: "inside a large body", tail: concat(lengthPrefix(kind, 200_000), pattern(100_000)) },
  ];
  if (kind === "ipc") cuts.unshift({ name: "right after the type byte", tail: new Uint8Array([0x01]) });

  for (const cut of cuts) {
    Deno.test(`${kind} listener keeps whole frames from a peer that hangs up ${cut.name}`, async () => {
      const { socket: pull, address } = await bound(patientRuntime, "pull", kind);
      let pusher: Socket | undefined;
      const raw = await RawConn.dial(address);
      try {
        pusher = await connectedPusher(patientRuntime, address);
        const writing = raw.write(concat(spHeader(PROTO.push), frame(kind, "one"), frame(kind, "two"), cut.tail));
        deepStrictEqual((await receiveMany(pull, 2)).map(text), ["one", "two"]);
        ok(await writing);
        await raw.shutdownWrite();
        await raw.waitClosed(PROMPT_MS, "hang-up");
        // A hang-up inside a frame is a protocol error, not a clean close.
        await statReaches(pull, "protocolErrors", 1);
        strictEqual(pull.stats.broken, 0);
        await assertNothingMore(pull);
        await assertPushReaches(pusher, pull);
        strictEqual(pull.stats.messagesReceived, 3);
      } finally {
        await closeAll(raw, pusher, pull);
      }
    });
  }

  Deno.test(`${kind} listener handles a hang-up at every byte offset of a greeting and a frame`, async () => {
    const stream = concat(spHeader(PROTO.push), frame(kind, "abc"));
    const { socket: pull, address } = await bound(patientRuntime, "pull", kind);
    try {
      for (let at = 0; at <= stream.length; at++) {
        const raw = await RawConn.dial(address);
        try {
          ok(await raw.write(stream.subarray(0, at)));
          await raw.shutdownWrite();
          await raw.waitClosed(PROMPT_MS, `hang-up at byte ${at}`);
          // Wait for this pipe to be fully gone before the next, so counts add up.
          await until(() => pull.stats.dropped + pull.stats.broken === at + 1, PROMPT_MS, `pipe ${at} accounted`);
        } finally {
          await raw.close();
        }
      }
      // Clean ends are only right after the greeting and right after the frame.
      strictEqual(pull.stats.broken, 2);
      strictEqual(pull.stats.protocolErrors, stream.length - 1);
      strictEqual(pull.stats.currentConnections, 0);
      deepStrictEqual(text(await within(pull.recv(), MESSAGE_MS, "recv")), "abc");
      await assertNothingMore(pull);
    } finally {
      await pull.close();
    }
  });

  Deno.test(`${kind} listener delivers hundreds of frames sent in one write, in order`, async () => {
    const { socket: pull, address } = await bound(patientRuntime, "pull", kind);
    const raw = await RawConn.dial(address);
    try {
      // Sizes from 0 up, with two frames larger than the reader's 64 KiB chunk, and
      // more bytes in total than RCVBUF so reading pauses and resumes on the way.
      const sizes = Array.from({ length: 600 }, (_, i) => (i * 37) % 701);
      sizes[100] = 100_000;
      sizes[400] = 70_000;
      const bodies = sizes.map((size, i) => pattern(size, i));
      const writing = raw.write(concat(spHeader(PROTO.push), ...bodies.map((b) => frame(kind, b))));
      const got = await receiveMany(pull, bodies.length);
      ok(await writing);
      for (let i = 0; i < bodies.length; i++) deepStrictEqual(got[i], bodies[i], `frame ${i}`);
      strictEqual(pull.stats.protocolErrors, 0);
      ok(!raw.closed);
    } finally {
      await closeAll(raw, pull);
    }
  });

  Deno.test(`${kind} listener reassembles a large frame split across many writes`, async () => {
    const { socket: pull, address } = await bound(patientRuntime, "pull", kind);
    const raw = await RawConn.dial(address);
    try {
      const body = pattern(150_000, 9);
      const bytes = concat(spHeader(PROTO.push), frame(kind, body), frame(kind, "tail"));
      // Odd sizes so that boundaries fall inside the header, the prefix and the body.
      const writing = raw.writeInPieces(bytes, [1, 2, 3, 5, 7, 11, 4093, 65_537, 13]);
      deepStrictEqual(await within(pull.recv(), MESSAGE_MS, "recv large"), body);
      deepStrictEqual(text(await within(pull.recv(), MESSAGE_MS, "recv tail")), "tail");
      ok(await writing);
      strictEqual(pull.stats.protocolErrors, 0);
    } finally {
      await closeAll(raw, pull);
    }
  });

  Deno.test(`${kind} listener reassembles small frames that arrive one byte per read`, async () => {
    const { socket: pull, address } = await bound(patientRuntime, "pull", kind);
    const raw = await RawConn.dial(address);
    try {
      ok(await raw.write(spHeader(PROTO.push)));
      const bytes = concat(frame(kind, "x"), frame(kind, ""), frame(kind, "yz"));
      // A pause after each byte so the receiver sees it as a read of its own.
      const writing = raw.writeInPieces(bytes, [1], 2);
      deepStrictEqual((await receiveMany(pull, 3)).map(text), ["x", "", "yz"]);
      ok(await writing);
      strictEqual(pull.stats.protocolErrors, 0);
    } finally {
      await closeAll(raw, pull);
    }
  });
}
