/**
 * Child processes for the CLI tests: our `cli/nanocat.ts` run by this Deno,
 * and the real `nanocat` / `nngcat`, each with its stdout and stderr
 * collected so a test can wait for the bytes it expects or for the exit,
 * always within a bound; disposing kills whatever is still running.
 *
 * @module
 */

import { stopChild, within } from "../_helpers.ts";

/** Our CLI's entry point. */
export const OUR_NANOCAT: string = new URL("../../cli/nanocat.ts", import.meta.url).pathname;
/** The project's config, so our CLI resolves its imports from any directory. */
const DENO_CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** How long a child may take to do any one thing a test waits for. */
export const CHILD_TIMEOUT_MS = 8_000;

/** What a program did, once it has exited. */
export interface Finished {
  /** Its exit code. */
  code: number;
  /** Its whole stdout. */
  stdout: Uint8Array;
  /** Its whole stderr, as text. */
  stderr: string;
}

/** Which program to run: ours, or a real one from PATH. */
export type Program = "ours" | "nanocat" | "nngcat";

function commandLine(program: Program, args: readonly string[]): { command: string; args: string[] } {
  if (program === "ours") {
    return { command: Deno.execPath(), args: ["run", "-A", "--config", DENO_CONFIG, OUR_NANOCAT, ...args] };
  }
  // Through sh, so the program sees the argv[0] a shell gives it ("nanocat",
  // which it prints in its messages) rather than the full path Deno passes.
  return { command: "sh", args: ["-c", 'exec "$0" "$@"', program, ...args] };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

/** A running program and everything it has printed so far. */
export class CliProcess implements AsyncDisposable {
  /** Which program, for messages. */
  readonly program: Program;
  readonly #args: readonly string[];
  readonly #child: Deno.ChildProcess;
  readonly #stdoutChunks: Uint8Array[] = [];
  readonly #stderrChunks: Uint8Array[] = [];
  readonly #watchers = new Set<() => void>();
  readonly #pumps: Promise<void>;
  #exit: Deno.CommandStatus | undefined;

  /**
   * Starts `program` with `args`.
   *
   * @param program ours or a real one
   * @param args its command line
   * @param stdin bytes to feed its stdin (then closed); none by default
   */
  constructor(program: Program, args: readonly string[], stdin?: Uint8Array) {
    this.program = program;
    this.#args = args;
    const { command, args: fullArgs } = commandLine(program, args);
    this.#child = new Deno.Command(command, {
      args: fullArgs,
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const feed = stdin === undefined ? Promise.resolve() : this.#feed(stdin);
    this.#pumps = Promise.all([
      feed,
      this.#pump(this.#child.stdout, this.#stdoutChunks),
      this.#pump(this.#child.stderr, this.#stderrChunks),
    ]).then(() => {});
    this.#child.status.then((status) => {
      this.#exit = status;
      this.#notify();
    });
  }

  /** Everything written to stdout so far. */
  stdout(): Uint8Array {
    return concat(this.#stdoutChunks);
  }

  /** Everything written to stderr so far, as text. */
  stderr(): string {
    return new TextDecoder().decode(concat(this.#stderrChunks));
  }

  /**
   * Waits until stdout satisfies `done`, failing after `ms` or when the
   * program exits without it.
   *
   * @returns stdout at that moment
   */
  async waitForStdout(
    done: (stdout: Uint8Array) => boolean,
    label: string,
    ms = CHILD_TIMEOUT_MS,
  ): Promise<Uint8Array> {
    const { promise, resolve, reject } = Promise.withResolvers<Uint8Array>();
    const watcher = () => {
      const out = this.stdout();
      if (done(out)) resolve(out);
      else if (this.#exit !== undefined) reject(new Error(`${label}: exited with code ${this.#exit.code} first`));
    };
    this.#watchers.add(watcher);
    watcher();
    try {
      return await within(promise, ms, label);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${this.describe()}`, { cause: err });
    } finally {
      this.#watchers.delete(watcher);
    }
  }

  /**
   * Waits for the program to exit by itself and for all its output.
   *
   * @returns its exit code and output
   */
  async finished(label: string, ms = CHILD_TIMEOUT_MS): Promise<Finished> {
    try {
      const status = await within(this.#child.status, ms, label);
      await this.#pumps;
      return { code: status.code, stdout: this.stdout(), stderr: this.stderr() };
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${this.describe()}`, { cause: err });
    }
  }

  /** The command line and the output so far, for failure messages. */
  describe(): string {
    const shown = new TextDecoder().decode(this.stdout().subarray(0, 300));
    return [
      `  command: ${this.program} ${this.#args.map((a) => JSON.stringify(a)).join(" ")}`,
      `  stdout: ${JSON.stringify(shown)}`,
      `  stderr: ${JSON.stringify(this.stderr().slice(0, 500))}`,
    ].join("\n");
  }

  /** Kills the program if it still runs (SIGTERM, then SIGKILL) and waits for it and its streams. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#exit === undefined) await stopChild(this.#child, this.program);
    await this.#pumps;
  }

  #notify(): void {
    for (const watcher of [...this.#watchers]) watcher();
  }

  async #feed(bytes: Uint8Array): Promise<void> {
    const writer = this.#child.stdin.getWriter();
    try {
      await writer.write(bytes);
      await writer.close();
    } catch {
      // The program exited without reading it all; its output tells the test.
    }
  }

  async #pump(stream: ReadableStream<Uint8Array>, chunks: Uint8Array[]): Promise<void> {
    for await (const chunk of stream) {
      chunks.push(chunk);
      this.#notify();
    }
  }
}

/** Starts `program` with `args`; `await using` it so it is killed and reaped however the test ends. */
export function start(program: Program, args: readonly string[], stdin?: Uint8Array): CliProcess {
  return new CliProcess(program, args, stdin);
}

/**
 * Runs `program` to completion.
 *
 * @returns its exit code and output
 */
export async function run(program: Program, args: readonly string[], stdin?: Uint8Array): Promise<Finished> {
  await using child = start(program, args, stdin);
  return await child.finished(`${program} ${args.join(" ")}`);
}

/** Runs `tasks` with at most `limit` at a time, keeping their order in the results. */
export async function pool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
