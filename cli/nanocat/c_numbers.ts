/**
 * The C number handling nanocat's behaviour depends on: its option values
 * are parsed with `strtof` into 32-bit floats, and turned into milliseconds
 * with C's truncating `(int)` casts and 32-bit integer arithmetic. Doing the
 * same here keeps every edge the same, e.g. `--recv-timeout 0.5` meaning
 * "do not wait" (nanocat casts the seconds to int before multiplying).
 *
 * @module
 */

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

// What strtof accepts, anchored at both ends because nanocat rejects any
// trailing characters: leading C whitespace, a sign, then infinity, NaN
// (with an optional parenthesised tag), a hex float or a decimal float.
const C_FLOAT =
  /^[ \t\n\v\f\r]*([+-]?)(?:(inf(?:inity)?)|(nan(?:\([0-9a-z_]*\))?)|0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?[0-9]+))?|((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?))$/i;

/**
 * Parses `text` as C's `strtof` does when the whole text must be a number.
 *
 * @example Usage
 * ```ts
 * import { parseCFloat } from "./c_numbers.ts";
 * console.log(parseCFloat(" 0.25"), parseCFloat("1e"), parseCFloat("0x1p-2")); // 0.25 undefined 0.25
 * ```
 *
 * @param text an option's argument
 * @returns the value rounded to a 32-bit float, or undefined when `text` is not entirely a number
 */
export function parseCFloat(text: string): number | undefined {
  const match = C_FLOAT.exec(text);
  if (match === null) return undefined;
  const [, sign, infinity, nan, hexInt, hexFraction, hexExponent, decimal] = match;
  const negative = sign === "-";
  let magnitude: number;
  if (infinity !== undefined) {
    magnitude = Infinity;
  } else if (nan !== undefined) {
    return NaN;
  } else if (hexInt !== undefined) {
    const digits = hexInt + (hexFraction ?? "");
    if (digits === "") return undefined; // "0x" alone: strtof stops after the 0
    magnitude = parseInt(digits, 16) * 2 ** (Number(hexExponent ?? 0) - 4 * (hexFraction ?? "").length);
  } else {
    magnitude = Number(decimal);
  }
  return Math.fround(negative ? -magnitude : magnitude);
}

/**
 * C's `(int)` of a float on x86-64: truncation toward zero; NaN and values
 * outside the int range become INT_MIN.
 *
 * @example Usage
 * ```ts
 * import { cInt } from "./c_numbers.ts";
 * console.log(cInt(1.9), cInt(-1.9), cInt(Infinity)); // 1 -1 -2147483648
 * ```
 *
 * @param value a float
 * @returns the int the cast yields
 */
export function cInt(value: number): number {
  const truncated = Math.trunc(value);
  if (Number.isNaN(truncated) || truncated < INT32_MIN || truncated > INT32_MAX) return INT32_MIN;
  return truncated;
}

/**
 * `(int)(seconds * 1000)` with `seconds` a C float: the product is
 * rounded to a float before the cast.
 *
 * @example Usage
 * ```ts
 * import { millisFromSeconds, parseCFloat } from "./c_numbers.ts";
 * console.log(millisFromSeconds(parseCFloat("0.1")!)); // 100
 * ```
 *
 * @param seconds a 32-bit float value
 * @returns whole milliseconds
 */
export function millisFromSeconds(seconds: number): number {
  return cInt(Math.fround(seconds * 1000));
}

/**
 * `(int) seconds * 1000`: nanocat's socket receive timeout, whose cast
 * binds tighter than the multiplication (fractions of a second are lost)
 * and whose product wraps around like a 32-bit int.
 *
 * @example Usage
 * ```ts
 * import { truncatedMillis } from "./c_numbers.ts";
 * console.log(truncatedMillis(0.5), truncatedMillis(1.7)); // 0 1000
 * ```
 *
 * @param seconds a 32-bit float value
 * @returns whole milliseconds, possibly negative after wrapping
 */
export function truncatedMillis(seconds: number): number {
  return Math.imul(cInt(seconds), 1000);
}
