/// <reference lib="dom" />
/**
 * `deno task inspect:screenshot`: the picture of the live inspector in the
 * README. Runs `inspect_demo.ts` (the six patterns with the inspector on)
 * in a child process, opens its page in headless Chromium, selects the
 * dialer that backs off and a pipe, and writes `docs/inspector.png`.
 *
 * @module
 */

import { launchChromium } from "../tests/_browser.ts";
import { ROOT } from "./_format.ts";

/** Where the picture goes, relative to the repository root. */
export const SCREENSHOT_PATH = "docs/inspector.png";

const demo = new Deno.Command(Deno.execPath(), {
  args: ["run", "--allow-net", "--allow-read", "--allow-write", "tools/inspect_demo.ts", "--duration", "60"],
  cwd: ROOT,
  stdout: "piped",
  stderr: "inherit",
}).spawn();

try {
  const reader = demo.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  while (!/inspector: (\S+)/.test(output)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the demo ended early: ${output}`);
    output += value;
  }
  reader.releaseLock();
  const url = /inspector: (\S+)/.exec(output)![1]!;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
    await page.goto(url);
    await page.waitForSelector("#status.live");
    // Let the dialer back off a few times and the rates settle.
    await page.waitForTimeout(6000);
    await page.fill("#filter", "");
    const dialer = await page.$$eval(
      ".row[data-actor]",
      (rows) => rows.find((row) => row.querySelector(".state")?.textContent === "waiting")?.getAttribute("data-actor"),
    );
    if (dialer !== undefined) await page.click(`[data-actor="${dialer}"]`);
    await page.waitForTimeout(500);
    await page.evaluate(() => document.getElementById("overview")!.scrollTop = 0);
    await page.waitForTimeout(200);
    await page.screenshot({ path: new URL(SCREENSHOT_PATH, ROOT).pathname, fullPage: false });
    console.log(`wrote ${SCREENSHOT_PATH}`);
  } finally {
    await browser.close();
  }
} finally {
  try {
    demo.kill("SIGINT");
  } catch { /* gone */ }
  await demo.status;
}
