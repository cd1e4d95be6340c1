/**
 * What the six classic examples share: dispatching on the role argument,
 * printing the usage (exit status 2) when the arguments are wrong, printing
 * a line at once, the time scale the tests use to shorten the examples'
 * sleeps, and the current time as the examples send it.
 *
 * The examples keep the original programs' timings (pair's and pubsub's
 * 1 s, the surveyor's 1 s wait and 1 s deadline, bus's 5 s wait and 5 s
 * timeout). `SP_EXAMPLE_TIME_SCALE=0.1` runs all of them at a tenth, which
 * the tests use; it is read only when the script may read it (`--allow-env`),
 * and a value that is not a positive number is a usage error.
 *
 * Private to `examples/`: not part of the library.
 *
 * @module
 */

import { isSpError } from "../mod.ts";

/** The environment variable that multiplies every sleep, deadline and timeout of the examples. */
export const TIME_SCALE_VARIABLE = "SP_EXAMPLE_TIME_SCALE";

/**
 * One example's entry point: given the role (the first argument) and the
 * arguments after it, it returns the running role, or `undefined` when the
 * arguments fit no role (then the usage is printed).
 */
export type Dispatch = (role: string, rest: readonly string[]) => Promise<void> | undefined;

/** Thrown for arguments (or settings) the example cannot run with; reported with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const encoder = new TextEncoder();

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
}

/**
 * Prints one line to stdout at once: a parent process reading our pipe
 * sees each line as it happens, not when some buffer fills.
 */
export function say(line: string): void {
  writeAll(Deno.stdout, `${line}\n`);
}

/** Prints one line to stderr at once. */
export function complain(line: string): void {
  writeAll(Deno.stderr, `${line}\n`);
}

/**
 * The factor {@linkcode TIME_SCALE_VARIABLE} sets (1 when unset, or when
 * the script may not read it: the examples keep the original timings).
 *
 * @throws {UsageError} when the value is not a positive number
 */
export function timeScale(): number {
  cachedScale ??= readTimeScale();
  return cachedScale;
}

let cachedScale: number | undefined;

function readTimeScale(): number {
  const permission = Deno.permissions.querySync({ name: "env", variable: TIME_SCALE_VARIABLE });
  if (permission.state !== "granted") return 1;
  const value = Deno.env.get(TIME_SCALE_VARIABLE);
  if (value === undefined || value === "") return 1;
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new UsageError(`${TIME_SCALE_VARIABLE} must be a positive number, not ${JSON.stringify(value)}`);
  }
  return scale;
}

/** `ms` times the time scale, whole milliseconds, at least 1. */
export function scaled(ms: number): number {
  return Math.max(1, Math.round(ms * timeScale()));
}

/** Resolves after `ms` milliseconds, times the time scale. */
export function sleep(ms: number): Promise<void> {
  const delay = scaled(ms);
  return new Promise((resolve) => setTimeout(resolve, delay));
}

/** The current time in seconds since the epoch, as decimal text (e.g. `1718000000.123`). */
export function nowInSeconds(): string {
  return String(Date.now() / 1000);
}

/** Whether `role` is `prefix` followed by a number, e.g. `subscriber2` for `subscriber`. */
export function isNumbered(role: string, prefix: string): boolean {
  return role.length > prefix.length && role.startsWith(prefix) && /^\d+$/.test(role.slice(prefix.length));
}

function usageText(program: string, usage: readonly string[]): string {
  return ["Usage:", ...usage.map((line) => `  ${program} ${line}`)].join("\n");
}

/**
 * Runs an example: dispatches `args` (default: the command line) and
 * turns failures into messages and exit statuses instead of stack traces:
 * wrong arguments print the usage and exit 2; a socket error (address in
 * use, bad URL, missing permission…) prints its message and exits 1.
 *
 * @param program the script's name, for the usage
 * @param usage one line per role, without the program name
 * @param dispatch starts the role the arguments ask for
 */
export async function runExample(
  program: string,
  usage: readonly string[],
  dispatch: Dispatch,
  args: readonly string[] = Deno.args,
): Promise<void> {
  try {
    timeScale(); // A bad value is a usage error before anything starts.
    const [role, ...rest] = args;
    const running = role === undefined ? undefined : dispatch(role, rest);
    if (running === undefined) throw new UsageError(`unexpected arguments: ${JSON.stringify(args)}`);
    await running;
  } catch (err) {
    if (err instanceof UsageError) {
      complain(`${program}: ${err.message}\n${usageText(program, usage)}`);
      Deno.exit(2);
    }
    if (isSpError(err) || err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      complain(`${program}: ${(err as Error).message}`);
      Deno.exit(1);
    }
    throw err;
  }
}
