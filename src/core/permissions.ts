/**
 * Asking for Deno permissions when a call needs them, so that a missing
 * one fails that call at once (`EACCES` naming the flag) instead of a
 * background connection loop that retries forever. Where Deno would
 * prompt (an interactive terminal), it prompts here, as `Deno.connect`
 * would; elsewhere a permission not granted is denied. Outside Deno
 * (browsers) there is nothing to ask.
 *
 * @module
 */

import { SpError } from "./errors.ts";

/**
 * Requests each permission; the first one not granted is `EACCES`.
 *
 * @example Usage
 * ```ts
 * import { requirePermissions } from "./permissions.ts";
 * // Run with --allow-net=127.0.0.1:5555 (or -A) and this returns quietly.
 * try {
 *   requirePermissions([{ name: "net", host: "127.0.0.1:5555" }], "tcp://127.0.0.1:5555");
 * } catch (err) {
 *   console.log((err as Error).message); // "EACCES: permission denied for tcp://…: run Deno with --allow-net…"
 * }
 * ```
 *
 * @param descriptors what the operation needs, e.g. `{ name: "net", host: "127.0.0.1:5555" }`
 * @param where the address, for the message
 * @throws {SpError} EACCES naming the flag to run Deno with
 */
export function requirePermissions(descriptors: readonly Deno.PermissionDescriptor[], where: string): void {
  const permissions = (globalThis as { Deno?: { permissions?: Deno.Permissions } }).Deno?.permissions;
  if (permissions?.requestSync === undefined) return;
  for (const descriptor of descriptors) {
    let state: Deno.PermissionState;
    try {
      state = permissions.requestSync(descriptor).state;
    } catch {
      continue; // a descriptor this Deno does not know: the operation itself will tell
    }
    if (state === "granted") continue;
    const scope = "host" in descriptor ? descriptor.host : "path" in descriptor ? descriptor.path : undefined;
    const flag = `--allow-${descriptor.name}${scope === undefined ? "" : ` (or --allow-${descriptor.name}=${scope})`}`;
    throw new SpError("EACCES", `permission denied for ${where}: run Deno with ${flag}`);
  }
}
