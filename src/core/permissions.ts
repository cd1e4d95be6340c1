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

/** `--allow-read`, or `--allow-read=/path` with the descriptor's scope. */
function flag(descriptor: Deno.PermissionDescriptor, scoped: boolean): string {
  const scope = "host" in descriptor ? descriptor.host : "path" in descriptor ? descriptor.path : undefined;
  return `--allow-${descriptor.name}${scoped && scope !== undefined ? `=${scope}` : ""}`;
}

function list(flags: string[]): string {
  return flags.length === 1 ? flags[0]! : `${flags.slice(0, -1).join(", ")} and ${flags.at(-1)}`;
}

/**
 * Makes sure the operation's permissions are granted: those not granted
 * yet are requested (Deno prompts where it can); if one is refused, the
 * error names every flag missing.
 *
 * @example Usage
 * ```ts
 * import { requirePermissions } from "./permissions.ts";
 * try {
 *   requirePermissions([{ name: "net", host: "127.0.0.1:5555" }], "tcp://127.0.0.1:5555");
 *   console.log("granted"); // with --allow-net or -A
 * } catch (err) {
 *   console.log((err as Error).message); // "EACCES: permission denied for tcp://…: run Deno with --allow-net …"
 * }
 * ```
 *
 * @param descriptors what the operation needs, e.g. `{ name: "net", host: "127.0.0.1:5555" }`
 * @param where the address, for the message
 * @throws {SpError} EACCES naming the flags to run Deno with
 */
export function requirePermissions(descriptors: readonly Deno.PermissionDescriptor[], where: string): void {
  const permissions = (globalThis as { Deno?: { permissions?: Deno.Permissions } }).Deno?.permissions;
  if (permissions?.querySync === undefined) return;
  const missing = descriptors.filter((descriptor) => {
    try {
      return permissions.querySync(descriptor).state !== "granted";
    } catch {
      return false; // a descriptor this Deno does not know: the operation itself will tell
    }
  });
  if (missing.every((descriptor) => permissions.requestSync(descriptor).state === "granted")) return;
  const flags = missing.map((descriptor) => flag(descriptor, false));
  const scoped = missing.map((descriptor) => flag(descriptor, true)).join(" ");
  throw new SpError("EACCES", `permission denied for ${where}: run Deno with ${list(flags)} (or ${scoped})`);
}
