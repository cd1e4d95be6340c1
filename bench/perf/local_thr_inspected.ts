/**
 * `local_thr` with the live inspector open and its page connected: the
 * process serves the inspector (`serveInspector()`), opens the page in
 * headless Chromium (a process of its own, as a user's browser would be;
 * where Chromium is missing, the process follows the page's event stream
 * itself, parsing every frame), waits until the page is connected and the
 * statistics are sampled, then runs `local_thr.ts` unchanged, so
 * `bench:compare` can set its rate beside the plain tool's.
 *
 * Usage: `deno run -A bench/perf/local_thr_inspected.ts <bind-url> <msg-size> <msg-count>`
 * (it needs `--allow-run` for Chromium; `SP_INSPECTED_PAGE=stream` reads
 * the stream in-process even where Chromium is).
 *
 * @module
 */

import { serveInspector } from "../../src/inspect/mod.ts";
import { CHROMIUM, CHROMIUM_ARGS } from "../../tools/_chromium.ts";

/** Opens the page in headless Chromium; undefined when there is none. */
async function openInChromium(url: string): Promise<{ close(): Promise<void> } | undefined> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    return undefined;
  }
  const profile = await Deno.makeTempDir({ prefix: "sp-inspected-" });
  const browser = new Deno.Command(CHROMIUM, {
    args: [
      "--headless",
      ...CHROMIUM_ARGS,
      `--user-data-dir=${profile}`,
      url,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  return {
    async close() {
      try {
        browser.kill("SIGKILL");
      } catch { /* gone */ }
      await browser.status;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** Follows the event stream in this process, parsing each frame as the page does. */
function followStream(url: string): { close(): Promise<void> } {
  const stop = new AbortController();
  const reading = (async () => {
    const response = await fetch(new URL("events", url), { signal: stop.signal });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
        buffer = buffer.slice(end + 2);
        if (data !== undefined) JSON.parse(data);
      }
    }
  })().catch(() => {/* stopped */});
  return {
    async close() {
      stop.abort();
      await reading;
    },
  };
}

const ui = await serveInspector();
const page = (Deno.env.get("SP_INSPECTED_PAGE") === "stream" ? undefined : await openInChromium(ui.url)) ??
  followStream(ui.url);
const deadline = Date.now() + 20_000;
while (ui.clients === 0) {
  if (Date.now() > deadline) throw new Error("the inspector page did not connect");
  await new Promise((resolve) => setTimeout(resolve, 10));
}
// The page has its layouts and first frames, the sampler runs, and a
// browser that just started has finished starting (its first seconds are
// busy, and would be counted against the inspector).
await new Promise((resolve) => setTimeout(resolve, 2000));

await import("./local_thr.ts");

await page.close();
await ui.close();
