/**
 * ipc transport: the conformance suite, plus socket-file handling.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isSpError, openSocket } from "../../mod.ts";
import { tempIpcPath, text } from "../_helpers.ts";
import { rawClientOf, runTransportConformance } from "./_conformance.ts";

function ipcFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  out[0] = 1;
  new DataView(out.buffer).setBigUint64(1, BigInt(payload.length));
  out.set(payload, 9);
  return out;
}

runTransportConformance({
  name: "ipc",
  url: () => `ipc://${tempIpcPath("conf")}`,
  anyUrl: "ipc://",
  frame: ipcFrame,
  async raw(url) {
    return rawClientOf(await Deno.connect({ transport: "unix", path: url.slice("ipc://".length) }));
  },
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("ipc removes a stale socket file nothing answers on, and its own on close", async () => {
  const path = tempIpcPath("stale");
  const stale = Deno.listen({ transport: "unix", path });
  stale.close(); // Deno removes nothing: the file stays behind, like after a crash
  if (!(await exists(path))) {
    // Some platforms unlink on close; recreate a dead socket file by hand.
    const l = Deno.listen({ transport: "unix", path });
    Deno.renameSync(path, `${path}.tmp`);
    l.close();
    Deno.renameSync(`${path}.tmp`, path);
  }
  assert.ok(await exists(path));
  const a = openSocket("pair", { options: { rcvtimeo: 5000 } });
  await a.bind(`ipc://${path}`);
  const b = openSocket("pair");
  b.connect(`ipc://${path}`);
  await b.send("over a fresh socket");
  assert.equal(text(await a.recv()), "over a fresh socket");
  await b.close();
  await a.close();
  assert.equal(await exists(path), false);
});

Deno.test("ipc refuses to take over a path a live listener holds", async () => {
  const path = tempIpcPath("live");
  await using a = openSocket("pair");
  await using b = openSocket("pair");
  await a.bind(`ipc://${path}`);
  await assert.rejects(b.bind(`ipc://${path}`), (e) => isSpError(e, "EADDRINUSE"));
});

Deno.test("ipc reports a path too long for a unix socket as ENAMETOOLONG", async () => {
  await using a = openSocket("pair");
  const path = `/tmp/${"x".repeat(110)}`;
  await assert.rejects(a.bind(`ipc://${path}`), (e) => isSpError(e, "ENAMETOOLONG"));
  assert.throws(() => a.connect(`ipc://${"y".repeat(108)}`), (e) => isSpError(e, "ENAMETOOLONG"));
});
