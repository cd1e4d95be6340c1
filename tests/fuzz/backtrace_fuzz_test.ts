/**
 * Fuzzes backtrace parsing (`src/routing/backtrace.ts`) and the protocols
 * that route by it: cooked REP/RESPONDENT (`Responder`) and raw REP as a
 * device runs it (`RawResponder`).
 *
 * - `splitBacktrace` agrees with a model written from sp-spec.md §2.5: the
 *   header ends at the first word with the high bit set, within `maxttl`
 *   words, and header ++ body is the payload; otherwise it is refused.
 * - Any request payload on any pipe: a well-formed one is answered on the
 *   pipe it came from with its backtrace unchanged, a malformed one is
 *   dropped and counted; only `SpError`s escape; after any amount of
 *   garbage the next well-formed request is still answered.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ManualClock } from "../../mod.ts";
import { defaultOptions } from "../../src/core/options.ts";
import type { PipeHandle, Protocol, ProtocolHost } from "../../src/core/protocol.ts";
import { splitBacktrace } from "../../src/routing/backtrace.ts";
import { RawResponder, Responder } from "../../src/routing/responder.ts";
import { check, fc, spErrorOf, wireBytes } from "./_fuzz.ts";

/** Where the model says the backtrace ends (bytes), or undefined. */
function modelHeaderEnd(payload: Uint8Array, maxWords: number): number | undefined {
  for (let w = 0; w < maxWords && (w + 1) * 4 <= payload.length; w++) {
    if (payload[w * 4]! >= 0x80) return (w + 1) * 4;
  }
  return undefined;
}

/** A backtrace-shaped payload: hop words, maybe a marked id word, then a body. */
const requestPayload: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(
    fc.array(fc.integer({ min: 0, max: 0x7fff_ffff }), { maxLength: 10 }),
    fc.option(fc.integer({ min: 0x8000_0000, max: 0xffff_ffff }), { freq: 4 }),
    wireBytes(12),
  ).map(([hops, id, body]) => {
    const words = id === null ? hops : [...hops, id];
    const out = new Uint8Array(words.length * 4 + body.length);
    const view = new DataView(out.buffer);
    words.forEach((w, i) => view.setUint32(i * 4, w));
    out.set(body, words.length * 4);
    return out;
  }),
  wireBytes(40),
);

Deno.test("fuzz backtrace: splitBacktrace agrees with the model", () => {
  check(
    "backtrace split",
    fc.property(requestPayload, fc.integer({ min: 0, max: 255 }), (payload, maxWords) => {
      const split = splitBacktrace(payload, maxWords);
      const end = modelHeaderEnd(payload, maxWords);
      if (end === undefined) {
        assert.equal(split, undefined);
        return;
      }
      assert.ok(split !== undefined);
      assert.deepEqual(split.header, payload.subarray(0, end));
      assert.deepEqual(split.body, payload.subarray(end));
    }),
    50_000,
  );
});

/** A pipe that records what is sent to it and hands out queued payloads. */
class FakePipe implements PipeHandle {
  readonly id: number;
  readonly sendPriority = 8;
  readonly recvPriority = 8;
  writable = true;
  data: unknown = undefined;
  readonly inbox: Uint8Array[] = [];
  readonly sent: { body: Uint8Array; header: Uint8Array | undefined }[] = [];

  constructor(id: number) {
    this.id = id;
  }

  get readable(): boolean {
    return this.inbox.length > 0;
  }

  send(body: Uint8Array, header?: Uint8Array): void {
    this.sent.push({ body, header });
  }

  recv(): Uint8Array | undefined {
    return this.inbox.shift();
  }
}

function host(maxttl: number): ProtocolHost & { drops: number } {
  const options = { ...defaultOptions("fuzz"), maxttl };
  const h = {
    drops: 0,
    readable: () => {},
    writable: () => {},
    options,
    raw: false,
    clock: new ManualClock(),
    dropped: () => h.drops++,
    startMachine: () => {
      throw new Error("the cooked and raw responders run no machines");
    },
  };
  return h;
}

/** Delivers `payload` to `pipe` as the socket would. */
function arrive(protocol: Protocol, pipe: FakePipe, payload: Uint8Array): void {
  pipe.inbox.push(payload);
  if (pipe.inbox.length === 1) protocol.pipeReadable(pipe);
}

/** Hands each arrival to `protocol` on its pipe, yielding it with where the model says its backtrace ends. */
function* deliver(
  protocol: Protocol,
  pipes: FakePipe[],
  arrivals: [number, Uint8Array][],
  maxttl: number,
): Generator<{ pipe: FakePipe; payload: Uint8Array; end: number | undefined }> {
  for (const [which, payload] of arrivals) {
    const pipe = pipes[which]!;
    arrive(protocol, pipe, payload);
    yield { pipe, payload, end: modelHeaderEnd(payload, maxttl) };
  }
}

const traffic = fc.array(fc.tuple(fc.nat(2), requestPayload), { minLength: 1, maxLength: 8 });
const ttl = fc.integer({ min: 1, max: 12 });

Deno.test("fuzz REP/RESPONDENT: replies follow the backtrace, garbage is dropped and counted", () => {
  check(
    "cooked responder",
    fc.property(traffic, ttl, (arrivals, maxttl) => {
      const h = host(maxttl);
      const rep = new Responder(h, "request");
      const pipes = [new FakePipe(1), new FakePipe(2), new FakePipe(3)];
      for (const p of pipes) rep.addPipe(p);
      const expected: { pipe: FakePipe; header: Uint8Array; body: Uint8Array }[] = [];
      let malformed = 0;
      for (const { pipe, payload, end } of deliver(rep, pipes, arrivals, maxttl)) {
        if (end === undefined) malformed++;
        else expected.push({ pipe, header: payload.subarray(0, end), body: payload.subarray(end) });
        // Answer everything that can be received now, echoing the body.
        for (;;) {
          let body: Uint8Array | undefined;
          assert.equal(spErrorOf(() => body = rep.tryRecv()), undefined);
          if (body === undefined) break;
          rep.trySend(body);
        }
      }
      assert.equal(h.drops, malformed);
      const replies = pipes.flatMap((p) => p.sent.map((s) => ({ pipe: p, ...s })));
      assert.equal(replies.length, expected.length);
      for (const e of expected) {
        const i = replies.findIndex((r) =>
          r.pipe === e.pipe && equalBytes(r.body, e.body) && equalBytes(r.header!, e.header)
        );
        assert.ok(i >= 0, "a well-formed request got no reply on its own pipe");
        replies.splice(i, 1);
      }
      // A reply with nothing to answer is EFSM, typed.
      assert.match(spErrorOf(() => rep.trySend(new Uint8Array(1)))?.message ?? "", /^EFSM:/);
    }),
    50_000,
  );
});

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

Deno.test("fuzz raw REP (device): recvmsg → sendmsg routes every well-formed request back to its pipe", () => {
  check(
    "raw responder",
    fc.property(traffic, ttl, wireBytes(12), (arrivals, maxttl, junkHeader) => {
      const h = host(maxttl);
      const rep = new RawResponder(h);
      const pipes = [new FakePipe(7), new FakePipe(0x8000_0009), new FakePipe(11)];
      for (const p of pipes) rep.addPipe(p);
      let wellFormed = 0;
      let malformed = 0;
      for (const { end } of deliver(rep, pipes, arrivals, maxttl)) {
        if (end === undefined) malformed++;
        else wellFormed++;
        for (;;) {
          const msg = rep.tryRecvMsg();
          if (msg === undefined) break;
          // The device forwards it and the reply comes back with the same header.
          rep.trySendMsg(msg);
        }
      }
      assert.equal(h.drops, malformed);
      const sent = pipes.reduce((n, p) => n + p.sent.length, 0);
      assert.equal(sent, wellFormed);
      for (const p of pipes) {
        for (const s of p.sent) assert.equal(modelHeaderEnd(s.header!, maxttl), s.header!.length);
      }
      // A reply with a header naming no pipe is dropped, not thrown.
      const before = h.drops;
      assert.equal(spErrorOf(() => rep.trySendMsg({ header: junkHeader, body: new Uint8Array(0) })), undefined);
      const routed = junkHeader.length >= 4 &&
        pipes.some((p) => (p.id & 0x7fff_ffff) === new DataView(junkHeader.buffer).getUint32(0));
      assert.equal(h.drops, before + (routed ? 0 : 1));
    }),
    50_000,
  );
});
