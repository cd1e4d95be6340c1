/**
 * The perf tools run (tiny counts; speed is measured in bench/, never
 * asserted here): our four nanomsg-style tools print nanomsg's report
 * lines, and the comparison driver builds and runs the C references.
 *
 * @module
 */

import assert from "node:assert/strict";
import { freePort, hasCommand, PEERS_REQUIRED } from "../_helpers.ts";

const root = new URL("../../", import.meta.url).pathname;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${root}deno.json`, ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("perf tools: local_thr and remote_thr report nanomsg's lines", async () => {
  const url = `tcp://127.0.0.1:${freePort()}`;
  const local = run([`${root}bench/perf/local_thr.ts`, url, "64", "2000"]);
  const remote = run([`${root}bench/perf/remote_thr.ts`, url, "64", "2000"]);
  const [l, r] = await Promise.all([local, remote]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(l.code, 0, l.stderr);
  assert.match(
    l.stdout,
    /^message size: 64 \[B\]\nmessage count: 2000\nthroughput: \d+ \[msg\/s\]\nthroughput: \d+\.\d{3} \[Mb\/s\]\n$/,
  );
});

Deno.test("perf tools: local_lat and remote_lat report nanomsg's lines", async () => {
  const url = `tcp://127.0.0.1:${freePort()}`;
  const local = run([`${root}bench/perf/local_lat.ts`, url, "64", "200"]);
  const remote = run([`${root}bench/perf/remote_lat.ts`, url, "64", "200"]);
  const [l, r] = await Promise.all([local, remote]);
  assert.equal(l.code, 0, l.stderr);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^message size: 64 \[B\]\nroundtrip count: 200\naverage latency: \d+\.\d{3} \[us\]\n$/);
});

Deno.test("perf tools: bad arguments print the usage and exit 2", async () => {
  const r = await run([`${root}bench/perf/local_thr.ts`, "tcp://127.0.0.1:1"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage/i);
});

const canBuild = hasCommand("gcc") && hasCommand("nanocat");
Deno.test({
  name: "bench:compare --quick builds the C references and fills every cell",
  ignore: !canBuild && !PEERS_REQUIRED,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const r = await run([`${root}bench/compare.ts`, "--quick", "--out", `${dir}/RESULTS.md`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\| tcp \| 64 B \|/);
      assert.match(r.stdout, /ours → libnanomsg/);
      assert.match(r.stdout, /\| tcp 64 B, PUB → 10 SUBs \| ours +\| [\d,]+ \| [\d.]+× \| [\d.]+% \|/);
      assert.match(r.stdout, /\| tcp \| libnanomsg \| [\d.]+ \| [\d.]+ \| [\d.]+ \| 1\.00× \|/);
      assert.match(r.stdout, /\| tcp +\| [\d,]+ \| [\d,]+ \| 100 on one listener \|/);
      assert.match(r.stderr, /\[(\d+)\/\1\] fan-out/);
      assert.match(r.stdout, /\| [\d,]+ \| [\d,]+ \| \d+% \| ≥ 90% \|/, "the inspector's row");
      const svg = await Deno.readTextFile(`${dir}/RESULTS.svg`);
      assert.match(svg, /^<svg /);
      assert.match(
        await Deno.readTextFile(`${dir}/RESULTS.md`),
        /!\[Throughput by message size[^\]]*\]\(RESULTS\.svg\)/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("perf tools: fanout_pub and fanout_sub report the delivered rate", async () => {
  const url = `tcp://127.0.0.1:${freePort()}`;
  const sync = `tcp://127.0.0.1:${freePort()}`;
  const pub = run([`${root}bench/perf/fanout_pub.ts`, url, sync, "64", "300"]);
  const sub = await run([`${root}bench/perf/fanout_sub.ts`, url, sync, "3", "64"]);
  const p = await pub;
  assert.equal(sub.code, 0, sub.stderr);
  assert.equal(p.code, 0, p.stderr);
  assert.match(
    sub.stdout,
    /^subscribers: 3\nmessage size: 64 \[B\]\nmessages delivered: \d+\nthroughput: \d+ \[msg\/s\]\n$/,
  );
});
