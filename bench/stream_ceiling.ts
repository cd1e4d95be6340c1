/**
 * The runtime's ceiling for stream transports: length-prefixed records
 * (an 8-byte big-endian length, then the payload, as on SP's tcp mapping)
 * over loopback tcp and a unix socket with no SP at all, between two Deno
 * processes, next to libnanomsg's perf tools on the same addresses. What
 * our tcp and ipc transports can reach is bounded by these numbers.
 *
 * Receivers, for each API:
 * - `deno`: `Deno.Conn.read` into one reused 256 KiB buffer; records are
 *   counted, never handed out (the bare ceiling);
 * - `deno-fresh`: the same reads, but every record lands in memory of its
 *   own that was never read into before, as a library must hand each
 *   message out in a buffer the caller may keep (a new buffer holding
 *   whole records each time the last one is full, as our frame decoder does);
 * - `node`: `node:net` sockets and their `data` events (fresh buffers too).
 *
 * Senders write each record with one write and wait for it (`deno`), or
 * write and wait for `drain` when the socket asks to (`node`). Latency is
 * one-way (round trip / 2) with Nagle off, measured as nanomsg's
 * `remote_lat` does.
 *
 * Usage:
 *   `deno run -A bench/stream_ceiling.ts [--sizes 16384,65536,1048576] [--reps 3] [--latency-max 65536]`
 *
 * The roles it runs itself in child processes:
 *   `deno run -A bench/stream_ceiling.ts --role recv|send|echo|time --api deno|deno-fresh|node --addr tcp:PORT|unix:PATH --size N --count N`
 *
 * @module
 */

import * as net from "node:net";
import { C_BUILD_DIR, freeIpcPath, freePort, median, parseReport, waitBound } from "./_procs.ts";

/** How a side reads and writes. */
type Api = "deno" | "deno-fresh" | "node";
const APIS: readonly Api[] = ["deno", "deno-fresh", "node"];
/** The read buffer of the `deno` receivers (and the size a fresh one holds records up to). */
const READ_SIZE = 256 * 1024;
const PREFIX = 8;

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** One record as it goes on the wire: its length, then `size` bytes of 'o'. */
function record(size: number): Uint8Array {
  const bytes = new Uint8Array(PREFIX + size).fill(111);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(size));
  return bytes;
}

/** Counts whole records in a byte stream whose reads may split them anywhere, reading each length prefix. */
class RecordCounter {
  records = 0;
  readonly #prefix = new Uint8Array(PREFIX);
  #prefixSeen = 0;
  #bodyLeft = 0;

  feed(bytes: Uint8Array, length: number): void {
    let i = 0;
    while (i < length) {
      if (this.#bodyLeft > 0) {
        const take = Math.min(this.#bodyLeft, length - i);
        this.#bodyLeft -= take;
        i += take;
        if (this.#bodyLeft === 0) this.records++;
        continue;
      }
      const take = Math.min(PREFIX - this.#prefixSeen, length - i);
      this.#prefix.set(bytes.subarray(i, i + take), this.#prefixSeen);
      this.#prefixSeen += take;
      i += take;
      if (this.#prefixSeen === PREFIX) {
        this.#prefixSeen = 0;
        const p = this.#prefix;
        this.#bodyLeft = p[4]! * 2 ** 24 + (p[5]! << 16) + (p[6]! << 8) + p[7]!; // records stay below 4 GiB
        if (this.#bodyLeft === 0) this.records++;
      }
    }
  }
}

/**
 * Reads records into fresh memory: a buffer sized for whole records, and a
 * new one (with the bytes of a record begun) once the next record no longer
 * fits, so no byte is ever read into memory that held an earlier record.
 */
class FreshReader {
  #buffer: Uint8Array;
  #end = 0;
  readonly #chunk: number;
  readonly #counter: RecordCounter;
  constructor(size: number) {
    const unit = PREFIX + size;
    this.#chunk = unit >= READ_SIZE ? unit : unit * Math.floor(READ_SIZE / unit);
    this.#buffer = new Uint8Array(this.#chunk);
    this.#counter = new RecordCounter();
  }
  get records(): number {
    return this.#counter.records;
  }
  async read(conn: Deno.Conn): Promise<boolean> {
    const n = await conn.read(this.#buffer.subarray(this.#end));
    if (n === null) return false;
    this.#counter.feed(this.#buffer.subarray(this.#end), n);
    this.#end += n;
    if (this.#end === this.#buffer.length) {
      // Full: records begun here continue in a new buffer (the counter knows where they stand).
      this.#buffer = new Uint8Array(this.#chunk);
      this.#end = 0;
    }
    return true;
  }
}

function parseAddr(addr: string): { tcp: boolean; target: string } {
  return { tcp: addr.startsWith("tcp:"), target: addr.slice(addr.indexOf(":") + 1) };
}

async function denoAccept(addr: string): Promise<Deno.Conn> {
  const { tcp, target } = parseAddr(addr);
  const listener = tcp
    ? Deno.listen({ hostname: "127.0.0.1", port: Number(target) })
    : Deno.listen({ transport: "unix", path: target });
  const conn = await listener.accept();
  listener.close();
  if (tcp) (conn as Deno.TcpConn).setNoDelay(true);
  return conn;
}

async function denoConnect(addr: string): Promise<Deno.Conn> {
  const { tcp, target } = parseAddr(addr);
  const conn = tcp
    ? await Deno.connect({ hostname: "127.0.0.1", port: Number(target) })
    : await Deno.connect({ transport: "unix", path: target });
  if (tcp) (conn as Deno.TcpConn).setNoDelay(true);
  return conn;
}

function nodeAccept(addr: string): Promise<net.Socket> {
  const { tcp, target } = parseAddr(addr);
  return new Promise((resolve) => {
    const server = net.createServer((socket) => {
      server.close();
      socket.setNoDelay(true);
      resolve(socket);
    });
    if (tcp) server.listen(Number(target), "127.0.0.1");
    else server.listen(target);
  });
}

function nodeConnect(addr: string): Promise<net.Socket> {
  const { tcp, target } = parseAddr(addr);
  return new Promise((resolve, reject) => {
    const socket = tcp ? net.connect(Number(target), "127.0.0.1") : net.connect(target);
    socket.once("connect", () => {
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(off === 0 ? bytes : bytes.subarray(off));
}

/** Records arriving from a node socket, as a wait for the next `n`. */
function nodeRecords(socket: net.Socket) {
  const counter = new RecordCounter();
  let waiting: { until: number; wake: () => void } | undefined;
  socket.on("data", (data: Uint8Array) => {
    counter.feed(data, data.length);
    if (waiting !== undefined && counter.records >= waiting.until) {
      const { wake } = waiting;
      waiting = undefined;
      wake();
    }
  });
  return {
    counter,
    until(records: number): Promise<void> {
      if (counter.records >= records) return Promise.resolve();
      return new Promise((wake) => waiting = { until: records, wake });
    },
  };
}

/** Receives one start record and `count` records; prints the rate from the start record on. */
async function receive(api: Api, addr: string, size: number, count: number): Promise<void> {
  let started = 0;
  if (api === "node") {
    const socket = await nodeAccept(addr);
    const records = nodeRecords(socket);
    await records.until(1);
    started = performance.now();
    await records.until(count + 1);
    socket.destroy();
  } else {
    const conn = await denoAccept(addr);
    const fresh = api === "deno-fresh" ? new FreshReader(size) : undefined;
    const counter = new RecordCounter();
    const buffer = new Uint8Array(READ_SIZE);
    const received = () => fresh?.records ?? counter.records;
    while (received() < count + 1) {
      if (fresh !== undefined) {
        if (!(await fresh.read(conn))) break;
      } else {
        const n = await conn.read(buffer);
        if (n === null) break;
        counter.feed(buffer, n);
      }
      if (started === 0 && received() >= 1) started = performance.now();
    }
    conn.close();
  }
  const ms = performance.now() - started;
  console.log(`throughput: ${Math.trunc(count / ms * 1000)} [msg/s]`);
}

/** Sends one start record and `count` records, then waits for the receiver to finish. */
async function send(api: Api, addr: string, size: number, count: number): Promise<void> {
  const bytes = record(size);
  if (api === "node") {
    const socket = await nodeConnect(addr);
    for (let i = 0; i <= count; i++) {
      if (!socket.write(bytes)) await new Promise((resolve) => socket.once("drain", resolve));
    }
    await new Promise((resolve) => socket.once("close", resolve));
    return;
  }
  const conn = await denoConnect(addr);
  for (let i = 0; i <= count; i++) await writeAll(conn, bytes);
  // The receiver closes when it has everything.
  await conn.read(new Uint8Array(1)).catch(() => null);
  conn.close();
}

/** Echoes records (`echo`) or times round trips (`time`, prints one-way latency). */
async function roundTrips(api: Api, addr: string, size: number, count: number, timing: boolean): Promise<void> {
  const bytes = record(size);
  let started = 0;
  if (api === "node") {
    const socket = timing ? await nodeConnect(addr) : await nodeAccept(addr);
    const records = nodeRecords(socket);
    started = performance.now();
    for (let i = 1; i <= count; i++) {
      if (timing) socket.write(bytes);
      await records.until(i);
      if (!timing) socket.write(bytes);
    }
    if (!timing) await new Promise((resolve) => socket.once("close", resolve));
    socket.destroy();
  } else {
    const conn = timing ? await denoConnect(addr) : await denoAccept(addr);
    const fresh = api === "deno-fresh" ? new FreshReader(size) : undefined;
    const counter = new RecordCounter();
    const buffer = new Uint8Array(Math.max(READ_SIZE, PREFIX + size));
    started = performance.now();
    for (let i = 1; i <= count; i++) {
      if (timing) await writeAll(conn, bytes);
      while ((fresh?.records ?? counter.records) < i) {
        if (fresh !== undefined) {
          if (!(await fresh.read(conn))) return;
        } else {
          const n = await conn.read(buffer);
          if (n === null) return;
          counter.feed(buffer, n);
        }
      }
      if (!timing) await writeAll(conn, bytes);
    }
    if (!timing) await conn.read(new Uint8Array(1)).catch(() => null);
    conn.close();
  }
  if (timing) {
    const micros = (performance.now() - started) * 1000;
    console.log(`average latency: ${(micros / (count * 2)).toFixed(3)} [us]`);
  }
}

/** Messages per throughput run: 1 GB of payload, about half a second at libnanomsg's loopback rates. */
function throughputCount(size: number): number {
  return Math.max(500, Math.round(1e9 / Math.max(size, 1024)));
}

/** What one cell runs: the receiving/echoing side binds, the other connects. */
interface Run {
  what: "thr" | "lat";
  transport: "tcp" | "unix";
  impl: Api | "libnanomsg";
  size: number;
}

async function runOnce(run: Run): Promise<number | undefined> {
  const tcp = run.transport === "tcp";
  const port = tcp ? freePort() : 0;
  const path = tcp ? "" : freeIpcPath();
  const count = run.what === "thr" ? throughputCount(run.size) : 2000;
  const [bindRole, connectRole] = run.what === "thr" ? ["recv", "send"] : ["echo", "time"];
  const command = (role: string): [string, string[]] => {
    if (run.impl === "libnanomsg") {
      const tool = { recv: "local_thr", send: "remote_thr", echo: "local_lat", time: "remote_lat" }[role]!;
      const url = tcp ? `tcp://127.0.0.1:${port}` : `ipc://${path}`;
      return [`${C_BUILD_DIR}/nanomsg/${tool}`, [url, String(run.size), String(count)]];
    }
    const addr = tcp ? `tcp:${port}` : `unix:${path}`;
    return [Deno.execPath(), [
      "run",
      "-A",
      import.meta.filename!,
      ...["--role", role, "--api", run.impl, "--addr", addr, "--size", String(run.size), "--count", String(count)],
    ]];
  };
  const spawn = (role: string) => {
    const [cmd, args] = command(role);
    return new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).spawn();
  };
  const binder = spawn(bindRole);
  const connector = await waitBound(tcp ? `tcp://127.0.0.1:${port}` : `ipc://${path}`, binder)
    ? spawn(connectRole)
    : undefined;
  const measured = run.what === "thr" ? binder : connector;
  const timer = setTimeout(() => {
    for (const child of [binder, connector]) {
      try {
        child?.kill("SIGKILL");
      } catch { /* gone */ }
    }
  }, 60_000);
  try {
    const output = await measured?.output();
    for (const child of [binder, connector]) {
      try {
        child?.kill("SIGKILL");
      } catch { /* gone */ }
    }
    await Promise.all([binder.status, connector?.status]);
    const report = parseReport(new TextDecoder().decode(output?.stdout ?? new Uint8Array()));
    return run.what === "thr" ? report.msgsPerSec : report.latencyMicros;
  } finally {
    clearTimeout(timer);
    if (!tcp) await Deno.remove(path).catch(() => {});
  }
}

function formatSize(size: number): string {
  return size >= 1024 * 1024 ? `${size / 1024 / 1024} MiB` : size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
}

async function drive(args: readonly string[]): Promise<void> {
  const sizes = (flag(args, "sizes") ?? "16384,65536,1048576").split(",").map(Number);
  const reps = Number(flag(args, "reps") ?? 3);
  const latencyMax = Number(flag(args, "latency-max") ?? 65536);
  const impls: readonly (Api | "libnanomsg")[] = [...APIS, "libnanomsg"];
  console.log("| test | transport | size | " + impls.join(" | ") + " | deno / libnanomsg | deno-fresh / libnanomsg |");
  console.log("| --- | --- | ---: |" + impls.map(() => " ---: |").join("") + " ---: | ---: |");
  for (const what of ["thr", "lat"] as const) {
    for (const transport of ["tcp", "unix"] as const) {
      for (const size of sizes) {
        if (what === "lat" && size > latencyMax) continue;
        const samples = new Map(impls.map((impl) => [impl, [] as number[]]));
        for (let rep = 0; rep < reps; rep++) {
          // Alternate the order so that no implementation always runs first.
          for (const impl of rep % 2 === 0 ? impls : [...impls].reverse()) {
            const value = await runOnce({ what, transport, impl, size });
            if (value !== undefined) samples.get(impl)!.push(value);
          }
        }
        const medians = impls.map((impl) => {
          const values = samples.get(impl)!;
          return values.length === 0 ? NaN : median(values);
        });
        const c = medians[impls.indexOf("libnanomsg")]!;
        const ratio = (v: number) => Number.isNaN(v / c) ? "—" : `${(v / c).toFixed(2)}×`;
        const cell = (v: number) =>
          Number.isNaN(v) ? "—" : what === "thr" ? Math.round(v).toLocaleString("en") : v.toFixed(1);
        console.log(
          `| ${what === "thr" ? "msg/s" : "latency µs"} | ${transport} | ${formatSize(size)} | ${
            medians.map(cell).join(" | ")
          } | ${ratio(medians[0]!)} | ${ratio(medians[1]!)} |`,
        );
      }
    }
  }
}

if (import.meta.main) {
  const args = Deno.args;
  const role = flag(args, "role");
  if (role === undefined) {
    await drive(args);
  } else {
    const api = flag(args, "api") as Api;
    const addr = flag(args, "addr")!;
    const size = Number(flag(args, "size"));
    const count = Number(flag(args, "count"));
    if (!APIS.includes(api) || !/^(tcp|unix):./.test(addr) || !(size >= 0) || !(count >= 1)) {
      console.error(
        "usage: stream_ceiling.ts --role recv|send|echo|time --api deno|deno-fresh|node --addr tcp:PORT|unix:PATH --size N --count N",
      );
      Deno.exit(2);
    }
    if (role === "recv") await receive(api, addr, size, count);
    else if (role === "send") await send(api, addr, size, count);
    else await roundTrips(api, addr, size, count, role === "time");
    Deno.exit(0);
  }
}
