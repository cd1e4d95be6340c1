/**
 * The error texts nanocat prints after "Can't bind: " and the like: glibc's
 * `strerror` wording for system errors, nanomsg's own for EFSM and ETERM.
 *
 * @module
 */

import { isSpError } from "../../mod.ts";

// glibc's strerror texts for the errno names our library and Deno report.
const STRERROR: Readonly<Record<string, string>> = {
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  EIO: "Input/output error",
  ENXIO: "No such device or address",
  EBADF: "Bad file descriptor",
  EAGAIN: "Resource temporarily unavailable",
  ENOMEM: "Cannot allocate memory",
  EACCES: "Permission denied",
  EBUSY: "Device or resource busy",
  EEXIST: "File exists",
  ENODEV: "No such device",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EINVAL: "Invalid argument",
  ENFILE: "Too many open files in system",
  EMFILE: "Too many open files",
  ENOSPC: "No space left on device",
  EROFS: "Read-only file system",
  EPIPE: "Broken pipe",
  ENAMETOOLONG: "File name too long",
  ELOOP: "Too many levels of symbolic links",
  EPROTO: "Protocol error",
  EMSGSIZE: "Message too long",
  ENOPROTOOPT: "Protocol not available",
  EPROTONOSUPPORT: "Protocol not supported",
  ENOTSUP: "Operation not supported",
  EADDRINUSE: "Address already in use",
  EADDRNOTAVAIL: "Cannot assign requested address",
  ENETUNREACH: "Network is unreachable",
  ECONNRESET: "Connection reset by peer",
  EISCONN: "Transport endpoint is already connected",
  ETIMEDOUT: "Connection timed out",
  ECONNREFUSED: "Connection refused",
  EHOSTUNREACH: "No route to host",
  ECANCELED: "Operation canceled",
  // nanomsg's own errors, as its nn_strerror words them.
  ETERM: "Nanomsg library was terminated",
  EFSM: "Operation cannot be performed in this state",
};

// Deno's errors from the operating system end in "(os error N)" after the
// system's own strerror text.
const OS_ERROR = /^(.*?) \(os error \d+\)/s;

function systemText(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const fromMessage = OS_ERROR.exec(err.message)?.[1];
  if (fromMessage !== undefined) return fromMessage;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? STRERROR[code] : undefined;
}

/**
 * What C's `strerror` would say about `err`: for our library's errors the
 * text of the system error behind them when there is one (an ipc bind into
 * a missing directory is ENOENT, as in nanomsg), else the text of their
 * errno name.
 *
 * @example Usage
 * ```ts
 * import { SpError } from "../../mod.ts";
 * import { strerror } from "./errno.ts";
 * console.log(strerror(new SpError("EADDRINUSE", "busy"))); // "Address already in use"
 * ```
 *
 * @param err what a socket call or a file read threw
 * @returns the one-line description nanocat prints
 */
export function strerror(err: unknown): string {
  // A cause that is itself one of ours (a timeout's last connect error) is context, not the system error.
  if (isSpError(err)) {
    return (isSpError(err.cause) ? undefined : systemText(err.cause)) ?? STRERROR[err.code] ?? err.code;
  }
  if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
    return systemText(err) ?? STRERROR.EACCES!;
  }
  return systemText(err) ?? (err instanceof Error ? err.message : String(err));
}
