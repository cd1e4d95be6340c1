/**
 * nanocat's command line, read by nanocat 1.1.5's rules:
 *
 * - long options may be shortened to any unambiguous prefix (`--sub` is
 *   exact, `--subs` means `--subscribe`, `--pu` is ambiguous) and take
 *   their argument as `--name value` or `--name=value`;
 * - short options may be grouped (`-vQ`), and one that takes an argument
 *   takes the rest of the group or the next word (`-Dhello`, `-D hello`);
 * - `--` alone and `-` alone are skipped; any other word is an error;
 * - options are checked as they come (a conflict, a malformed number, an
 *   unreadable `--file`, `--help`), then what each option requires, then
 *   that a socket type and an endpoint were given;
 * - errors name the option as it was written (`--pus[h]`, `-D (--data)`)
 *   and exit with code 1 (2 for `--file`).
 *
 * @module
 */

import { EXIT, NanocatExit, PROGRAM_NAME } from "./exit.ts";
import { helpText } from "./help.ts";
import {
  BadArgument,
  defaultOptions,
  type NanocatOptions,
  OPTION_TABLE,
  type OptionSpec,
  REQUIRED_MASK,
} from "./option_table.ts";
import { TLS_OPTION_TABLE } from "./tls_options.ts";

export { defaultOptions, type NanocatOptions, OPTION_TABLE, type OptionSpec, type SocketType } from "./option_table.ts";

/** How an option was last written: the whole `--word[=value]`, or its letter. */
type Written = { long: string } | { short: string };

const encoder = new TextEncoder();

function usageError(message: string): NanocatExit {
  return new NanocatExit(EXIT.usage, { stderr: `${PROGRAM_NAME}: ${message}\n` });
}

/** nanocat's name for an option in messages, with its surrounding blanks: ` --pus[h] `, ` -D (--data) `. */
function describe(spec: OptionSpec, written: Written): string {
  if ("short" in written) return ` -${written.short} (--${spec.long}) `;
  const equals = written.long.indexOf("=");
  const nameLength = equals < 0 ? written.long.length : equals;
  if (nameLength !== spec.long.length + 2) {
    return ` ${written.long.slice(0, nameLength)}[${spec.long.slice(nameLength - 2)}] `;
  }
  return ` ${written.long} `;
}

/** The options whose provided bits meet `mask`, one per line with their short forms. */
function listProviders(mask: number): string {
  let list = "";
  for (const spec of OPTION_TABLE) {
    if ((spec.provides & mask) === 0) continue;
    list += `    --${spec.long}\n`;
    if (spec.short !== undefined) list += `    -${spec.short}\n`;
  }
  return list;
}

class Parser {
  readonly options: NanocatOptions = defaultOptions();
  readonly #written = new Map<OptionSpec, Written>();
  #mask = 0;
  readonly #args: readonly string[];
  #next = 0;

  constructor(args: readonly string[]) {
    this.#args = args;
  }

  parse(): NanocatOptions {
    while (this.#next < this.#args.length) this.#word(this.#args[this.#next++]!);
    this.#checkRequirements();
    return this.options;
  }

  #word(word: string): void {
    if (!word.startsWith("-")) throw usageError(`Unexpected argument \`\`${word}''`);
    if (word.startsWith("--")) {
      if (word !== "--") this.#long(word);
      return;
    }
    let at = 1;
    while (at < word.length) at = this.#short(word, at);
  }

  #takeNextWord(): string | undefined {
    return this.#next < this.#args.length ? this.#args[this.#next++] : undefined;
  }

  #long(word: string): void {
    const body = word.slice(2);
    const equals = body.indexOf("=");
    const name = equals < 0 ? body : body.slice(0, equals);
    const spec = this.#lookUpLong(word, name);
    const written = { long: word };
    this.#written.set(spec, written);
    if (equals >= 0) {
      if (spec.metavar === undefined) throw this.#optionError(spec, "does not accept argument");
      this.#process(spec, body.slice(equals + 1));
    } else if (spec.metavar === undefined) {
      this.#process(spec, "");
    } else {
      const argument = this.#takeNextWord();
      if (argument === undefined) throw this.#optionError(spec, "requires an argument");
      this.#process(spec, argument);
    }
  }

  #lookUpLong(word: string, name: string): OptionSpec {
    const exact = OPTION_TABLE.find((spec) => spec.long === name) ??
      TLS_OPTION_TABLE.find((spec) => spec.long === name);
    if (exact !== undefined) return exact;
    const candidates = name === "" ? [] : OPTION_TABLE.filter((spec) => spec.long.startsWith(name));
    if (candidates.length === 1) return candidates[0]!;
    if (candidates.length === 0) throw usageError(`Unknown option \`\`${word}''`);
    const names = candidates.map((spec) => `    ${spec.long}\n`).join("");
    throw usageError(`Ambiguous option \`\`${word}'':\n${names.slice(0, -1)}`);
  }

  /** Handles the short option at `word[at]`; returns where the next one starts. */
  #short(word: string, at: number): number {
    const letter = word[at]!;
    const spec = OPTION_TABLE.find((candidate) => candidate.short === letter) ??
      TLS_OPTION_TABLE.find((candidate) => candidate.short === letter);
    if (spec === undefined) {
      // nanocat prints one byte: for a multi-byte character, only its first.
      const prefix = encoder.encode(`${PROGRAM_NAME}: Unknown option \`\`-`);
      const byte = encoder.encode(String.fromCodePoint(word.codePointAt(at)!)).subarray(0, 1);
      const suffix = encoder.encode("''\n");
      throw new NanocatExit(EXIT.usage, { stderr: new Uint8Array([...prefix, ...byte, ...suffix]) });
    }
    this.#written.set(spec, { short: letter });
    if (spec.metavar === undefined) {
      this.#process(spec, "");
      return at + 1;
    }
    let argument: string | undefined = word.slice(at + 1);
    if (argument === "") {
      argument = this.#takeNextWord();
      if (argument === undefined) throw this.#optionError(spec, "requires an argument");
    }
    this.#process(spec, argument);
    return word.length;
  }

  #process(spec: OptionSpec, argument: string): void {
    if ((this.#mask & spec.conflicts) !== 0) throw this.#conflict(spec);
    this.#mask |= spec.provides;
    if (spec.help) throw new NanocatExit(EXIT.ok, { stdout: helpText(OPTION_TABLE) });
    try {
      spec.apply(this.options, argument);
    } catch (err) {
      if (!(err instanceof BadArgument)) throw err;
      if (err.problem === "float") throw this.#optionError(spec, "requires float point argument");
      const choices = (spec.choices ?? []).map((choice) => `    ${choice}\n`).join("");
      throw usageError(
        `Invalid value \`\`${argument}'' for${this.#describe(spec)}. Options are:\n${choices.slice(0, -1)}`,
      );
    }
  }

  #describe(spec: OptionSpec): string {
    return describe(spec, this.#written.get(spec)!);
  }

  #optionError(spec: OptionSpec, problem: string): NanocatExit {
    return usageError(`Option${this.#describe(spec)}${problem}`);
  }

  #conflict(spec: OptionSpec): NanocatExit {
    let others = "";
    for (const used of OPTION_TABLE) {
      const written = this.#written.get(used);
      if (used !== spec && written !== undefined && (used.provides & spec.conflicts) !== 0) {
        others += `   ${describe(used, written)}\n`;
      }
    }
    if (others === "") others = `   ${this.#describe(spec)}\n`;
    return usageError(`Option${this.#describe(spec)}conflicts with the following options:\n${others.slice(0, -1)}`);
  }

  #checkRequirements(): void {
    for (const spec of OPTION_TABLE) {
      if (!this.#written.has(spec) || spec.requires === 0) continue;
      if ((spec.requires & this.#mask) !== spec.requires) {
        const list = listProviders(spec.requires);
        throw usageError(
          `Option${this.#describe(spec)}requires at least one of the following options:\n${list.slice(0, -1)}`,
        );
      }
    }
    const missing = REQUIRED_MASK & ~this.#mask;
    if (missing !== 0) {
      throw usageError(`At least one of the following required:\n${listProviders(missing).slice(0, -1)}`);
    }
  }
}

/**
 * Reads nanocat's command line.
 *
 * @example Usage
 * ```ts
 * import { parseOptions } from "./options.ts";
 * const options = parseOptions(["--pull", "--bind", "tcp://127.0.0.1:5555", "-Q"]);
 * console.log(options.socketType, options.bindAddresses, options.echoFormat); // "pull" [...] "quoted"
 * ```
 *
 * @param args the arguments after the program name
 * @returns the options to run with
 * @throws {NanocatExit} for `--help` (code 0, help on stdout) and for every
 * command-line error (code 1, or 2 when `--file` cannot be read)
 */
export function parseOptions(args: readonly string[]): NanocatOptions {
  return new Parser(args).parse();
}
