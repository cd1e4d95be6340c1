/**
 * CPU-profiles one of the perf tools (or any script) in-process through
 * V8's inspector (`node:inspector`; this Deno has no `--cpu-prof`), writes
 * a `.cpuprofile` that Chrome DevTools can open, and prints where the time
 * went: self time per function, inclusive time per function, self time per
 * file.
 *
 * Usage:
 *   `deno run -A bench/profile.ts [--out FILE] [--top N] [--interval US] <script.ts> [script args…]`
 *   `deno run --allow-read bench/profile.ts --summarize FILE.cpuprofile [--top N]`
 *
 * Example (our receiver against libnanomsg's sender, so only our side is profiled):
 *   `bench/c/build/nanomsg/remote_thr tcp://127.0.0.1:5555 64 2000000 &`
 *   `deno run -A bench/profile.ts bench/perf/local_thr.ts tcp://127.0.0.1:5555 64 2000000`
 *
 * @module
 */

import { Session } from "node:inspector";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** V8's CPU profile format. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The repository root as a file URL, stripped from paths in the summary. */
const ROOT = new URL("../", import.meta.url).href;

function frameKey(frame: CallFrame): string {
  const file = (frame.url.startsWith(ROOT) ? frame.url.slice(ROOT.length) : frame.url).replace(
    /^.*\/node_modules\//,
    "npm:",
  );
  const name = frame.functionName || "(anonymous)";
  return file ? `${name} ${file}:${frame.lineNumber + 1}` : name;
}

function fileKey(frame: CallFrame): string {
  if (!frame.url) return frame.functionName.startsWith("(") ? frame.functionName : "(native)";
  return (frame.url.startsWith(ROOT) ? frame.url.slice(ROOT.length) : frame.url).replace(
    /^.*\/node_modules\/\.deno\/([^/]+)\/.*$/,
    "npm:$1",
  );
}

/** Time per key in µs, from the sample deltas. */
export interface Summary {
  totalMicros: number;
  self: Map<string, number>;
  inclusive: Map<string, number>;
  byFile: Map<string, number>;
}

/** Attributes every sample to its function (self), its callers (inclusive) and its file. */
export function summarize(profile: CpuProfile): Summary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byFile = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, v: number) => map.set(key, (map.get(key) ?? 0) + v);
  let totalMicros = 0;
  profile.samples.forEach((id, i) => {
    // A sample's delta is the time since the previous sample; attributing
    // it to this sample is V8's own convention.
    const delta = profile.timeDeltas[i] ?? 0;
    totalMicros += delta;
    const leaf = byId.get(id)!;
    add(self, frameKey(leaf.callFrame), delta);
    add(byFile, fileKey(leaf.callFrame), delta);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = frameKey(byId.get(at)!.callFrame);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, delta);
      }
    }
  });
  return { totalMicros, self, inclusive, byFile };
}

/** The summary as text: three top-N lists with percentages of all samples. */
export function formatSummary(summary: Summary, top: number): string {
  const lines: string[] = [`total sampled: ${(summary.totalMicros / 1000).toFixed(0)} ms`];
  const list = (title: string, map: Map<string, number>) => {
    lines.push("", title);
    const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [key, micros] of rows) {
      const pct = (100 * micros / summary.totalMicros).toFixed(1).padStart(5);
      lines.push(`${pct}%  ${(micros / 1000).toFixed(1).padStart(8)} ms  ${key}`);
    }
  };
  list("self time by function:", summary.self);
  list("inclusive time by function:", summary.inclusive);
  list("self time by file:", summary.byFile);
  return lines.join("\n");
}

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (err: Error | null, result: unknown) => err ? reject(err) : resolve(result as T))
  );
}

async function main(): Promise<void> {
  const usage = "usage: profile.ts [--out FILE] [--top N] [--interval US] <script.ts> [args…] | --summarize FILE";
  // Options come first, each with a value; everything from the script on is the script's.
  const options = new Map<string, string>();
  let at = 0;
  while (Deno.args[at]?.startsWith("--")) {
    const value = Deno.args[at + 1];
    if (value === undefined || !["--out", "--top", "--interval", "--summarize"].includes(Deno.args[at]!)) {
      console.error(usage);
      Deno.exit(2);
    }
    options.set(Deno.args[at]!, value);
    at += 2;
  }
  const top = Number(options.get("--top") ?? 25);
  const summarizeFile = options.get("--summarize");
  if (summarizeFile !== undefined) {
    const profile = JSON.parse(await Deno.readTextFile(summarizeFile)) as CpuProfile;
    console.log(formatSummary(summarize(profile), top));
    return;
  }
  const out = options.get("--out") ?? `/tmp/sp-profile-${Deno.pid}.cpuprofile`;
  const interval = Number(options.get("--interval") ?? 100);
  const script = Deno.args[at];
  if (script === undefined) {
    console.error(usage);
    Deno.exit(2);
  }
  const scriptArgs = Deno.args.slice(at + 1);

  // The script reads Deno.args; give it its own.
  Object.defineProperty(Deno, "args", { value: scriptArgs, configurable: true });
  const session = new Session();
  session.connect();
  await post(session, "Profiler.enable");
  await post(session, "Profiler.setSamplingInterval", { interval });
  await post(session, "Profiler.start");
  await import(new URL(script, `file://${Deno.cwd()}/`).href);
  const { profile } = await post<{ profile: CpuProfile }>(session, "Profiler.stop");
  session.disconnect();
  await Deno.writeTextFile(out, JSON.stringify(profile));
  console.error(`\nprofile written to ${out}\n`);
  console.error(formatSummary(summarize(profile), top));
}

if (import.meta.main) await main();
