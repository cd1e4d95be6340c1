/**
 * The typed surface: `openSocket(name)` opens its protocol's socket class,
 * a name read at run time still opens (EINVAL naming the protocols when
 * it is none), and the types catch what they should. The last is checked
 * by running `deno check` on a fixture with deliberate mistakes, one per
 * line: exactly those lines must fail, and a plug-in protocol declared by
 * declaration merging must type-check.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  isSpError,
  openSocket,
  RepSocket,
  ReqSocket,
  RespondentSocket,
  Socket,
  SubSocket,
  SurveyorSocket,
} from "../../mod.ts";
import { within } from "../_helpers.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;

Deno.test("openSocket(name) opens the protocol's own socket class", async () => {
  const classes = [
    ["req", ReqSocket],
    ["rep", RepSocket],
    ["surveyor", SurveyorSocket],
    ["respondent", RespondentSocket],
    ["sub", SubSocket],
  ] as const;
  for (const [name, cls] of classes) {
    await using socket = openSocket(name);
    assert.ok(socket instanceof cls, `${name} opens a ${cls.name}`);
  }
  for (const name of ["pair", "pair1", "push", "pull", "pub", "bus"] as const) {
    await using socket = openSocket(name);
    assert.equal(Object.getPrototypeOf(socket), Socket.prototype, `${name} opens a plain Socket`);
  }
});

Deno.test("a protocol name from a config file opens; an unknown one is EINVAL naming the registered protocols", async () => {
  const config = JSON.parse('{"ok": "req", "typo": "pul"}') as { ok: string; typo: string };
  await using socket = openSocket(config.ok);
  assert.ok(socket instanceof ReqSocket);
  assert.throws(
    () => openSocket(config.typo),
    (e) =>
      isSpError(e, "EINVAL") &&
      e.message.includes('"pul"') &&
      e.message.includes("pair, pair1, push, pull, pub, sub, req, rep, surveyor, respondent, bus"),
  );
});

Deno.test("protocol options by name: init options, setOption, getOption; SUB's cannot be read", async () => {
  await using sub = openSocket("sub", { options: { subscribe: "a", rcvtimeo: 50 } });
  sub.subscribe("b");
  sub.setOption("unsubscribe", "a");
  assert.throws(() => sub.getOption("subscribe"), (e) => isSpError(e, "ENOPROTOOPT"));
  assert.throws(() => sub.setOption("subscribe", 5 as never), (e) => isSpError(e, "EINVAL"));
  await using surveyor = openSocket("surveyor", { options: { deadline: 250 } });
  assert.equal(surveyor.getOption("deadline"), 250);
  await using pair1 = openSocket("pair1");
  pair1.setOption("poly", 1);
  assert.equal(pair1.getsockopt(0x11, 1), 1);
  assert.throws(() => openSocket("req", { options: { deadline: 5 } as never }), (e) => isSpError(e, "ENOPROTOOPT"));
  await sub.close();
  assert.throws(() => sub.subscribe("late"), (e) => isSpError(e, "EBADF"));
});

/** The fixture: `// FAILS` marks each line that must fail type checking, and only those. */
function fixture(): string {
  return `import { openSocket, Socket, type SocketSetup } from ${JSON.stringify(MOD)};

class GreetingSocket extends Socket {
  greet(): Promise<number> {
    return this.send("hello");
  }
}
declare module ${JSON.stringify(MOD)} {
  interface SocketTypes {
    greeting: GreetingSocket;
  }
}
export const make = (setup: SocketSetup) => new GreetingSocket(setup);

const req = openSocket("req");
const reply: Promise<Uint8Array> = req.request("q", { timeout: 100 });
openSocket("sub").subscribe("news.");
openSocket("sub").setOption("subscribe", new Uint8Array(1));
openSocket("surveyor", { options: { deadline: 100 } }).survey("q");
openSocket("rep").serve((request) => request);
openSocket("greeting").greet();
openSocket(String("from a config file")).send("x");
openSocket(0x30).send("x");
const which = Math.random() > 0.5 ? "sub" : "pull";
openSocket(which).setOption("rcvbuf", 4096);
void reply;
openSocket("pul"); // FAILS: a misspelt protocol
openSocket("pub").request("q"); // FAILS: REQ's verb on a PUB
openSocket("sub").setOption("subscribe", 5); // FAILS: a topic is bytes or a string
openSocket("req").setOption("deadline", 5); // FAILS: SURVEYOR's option on a REQ
openSocket("surveyor", { options: { resendIvl: 5 } }); // FAILS: REQ's option on a SURVEYOR
openSocket("rep").serve((request) => request.length); // FAILS: an answer is bytes, a string or undefined
`;
}

Deno.test("deno check fails exactly the fixture's mistakes (a misspelt protocol among them) and takes a plug-in's type", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sp-typed-" });
  try {
    const source = fixture();
    await Deno.writeTextFile(`${dir}/fixture.ts`, source);
    const output = await within(
      new Deno.Command(Deno.execPath(), {
        args: ["check", "--no-config", `${dir}/fixture.ts`],
        cwd: dir,
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output(),
      60_000,
      "deno check",
    );
    const report = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
    assert.equal(output.success, false, `the fixture must fail type checking:\n${report}`);
    const expected = source.split("\n").flatMap((line, i) => line.includes("// FAILS") ? [i + 1] : []);
    const failed = [...new Set([...report.matchAll(/fixture\.ts:(\d+):\d+/g)].map((m) => Number(m[1])))].sort(
      (a, b) => a - b,
    );
    assert.deepEqual(failed, expected, report);
    assert.match(report, /"pul"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
