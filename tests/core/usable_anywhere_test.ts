/**
 * The package as a user meets it, in child Deno processes: a script in a
 * directory of its own, with no configuration or import map, imports
 * `mod.ts` by path and by URL; and without `--allow-net`, `connect()`
 * fails at once with `EACCES` naming the flag, instead of retrying in the
 * background forever.
 *
 * @module
 */

import assert from "node:assert/strict";
import { within } from "../_helpers.ts";

const MOD = new URL("../../mod.ts", import.meta.url);
const REPO = new URL("../../", import.meta.url);

/** Runs `script` from a fresh temporary directory, with no configuration; returns its status and output. */
async function runScript(script: string, flags: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "sp-user-" });
  try {
    await Deno.writeTextFile(`${dir}/main.ts`, script);
    const output = await within(
      new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-config", ...flags, `${dir}/main.ts`],
        cwd: dir,
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output(),
      30_000,
      "the user's script",
    );
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A script that opens two sockets and passes a message over inproc, importing the package from `from`. */
function exchange(from: string): string {
  return `import { openSocket } from ${JSON.stringify(from)};
await using pull = openSocket("pull");
await using push = openSocket("push");
push.connect((await pull.listen("inproc://anywhere")).url);
await push.send("imported from anywhere");
console.log(new TextDecoder().decode(await pull.recv()));
`;
}

Deno.test("a script in any directory imports mod.ts by path, with no import map of its own", async () => {
  const run = await runScript(exchange(MOD.href), []);
  assert.deepEqual([run.code, run.stdout], [0, "imported from anywhere\n"], run.stderr);
});

Deno.test("a script in any directory imports mod.ts by URL", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const path = new URL(request.url).pathname;
    if (!path.endsWith(".ts") || path.includes("..")) return new Response("not found", { status: 404 });
    try {
      const source = await Deno.readTextFile(new URL(`.${path}`, REPO));
      return new Response(source, { headers: { "content-type": "application/typescript" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    const host = `127.0.0.1:${server.addr.port}`;
    const run = await runScript(exchange(`http://${host}/mod.ts`), [`--allow-import=${host}`]);
    assert.deepEqual([run.code, run.stdout], [0, "imported from anywhere\n"], run.stderr);
  } finally {
    await server.shutdown();
  }
});

Deno.test("without --allow-net, connect() throws EACCES naming the flag at once (tcp and ipc)", async () => {
  const script = `import { openSocket } from ${JSON.stringify(MOD.href)};
const push = openSocket("push");
for (const url of ["tcp://127.0.0.1:5555", "ipc:///tmp/sp-no-permission.ipc"]) {
  try {
    push.connect(url);
    console.log("connected to " + url);
  } catch (err) {
    console.log(err.message);
  }
}
await push.close();
`;
  const run = await runScript(script, []);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.stdout.trimEnd().split("\n"), [
    "EACCES: permission denied for tcp://127.0.0.1:5555: run Deno with --allow-net (or --allow-net=127.0.0.1:5555)",
    "EACCES: permission denied for ipc:///tmp/sp-no-permission.ipc: run Deno with --allow-read, --allow-write " +
    "and --allow-net (or --allow-read=/tmp/sp-no-permission.ipc --allow-write=/tmp/sp-no-permission.ipc " +
    "--allow-net=unix:/tmp/sp-no-permission.ipc)",
  ]);
});
