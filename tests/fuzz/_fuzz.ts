/**
 * Shared settings of the property-based fuzz targets (fast-check). Every
 * run is seeded, so a failure is replayed exactly: the report names the
 * seed and the shrunk counterexample. `deno task test` runs each target
 * briefly with a fixed seed; `deno task fuzz` runs millions of inputs.
 *
 * Environment: `FUZZ_RUNS` (inputs per property; overrides the task's
 * `FUZZ_LONG_RUNS`), `FUZZ_SEED` (an integer; `random` picks one and
 * prints it).
 *
 * @module
 */

import fc from "fast-check";
import { isSpError } from "../../mod.ts";

/** The seed CI uses, so its short run is the same every time. */
const FIXED_SEED = 20261203;

function envNumber(name: string): number | undefined {
  const value = Deno.env.get(name);
  if (value === undefined || value === "" || value === "random") return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, not ${value}`);
  return n;
}

/** Whether this is a long run (`deno task fuzz`), where progress is printed. */
export const LONG_RUN: boolean = Deno.env.get("FUZZ_RUNS") !== undefined ||
  Deno.env.get("FUZZ_LONG_RUNS") !== undefined;

function seed(): number {
  const fromEnv = envNumber("FUZZ_SEED");
  if (fromEnv !== undefined) return fromEnv;
  if (Deno.env.get("FUZZ_SEED") === "random") return Math.floor(Math.random() * 2 ** 31);
  return FIXED_SEED;
}

/**
 * Runs one property `runs` times (or `FUZZ_RUNS` times in a long run),
 * seeded; throws fast-check's report (seed, path, shrunk input) on failure.
 *
 * @param name the target, for the printed figures
 * @param property the property to check
 * @param ciRuns how many inputs the short CI run tries
 */
export function check<Ts>(name: string, property: fc.IProperty<Ts>, ciRuns: number): void {
  const numRuns = envNumber("FUZZ_RUNS") ?? envNumber("FUZZ_LONG_RUNS") ?? ciRuns;
  const s = seed();
  const started = performance.now();
  fc.assert(property, { seed: s, numRuns, endOnFailure: false });
  const seconds = (performance.now() - started) / 1000;
  if (LONG_RUN) {
    const rate = Math.round(numRuns / seconds);
    console.log(`fuzz ${name}: ${numRuns} inputs, 0 failures, ${seconds.toFixed(1)} s (${rate}/s), seed ${s}`);
  }
}

/**
 * Calls `fn`; an `SpError` it throws is returned, anything else thrown is
 * rethrown (and fails the property): only typed errors may escape.
 */
export function spErrorOf(fn: () => void): Error | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (isSpError(err)) return err;
    throw err;
  }
}

/** Cuts `bytes` into pieces at the given (unsorted, possibly repeated) offsets. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const at of points) {
    if (at > from) pieces.push(bytes.subarray(from, at));
    from = Math.max(from, at);
  }
  if (from < bytes.length) pieces.push(bytes.subarray(from));
  return pieces;
}

/** Byte arrays, biased towards short ones and towards the bytes that matter on the wire. */
export function wireBytes(maxLength: number): fc.Arbitrary<Uint8Array> {
  const byte = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }) },
    { weight: 1, arbitrary: fc.constantFrom(0x00, 0x01, 0x53, 0x50, 0x7f, 0x80, 0xff) },
  );
  return fc.array(byte, { maxLength }).map((a) => Uint8Array.from(a));
}

export { fc };
