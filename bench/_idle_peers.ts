/**
 * Holds many idle SP connections open for `pipe_costs.ts`: connects `<n>`
 * plain sockets to `<url>` (tcp or ipc), sends each a PUSH greeting, reads
 * the listener's, prints `ready` and keeps them open until stdin closes.
 * Plain sockets, not our library: only the listener's side is measured,
 * and the peers should cost as little as possible.
 *
 * Usage: `deno run --allow-net --allow-read --allow-write bench/_idle_peers.ts <url> <n>`
 *
 * @module
 */

const PUSH_GREETING = Uint8Array.of(0, 0x53, 0x50, 0, 0, 0x50, 0, 0);
/** Connections opened at once. */
const WAVE = 100;

async function connect(url: string): Promise<Deno.Conn> {
  if (url.startsWith("ipc://")) return await Deno.connect({ transport: "unix", path: url.slice("ipc://".length) });
  const { hostname, port } = new URL(url.replace(/^tcp:/, "http:"));
  return await Deno.connect({ hostname, port: Number(port) });
}

async function readExactly(conn: Deno.Conn, n: number): Promise<void> {
  const buffer = new Uint8Array(n);
  for (let got = 0; got < n;) {
    const read = await conn.read(buffer.subarray(got));
    if (read === null) throw new Error("the listener closed a connection during the greeting");
    got += read;
  }
}

async function open(url: string): Promise<Deno.Conn> {
  const conn = await connect(url);
  await conn.write(PUSH_GREETING);
  await readExactly(conn, PUSH_GREETING.length);
  return conn;
}

if (import.meta.main) {
  const [url, countText] = Deno.args;
  const n = Number(countText);
  if (url === undefined || !(n >= 1)) {
    console.error("usage: _idle_peers.ts <url> <n>");
    Deno.exit(2);
  }
  const conns: Deno.Conn[] = [];
  for (let at = 0; at < n; at += WAVE) {
    const wave = Array.from({ length: Math.min(WAVE, n - at) }, () => open(url));
    conns.push(...await Promise.all(wave));
  }
  console.log("ready");
  // Stay until the parent closes stdin (or kills us).
  for await (const _ of Deno.stdin.readable) { /* nothing to read */ }
  for (const conn of conns) conn.close();
}
