/**
 * The bundled diagram view in a real browser: a page served from
 * 127.0.0.1 draws the pipe and socket machines from their layouts and
 * highlights the states of a snapshot value; nothing is fetched from
 * anywhere else, and markup in a machine's names stays text.
 *
 * @module
 */

import assert from "node:assert/strict";
import { setup } from "../../src/core/xstate.ts";
import { registerBuiltins, Runtime } from "../../mod.ts";
import type { MachineDefinition } from "../../src/core/runtime.ts";
import { layoutMachine, MACHINE_VIEW_SCRIPT, machineGraph } from "../../src/inspect/mod.ts";
import { HAS_CHROMIUM, launchChromium } from "../_browser.ts";

const MARKUP = "<img src=x onerror=xssHit()>";

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>loading</title></head>
<body>
<div id="pipe"></div><div id="socket"></div><div id="markup"></div>
<script>window.hits = 0; window.xssHit = () => { window.hits++; };</script>
<script type="module">
import { mountMachine } from "/view.js";
const layouts = await (await fetch("/layouts.json")).json();
window.pipeActive = mountMachine(document.getElementById("pipe"), layouts.pipe, "a").highlight("active");
const socket = mountMachine(document.getElementById("socket"), layouts.socket, "b");
socket.highlight("open");
window.socketActive = socket.highlight({ closing: "lingering" });
mountMachine(document.getElementById("markup"), layouts.markup, "c").highlight(layouts.markupKey);
document.title = "ready";
</script>
</body></html>`;

Deno.test({
  name: "the browser view draws the pipe machine, highlights `active`, and fetches only from 127.0.0.1",
  ignore: !HAS_CHROMIUM,
  async fn() {
    const runtime = registerBuiltins(new Runtime());
    const markupMachine = setup({}).createMachine({
      id: "markup",
      initial: MARKUP,
      states: { [MARKUP]: { on: { [MARKUP]: "done" } }, done: { type: "final" } },
    });
    const layouts = {
      pipe: await layoutMachine(machineGraph(runtime.machines.pipe)),
      socket: await layoutMachine(machineGraph(runtime.machines.socket)),
      markup: await layoutMachine(machineGraph(markupMachine as unknown as MachineDefinition)),
      markupKey: MARKUP,
    };
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/") return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
      if (path === "/view.js") {
        return new Response(MACHINE_VIEW_SCRIPT, { headers: { "content-type": "text/javascript" } });
      }
      if (path === "/layouts.json") return Response.json(layouts);
      return new Response("not found", { status: 404 });
    });
    const origin = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on("request", (request) => requests.push(request.url()));
      page.on("pageerror", (error) => errors.push(String(error)));
      await page.goto(`${origin}/`);
      await page.waitForFunction("document.title === 'ready'", null, { timeout: 10_000 });

      assert.deepEqual(await page.evaluate("window.pipeActive"), ["pipe", "pipe.active"]);
      const classOf = (selector: string) =>
        page.evaluate(`document.querySelector(${JSON.stringify(selector)}).getAttribute("class")`);
      assert.match(String(await classOf('#pipe [data-state="pipe.active"]')), /\bactive\b/);
      for (const state of ["handshaking", "attaching", "closing", "closed"]) {
        assert.doesNotMatch(String(await classOf(`#pipe [data-state="pipe.${state}"]`)), /\bactive\b/, state);
      }
      const fill = await page.evaluate(
        `getComputedStyle(document.querySelector('#pipe [data-state="pipe.active"] > rect')).fill`,
      );
      assert.equal(fill, "rgb(254, 243, 199)", "the highlight style applies");
      const edges = await page.evaluate(`document.querySelectorAll("#pipe [data-transition]").length`);
      assert.equal(edges, machineGraph(runtime.machines.pipe).transitions.length);

      assert.deepEqual(await page.evaluate("window.socketActive"), [
        "socket",
        "socket.closing",
        "socket.closing.lingering",
      ]);
      assert.doesNotMatch(String(await classOf('#socket [data-state="socket.open"]')), /\bactive\b/, "open cleared");

      assert.equal(await page.evaluate(`document.querySelectorAll("#markup img").length`), 0, "markup stays text");
      assert.equal(await page.evaluate("window.hits"), 0);
      const markupText = await page.evaluate(
        `document.querySelector("#markup .state.active:not(.root) .title").textContent`,
      );
      assert.equal(markupText, MARKUP);

      assert.deepEqual(errors, []);
      assert.ok(requests.length >= 3, `requests: ${requests.join(", ")}`);
      const outside = requests.filter((url) => !url.startsWith(`${origin}/`));
      assert.deepEqual(outside, [], "no request leaves 127.0.0.1");
      assert.ok(!requests.some((url) => url.endsWith("/x")), "the markup's image was never loaded");
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
