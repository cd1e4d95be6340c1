/**
 * Half-open flood (the CVE-2020-15166 class): opens COUNT tcp connections
 * to PORT on 127.0.0.1 that send 0–7 bytes of an SP header and then
 * nothing, holds each until the server closes it, and prints one JSON
 * line: how many were opened, how many the server closed, the longest
 * any lived, and how many were still open at the deadline. Bounded: it
 * stops waiting after DEADLINE_MS and closes whatever is left.
 *
 * Usage: `deno run --allow-net tests/faults/_flooder.ts PORT COUNT DEADLINE_MS`
 *
 * @module
 */

const port = Number(Deno.args[0]);
const count = Number(Deno.args[1] ?? 1_000);
const deadlineMs = Number(Deno.args[2] ?? 60_000);
const CONCURRENT_DIALS = 200;
const HEADER = [0x00, 0x53, 0x50, 0x00, 0x00, 0x50, 0x00, 0x00];

const started = Date.now();
const lifetimes: number[] = [];
const open = new Set<Deno.Conn>();
let opened = 0;
let refused = 0;
const waits: Promise<void>[] = [];

async function hold(i: number): Promise<void> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    refused++;
    return;
  }
  opened++;
  open.add(conn);
  const t0 = Date.now();
  waits.push((async () => {
    try {
      const partial = HEADER.slice(0, i % 8);
      if (partial.length > 0) await conn.write(Uint8Array.from(partial));
      const buffer = new Uint8Array(64);
      // The server sends its own header first; then it must close on us.
      while ((await conn.read(buffer)) !== null);
    } catch { /* reset by the server: closed too */ }
    if (open.delete(conn)) lifetimes.push(Date.now() - t0);
    try {
      conn.close();
    } catch { /* closed */ }
  })());
}

for (let i = 0; i < count; i += CONCURRENT_DIALS) {
  const batch: Promise<void>[] = [];
  for (let j = i; j < Math.min(count, i + CONCURRENT_DIALS); j++) batch.push(hold(j));
  await Promise.all(batch);
}
const dialedMs = Date.now() - started;
const timeout = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, deadlineMs - (Date.now() - started))));
await Promise.race([Promise.all(waits), timeout]);
const stillOpen = open.size;
for (const conn of open) {
  try {
    conn.close();
  } catch { /* closed */ }
}
console.log(JSON.stringify({
  opened,
  refused,
  closedByServer: lifetimes.length,
  stillOpen,
  longestMs: Math.max(0, ...lifetimes),
  dialedMs,
  totalMs: Date.now() - started,
}));
Deno.exit(0);
