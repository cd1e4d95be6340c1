/**
 * The soak (`deno task soak`): all six patterns at load for 10 minutes
 * (SOAK_SECONDS) in this process, each dialing a peer process on
 * loopback that is killed with SIGKILL and restarted at random moments.
 * Every 30 s it samples this process's RSS and heap and each pattern's
 * deliveries; at the end it prints the curve as a table and fails (exit
 * 1) on an RSS slope of 1% per minute or more (fitted after the first two
 * minutes), on a pattern that delivered nothing for a whole interval
 * while its peer was up (a stuck socket), on an error, or on a peer
 * process that ended without being killed (a crash).
 *
 * @module
 */

import { isSpError, NN_REQ, NN_REQ_RESEND_IVL, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, openSocket } from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { body, type Pattern, PATTERNS } from "./_fault_side.ts";

const SECONDS = Number(Deno.env.get("SOAK_SECONDS") ?? 600);
const SAMPLE_MS = Math.min(30_000, (SECONDS * 1000) / 10);
const WARMUP_MS = Math.min(120_000, (SECONDS * 1000) / 5);
const SIDE = new URL("./_fault_side.ts", import.meta.url).pathname;
const MiB = 2 ** 20;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Lane {
  pattern: Pattern;
  url: string;
  socket: Socket;
  peer: Deno.ChildProcess | undefined;
  peerUpSince: number;
  delivered: number;
  restarts: number;
  errors: string[];
  /** Peer processes that ended without being killed (a crash, or a failure to start). */
  crashes: string[];
}

function startPeer(lane: Lane): void {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SIDE, "peer", lane.pattern, lane.url, "0"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  lane.peer = child;
  lane.peerUpSince = Date.now();
  let stderr = "";
  (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr = (stderr + chunk).slice(-2000);
  })().catch(() => {});
  child.status.then((status) => {
    if (lane.peer === child && status.signal !== "SIGKILL") {
      lane.crashes.push(`${lane.pattern} peer exited on its own (${status.code}): ${stderr.trim()}`);
    }
  });
  (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) if (line.startsWith("r ")) lane.delivered++;
    }
  })().catch(() => {});
}

async function killPeer(lane: Lane): Promise<void> {
  const child = lane.peer;
  if (child === undefined) return;
  lane.peer = undefined;
  try {
    child.kill("SIGKILL");
  } catch { /* exited */ }
  await child.status;
}

/** Drives one pattern until `end`: paced one-way sends, or request/survey round trips. */
async function drive(lane: Lane, end: number): Promise<void> {
  const { socket, pattern } = lane;
  let n = 0;
  while (Date.now() < end) {
    try {
      if (pattern === "reqrep") {
        await socket.send(body(++n));
        await socket.recv({ timeout: 30_000 });
        await sleep(1);
      } else if (pattern === "survey") {
        await socket.send(body(++n));
        for (;;) {
          try {
            await socket.recv({ timeout: 5_000 });
          } catch (err) {
            if (isSpError(err, "ETIMEDOUT")) break;
            throw err;
          }
        }
      } else {
        for (let i = 0; i < 4; i++) await socket.send(body(++n), { timeout: 2_000 });
        await sleep(4);
      }
    } catch (err) {
      if (isSpError(err, "ETIMEDOUT") && pattern !== "reqrep") continue; // PUSH/PAIR with the peer down
      lane.errors.push(String(err));
      if (lane.errors.length > 20) return;
    }
  }
}

const lanes: Lane[] = [];
for (const pattern of Object.keys(PATTERNS) as Pattern[]) {
  const url = `tcp://127.0.0.1:${freePort()}`;
  const socket = openSocket(PATTERNS[pattern].driver, { options: { reconnectIvl: 100, reconnectIvlMax: 1_000 } });
  if (pattern === "reqrep") socket.setsockopt(NN_REQ, NN_REQ_RESEND_IVL, 1_000);
  if (pattern === "survey") socket.setsockopt(NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 300);
  const lane: Lane = {
    pattern,
    url,
    socket,
    peer: undefined,
    peerUpSince: 0,
    delivered: 0,
    restarts: 0,
    errors: [],
    crashes: [],
  };
  startPeer(lane);
  socket.connect(url);
  lanes.push(lane);
}

const started = Date.now();
const end = started + SECONDS * 1000;
const drivers = lanes.map((lane) => drive(lane, end));

// Random peer restarts: every 2–10 s one peer dies and comes back.
const chaos = (async () => {
  while (Date.now() < end - 5_000) {
    await sleep(2_000 + Math.random() * 8_000);
    const lane = lanes[Math.floor(Math.random() * lanes.length)]!;
    await killPeer(lane);
    lane.restarts++;
    startPeer(lane);
  }
})();

interface Sample {
  atS: number;
  rssMiB: number;
  heapMiB: number;
  externalMiB: number;
  delivered: number[];
}
const samples: Sample[] = [];
const stuck: string[] = [];
let previous = lanes.map(() => 0);
while (Date.now() < end) {
  await sleep(Math.min(SAMPLE_MS, Math.max(0, end - Date.now())));
  const memory = Deno.memoryUsage();
  const delivered = lanes.map((l) => l.delivered);
  samples.push({
    atS: Math.round((Date.now() - started) / 1000),
    rssMiB: memory.rss / MiB,
    heapMiB: memory.heapUsed / MiB,
    externalMiB: memory.external / MiB,
    delivered,
  });
  lanes.forEach((lane, i) => {
    const upFor = Date.now() - lane.peerUpSince;
    if (delivered[i] === previous[i] && upFor > 10_000) {
      stuck.push(`${lane.pattern} delivered nothing in the ${samples.length}th interval (peer up ${upFor} ms)`);
    }
  });
  previous = delivered;
}
await Promise.all(drivers);
await chaos;
for (const lane of lanes) {
  await lane.socket.close().catch(() => {});
  await killPeer(lane);
}

// Least-squares slope of RSS over the samples after the warm-up, relative to their mean.
const settled = samples.filter((s) => s.atS * 1000 >= WARMUP_MS);
const meanT = settled.reduce((a, s) => a + s.atS, 0) / settled.length;
const meanR = settled.reduce((a, s) => a + s.rssMiB, 0) / settled.length;
const slope = settled.reduce((a, s) => a + (s.atS - meanT) * (s.rssMiB - meanR), 0) /
  settled.reduce((a, s) => a + (s.atS - meanT) ** 2, 0);
const percentPerMinute = (slope * 60 / meanR) * 100;

console.log(
  `| t (s) | RSS (MiB) | heap (MiB) | external (MiB) | ${lanes.map((l) => `${l.pattern} delivered`).join(" | ")} |`,
);
console.log(`|---:|---:|---:|---:|${lanes.map(() => "---:").join("|")}|`);
for (const s of samples) {
  console.log(
    `| ${s.atS} | ${s.rssMiB.toFixed(1)} | ${s.heapMiB.toFixed(1)} | ${s.externalMiB.toFixed(1)} | ${
      s.delivered.join(" | ")
    } |`,
  );
}
console.log(
  `\nsoak: ${SECONDS} s, ${lanes.reduce((a, l) => a + l.restarts, 0)} peer restarts ` +
    `(${lanes.map((l) => `${l.pattern} ${l.restarts}`).join(", ")}); RSS slope after warm-up ` +
    `${percentPerMinute.toFixed(2)}% per minute; stuck intervals ${stuck.length}; errors ` +
    `${lanes.reduce((a, l) => a + l.errors.length, 0)}; peer crashes ${
      lanes.reduce((a, l) => a + l.crashes.length, 0)
    }`,
);
const failures = [
  ...(percentPerMinute >= 1 ? [`RSS grows ${percentPerMinute.toFixed(2)}% per minute`] : []),
  ...stuck,
  ...lanes.flatMap((l) => l.errors.map((e) => `${l.pattern}: ${e}`)),
  ...lanes.flatMap((l) => l.crashes),
];
if (failures.length > 0) {
  console.error(`soak FAILED:\n${failures.slice(0, 20).join("\n")}`);
  Deno.exit(1);
}
Deno.exit(0);
