/**
 * The browser bundle in headless Chromium: `deno task bundle`'s output is
 * served with a test page from 127.0.0.1 (Chromium lets such a page reach
 * local WebSocket servers), and the page opens a REQ socket to a Deno REP
 * over ws and a SUB socket to `nngcat --pub` over ws. Every request the
 * page makes must go to 127.0.0.1. Skipped locally without Chromium;
 * required on CI.
 *
 * @module
 */

import assert from "node:assert/strict";
import { openSocket } from "../../mod.ts";
import { CHROMIUM, launchChromium } from "../_browser.ts";
import { freePort, hasCommand, PEERS_REQUIRED } from "../_helpers.ts";
import { spawnPeer } from "../interop/_peers.ts";

const present = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile && hasCommand("nngcat");
  } catch {
    return false;
  }
})();

async function bundle(dir: string): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform", "browser", "--output", `${dir}/nanomsg.js`, "browser.ts"],
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`deno bundle failed: ${new TextDecoder().decode(out.stderr)}`);
}

Deno.test({
  name: "browser: the bundle in Chromium talks REQ to a Deno REP and SUB to nngcat's PUB over ws",
  ignore: !present && !PEERS_REQUIRED,
  sanitizeResources: false, // playwright keeps its pipe to Chromium open a moment after close
  sanitizeOps: false,
  async fn() {
    if (!present) throw new Error(`${CHROMIUM} and nngcat are needed on CI`);
    const dir = await Deno.makeTempDir({ prefix: "sp-browser-" });
    await bundle(dir);
    const page = new URL("_page.html", import.meta.url);
    const files: Record<string, [Uint8Array<ArrayBuffer>, string]> = {
      "/": [await Deno.readFile(page), "text/html"],
      "/nanomsg.js": [await Deno.readFile(`${dir}/nanomsg.js`), "text/javascript"],
    };
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
      const file = files[new URL(request.url).pathname];
      return file === undefined
        ? new Response("not found", { status: 404 })
        : new Response(file[0], { headers: { "content-type": file[1] } });
    });
    const repUrl = `ws://127.0.0.1:${freePort()}/rep`;
    const pubUrl = `ws://127.0.0.1:${freePort()}/`;
    await using rep = openSocket("rep", { options: { rcvtimeo: 10_000 } });
    await rep.bind(repUrl);
    const answering = (async () => {
      const question = new TextDecoder().decode(await rep.recv());
      await rep.send(`re: ${question}`);
    })();
    await using _pub = spawnPeer({
      peer: "nngcat",
      socket: "pub",
      endpoint: "bind",
      url: pubUrl,
      send: { data: "news" },
    });
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const requested: string[] = [];
      tab.on("request", (r) => requested.push(r.url()));
      tab.on("websocket", (ws) => requested.push(ws.url()));
      const errors: string[] = [];
      tab.on("pageerror", (e) => errors.push(String(e)));
      await tab.goto(`http://127.0.0.1:${server.addr.port}/`);
      await tab.waitForFunction("globalThis.ready === true", undefined, { timeout: 10_000 });
      assert.equal(
        await tab.evaluate(`askRep(${JSON.stringify(repUrl)}, "hello from the page")`),
        "re: hello from the page",
      );
      await answering;
      assert.equal(await tab.evaluate(`hearPub(${JSON.stringify(pubUrl)})`), "news");
      assert.equal(await tab.evaluate(`tryBind("ws://127.0.0.1:1")`), "ENOTSUP");
      assert.deepEqual(errors, []);
      const elsewhere = requested.filter((url) => !/^(http|ws):\/\/127\.0\.0\.1:\d+\//.test(url));
      assert.deepEqual(elsewhere, [], "the page reached only 127.0.0.1");
      assert.ok(requested.some((url) => url.startsWith(repUrl)) && requested.some((url) => url.startsWith(pubUrl)));
    } finally {
      await browser.close();
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
