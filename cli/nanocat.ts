/**
 * `nanocat` in TypeScript: a drop-in for nanomsg 1.1.5's command-line tool,
 * with the same options, output formats, messages and exit codes, built on
 * this library's sockets.
 *
 * ```sh
 * deno task nanocat --pull --bind tcp://127.0.0.1:5555 --quoted
 * deno task nanocat --push --connect tcp://127.0.0.1:5555 --data hello
 * deno task nanocat --help
 * ```
 *
 * Exit codes are nanocat's: 0 done (or `--help`), 1 a bad command line,
 * 2 an unreadable `--file`, 3 a failed socket call ("Can't bind: …").
 *
 * One difference on purpose: a one-shot `--data` send is delivered before
 * the program exits (closing the socket flushes it, for up to LINGER = 1000
 * ms), where nanocat, whose LINGER does nothing, can lose it.
 *
 * `ws://`, `wss://` and `tls+tcp://` addresses work like the others; for
 * the TLS ones nngcat's flags are accepted too: `--cert FILE` (`-E`),
 * `--key FILE`, `--cacert FILE` and `--insecure` (`-k`, does not verify
 * the server's certificate). As with nngcat, `--cert` on a connecting side
 * is presented to a server that asks for a client certificate, and a
 * binding side asks for none (nngcat has no flag for it; its `--cacert`
 * there changes nothing). nanocat has no TLS, so they are matched by full
 * name only and are not in `--help`, which stays nanocat's text.
 *
 * Relative paths (`--file`, `--cert`, `ipc://`) are taken from the directory
 * `deno task` was started in when INIT_CWD may be read (`--allow-env`).
 *
 * @module
 */

import { EXIT, NanocatExit, PROGRAM_NAME } from "./nanocat/exit.ts";
import type { Output } from "./nanocat/loops.ts";
import { parseOptions } from "./nanocat/options.ts";
import { runNanocat } from "./nanocat/run.ts";

export type { Output } from "./nanocat/loops.ts";

/** How a shell reports a program killed by SIGPIPE, as nanocat is when stdout closes. */
const BROKEN_PIPE_EXIT = 128 + 13;

const encoder = new TextEncoder();

function writeAll(stream: { writeSync(bytes: Uint8Array): number }, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += stream.writeSync(bytes.subarray(offset));
}

/** stdout and stderr of this process; a closed stdout ends the program quietly, as SIGPIPE ends nanocat. */
export function processOutput(): Output {
  return {
    stdout(bytes) {
      try {
        writeAll(Deno.stdout, bytes);
      } catch (err) {
        if (err instanceof Deno.errors.BrokenPipe) throw new NanocatExit(BROKEN_PIPE_EXIT, {});
        throw err;
      }
    },
    stderr(text) {
      try {
        writeAll(Deno.stderr, encoder.encode(text));
      } catch {
        // Nowhere left to report to.
      }
    },
  };
}

function report(stop: NanocatExit, output: Output): number {
  if (stop.stdout !== "") output.stdout(encoder.encode(stop.stdout));
  if (typeof stop.stderr !== "string") {
    try {
      writeAll(Deno.stderr, stop.stderr);
    } catch {
      // Nowhere left to report to.
    }
  } else if (stop.stderr !== "") {
    output.stderr(stop.stderr);
  }
  return stop.code;
}

/**
 * Runs nanocat with `args` (the words after the program name).
 *
 * @example Usage
 * ```ts ignore
 * import { main } from "./nanocat.ts";
 * Deno.exit(await main(["--pull", "--bind", "tcp://127.0.0.1:5555", "--ascii", "--recv-timeout", "1"]));
 * ```
 *
 * @param args the command line
 * @param output where to print; this process's stdout and stderr by default
 * @returns the exit code
 */
export async function main(args: readonly string[], output: Output = processOutput()): Promise<number> {
  try {
    await runNanocat(parseOptions(args), output);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof NanocatExit) {
      try {
        return report(err, output);
      } catch (inner) {
        if (inner instanceof NanocatExit) return inner.code;
        throw inner;
      }
    }
    // A bug of ours: say what it was in one line, not with a stack trace.
    output.stderr(`${PROGRAM_NAME}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.socket;
  }
}

/** Moves to the directory `deno task` was started from, when we may read it. */
function enterInvokingDirectory(): void {
  const env = Deno.permissions.querySync({ name: "env", variable: "INIT_CWD" });
  if (env.state !== "granted") return;
  const directory = Deno.env.get("INIT_CWD");
  if (directory === undefined || directory === "") return;
  try {
    Deno.chdir(directory);
  } catch {
    // Stay where we are.
  }
}

if (import.meta.main) {
  enterInvokingDirectory();
  Deno.exit(await main(Deno.args));
}
