/**
 * Real peers for the interop tests: `nanocat` (libnanomsg 1.1.5) and
 * `nngcat` (nng 1.5.2) run as child processes, with their output collected
 * so a test can wait for the bytes it expects. Also the test registration
 * that skips (locally) or fails (on CI) when a peer is not installed, and
 * disposable addresses and payload files.
 *
 * @module
 */

import { freePort, hasCommand, PEERS_REQUIRED, stopChild, tempIpcPath, within } from "../_helpers.ts";

/** The peer programs we test against. */
export type PeerName = "nanocat" | "nngcat";

/** Both peers, for building the test matrix. */
export const PEER_NAMES: readonly PeerName[] = ["nanocat", "nngcat"];

/** Socket types the peers are asked to open. */
export type PeerSocketType = "pair" | "push" | "pull" | "pub" | "sub" | "bus" | "req" | "rep";

/** Transports every peer and our library speak. */
export type InteropTransport = "tcp" | "ipc" | "ws";

/** Every shared transport, for building the test matrix. */
export const INTEROP_TRANSPORTS: readonly InteropTransport[] = ["tcp", "ipc", "ws"];

/** How long any single step (a send, a receive, a peer's output) may take. */
export const STEP_TIMEOUT_MS = 5_000;

interface PeerFlags {
  socket: Record<PeerSocketType, string>;
  /** `--interval` value: nanocat takes fractions of a second, nngcat only whole seconds. */
  resendInterval: string;
}

// nngcat 1.5.2 answers a bare `--pair` with "No protocol specified.", so its
// versioned names are used throughout.
const FLAGS: Record<PeerName, PeerFlags> = {
  nanocat: {
    socket: {
      pair: "--pair",
      push: "--push",
      pull: "--pull",
      pub: "--pub",
      sub: "--sub",
      bus: "--bus",
      req: "--req",
      rep: "--rep",
    },
    resendInterval: "0.1",
  },
  // nngcat 1.5.2 accepts --bus0 although its --help does not list it.
  nngcat: {
    socket: {
      pair: "--pair0",
      push: "--push0",
      pull: "--pull0",
      pub: "--pub0",
      sub: "--sub0",
      bus: "--bus0",
      req: "--req0",
      rep: "--rep0",
    },
    resendInterval: "1",
  },
};

const installed = new Map<PeerName, boolean>();

/** Whether `peer` is on PATH (asked once per peer). */
export function peerInstalled(peer: PeerName): boolean {
  let found = installed.get(peer);
  if (found === undefined) {
    found = hasCommand(peer);
    installed.set(peer, found);
    if (!found && !PEERS_REQUIRED) {
      console.log(`${peer} is not on PATH: skipping its interop tests (set CI=true to make them fail instead)`);
    }
  }
  return found;
}

/**
 * Registers an interop test against `peer`. Without the peer the test is
 * ignored, unless CI=true requires the peers: then it runs and fails, so a
 * CI image that lost a package cannot pass by skipping everything.
 */
export function interopTest(peer: PeerName, name: string, fn: () => Promise<void>): void {
  const present = peerInstalled(peer);
  Deno.test({
    name,
    ignore: !present && !PEERS_REQUIRED,
    async fn() {
      if (!present) throw new Error(`${peer} is not on PATH, and CI=true requires the interop peers`);
      await fn();
    },
  });
}

/** A fresh address on one transport; disposing removes an ipc socket file a killed peer left behind. */
export class InteropAddress implements Disposable {
  /** The SP URL, e.g. `tcp://127.0.0.1:40123`. */
  readonly url: string;
  readonly #ipcPath: string | undefined;

  constructor(transport: InteropTransport) {
    if (transport === "ipc") {
      this.#ipcPath = tempIpcPath("interop");
      this.url = `ipc://${this.#ipcPath}`;
    } else {
      // nanocat binds ws without a path (it serves every path); nng serves "/" then.
      this.url = `${transport}://127.0.0.1:${freePort()}`;
    }
  }

  [Symbol.dispose](): void {
    if (this.#ipcPath === undefined) return;
    try {
      Deno.removeSync(this.#ipcPath);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
}

/** A temporary file holding a payload, for the peers' `--file`; disposing deletes it. */
export class PayloadFile implements Disposable {
  /** The file's path. */
  readonly path: string;

  constructor(bytes: Uint8Array) {
    this.path = Deno.makeTempFileSync({ prefix: "sp-interop-", suffix: ".bin" });
    Deno.writeFileSync(this.path, bytes);
  }

  [Symbol.dispose](): void {
    Deno.removeSync(this.path);
  }
}

/** What a peer should do. */
export interface PeerSpec {
  /** Which program. */
  peer: PeerName;
  /** The socket type it opens. */
  socket: PeerSocketType;
  /** Whether it binds or connects `url`. */
  endpoint: "bind" | "connect";
  /** The address. */
  url: string;
  /** How it prints received messages: `raw` (bytes as they are) or `quoted` (one `"…"` line each). */
  format?: "raw" | "quoted";
  /** What it sends, again every resend interval until killed (a one-shot send may be lost at exit). */
  send?: { data: string } | { file: string };
  /** More arguments, e.g. nngcat's `--cert`/`--key`/`--cacert`. */
  extra?: string[];
}

/** The command-line arguments that make a peer do what `spec` says. */
export function peerArgs(spec: PeerSpec): string[] {
  const flags = FLAGS[spec.peer];
  const args = [flags.socket[spec.socket], `--${spec.endpoint}`, spec.url];
  if (spec.format !== undefined) args.push(`--${spec.format}`);
  if (spec.send !== undefined) {
    args.push(...("data" in spec.send ? ["--data", spec.send.data] : ["--file", spec.send.file]));
    args.push("--interval", flags.resendInterval);
  }
  if (spec.extra !== undefined) args.push(...spec.extra);
  return args;
}

/** Starts a peer; `await using` it so it is killed and reaped however the test ends. */
export function spawnPeer(spec: PeerSpec): Peer {
  return new Peer(spec.peer, peerArgs(spec));
}

/** A running peer process and everything it has printed so far. */
export class Peer implements AsyncDisposable {
  /** The program's name, for messages. */
  readonly name: string;
  readonly #args: string[];
  readonly #child: Deno.ChildProcess;
  readonly #stdoutChunks: Uint8Array[] = [];
  #stdoutLength = 0;
  #stdoutCache: Uint8Array | undefined;
  #stderr = "";
  readonly #watchers = new Set<() => void>();
  readonly #pumps: Promise<void>;

  constructor(name: string, args: string[]) {
    this.name = name;
    this.#args = args;
    this.#child = new Deno.Command(name, { args, stdin: "null", stdout: "piped", stderr: "piped" }).spawn();
    this.#pumps = Promise.all([this.#pumpStdout(), this.#pumpStderr()]).then(() => {});
  }

  /** Everything the peer has written to stdout so far. */
  stdout(): Uint8Array {
    if (this.#stdoutCache === undefined || this.#stdoutCache.length !== this.#stdoutLength) {
      const all = new Uint8Array(this.#stdoutLength);
      let offset = 0;
      for (const chunk of this.#stdoutChunks) {
        all.set(chunk, offset);
        offset += chunk.length;
      }
      this.#stdoutCache = all;
    }
    return this.#stdoutCache;
  }

  /**
   * Waits for `promise`, at most `ms`, failing at once if the peer exits
   * first; a failure's message shows the peer's command line and output.
   *
   * @returns what `promise` resolved to
   */
  async guard<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
    const exited = this.#child.status.then((status): never => {
      throw new Error(`${this.name} exited (code ${status.code}, signal ${status.signal}) first`);
    });
    try {
      return await within(Promise.race([promise, exited]), ms, label);
    } catch (err) {
      const message = (err as Error).message;
      const labelled = message.startsWith(label) ? message : `${label}: ${message}`;
      throw new Error(`${labelled}\n${this.#describe()}`, { cause: err });
    }
  }

  /**
   * Waits until the peer's stdout satisfies `done` (see `guard`).
   *
   * @returns the stdout at that moment
   */
  async waitForStdout(done: (stdout: Uint8Array) => boolean, ms: number, label: string): Promise<Uint8Array> {
    const { promise: satisfied, resolve } = Promise.withResolvers<Uint8Array>();
    const watcher = () => {
      const out = this.stdout();
      if (done(out)) resolve(out);
    };
    this.#watchers.add(watcher);
    watcher();
    try {
      return await this.guard(satisfied, ms, label);
    } finally {
      this.#watchers.delete(watcher);
    }
  }

  /** Kills the peer (SIGTERM, then SIGKILL if it lingers) and waits for it and its output streams. */
  async [Symbol.asyncDispose](): Promise<void> {
    await stopChild(this.#child, this.name);
    await this.#pumps;
  }

  async #pumpStdout(): Promise<void> {
    for await (const chunk of this.#child.stdout) {
      this.#stdoutChunks.push(chunk);
      this.#stdoutLength += chunk.length;
      for (const watcher of [...this.#watchers]) watcher();
    }
  }

  async #pumpStderr(): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of this.#child.stderr) this.#stderr += decoder.decode(chunk, { stream: true });
  }

  #describe(): string {
    const out = this.stdout();
    const shown = new TextDecoder().decode(out.subarray(0, 200));
    return [
      `  command: ${this.name} ${this.#args.map((a) => JSON.stringify(a)).join(" ")}`,
      `  stdout (${out.length} bytes): ${JSON.stringify(shown)}${out.length > 200 ? "…" : ""}`,
      `  stderr: ${JSON.stringify(this.#stderr.slice(0, 500))}`,
    ].join("\n");
  }
}
