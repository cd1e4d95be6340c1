/**
 * Microbenchmarks of the routing utilities: the load balancer (PUSH, and
 * later REQ) and the fair queue (PULL, PAIR's receive side), over fake
 * pipes that do nothing, so only the choosing of pipes is timed.
 *
 * Run: `deno bench bench/routing_bench.ts`
 *
 * @module
 */

import type { PipeHandle } from "../src/core/protocol.ts";
import { FairQueue } from "../src/routing/fair_queue.ts";
import { LoadBalancer } from "../src/routing/load_balancer.ts";
import { PriorityList } from "../src/routing/priority_list.ts";

const PAYLOAD = new Uint8Array(64);

/** A pipe that always takes messages and always has one waiting. */
function fakePipe(id: number, priority = 8): PipeHandle {
  return {
    id,
    sendPriority: priority,
    recvPriority: priority,
    writable: true,
    readable: true,
    send() {},
    recv: () => PAYLOAD,
    data: undefined,
  };
}

const MESSAGES = 1000;

for (const pipes of [1, 10, 100]) {
  const lb = new LoadBalancer();
  for (let i = 0; i < pipes; i++) lb.add(fakePipe(i));
  Deno.bench({
    name: `load balancer: ${MESSAGES} sends over ${pipes} pipe(s)`,
    group: "load balancer",
    baseline: pipes === 1,
    fn: () => {
      for (let i = 0; i < MESSAGES; i++) lb.send(PAYLOAD);
    },
  });
}

for (const pipes of [1, 10, 100]) {
  const fq = new FairQueue();
  for (let i = 0; i < pipes; i++) fq.add(fakePipe(i));
  Deno.bench({
    name: `fair queue: ${MESSAGES} receives over ${pipes} pipe(s)`,
    group: "fair queue",
    baseline: pipes === 1,
    fn: () => {
      for (let i = 0; i < MESSAGES; i++) fq.recv();
    },
  });
}

// The common per-message pattern on a real pipe: it turns readable, one
// message is taken, it turns unreadable (FairQueue.readable → recv → remove).
{
  const fq = new FairQueue();
  let waiting = false;
  const pipe: PipeHandle = {
    ...fakePipe(1),
    get readable() {
      return waiting;
    },
    recv: () => {
      waiting = false;
      return PAYLOAD;
    },
  };
  fq.add(pipe);
  Deno.bench({
    name: `fair queue: ${MESSAGES} × (readable → recv → idle) on one pipe`,
    group: "fair queue churn",
    fn: () => {
      for (let i = 0; i < MESSAGES; i++) {
        waiting = true;
        fq.readable(pipe);
        fq.recv();
      }
    },
  });
}

// Pipes joining and leaving (priority list add/remove), e.g. reconnect storms.
{
  const list = new PriorityList<PipeHandle>();
  const pipes = Array.from({ length: 100 }, (_, i) => fakePipe(i, 1 + (i % 16)));
  Deno.bench({
    name: "priority list: add then remove 100 pipes over 16 priorities",
    group: "priority list",
    fn: () => {
      for (const p of pipes) list.add(p, p.sendPriority);
      for (const p of pipes) list.remove(p);
    },
  });
}
