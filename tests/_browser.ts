/**
 * Headless Chromium for the browser tests (`npm:playwright-core` driving
 * the Debian `chromium` that `.ci/run` installs). Locally a missing
 * browser skips the test with a message; in CI it fails.
 *
 * @module
 */

import { type Browser, chromium } from "playwright-core";
import { hasCommand, PEERS_REQUIRED } from "./_helpers.ts";

/** Where Debian puts Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether the browser tests can run here (they must, in CI). */
export const HAS_CHROMIUM: boolean = PEERS_REQUIRED || hasCommand(CHROMIUM);

if (!HAS_CHROMIUM) console.warn(`browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

/** Launches headless Chromium with no background traffic of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
