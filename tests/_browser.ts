/**
 * Headless Chromium for the browser tests (`npm:playwright-core` driving
 * the Debian `chromium` that `.ci/run` installs). Locally a missing
 * browser skips the test with a message; in CI it fails.
 *
 * @module
 */

import { type Browser, chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../tools/_chromium.ts";
import { hasCommand, PEERS_REQUIRED } from "./_helpers.ts";

export { CHROMIUM };

/** Whether the browser tests can run here (they must, in CI). */
export const HAS_CHROMIUM: boolean = PEERS_REQUIRED || hasCommand(CHROMIUM);

if (!HAS_CHROMIUM) console.warn(`browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

/** Launches headless Chromium with no background traffic of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}
