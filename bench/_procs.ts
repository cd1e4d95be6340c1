/**
 * Running the perf tools as child processes for `compare.ts`: which binary
 * or script each implementation uses, free loopback ports, waiting until a
 * binding side really listens, running a measuring side against a feeding
 * side, and parsing the nanomsg-style report lines.
 *
 * @module
 */

/** The implementations compared. */
export type Impl = "ours" | "nanomsg" | "nng";

/** The perf tools, by nanomsg's names (and the fan-out pair). */
export type Tool =
  | "local_thr"
  | "remote_thr"
  | "local_lat"
  | "remote_lat"
  | "inproc_thr"
  | "inproc_lat"
  | "fanout_pub"
  | "fanout_sub";

/** The parsed report of one run. */
export interface Report {
  /** Messages per second (throughput tools). */
  msgsPerSec?: number;
  /** Megabits per second (throughput tools). */
  megabitsPerSec?: number;
  /** One-way latency in µs (latency tools). */
  latencyMicros?: number;
  /** Messages that arrived (fan-out subscribers). */
  delivered?: number;
}

const BENCH_DIR = new URL(".", import.meta.url).pathname;

/** The environment variables our perf tools read TLS files from (tls+tcp://, wss://). */
export const TLS_ENV_NAMES: readonly string[] = ["SP_TLS_CERT", "SP_TLS_KEY", "SP_TLS_CA"];
const tlsEnv: Record<string, string> = {};

/** Tells our perf tools, from now on, which certificate, key and CA to use for TLS addresses. */
export function setPerfTls(cert: string, key: string, ca: string): void {
  Object.assign(tlsEnv, { SP_TLS_CERT: cert, SP_TLS_KEY: key, SP_TLS_CA: ca });
}
/** Where `c/build.sh` puts the C tools. */
export const C_BUILD_DIR = `${BENCH_DIR}c/build`;

/**
 * The command line that runs `tool` of `impl`. Ours gets only the
 * permissions the tools need: loopback networking and the ipc socket files.
 */
export function toolCommand(impl: Impl, tool: Tool, args: string[]): [string, string[]] {
  if (impl === "ours") {
    return [Deno.execPath(), [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      `--allow-env=${TLS_ENV_NAMES.join(",")}`,
      `${BENCH_DIR}perf/${tool}.ts`,
      ...args,
    ]];
  }
  return [`${C_BUILD_DIR}/${impl}/${tool}`, args];
}

/** A tcp port on 127.0.0.1 that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

let ipcCounter = 0;

/** A fresh ipc path, short enough for `sun_path`. */
export function freeIpcPath(): string {
  return `/tmp/sp-bench-${Deno.pid}-${++ipcCounter}.ipc`;
}

/** Whether something listens on 127.0.0.1:`port` (from /proc/net/tcp, without connecting). */
function tcpListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  // A probe connection would itself be a (bogus) SP peer; reading the
  // kernel's socket table has no side effects.
  const table = Deno.readTextFileSync("/proc/net/tcp");
  return table.split("\n").some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1]?.endsWith(`:${hexPort}`) === true && fields[3] === "0A";
  });
}

function ipcListening(path: string): boolean {
  try {
    return Deno.lstatSync(path).isSocket === true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the address is bound, so that the connecting side connects
 * at once instead of sleeping through a reconnect interval.
 *
 * @returns false when the address did not appear in time
 */
export async function waitBound(url: string, child: Deno.ChildProcess, timeoutMs = 10_000): Promise<boolean> {
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && !exited) {
    const tcpBased = /^(tcp|ws|wss|tls\+tcp):\/\//.test(url);
    if (tcpBased && tcpListening(Number(/:(\d+)\/?$/.exec(url)?.[1]))) return true;
    if (url.startsWith("ipc://") && ipcListening(url.slice("ipc://".length))) return true;
    await sleep(5);
  }
  return false;
}

/** Parses the report lines of any of the tools (ours or nanomsg's wording). */
export function parseReport(text: string): Report {
  const report: Report = {};
  const rate = /throughput: (\d+) \[msg\/s\]/.exec(text);
  if (rate) report.msgsPerSec = Number(rate[1]);
  const megabits = /throughput: ([\d.]+) \[Mb\/s\]/.exec(text);
  if (megabits) report.megabitsPerSec = Number(megabits[1]);
  const latency = /average latency: ([\d.]+) \[us\]/.exec(text);
  if (latency) report.latencyMicros = Number(latency[1]);
  const delivered = /messages delivered: (\d+)/.exec(text);
  if (delivered) report.delivered = Number(delivered[1]);
  return report;
}

function spawn(impl: Impl, tool: Tool, args: string[], stdout: "piped" | "null"): Deno.ChildProcess {
  const [cmd, cmdArgs] = toolCommand(impl, tool, args);
  return new Deno.Command(cmd, { args: cmdArgs, stdout, stderr: "piped", env: tlsEnv }).spawn();
}

function kill(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
}

async function collect(child: Deno.ChildProcess, timeoutMs: number): Promise<Deno.CommandOutput | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), timeoutMs));
  const output = await Promise.race([child.output(), timedOut]);
  clearTimeout(timer);
  if (output === undefined) kill(child);
  return output;
}

/** One side of a two-process run. */
export interface Side {
  impl: Impl;
  tool: Tool;
  /** The tool's arguments. */
  args: (string | number)[];
}

/** The outcome of one run: the report (and the peak RSS of both processes together in KiB, when asked for), or why there is none. */
export type RunResult = { ok: true; report: Report; peakKb?: number } | { ok: false; error: string };

/** A process's peak RSS (VmHWM) in KiB, or undefined once it is gone. */
function peakResidentKb(pid: number): number | undefined {
  try {
    const peak = /^VmHWM:\s+(\d+) kB/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return peak ? Number(peak[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Watches the peak RSS of some processes until stopped. VmHWM only grows
 * and vanishes when a process exits, so the last reading before the exit
 * is kept; sampling every 20 ms misses at most the last moments.
 */
class MemoryWatch {
  readonly #pids: number[];
  readonly #peaks: number[];
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(pids: number[]) {
    this.#pids = pids;
    this.#peaks = pids.map(() => 0);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 20);
  }

  #sample(): void {
    this.#pids.forEach((pid, i) => {
      this.#peaks[i] = Math.max(this.#peaks[i]!, peakResidentKb(pid) ?? 0);
    });
  }

  /** Stops watching; the sum of the peaks, KiB. */
  stop(): number {
    this.#sample();
    clearInterval(this.#timer);
    return this.#peaks.reduce((a, b) => a + b, 0);
  }
}

function failure(what: string, output: Deno.CommandOutput | undefined): RunResult {
  if (output === undefined) return { ok: false, error: `${what}: timed out` };
  const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-2).join(" / ");
  return { ok: false, error: `${what}: exit ${output.code}${stderr ? `: ${stderr}` : ""}` };
}

/**
 * Runs a binding side and a connecting side against each other; `measure`
 * says which one prints the result (local_thr binds and measures,
 * remote_lat connects and measures). The other side is stopped as soon as
 * the measuring one is done: the C feeders wait before closing, and that
 * wait must not hold the comparison up. `url` is the address the binding
 * side binds first (the connecting side starts once it is bound). With
 * `watchMemory`, the result carries both processes' peak RSS together.
 */
export async function runPair(
  bind: Side,
  connect: Side,
  url: string,
  measure: "bind" | "connect",
  timeoutMs: number,
  watchMemory = false,
): Promise<RunResult> {
  const binder = spawn(bind.impl, bind.tool, bind.args.map(String), measure === "bind" ? "piped" : "null");
  try {
    if (!(await waitBound(url, binder))) {
      kill(binder);
      return failure(`${bind.impl} ${bind.tool} did not bind`, await binder.output());
    }
    const connector = spawn(
      connect.impl,
      connect.tool,
      connect.args.map(String),
      measure === "connect" ? "piped" : "null",
    );
    const watch = watchMemory ? new MemoryWatch([binder.pid, connector.pid]) : undefined;
    const [measured, feeder] = measure === "bind" ? [binder, connector] : [connector, binder];
    const output = await collect(measured, timeoutMs);
    const peakKb = watch?.stop();
    // The feeder has nothing left to do that the result depends on.
    await Promise.race([feeder.status, sleep(100)]);
    kill(feeder);
    await feeder.output().catch(() => undefined);
    const side = measure === "bind" ? bind : connect;
    if (output === undefined || !output.success) return failure(`${side.impl} ${side.tool}`, output);
    const report = parseReport(new TextDecoder().decode(output.stdout));
    return peakKb === undefined ? { ok: true, report } : { ok: true, report, peakKb };
  } finally {
    kill(binder);
    for (const arg of [...bind.args, ...connect.args]) {
      if (typeof arg === "string" && arg.startsWith("ipc://")) {
        await Deno.remove(arg.slice("ipc://".length)).catch(() => {});
      }
    }
  }
}

/** Runs one single-process tool (inproc_thr, inproc_lat). */
export async function runSingle(impl: Impl, tool: Tool, args: [number, number], timeoutMs: number): Promise<RunResult> {
  const child = spawn(impl, tool, args.map(String), "piped");
  const output = await collect(child, timeoutMs);
  if (output === undefined || !output.success) return failure(`${impl} ${tool}`, output);
  return { ok: true, report: parseReport(new TextDecoder().decode(output.stdout)) };
}

/** The median of some numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
