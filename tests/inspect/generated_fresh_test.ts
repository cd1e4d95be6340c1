/**
 * The committed generated files are up to date: the diagrams in
 * `docs/machines/` and the bundled browser code in
 * `src/inspect/view_bundle.ts` and `src/inspect/page_bundle.ts` are
 * regenerated in memory and compared byte for byte. When this fails, run `deno task diagrams` (or `deno task
 * inspect:bundle`) and commit the result.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DIAGRAM_DIR, diagramFiles } from "../../tools/diagrams.ts";
import { bundleModule, BUNDLES } from "../../tools/bundle_view.ts";

const ROOT = new URL("../../", import.meta.url);

async function committed(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(new URL(path, ROOT));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

Deno.test("docs/machines holds exactly the diagrams `deno task diagrams` generates, byte for byte", async () => {
  const files = await diagramFiles();
  for (const [path, content] of files) {
    assert.ok((await committed(path)) === content, `${path} is stale or missing: run \`deno task diagrams\``);
  }
  const present: string[] = [];
  for await (const entry of Deno.readDir(new URL(`${DIAGRAM_DIR}/`, ROOT))) {
    present.push(`${DIAGRAM_DIR}/${entry.name}`);
  }
  assert.deepEqual(present.sort(), [...files.keys()].sort(), "no diagram of a machine that no longer exists");
});

Deno.test("generating the diagrams twice gives the same bytes", async () => {
  const [first, second] = [await diagramFiles(), await diagramFiles()];
  assert.deepEqual([...second], [...first]);
});

for (const bundle of BUNDLES) {
  Deno.test(`${bundle.path} is the bundle of ${bundle.entry}`, async () => {
    assert.ok(
      (await committed(bundle.path)) === await bundleModule(bundle),
      `${bundle.path} is stale: run \`deno task inspect:bundle\``,
    );
  });
}
