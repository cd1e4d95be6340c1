/**
 * Two Linux network namespaces joined by a veth pair, for real network
 * faults between two processes (faults.md): a silent partition (nftables
 * drops on the input hook of both sides: no FIN, no RST), random loss
 * (nftables `numgen random`), delay where the kernel has `tc netem`, and
 * per-namespace TCP settings (keepalive timers). Names and addresses are
 * unique per run so parallel runs cannot collide; `destroy()` kills, by
 * PID, only the processes started here and deletes the namespaces.
 *
 * Needs root, `ip` (iproute2) and `nft` (nftables).
 *
 * @module
 */

import { hasCommand } from "../_helpers.ts";

/** Why the rig cannot run here, or undefined when it can. */
export function netnsUnavailable(): string | undefined {
  if (Deno.build.os !== "linux") return "network namespaces need Linux";
  if (Deno.uid() !== 0) return "network namespaces need root";
  for (const tool of ["ip", "nft"]) {
    if (!hasCommand(tool)) return `${tool} is not installed (apt-get install iproute2 nftables)`;
  }
  return undefined;
}

async function run(args: string[], allowFailure = false): Promise<{ ok: boolean; stderr: string }> {
  const out = await new Deno.Command(args[0]!, { args: args.slice(1), stdout: "null", stderr: "piped" }).output();
  const stderr = new TextDecoder().decode(out.stderr).trim();
  if (!out.success && !allowFailure) throw new Error(`${args.join(" ")} failed: ${stderr}`);
  return { ok: out.success, stderr };
}

/** One namespace of the pair. */
export interface Side {
  /** The namespace's name. */
  readonly ns: string;
  /** Its end of the veth pair. */
  readonly dev: string;
  /** Its address. */
  readonly addr: string;
}

/** A started process inside a namespace, with its output read line by line. */
export interface NsProcess {
  readonly child: Deno.ChildProcess;
  readonly pid: number;
  /** Every line printed so far. */
  readonly lines: string[];
  /** Resolves when stdout has closed (the process ended). */
  readonly done: Promise<void>;
}

/** Two namespaces joined by veth. */
export class NetnsPair {
  readonly a: Side;
  readonly b: Side;
  readonly #processes = new Set<NsProcess>();
  #netem: boolean | undefined;

  private constructor(a: Side, b: Side) {
    this.a = a;
    this.b = b;
  }

  /** Makes the namespaces, the link, the addresses and an empty nftables filter in each. */
  static async create(): Promise<NetnsPair> {
    const tag = `${Deno.pid.toString(36)}${crypto.getRandomValues(new Uint16Array(1))[0]!.toString(36)}`.slice(0, 9);
    const [x, y] = crypto.getRandomValues(new Uint8Array(2));
    const net = `10.${100 + (x! % 150)}.${y}`;
    const pair = new NetnsPair(
      { ns: `spf-${tag}-a`, dev: `va${tag}`, addr: `${net}.1` },
      { ns: `spf-${tag}-b`, dev: `vb${tag}`, addr: `${net}.2` },
    );
    try {
      for (const side of [pair.a, pair.b]) await run(["ip", "netns", "add", side.ns]);
      await run(["ip", "link", "add", pair.a.dev, "type", "veth", "peer", "name", pair.b.dev]);
      for (const side of [pair.a, pair.b]) {
        await run(["ip", "link", "set", side.dev, "netns", side.ns]);
        await pair.exec(side, ["ip", "addr", "add", `${side.addr}/24`, "dev", side.dev]);
        await pair.exec(side, ["ip", "link", "set", side.dev, "up"]);
        await pair.exec(side, ["ip", "link", "set", "lo", "up"]);
        await pair.exec(side, ["nft", "add", "table", "inet", "f"]);
        await pair.exec(side, [
          "nft",
          "add chain inet f in { type filter hook input priority -300 ; policy accept ; }",
        ]);
      }
    } catch (err) {
      await pair.destroy();
      throw err;
    }
    return pair;
  }

  /** Runs a command inside a side's namespace. */
  exec(side: Side, args: string[], allowFailure = false): Promise<{ ok: boolean; stderr: string }> {
    return run(["ip", "netns", "exec", side.ns, ...args], allowFailure);
  }

  /** Drops every packet arriving on either side: a silent partition. */
  async partition(): Promise<void> {
    await Promise.all(
      [this.a, this.b].map((s) => this.exec(s, ["nft", "add", "rule", "inet", "f", "in", "iifname", s.dev, "drop"])),
    );
  }

  /** Drops `percent` % of the packets arriving on either side, at random. */
  async loss(percent: number): Promise<void> {
    await Promise.all(
      [this.a, this.b].map((s) =>
        this.exec(s, ["nft", `add rule inet f in iifname ${s.dev} numgen random mod 100 < ${percent} drop`])
      ),
    );
  }

  /** Removes every drop rule. */
  async heal(): Promise<void> {
    await Promise.all([this.a, this.b].map((s) => this.exec(s, ["nft", "flush", "chain", "inet", "f", "in"])));
  }

  /** Whether the kernel has `tc netem` (this one, per faults.md, does not). */
  async hasNetem(): Promise<boolean> {
    if (this.#netem === undefined) {
      const probe = await this.exec(
        this.a,
        ["tc", "qdisc", "add", "dev", this.a.dev, "root", "netem", "delay", "1ms"],
        true,
      );
      this.#netem = probe.ok;
      if (probe.ok) await this.exec(this.a, ["tc", "qdisc", "del", "dev", this.a.dev, "root"], true);
    }
    return this.#netem;
  }

  /** Delays every packet leaving either side (needs netem). */
  async delay(ms: number, jitter: number): Promise<void> {
    for (const s of [this.a, this.b]) {
      await this.exec(s, ["tc", "qdisc", "add", "dev", s.dev, "root", "netem", "delay", `${ms}ms`, `${jitter}ms`]);
    }
  }

  /** Sets a sysctl inside both namespaces (TCP settings are per namespace). */
  async sysctl(settings: Record<string, number>): Promise<void> {
    for (const s of [this.a, this.b]) {
      for (const [key, value] of Object.entries(settings)) await this.exec(s, ["sysctl", "-qw", `${key}=${value}`]);
    }
  }

  /** Starts `deno run -A script args…` inside a side's namespace. */
  spawn(side: Side, script: string, args: string[]): NsProcess {
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", side.ns, Deno.execPath(), "run", "-A", script, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const lines: string[] = [];
    const done = (async () => {
      let rest = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop()!;
        lines.push(...parts);
      }
      if (rest !== "") lines.push(rest);
    })();
    // stderr is drained so a chatty process cannot block; it is kept for failures.
    const stderr: string[] = [];
    (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr.push(chunk);
    })().catch(() => {});
    const process: NsProcess = { child, pid: child.pid, lines, done };
    Object.defineProperty(process, "stderr", { get: () => stderr.join("") });
    this.#processes.add(process);
    child.status.then(() => this.#processes.delete(process));
    return process;
  }

  /** kill -9 of one process started here; resolves when it has exited and its output is read. */
  async kill(process: NsProcess): Promise<void> {
    try {
      Deno.kill(process.pid, "SIGKILL");
    } catch { /* exited already */ }
    await process.child.status;
    await process.done;
  }

  /** Kills what was started here (by PID) and deletes both namespaces (and with them the veth pair). */
  async destroy(): Promise<void> {
    for (const process of [...this.#processes]) await this.kill(process);
    for (const side of [this.a, this.b]) await run(["ip", "netns", "del", side.ns], true);
  }
}
