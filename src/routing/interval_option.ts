/**
 * Validation of the protocol options that hold a time span in
 * milliseconds: `NN_REQ_RESEND_IVL` and `NN_SURVEYOR_DEADLINE`.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";
import { describeValue, MAX_DURATION } from "../core/options.ts";

/**
 * Checks a protocol option holding milliseconds (`NN_REQ_RESEND_IVL`,
 * `NN_SURVEYOR_DEADLINE`). nanomsg stores any int; a zero or negative
 * interval would make REQ resend in a busy loop, so it is refused here.
 *
 * @example Usage
 * ```ts
 * import { intervalOption } from "./interval_option.ts";
 * console.log(intervalOption("NN_SURVEYOR_DEADLINE", 250)); // 250
 * ```
 *
 * @param name the option's name, for the error message
 * @param value what the caller passed
 * @returns the value as a number of ms
 * @throws {SpError} EINVAL unless an integer from 1 to 2^31-1 (the timer limit)
 */
export function intervalOption(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || value > MAX_DURATION) {
    throw new SpError(
      "EINVAL",
      `${name} must be an integer from 1 to ${MAX_DURATION} (ms), not ${describeValue(value)}`,
    );
  }
  return value;
}
