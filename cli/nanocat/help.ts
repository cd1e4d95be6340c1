/**
 * nanocat's `--help` text, laid out from the option table the way nanocat
 * 1.1.5 lays out its own: a usage line built from the required options and
 * the short flags, then each group's options with their descriptions
 * wrapped at 80 columns under a 24-column gutter.
 *
 * @module
 */

import { PROGRAM_NAME } from "./exit.ts";
import { type OptionSpec, REQUIRED_MASK } from "./option_table.ts";

/** The one-line summary under the usage line. */
const SUMMARY = "A command-line interface to nanomsg";

/** Width of the column that holds the option names. */
const GUTTER = 24;
/** Width left for descriptions on an 80-column terminal. */
const TEXT_WIDTH = 80 - GUTTER;

function isCSpace(char: string | undefined): boolean {
  return char !== undefined && " \t\n\v\f\r".includes(char);
}

/**
 * Splits a description into lines of at most `width` characters, breaking
 * at the last blank that fits and dropping that one blank; a text with no
 * such blank stays one line.
 */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest !== "") {
    if (rest.length < width) {
      lines.push(rest);
      break;
    }
    let cut = width;
    while (cut > 1 && !isCSpace(rest[cut])) cut--;
    if (cut <= 1) {
      lines.push(rest);
      break;
    }
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut + 1);
  }
  return lines;
}

/**
 * The usage line (without the leading "Usage:"), e.g.
 * `    nanocat {--push|…} [-vqhAQ] [-i SEC] … [options] `.
 *
 * @param table the options
 * @returns the line with its newline
 */
export function usageLine(table: readonly OptionSpec[]): string {
  const required = table.filter((spec) => (spec.provides & REQUIRED_MASK) !== 0);
  const others = table.filter((spec) => (spec.provides & REQUIRED_MASK) === 0 && spec.short !== undefined);
  const flags = others.filter((spec) => spec.metavar === undefined).map((spec) => spec.short).join("");
  let line = `    ${PROGRAM_NAME} `;
  if (required.length > 0) line += `{${required.map((spec) => `--${spec.long}`).join("|")}} `;
  if (flags !== "") line += `[-${flags}] `;
  for (const spec of others) {
    if (spec.metavar !== undefined) line += `[-${spec.short} ${spec.metavar}] `;
  }
  return `${line}[options] \n`;
}

/**
 * The full `--help` text.
 *
 * @example Usage
 * ```ts
 * import { helpText } from "./help.ts";
 * import { OPTION_TABLE } from "./option_table.ts";
 * console.log(helpText(OPTION_TABLE).split("\n")[0]); // "Usage:"
 * ```
 *
 * @param table the options
 * @returns the text nanocat prints for `--help`
 */
export function helpText(table: readonly OptionSpec[]): string {
  let text = `Usage:\n${usageLine(table)}\n${SUMMARY}\n`;
  let group: string | undefined;
  for (const spec of table) {
    if (spec.group !== group) {
      text += `\n${spec.group}:\n`;
      group = spec.group;
    }
    let names = ` --${spec.long}`;
    if (spec.short !== undefined) names += `,-${spec.short}`;
    if (spec.metavar !== undefined) names += ` ${spec.metavar}`;
    const lines = wrap(spec.description, TEXT_WIDTH);
    const gutter = " ".repeat(GUTTER);
    // Names that leave less than two blanks before the description column get a line of their own.
    if (names.length < GUTTER - 1) {
      text += names + " ".repeat(GUTTER - names.length) + (lines.shift() ?? "");
    } else {
      text += names;
    }
    for (const line of lines) text += `\n${gutter}${line}`;
    text += "\n";
  }
  return text;
}
