/**
 * Runs one of the classic examples (`examples/<name>.ts`) as a child
 * process, the way a user would, and collects what it prints line by line
 * so a test can wait for the lines it expects, or for the exit.
 *
 * @module
 */

import { within } from "../_helpers.ts";

/** The six classic examples. */
export type ExampleName = "pipeline" | "reqrep" | "pair" | "pubsub" | "survey" | "bus";

/** How long any single step (a line to appear, a process to exit) may take. */
export const STEP_TIMEOUT_MS = 8_000;

const REPO_ROOT = new URL("../../", import.meta.url);

/** A path inside the repository, for the child's command line. */
export function repoPath(relative: string): string {
  return decodeURIComponent(new URL(relative, REPO_ROOT).pathname);
}

/** A script in `examples/`: one of the six, or the demo. */
export type ScriptName = ExampleName | "demo";

/** How an example is started. */
export interface ExampleOptions {
  /** Deno's permission flags; `-A` unless given. */
  permissions?: readonly string[];
  /** `SP_EXAMPLE_TIME_SCALE`: multiplies the example's sleeps, deadlines and timeouts. */
  timeScale?: number | string;
}

/** How an example ended. */
export interface ExampleExit {
  /** The exit status. */
  code: number;
  /** Every line it printed to stdout. */
  lines: string[];
  /** Everything it printed to stderr. */
  stderr: string;
}

/** A running example; `await using` it so it is killed and reaped however the test ends. */
export class ExampleProcess implements AsyncDisposable {
  /** The command line, for failure messages. */
  readonly label: string;
  readonly #child: Deno.ChildProcess;
  #stdout = "";
  #stderr = "";
  readonly #watchers = new Set<() => void>();
  readonly #pumps: Promise<void>;

  constructor(example: ScriptName, args: readonly string[], options: ExampleOptions = {}) {
    const script = `examples/${example}.ts`;
    this.label = [script, ...args].join(" ");
    const env: Record<string, string> = {};
    if (options.timeScale !== undefined) env.SP_EXAMPLE_TIME_SCALE = String(options.timeScale);
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...options.permissions ?? ["-A"], "--config", repoPath("deno.json"), repoPath(script), ...args],
      cwd: repoPath("."),
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#pumps = Promise.all([this.#pump(this.#child.stdout, "stdout"), this.#pump(this.#child.stderr, "stderr")])
      .then(() => {});
  }

  /** The complete lines printed to stdout so far. */
  lines(): string[] {
    const complete = this.#stdout.slice(0, this.#stdout.lastIndexOf("\n") + 1);
    return complete === "" ? [] : complete.slice(0, -1).split("\n");
  }

  /**
   * Waits until at least `count` complete lines are out, failing if the
   * example exits first or takes longer than `ms`.
   *
   * @returns the first `count` lines
   */
  async waitForLines(count: number, ms: number = STEP_TIMEOUT_MS): Promise<string[]> {
    const { promise: enough, resolve } = Promise.withResolvers<string[]>();
    const watcher = () => {
      const lines = this.lines();
      if (lines.length >= count) resolve(lines.slice(0, count));
    };
    this.#watchers.add(watcher);
    watcher();
    const exited = this.#child.status.then(async (status): Promise<never> => {
      await this.#pumps;
      watcher(); // Lines written just before the exit count too.
      throw new Error(`it exited (code ${status.code}) first`);
    });
    try {
      return await this.#explain(within(Promise.race([enough, exited]), ms, "waiting"), `${count} lines`);
    } finally {
      this.#watchers.delete(watcher);
    }
  }

  /**
   * Waits for the example to exit by itself, at most `ms`.
   *
   * @returns its status and everything it printed
   */
  async exit(ms: number = STEP_TIMEOUT_MS): Promise<ExampleExit> {
    const status = await this.#explain(within(this.#child.status, ms, "waiting"), "its exit");
    await this.#pumps;
    return { code: status.code, lines: this.lines(), stderr: this.#stderr };
  }

  /** Kills the example (SIGTERM, then SIGKILL if it lingers) and waits for it and its output. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#signal("SIGTERM");
    try {
      await within(this.#child.status, 1_000, `${this.label}: exit after SIGTERM`);
    } catch {
      this.#signal("SIGKILL");
      await this.#child.status;
    }
    await this.#pumps;
  }

  async #explain<T>(promise: Promise<T>, what: string): Promise<T> {
    try {
      return await promise;
    } catch (err) {
      throw new Error(
        `${this.label}: ${what}: ${(err as Error).message}\n` +
          `  stdout: ${JSON.stringify(this.#stdout.slice(0, 600))}\n  stderr: ${
            JSON.stringify(this.#stderr.slice(0, 600))
          }`,
        { cause: err },
      );
    }
  }

  #signal(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch {
      // It has exited already.
    }
  }

  async #pump(stream: ReadableStream<Uint8Array>, into: "stdout" | "stderr"): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      if (into === "stderr") {
        this.#stderr += text;
        continue;
      }
      this.#stdout += text;
      for (const watcher of [...this.#watchers]) watcher();
    }
  }
}

/** Starts an example; the caller disposes it. */
export function startExample(example: ScriptName, args: readonly string[], options?: ExampleOptions): ExampleProcess {
  return new ExampleProcess(example, args, options);
}
