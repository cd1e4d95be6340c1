/**
 * Where Debian's headless Chromium is and the flags every headless run of
 * ours gives it (no background traffic, no sandbox in containers): one
 * place for the browser tests, the inspector's screenshot and the
 * inspected bench tool.
 *
 * @module
 */

/** Where Debian puts Chromium (`apt-get install chromium`). */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags for a headless Chromium that makes no requests of its own. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
