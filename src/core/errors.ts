/**
 * Typed errors carrying nanomsg's errno names.
 *
 * @module
 */

/** The nanomsg error names this library can raise. */
export type ErrorCode =
  | "EAGAIN"
  | "ETIMEDOUT"
  | "EBADF"
  | "ETERM"
  | "EADDRINUSE"
  | "EADDRNOTAVAIL"
  | "EINVAL"
  | "EPROTONOSUPPORT"
  | "ENAMETOOLONG"
  | "EFSM"
  | "ENOPROTOOPT"
  | "ENOTSUP"
  | "ENODEV"
  | "ECONNREFUSED"
  | "EPROTO"
  | "EMSGSIZE"
  | "EACCES"
  | "ECANCELED"
  | "EISCONN"
  | "ECONNRESET"
  | "EHOSTUNREACH";

/**
 * Numeric values as Linux and nanomsg report them (`ETERM` and `EFSM` are
 * nanomsg's own numbers above `NN_HAUSNUMERO`).
 */
export const ERRNO: Readonly<Record<ErrorCode, number>> = Object.freeze({
  EAGAIN: 11,
  ETIMEDOUT: 110,
  EBADF: 9,
  ETERM: 156384765,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  EINVAL: 22,
  EPROTONOSUPPORT: 93,
  ENAMETOOLONG: 36,
  EFSM: 156384766,
  ENOPROTOOPT: 92,
  ENOTSUP: 95,
  ENODEV: 19,
  ECONNREFUSED: 111,
  EPROTO: 71,
  EMSGSIZE: 90,
  EACCES: 13,
  ECANCELED: 125,
  EISCONN: 106,
  ECONNRESET: 104,
  EHOSTUNREACH: 113,
});

/**
 * The one error class of the library: `code` is nanomsg's errno name.
 *
 * @example Usage
 * ```ts
 * import { SpError } from "@sp/nanomsg";
 * const err = new SpError("EAGAIN", "nothing to receive");
 * console.log(err.code, err.errno); // "EAGAIN" 11
 * ```
 */
export class SpError extends Error {
  /** nanomsg's errno name, e.g. `"ETIMEDOUT"`. */
  readonly code: ErrorCode;
  /** The numeric errno nanomsg would report. */
  readonly errno: number;

  /**
   * Creates an error with a code and a message that says what to check.
   *
   * @param code nanomsg's errno name
   * @param message what went wrong, in sentence case
   * @param options the underlying error, if any
   */
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.name = "SpError";
    this.code = code;
    this.errno = ERRNO[code];
  }
}

/**
 * Whether `err` is an {@linkcode SpError}, optionally of the given code.
 *
 * @example Usage
 * ```ts
 * import { isSpError, SpError } from "@sp/nanomsg";
 * console.log(isSpError(new SpError("EFSM", "no request"), "EFSM")); // true
 * ```
 *
 * @param err any thrown value
 * @param code the code to match, if any
 * @returns true when it matches
 */
export function isSpError(err: unknown, code?: ErrorCode): err is SpError {
  return err instanceof SpError && (code === undefined || err.code === code);
}

/**
 * Maps an error thrown by a Deno API to an {@linkcode SpError}; permission
 * errors name the missing flag.
 *
 * @example Usage
 * ```ts
 * import { fromDenoError } from "@sp/nanomsg";
 * const err = fromDenoError(new Deno.errors.AddrInUse("busy"), "tcp://127.0.0.1:1");
 * console.log(err.code); // "EADDRINUSE"
 * ```
 *
 * @param err what the Deno API threw
 * @param where the address involved, for the message
 * @param flag the permission flag the operation needs
 * @returns the mapped error
 */
export function fromDenoError(
  err: unknown,
  where: string,
  flag = "--allow-net",
): SpError {
  if (err instanceof SpError) return err;
  const e = err as Error;
  const detail = e?.message ?? String(err);
  // Browsers have no Deno namespace: anything there is a plain protocol error.
  if ((globalThis as { Deno?: unknown }).Deno === undefined) return new SpError("EPROTO", `${where}: ${detail}`);
  if (err instanceof Deno.errors.AddrInUse) {
    return new SpError("EADDRINUSE", `${where} is already in use`, { cause: err });
  }
  if (err instanceof Deno.errors.AddrNotAvailable) {
    return new SpError("EADDRNOTAVAIL", `${where} is not a local address`, { cause: err });
  }
  if (err instanceof Deno.errors.ConnectionRefused) {
    return new SpError("ECONNREFUSED", `nothing listens at ${where}`, { cause: err });
  }
  if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
    return new SpError(
      "EACCES",
      `permission denied for ${where}: run Deno with ${flag} (${detail})`,
      { cause: err },
    );
  }
  if (err instanceof Deno.errors.NotFound) {
    return new SpError("ECONNREFUSED", `${where} does not exist`, { cause: err });
  }
  if (/lookup address|name resolution|Name or service not known|No address associated/i.test(detail)) {
    return new SpError("EHOSTUNREACH", `cannot resolve the host of ${where} (${detail})`, { cause: err });
  }
  return new SpError("EPROTO", `${where}: ${detail}`, { cause: err });
}

/**
 * The same error again, created here: an error made in a timer or an I/O
 * callback carries no frame of the code that waited for it, while one made
 * in a job the caller's `await` is chained to gets V8's async frames, down
 * to the caller's line. Internal to the core.
 *
 * @param err the error a waiting call failed with
 * @returns an equal error whose stack leads to the caller (`err` itself when it is no SpError)
 */
export function atCaller(err: unknown): unknown {
  if (!(err instanceof SpError)) return err;
  return new SpError(err.code, err.message.slice(err.code.length + 2), { cause: err.cause });
}

/**
 * What a waiting call's promise is resolved with to fail: a thenable that
 * rejects with `err` made again ({@linkcode atCaller}) when the promise
 * adopts it. Adopting runs in a job chained to the caller's `await`, so
 * the error's stack leads to the caller's line, and a call that succeeds
 * pays nothing for it (no extra promise per call). Internal to the core.
 *
 * @param err the error the call fails with
 * @returns the thenable to `resolve()` the call's promise with
 */
export function failure(err: unknown): PromiseLike<never> {
  return {
    then(_onFulfilled, onRejected) {
      onRejected?.(atCaller(err));
      return this as never;
    },
  } as PromiseLike<never>;
}

/**
 * The error of a call cancelled through its `AbortSignal`: `ECANCELED`,
 * with the signal's reason as its `cause`. Internal to the core.
 *
 * @param signal the aborted signal
 * @param what the call, for the message
 * @returns the error to reject with
 */
export function canceled(signal: AbortSignal, what: string): SpError {
  const reason = signal.reason;
  const why = reason instanceof Error ? `: ${reason.message}` : reason === undefined ? "" : `: ${String(reason)}`;
  return new SpError("ECANCELED", `${what} was aborted${why}`, { cause: reason });
}
