/**
 * What the perf tools share: argument checking, the PAIR socket they all
 * use, the stopwatch and the report lines, which match nanomsg's perf
 * programs character for character so their output can be compared (and
 * parsed by `bench/compare.ts`) without caring which side produced it.
 *
 * @module
 */

import { type EndpointOptions, openSocket, type Socket } from "../../mod.ts";

/** Exit status for bad arguments (the usage line goes to stderr). */
export const USAGE_EXIT = 2;

/**
 * Parses `<name> <size> <count>`-style arguments: each numeric argument is
 * a decimal integer, sizes may be 0, counts must be at least 1. Prints the
 * usage line and exits with {@linkcode USAGE_EXIT} on anything else.
 *
 * @param args the program's arguments (`Deno.args`)
 * @param usage the usage line, e.g. `usage: local_thr <bind-to> <msg-size> <msg-count>`
 * @param shape for each argument: `"url"`, `"size"` (≥ 0) or `"count"` (≥ 1)
 * @returns the arguments, numbers converted
 */
export function parseArgs(args: readonly string[], usage: string, shape: readonly ("url" | "size" | "count")[]) {
  const fail = (why?: string): never => {
    if (why !== undefined) console.error(why);
    console.error(usage);
    Deno.exit(USAGE_EXIT);
  };
  if (args.length !== shape.length) fail();
  const out: (string | number)[] = [];
  shape.forEach((kind, i) => {
    const arg = args[i]!;
    if (kind === "url") {
      if (!/^(tcp|ipc|inproc|ws|wss|tls\+tcp):\/\/./.test(arg)) fail(`not an SP address: ${arg}`);
      out.push(arg);
      return;
    }
    // Plain decimal only: atoi-style leniency ("12abc") hides typos in scripts.
    if (!/^\d{1,10}$/.test(arg)) fail(`not a non-negative integer: ${arg}`);
    const n = Number(arg);
    if (n > 2 ** 31 - 1 || (kind === "count" && n < 1)) fail(`out of range: ${arg}`);
    out.push(n);
  });
  return out;
}

/**
 * Opens the PAIR socket every tool uses. RCVMAXSIZE is unlimited so 1 MiB
 * and larger messages pass (nanomsg's default limit is exactly 1 MiB of
 * payload, so a 1 MiB message plus nothing fits, but larger sizes do not).
 *
 * @param noDelay set TCP_NODELAY, as nanomsg's latency tools do
 * @returns the socket
 */
export function openPerfSocket(noDelay: boolean): Socket {
  const socket = openSocket("pair");
  socket.setOption("rcvmaxsize", -1);
  if (noDelay) socket.setOption("tcpNodelay", 1);
  return socket;
}

/**
 * Endpoint options for a TLS address (`tls+tcp://`, `wss://`), from the
 * files named by SP_TLS_CERT, SP_TLS_KEY and SP_TLS_CA; none for others.
 *
 * @param url the address
 * @param mode whether it is bound or connected
 * @returns the options to pass to bind or connect
 */
export function endpointOptions(url: string, mode: "bind" | "connect"): EndpointOptions {
  if (!/^(tls\+tcp|wss):/.test(url)) return {};
  const file = (name: string) => {
    const path = Deno.env.get(name);
    if (path === undefined) throw new Error(`${url} needs ${name} (a PEM file)`);
    return Deno.readTextFileSync(path);
  };
  return mode === "bind"
    ? { "tls-cert": file("SP_TLS_CERT"), "tls-key": file("SP_TLS_KEY") }
    : { "tls-ca": file("SP_TLS_CA") };
}

/**
 * How long a feeding side (remote_thr, local_lat) waits after its last send
 * before closing, as the C tools do. Closing only after LINGER has flushed
 * everything is not enough for every peer: libnanomsg's ipc receiver stops
 * reading once it sees the peer hang up, dropping what is still queued in
 * the socket. `compare.ts` stops the feeder as soon as the measuring side
 * is done, so the wait never shows in a result.
 */
export const FEEDER_GRACE_MS = 1000;

/** Waits {@linkcode FEEDER_GRACE_MS}. */
export function feederGrace(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, FEEDER_GRACE_MS));
}

/**
 * How the tools receive a message of `size` bytes, the fastest way this
 * library offers for that size: messages of {@linkcode INTO_MIN} bytes or
 * more into one reused buffer (`recv({ into })`, as libnanomsg's tools do
 * with `nn_recv`), where warm memory is what counts (ipc 16 KiB: 1.6x);
 * smaller ones as views of the read buffer with no copy at all (`into`
 * costs a copy and a lookup per message: tcp 64 B 17% slower).
 */
export const INTO_MIN = 16 * 1024;

/**
 * The options for each `recv` of a tool receiving `size`-byte messages.
 *
 * @example Usage
 * ```ts
 * import { receiveOptions } from "./_perf.ts";
 * console.log(receiveOptions(64), receiveOptions(65536)?.into.length); // undefined 65536
 * ```
 */
export function receiveOptions(size: number): { into: Uint8Array } | undefined {
  return size >= INTO_MIN ? { into: new Uint8Array(size) } : undefined;
}

/** Microseconds on a monotonic clock. */
export function nowMicros(): number {
  return performance.now() * 1000;
}

/** A message of `size` bytes filled with 111 ('o'), like nanomsg's tools send. */
export function makePayload(size: number): Uint8Array {
  return new Uint8Array(size).fill(111);
}

/**
 * The four throughput lines, computed the way nanomsg's local_thr does:
 * whole messages per second (truncated), megabits from that rounded rate.
 *
 * @param label `"throughput"` (local_thr) or `"mean throughput"` (inproc_thr)
 * @returns the lines to print
 */
export function throughputReport(size: number, count: number, elapsedMicros: number, label = "throughput"): string {
  const micros = Math.max(1, Math.trunc(elapsedMicros));
  const msgsPerSec = Math.trunc(count / micros * 1_000_000);
  const megabits = msgsPerSec * size * 8 / 1_000_000;
  return [
    `message size: ${size} [B]`,
    `message count: ${count}`,
    `${label}: ${msgsPerSec} [msg/s]`,
    `${label}: ${megabits.toFixed(3)} [Mb/s]`,
  ].join("\n");
}

/**
 * The three latency lines; latency is one-way, i.e. the round trip halved.
 *
 * @returns the lines to print
 */
export function latencyReport(size: number, roundtrips: number, elapsedMicros: number): string {
  const latency = Math.trunc(elapsedMicros) / (roundtrips * 2);
  return [
    `message size: ${size} [B]`,
    `roundtrip count: ${roundtrips}`,
    `average latency: ${latency.toFixed(3)} [us]`,
  ].join("\n");
}

/**
 * Fails loudly when a received message has the wrong size; the C tools
 * assert the same, so a broken run never yields a plausible number.
 */
export function expectSize(got: Uint8Array, size: number, what: string): void {
  if (got.length !== size) {
    console.error(`${what}: expected a ${size}-byte message, got ${got.length} bytes`);
    Deno.exit(1);
  }
}

/**
 * The fan-out tools' arguments: two addresses, then two numbers (`shape`
 * says which is the size); the size must leave room for the 1-byte control
 * messages (sync, end), so it is at least 2.
 *
 * @returns `[url, syncUrl, first number, second number]`
 */
export function parseFanoutArgs(
  args: readonly string[],
  usage: string,
  shape: readonly ["size", "count"] | readonly ["count", "size"],
): [string, string, number, number] {
  const parsed = parseArgs(args, usage, ["url", "url", ...shape]) as [string, string, number, number];
  const size = parsed[shape[0] === "size" ? 2 : 3];
  if (size < 2) {
    console.error(`${usage} (messages of 0 and 1 bytes are the control messages)`);
    Deno.exit(USAGE_EXIT);
  }
  return parsed;
}
