/**
 * The live inspector in headless Chromium: the page loads everything from
 * the inspector itself; a socket shows up within 500 ms of being opened;
 * a peer process that connects and is killed takes its pipe through
 * handshaking → active → closed on the diagram, with the error in the
 * timeline; counters rise under load; names, addresses and error texts
 * with markup stay text; filter, pause and copy as text work; and bound
 * beyond loopback, nothing is served without the token.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { registerBuiltins, Runtime, type Socket } from "../../mod.ts";
import { serveInspector } from "../../src/inspect/mod.ts";
import { stopChild } from "../_helpers.ts";
import { HAS_CHROMIUM, launchChromium } from "../_browser.ts";

/** Markup that would run script if it were ever parsed as HTML. */
const MARKUP = "<img src=x onerror=window.xssHit=1>";
const IPC_MARKUP = "<svg onload=window.xssHit=2>";

/**
 * A peer in a process of its own: connects over raw tcp, greets as SUB,
 * reads the PUB's greeting, says "ready" and never reads again, so what
 * the PUB sends piles up unread; killed, its kernel resets the connection.
 */
const SILENT_SUB = `
const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(Deno.args[0]) });
await conn.write(new Uint8Array([0, 0x53, 0x50, 0, 0, 0x21, 0, 0]));
const header = new Uint8Array(8);
for (let got = 0; got < 8;) {
  const n = await conn.read(header.subarray(got));
  if (n === null) Deno.exit(1);
  got += n;
}
console.log("ready");
setInterval(() => {}, 60_000); // stay until killed
`;

function spawnSilentSub(port: number): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", SILENT_SUB, String(port)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

async function firstLine(child: Deno.ChildProcess): Promise<string> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  return text.trim();
}

function text(page: Page, selector: string): Promise<string> {
  return page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.innerText ?? ""`) as Promise<string>;
}

function isActive(page: Page, state: string): Promise<boolean> {
  return page.evaluate(
    `document.querySelector('#diagram [data-state="${state}"]')?.classList.contains("active") ?? false`,
  ) as Promise<boolean>;
}

async function waitFor(page: Page, expression: string, ms = 5000): Promise<void> {
  await page.waitForFunction(expression, null, { timeout: ms, polling: 20 });
}

Deno.test({
  name: "the live inspector in a real browser",
  ignore: !HAS_CHROMIUM,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const runtime = registerBuiltins(new Runtime());
    const sockets: Socket[] = [];
    const open = (protocol: string, options: Record<string, unknown> = {}) => {
      const socket = runtime.socket(protocol, { options });
      sockets.push(socket);
      return socket;
    };
    const ipcDir = await Deno.makeTempDir({ prefix: "sp-inspect-" });
    const ui = await serveInspector({ runtime });
    const origin = `http://127.0.0.1:${ui.port}`;
    const browser = await launchChromium();
    const child: { process?: Deno.ChildProcess } = {};
    try {
      // The page's own CSP forbids eval, which Playwright's waits use: this
      // context sets it aside (so what is checked below is that markup is
      // never parsed, not that the CSP would have stopped it); the first
      // step loads the page under its CSP.
      const context = await browser.newContext({
        permissions: ["clipboard-read", "clipboard-write"],
        bypassCSP: true,
      });
      const page = await context.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      const dialogs: string[] = [];
      page.on("request", (request) => requests.push(request.url()));
      page.on("pageerror", (error) => errors.push(String(error)));
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        dialog.dismiss().catch(() => {});
      });

      await t.step("the page loads and connects, with no request leaving 127.0.0.1", async () => {
        const strict = await browser.newPage();
        const violations: string[] = [];
        strict.on("console", (message) => {
          if (/Content Security Policy/.test(message.text())) violations.push(message.text());
        });
        strict.on("pageerror", (error) => violations.push(String(error)));
        await strict.goto(ui.url);
        await strict.waitForSelector("#status.live", { timeout: 5000 });
        await strict.close();
        assert.deepEqual(violations, [], "the page runs under its own CSP");
        await page.goto(ui.url);
        await waitFor(page, `document.getElementById("status").textContent === "live"`);
        const outside = requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith("data:"));
        assert.deepEqual(outside, []);
        assert.ok(requests.some((url) => url.startsWith(`${origin}/events`)), requests.join(", "));
        assert.ok(requests.some((url) => url.startsWith(`${origin}/inspector.js`)));
      });

      const pub = open("pub");
      await t.step("a socket opened shows on the page within 500 ms", async () => {
        const started = Date.now();
        const { url } = await pub.listen("tcp://127.0.0.1:0");
        assert.ok(url.startsWith("tcp://127.0.0.1:"));
        await waitFor(page, `document.querySelector('[data-key="s1"] [data-actor="s1/e1"]') !== null`, 2000);
        const elapsed = Date.now() - started;
        assert.ok(elapsed <= 500, `shown after ${elapsed} ms`);
        await waitFor(page, `document.querySelector('[data-key="s1"] .row')?.innerText.includes("pub → sub · cooked")`);
        assert.match(await text(page, '[data-key="s1"] .row'), /^socket#1\(pub\)\s+open\s+pub → sub · cooked/);
      });

      let sending = true;
      const load = (async () => {
        const message = new Uint8Array(1024);
        while (sending) {
          for (let i = 0; i < 20; i++) await pub.send(message);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();

      let key = "";
      await t.step(
        "a peer process connects: its pipe goes active on the diagram, and counters rise under load",
        async () => {
          const port = Number(pub.endpoint(1)!.url.split(":").at(-1));
          child.process = spawnSilentSub(port);
          assert.equal(await firstLine(child.process), "ready");
          await waitFor(page, `document.querySelector('[data-key="s1/e1"] .pipe') !== null`);
          key = await page.evaluate(`document.querySelector('[data-key="s1/e1"] .pipe').dataset.actor`) as string;
          await page.click(`[data-actor="${key}"]`);
          await waitFor(
            page,
            `document.querySelector('#diagram [data-state="pipe.active"]')?.classList.contains("active")`,
          );
          assert.equal(await isActive(page, "pipe.handshaking"), false);
          assert.match(
            await text(page, "#detail-title"),
            /^pipe#\d+ tcp 127\.0\.0\.1:\d+⇄127\.0\.0\.1:\d+ — pipe machine/,
          );

          const outRate = `(() => {
          const match = /out ([\\d.]+)(k?) msg\\/s/.exec(document.querySelector('[data-actor="${key}"]')?.innerText ?? "");
          return match !== null && Number(match[1]) > 0;
        })()`;
          await waitFor(page, outRate);
          const sent = () =>
            page.evaluate(`fetch("state.json").then((r) => r.json()).then((s) => s.stats.sockets[0].messagesSent)`);
          const first = await sent() as number;
          let later = first;
          const deadline = Date.now() + 5000;
          while (later <= first && Date.now() < deadline) later = await sent() as number;
          assert.ok(later > first, `messagesSent ${first} → ${later}`);
        },
      );

      await t.step("the peer is killed: the pipe closes on the diagram, the timeline says why", async () => {
        child.process!.kill("SIGKILL");
        await child.process!.status;
        child.process = undefined;
        await waitFor(
          page,
          `document.querySelector('#diagram [data-state="pipe.closed"]')?.classList.contains("active")`,
        );
        assert.equal(await isActive(page, "pipe.active"), false);
        const rows = await page.evaluate(
          `[...document.querySelectorAll("#timeline tbody tr")].map((tr) => [...tr.cells].map((td) => td.innerText))`,
        ) as string[][];
        assert.deepEqual(rows.map((row) => row[1]), ["handshaking", "attaching", "active", "closed"]);
        const closed = rows.at(-1)!;
        assert.match(closed[3]!, /^E[A-Z]+: /, `the reason: ${closed.join(" | ")}`);
        assert.match(await text(page, "#ended"), new RegExp(`pipe#\\d+ tcp .*\\s+closed\\s+[\\d:.]+\\s+E[A-Z]+: `));
      });
      sending = false;
      await load;

      await t.step("names, addresses and error texts with markup stay text", async () => {
        const named = open("pair", { socketName: MARKUP });
        const path = `${ipcDir}/${IPC_MARKUP}.ipc`;
        await named.listen(`ipc://${path}`);
        const dialer = open("pair", { reconnectIvl: 50 });
        dialer.connect(`ipc://${ipcDir}/missing/${MARKUP}.ipc`);
        await waitFor(page, `document.getElementById("topology").innerText.includes(${JSON.stringify(MARKUP)})`);
        await waitFor(page, `document.getElementById("topology").innerText.includes(${JSON.stringify(path)})`);
        await page.click(`[data-actor="s${dialer.id}/e1"]`);
        await waitFor(page, `document.getElementById("timeline").innerText.includes("missing/${MARKUP}")`);
        const injected = await page.evaluate(
          `document.querySelectorAll("main img, main script, main svg:not(.sp-machine), main svg:not(.sp-machine) *, main iframe").length`,
        );
        assert.equal(injected, 0, "no element made from a name");
        assert.equal(await page.evaluate("window.xssHit"), undefined);
        assert.deepEqual(dialogs, []);
        assert.deepEqual(errors, []);
      });

      await t.step("filter, pause and copy as text", async () => {
        await page.fill("#filter", "pub");
        await waitFor(page, `document.querySelectorAll("#topology .socket").length === 1`);
        assert.match(await text(page, "#topology"), /socket#1\(pub\)/);
        await page.fill("#filter", "");
        await waitFor(page, `document.querySelectorAll("#topology .socket").length === 3`);

        await page.click("#pause");
        assert.equal(await text(page, "#status"), "paused");
        const late = open("req");
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(await page.evaluate(`document.querySelector('[data-key="s${late.id}"]')`), null, "paused");
        await page.click("#pause");
        await waitFor(page, `document.querySelector('[data-key="s${late.id}"]') !== null`);

        await page.click("#copy");
        await waitFor(page, `!document.getElementById("report-panel").hidden`);
        const report = await page.evaluate(`document.getElementById("report").value`) as string;
        assert.match(report, /^4 sockets at /);
        assert.match(report, /socket#1\(pub\) {2}pub→sub cooked {2}\[open\]/);
        assert.ok(report.includes(JSON.stringify(MARKUP)), "the socket's name, as text");
        assert.match(report, /\ntimeline of dialer#1 ipc:\/\//);
        const copied = await page.evaluate("navigator.clipboard.readText().catch(() => '')");
        if (copied !== "") assert.equal(copied, report);
      });

      await t.step("bound beyond loopback, the inspector serves nothing without its token", async () => {
        await using wide = await serveInspector({ runtime, hostname: "0.0.0.0" });
        const bare = `http://127.0.0.1:${wide.port}/`;
        const refused = await page.goto(bare);
        assert.equal(refused?.status(), 403);
        for (const path of ["inspector.js", "machines.json", "events", "state.json"]) {
          const status = await page.evaluate(`fetch(${JSON.stringify(bare + path)}).then((r) => r.status)`);
          assert.equal(status, 403, path);
        }
        const seen: string[] = [];
        page.on("request", (request) => seen.push(request.url()));
        const accepted = await page.goto(wide.url);
        assert.equal(accepted?.status(), 200);
        await waitFor(page, `document.getElementById("status").textContent === "live"`);
        await waitFor(page, `document.querySelector('[data-key="s1"]') !== null`);
        const own = seen.filter((url) => url.startsWith(bare));
        assert.ok(own.length >= 4, own.join(", "));
        for (const url of own) assert.ok(url.includes(`token=${wide.token}`), `${url} carries the token`);
      });
    } finally {
      if (child.process !== undefined) await stopChild(child.process, "silent sub");
      await browser.close();
      await Promise.all(sockets.map((socket) => socket.close().catch(() => {})));
      await ui.close();
      await Deno.remove(ipcDir, { recursive: true });
    }
  },
});
