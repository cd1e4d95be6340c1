/**
 * device(): forwarding between raw sockets, loopback, argument checks and
 * a clean end when a socket closes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { AF_SP, AF_SP_RAW, device, isSpError, NN_PAIR, NN_PULL, NN_PUSH, socket } from "../../mod.ts";
import { text } from "../_helpers.ts";

Deno.test("device() joins a raw PULL front end to a raw PUSH back end", async () => {
  const front = socket(AF_SP_RAW, NN_PULL);
  const back = socket(AF_SP_RAW, NN_PUSH);
  await using producer = socket(AF_SP, NN_PUSH);
  await using consumer = socket(AF_SP, NN_PULL);
  await front.bind("inproc://device-front");
  await back.bind("inproc://device-back");
  producer.connect("inproc://device-front");
  consumer.connect("inproc://device-back");
  const running = device(front, back);
  for (let i = 0; i < 3; i++) await producer.send(`job ${i}`);
  for (let i = 0; i < 3; i++) assert.equal(text(await consumer.recv()), `job ${i}`);
  await front.close();
  await running; // ends cleanly when a socket closes
  await back.close();
});

Deno.test("device() forwards both ways between raw PAIR sockets", async () => {
  const left = socket(AF_SP_RAW, NN_PAIR);
  const right = socket(AF_SP_RAW, NN_PAIR);
  await using a = socket(AF_SP, NN_PAIR);
  await using b = socket(AF_SP, NN_PAIR);
  await left.bind("inproc://device-left");
  await right.bind("inproc://device-right");
  a.connect("inproc://device-left");
  b.connect("inproc://device-right");
  const running = device(left, right);
  await a.send("to b");
  assert.equal(text(await b.recv()), "to b");
  await b.send("to a");
  assert.equal(text(await a.recv()), "to a");
  await right.close();
  await running;
  await left.close();
});

Deno.test("device() refuses cooked sockets and protocols that do not face each other", async () => {
  await using cooked = socket(AF_SP, NN_PAIR);
  await using raw = socket(AF_SP_RAW, NN_PAIR);
  await using push = socket(AF_SP_RAW, NN_PUSH);
  await using push2 = socket(AF_SP_RAW, NN_PUSH);
  const invalid = (e: unknown) => isSpError(e, "EINVAL");
  await assert.rejects(device(cooked, raw), invalid);
  await assert.rejects(device(raw, push), invalid);
  await assert.rejects(device(push, push2), invalid);
  await assert.rejects(device(push, null), invalid);
});
