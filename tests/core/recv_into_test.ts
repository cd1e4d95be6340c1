/**
 * `recv({ into })`: a message that fits lands in the caller's buffer and
 * its memory goes back to the transport; a larger one comes whole; the
 * option is checked; and a protocol keeps nothing of a payload it handed
 * out once that memory is reused (REP's backtrace).
 */

import assert from "node:assert/strict";
import { isSpError, ManualClock, openSocket, registerBuiltins, Runtime } from "../../mod.ts";
import { lendMemory } from "../../src/core/received_memory.ts";
import { MockTransport, settle } from "./_mock_transport.ts";

Deno.test("recv into: a message that fits is copied into the buffer and returned as a view of it", async () => {
  await using a = openSocket("pair"), b = openSocket("pair");
  await a.bind("inproc://recv-into-fits");
  await b.connect("inproc://recv-into-fits");
  const into = new Uint8Array(10).fill(0xee);
  await b.send(new Uint8Array([1, 2, 3]));
  const received = await a.recv({ into });
  assert.equal(received.buffer, into.buffer);
  assert.deepEqual(received, new Uint8Array([1, 2, 3]));
  assert.deepEqual(into.subarray(0, 4), new Uint8Array([1, 2, 3, 0xee]));
  await b.send(new Uint8Array(10).fill(4));
  assert.equal(await a.recv({ into }), into, "an exact fit is the buffer itself");
});

Deno.test("recv into: a message larger than the buffer comes whole in its own memory; the buffer is untouched", async () => {
  await using a = openSocket("pair"), b = openSocket("pair");
  await a.bind("inproc://recv-into-large");
  await b.connect("inproc://recv-into-large");
  const into = new Uint8Array(4).fill(0xee);
  await b.send(new Uint8Array([1, 2, 3, 4, 5]));
  const received = await a.recv({ into });
  assert.notEqual(received.buffer, into.buffer);
  assert.deepEqual(received, new Uint8Array([1, 2, 3, 4, 5]));
  assert.deepEqual(into, new Uint8Array(4).fill(0xee));
});

Deno.test("recv into: a receive that waits fills the buffer when the message comes", async () => {
  await using a = openSocket("pair", { options: { rcvtimeo: 5000 } }), b = openSocket("pair");
  await a.bind("inproc://recv-into-wait");
  await b.connect("inproc://recv-into-wait");
  const into = new Uint8Array(8);
  const receiving = a.recv({ into });
  await settle();
  await b.send("late");
  const received = await receiving;
  assert.equal(received.buffer, into.buffer);
  assert.equal(new TextDecoder().decode(received), "late");
});

Deno.test("recv into: a buffer that is not a Uint8Array, or into on recvmsg, is EINVAL", async () => {
  await using a = openSocket("pair");
  await assert.rejects(a.recv({ into: [1, 2] as unknown as Uint8Array, dontwait: true }), (err) => {
    assert.ok(isSpError(err, "EINVAL"));
    assert.match(err.message, /into must be a Uint8Array/);
    return true;
  });
  await assert.rejects(
    a.recvmsg({ into: new Uint8Array(4) } as unknown as Parameters<typeof a.recvmsg>[0]),
    (err) => isSpError(err, "EINVAL") && /recvmsg/.test(err.message),
  );
});

Deno.test("recv into: REP answers by a backtrace of its own, not by the memory it gave back", async () => {
  const clock = new ManualClock();
  const runtime = registerBuiltins(new Runtime({ clock }));
  const mock = new MockTransport(clock, 0x30); // the peer is a REQ
  runtime.registerTransport(mock);
  const rep = runtime.socket("rep", { options: { linger: 0 } });
  await rep.bind("mock://here");
  await settle();
  const conn = mock.incoming();
  await settle();
  await settle();
  // A transport that reads into memory again the moment it is given back.
  const chunk = new Uint8Array(64);
  chunk.set([0x80, 0, 0, 7, 104, 105]); // request id 0x80000007, body "hi"
  lendMemory(chunk.buffer, { givenBack: () => chunk.fill(0x55) });
  conn.sink!.message(chunk.subarray(0, 6));
  const into = new Uint8Array(16);
  const request = await rep.recv({ into, dontwait: true });
  assert.equal(new TextDecoder().decode(request), "hi");
  assert.ok(chunk.every((b) => b === 0x55), "the memory was given back and reused");
  await rep.send("answer");
  assert.deepEqual(conn.sentHeaders.at(-1), new Uint8Array([0x80, 0, 0, 7]));
  await rep.close();
});
