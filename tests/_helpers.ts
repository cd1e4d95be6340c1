/**
 * Small test helpers of our own (JSR's @std packages cannot be installed
 * on our build machines): free ports, temporary ipc paths, peer detection,
 * bounded waits.
 *
 * @module
 */

/**
 * A tcp port that was free a moment ago on 127.0.0.1. Only for what
 * cannot bind port 0 and tell us the port: a child process that binds
 * (nanocat, nngcat, our CLI, perf tools and examples), or an address to
 * dial before anything listens there. Our own sockets bind port 0
 * (`listen("tcp://127.0.0.1:0")` reports the real URL).
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

let ipcCount = 0;
// Test files run in parallel share a pid: a random part keeps their paths apart.
const ipcRun = crypto.randomUUID().slice(0, 8);

/** A fresh unix-socket path under the temp dir, short enough for sun_path. */
export function tempIpcPath(tag = "t"): string {
  return `/tmp/sp-${Deno.pid}-${ipcRun}-${tag}-${++ipcCount}.ipc`;
}

/** Whether a program is on PATH. */
export function hasCommand(name: string): boolean {
  try {
    const out = new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null", stderr: "null" })
      .outputSync();
    return out.success;
  } catch {
    return false;
  }
}

/** UTF-8 text of a message. */
export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Rejects with a labelled error if `promise` takes longer than `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${label}: no result within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 5 ms until true, failing after `ms`. */
export async function until(condition: () => boolean, ms: number, label: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${label}: condition not met within ${ms} ms`);
    await sleep(5);
  }
}

/** Whether interop peers must be present (CI) rather than optional (local runs). */
export const PEERS_REQUIRED: boolean = Deno.env.get("CI") === "true";

/**
 * Throws unless `actual` holds exactly the bytes of `expected`, naming the
 * first differing offset (a 64 KiB dump would tell nobody anything).
 */
export function assertBytesEqual(actual: Uint8Array, expected: Uint8Array, label: string): void {
  const common = Math.min(actual.length, expected.length);
  let offset = 0;
  while (offset < common && actual[offset] === expected[offset]) offset++;
  if (offset === common && actual.length === expected.length) return;
  const around = (bytes: Uint8Array) =>
    Array.from(bytes.subarray(offset, offset + 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new Error(
    `${label}: got ${actual.length} bytes, expected ${expected.length}; first difference at offset ${offset} ` +
      `(got [${around(actual)}], expected [${around(expected)}])`,
  );
}

/** Stops a child process: SIGTERM, then SIGKILL if it is still there after a second; resolves once it has exited. */
export async function stopChild(child: Deno.ChildProcess, label: string): Promise<void> {
  const signal = (sig: Deno.Signal) => {
    try {
      child.kill(sig);
    } catch {
      // It has exited already.
    }
  };
  signal("SIGTERM");
  try {
    await within(child.status, 1_000, `${label} exit after SIGTERM`);
  } catch {
    signal("SIGKILL");
    await child.status;
  }
}
