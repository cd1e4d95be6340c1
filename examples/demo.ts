/**
 * The demo: PAIR and PUSH/PULL over inproc and over a loopback tcp port it
 * picks itself, with a short transcript of each. Run it with
 * `deno task demo`.
 *
 * @module
 */

import { openSocket, type Socket } from "../mod.ts";

const decoder = new TextDecoder();
const say = (line: string) => console.log(line);

/** A tcp port that is free right now on 127.0.0.1. */
function pickPort(): number {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  return port;
}

async function pair(url: string): Promise<void> {
  say(`\n== PAIR over ${url}`);
  await using node1 = openSocket("pair");
  await using node2 = openSocket("pair");
  await node1.bind(url);
  node2.connect(url);
  for (let round = 1; round <= 2; round++) {
    await node2.send(`Node2 round ${round}`);
    say(`[Node1] received ${decoder.decode(await node1.recv())}`);
    await node1.send(`Node1 round ${round}`);
    say(`[Node2] received ${decoder.decode(await node2.recv())}`);
  }
}

async function pipeline(url: string): Promise<void> {
  say(`\n== PUSH/PULL over ${url}: one producer, two consumers, round-robin`);
  await using producer = openSocket("push");
  const consumers: Socket[] = [openSocket("pull"), openSocket("pull")];
  try {
    await producer.bind(url);
    for (const c of consumers) c.connect(url);
    while (producer.stats.currentConnections < consumers.length) await new Promise((r) => setTimeout(r, 5));
    for (let i = 1; i <= 4; i++) {
      await producer.send(`task ${i}`);
      say(`[Producer] send "task ${i}"`);
    }
    for (const [n, c] of consumers.entries()) {
      for (let i = 0; i < 2; i++) say(`[Consumer ${n + 1}] receive "${decoder.decode(await c.recv())}"`);
    }
  } finally {
    for (const c of consumers) await c.close();
  }
}

const tcp = `tcp://127.0.0.1:${pickPort()}`;
await pair("inproc://demo-pair");
await pair(tcp);
await pipeline("inproc://demo-pipeline");
await pipeline(`tcp://127.0.0.1:${pickPort()}`);
say("\nAll patterns ran; every socket closed cleanly.");
