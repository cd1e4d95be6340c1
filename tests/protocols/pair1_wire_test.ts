/**
 * PAIR v1 on the wire, against raw stream peers writing and reading bytes
 * written from sp-spec.md §1 and §2.3 (exp3's `00 00 00 01 68 69 31` =
 * hop 1 + "hi1"): our SP header, the hop count we send cooked and raw, and
 * hostile hop counts dropped and counted with the connection kept.
 *
 * @module
 */

import assert from "node:assert/strict";
import { AF_SP, AF_SP_RAW, isSpError, NN_DONTWAIT, registerBuiltins, Runtime, type Socket } from "../../mod.ts";
import { concat, frame, freshAddress, RawConn, RawListener, spHeader, STREAM_KINDS } from "../bad_input/_raw_peer.ts";
import { assertBytesEqual, text, until, within } from "../_helpers.ts";

const MS = 2_000;
const PAIR1 = 0x11;
const runtime = registerBuiltins(new Runtime());

/** Bytes from a hex dump such as "00 00 00 01". */
function hex(dump: string): Uint8Array {
  return new Uint8Array(dump.trim().split(/\s+/).map((b) => parseInt(b, 16)));
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function open(raw = false): Socket {
  return runtime.socket("pair1", { domain: raw ? AF_SP_RAW : AF_SP, options: { linger: 0 } });
}

async function receivedAtLeast(conn: RawConn, n: number, label: string): Promise<Uint8Array> {
  await until(() => conn.received.length >= n, MS, label);
  return conn.received;
}

for (const kind of STREAM_KINDS) {
  Deno.test(`pair1 on ${kind} announces 0x11 and sends exp3's golden frame: hop 1 + "hi1"`, async () => {
    const listener = new RawListener(kind);
    const ours = open();
    try {
      ours.connect(listener.address.url);
      const peer = await listener.accept(MS, "pair1 dials the raw peer");
      assert.ok(await peer.write(spHeader(PAIR1)));
      await ours.send("hi1");
      const golden = kind === "ipc"
        ? hex("01 00 00 00 00 00 00 00 07 00 00 00 01 68 69 31")
        : hex("00 00 00 00 00 00 00 07 00 00 00 01 68 69 31");
      const wire = await receivedAtLeast(peer, 8 + golden.length, "header and frame");
      assertBytesEqual(wire, concat(hex("00 53 50 00 00 11 00 00"), golden), "what pair1 wrote");
    } finally {
      await ours.close();
      await listener.close();
    }
  });
}

Deno.test("raw pair1 puts the header's hop count plus one on the wire", async () => {
  const listener = new RawListener("tcp");
  const ours = open(true);
  try {
    ours.connect(listener.address.url);
    const peer = await listener.accept(MS, "raw pair1 dials");
    assert.ok(await peer.write(spHeader(PAIR1)));
    await ours.sendmsg({ header: hex("00 00 00 04"), body: "fwd" });
    const wire = await receivedAtLeast(peer, 8 + 15, "header and frame");
    assertBytesEqual(wire.subarray(8), hex("00 00 00 00 00 00 00 07 00 00 00 05 66 77 64"), "the forwarded frame");
  } finally {
    await ours.close();
    await listener.close();
  }
});

Deno.test("pair1 drops hop counts above NN_MAXTTL and malformed messages, counted, and keeps the connection", async () => {
  const address = freshAddress("tcp");
  const ours = open(true);
  await ours.bind(address.url);
  const peer = await RawConn.dial(address);
  try {
    assert.ok(await peer.write(spHeader(PAIR1)));
    await until(() => ours.stats.currentConnections === 1, MS, "our socket attached the raw peer");
    const frames = [
      ["00 00 00 01", "a"], // delivered
      ["00 00 00 08", "b"], // delivered: the default NN_MAXTTL is 8
      ["00 00 00 09", "c"], // one hop too many: dropped
      ["00 00 01 00", "d"], // above 0xFF: malformed
      ["00 00 00", ""], // shorter than the hop count: malformed
      ["ff ff ff ff", "e"], // malformed
      ["00 00 00 00", "f"], // zero hops is well-formed
    ] as const;
    assert.ok(await peer.write(concat(...frames.map(([hops, body]) => frame("tcp", concat(hex(hops), utf8(body)))))));
    const received: string[] = [];
    const headers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const message = await within(ours.recvmsg(), MS, `message ${i}`);
      received.push(text(message.body));
      headers.push([...message.header].join(" "));
    }
    assert.deepEqual(received, ["a", "b", "f"]);
    assert.deepEqual(headers, ["0 0 0 1", "0 0 0 8", "0 0 0 0"], "raw recvmsg shows the hop count as it arrived");
    assert.equal(ours.stats.messagesDropped, 4);
    assert.equal(ours.stats.currentConnections, 1);
    assert.equal(peer.closed, false);
    await assert.rejects(ours.recv(NN_DONTWAIT), (e) => isSpError(e, "EAGAIN"));
  } finally {
    await ours.close();
    await peer.close();
  }
});
