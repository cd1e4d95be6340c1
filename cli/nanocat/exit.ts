/**
 * How nanocat stops early: a thrown {@linkcode NanocatExit} carries the exit
 * code and what to print, so the parser and the loops stay free of
 * `Deno.exit` and can be tested in-process.
 *
 * @module
 */

/** The name nanocat prints in its messages (its `argv[0]` when run from PATH). */
export const PROGRAM_NAME = "nanocat";

/** nanocat's exit codes. */
export const EXIT = {
  /** Done, or `--help`. */
  ok: 0,
  /** A bad command line. */
  usage: 1,
  /** `--file` could not be read. */
  file: 2,
  /** A socket call failed ("Can't bind: …"). */
  socket: 3,
} as const;

/**
 * Ends the program with `code`, after writing `stdout` and `stderr`.
 *
 * @example Usage
 * ```ts
 * import { EXIT, NanocatExit } from "./exit.ts";
 * const stop = new NanocatExit(EXIT.socket, { stderr: "Can't bind: Invalid argument\n" });
 * console.log(stop.code); // 3
 * ```
 */
export class NanocatExit extends Error {
  /** The process exit code. */
  readonly code: number;
  /** Text for stdout (the help), if any. */
  readonly stdout: string;
  /** The error for stderr, if any: text, or bytes when it holds part of a character. */
  readonly stderr: string | Uint8Array;

  /**
   * Creates the request to exit.
   *
   * @param code the exit code
   * @param output what to print on each stream
   */
  constructor(code: number, output: { stdout?: string; stderr?: string | Uint8Array }) {
    const shown = output.stderr ?? output.stdout ?? `exit ${code}`;
    super(typeof shown === "string" ? shown : new TextDecoder().decode(shown));
    this.name = "NanocatExit";
    this.code = code;
    this.stdout = output.stdout ?? "";
    this.stderr = output.stderr ?? "";
  }
}
