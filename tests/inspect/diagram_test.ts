/**
 * Diagram generation against the machine definitions: every state and
 * every transition of each built-in machine (found by walking its raw
 * config independently) appears in the graph, in the Mermaid text and in
 * the SVG; the layout's boxes nest and its edges start and end on their
 * boxes; unusual definitions (parallel states, custom ids, numeric
 * delays, combined guards, markup in names) come through intact.
 *
 * @module
 */

import assert from "node:assert/strict";
import { and, assign, not, setup } from "../../src/core/xstate.ts";
import { registerBuiltins, Runtime } from "../../mod.ts";
import type { ProtocolSpec } from "../../src/core/protocol.ts";
import type { MachineDefinition } from "../../src/core/runtime.ts";
import { type MachineGraph, machineGraph, type MachineTransition } from "../../src/inspect/graph.ts";
import { layoutMachine } from "../../src/inspect/layout.ts";
import type { MachineLayout } from "../../src/inspect/layout_model.ts";
import { runtimeMachines } from "../../src/inspect/machines.ts";
import { toMermaid } from "../../src/inspect/mermaid.ts";
import { activeStateIds, escapeXml, renderSvg } from "../../src/inspect/svg.ts";
import { walkConfig } from "./_config_walk.ts";

const builtins = runtimeMachines(registerBuiltins(new Runtime()));

function triggerText(t: MachineTransition): string {
  switch (t.trigger.kind) {
    case "event":
      return t.trigger.event;
    case "after":
      return `after ${t.trigger.delay}`;
    case "always":
      return "always";
    case "done":
    case "error":
    case "snapshot":
      return `${t.trigger.kind}: ${t.trigger.invoke}`;
    default:
      return "done";
  }
}

function key(source: string, trigger: string, guard: string | undefined, actions: string[], targets: string[]) {
  return `${source} -${trigger}[${guard ?? ""}]/${actions.join(",")}-> ${targets.join(",")}`;
}

function states(graph: MachineGraph) {
  const all: MachineGraph["root"][] = [];
  const visit = (s: MachineGraph["root"]) => {
    all.push(s);
    s.children.forEach(visit);
  };
  visit(graph.root);
  return all;
}

const mermaidId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, "_");

Deno.test("the built-in machines are socket, dialer, listener and pipe, and SURVEYOR's survey", () => {
  assert.deepEqual(builtins.map((m) => [m.id, m.owner]), [
    ["socket", "runtime"],
    ["dialer", "runtime"],
    ["listener", "runtime"],
    ["pipe", "runtime"],
    ["survey", "surveyor"],
  ]);
});

for (const { id, definition } of builtins) {
  const config = definition.config as Record<string, unknown>;
  const facts = walkConfig(config);
  const graph = machineGraph(definition);

  Deno.test(`${id}: the graph has every state and transition of the definition`, () => {
    const graphStates = states(graph);
    assert.deepEqual(graphStates.map((s) => s.id).sort(), [...facts.states].sort());
    for (const [compound, initial] of facts.initials) {
      assert.equal(graphStates.find((s) => s.id === compound)?.initial, initial, `initial of ${compound}`);
    }
    assert.deepEqual(graphStates.filter((s) => s.type === "final").map((s) => s.id).sort(), [...facts.finals].sort());
    const expected = facts.transitions.map((t) => key(t.source, t.trigger, t.guard, t.actions, t.targets)).sort();
    const actual = graph.transitions.map((t) => key(t.source, triggerText(t), t.guard, [...t.actions], [...t.targets]))
      .sort();
    assert.deepEqual(actual, expected);
    assert.deepEqual(JSON.parse(JSON.stringify(graph)), graph, "the graph is plain data");
  });

  Deno.test(`${id}: the Mermaid text has every state, initial, final and transition`, () => {
    const text = toMermaid(graph);
    const lines = text.split("\n").map((line) => line.trim());
    assert.equal(lines[0], "stateDiagram-v2");
    for (const state of states(graph)) {
      const sid = mermaidId(state.id);
      assert.ok(
        lines.includes(`state "${state.key}" as ${sid}`) || lines.includes(`state "${state.key}" as ${sid} {`),
        `state ${state.id}`,
      );
      if (state.initial !== undefined) assert.ok(lines.includes(`[*] --> ${mermaidId(state.initial)}`), state.id);
      if (state.type === "final") assert.ok(lines.includes(`${sid} --> [*]`), `final ${state.id}`);
    }
    for (const t of graph.transitions) {
      const source = states(graph).find((s) => s.id === t.source)!;
      if (t.targets.length === 0) {
        const where = source.children.length === 0
          ? lines.includes(`${mermaidId(t.source)} : ${t.label}`)
          : text.includes(`note right of ${mermaidId(t.source)}\n`) &&
            text.split(`note right of ${mermaidId(t.source)}\n`)[1]!.split("end note")[0]!.includes(t.label);
        assert.ok(where, `internal transition ${t.label} of ${t.source}`);
        continue;
      }
      for (const target of t.targets) {
        const from = source.children.length > 0 && target.startsWith(`${source.id}.`)
          ? `${mermaidId(source.id)}__any`
          : mermaidId(source.id);
        assert.ok(lines.includes(`${from} --> ${mermaidId(target)} : ${t.label}`), `edge ${t.id} → ${target}`);
      }
    }
  });

  Deno.test(`${id}: the SVG has every state and transition, and its geometry holds together`, async () => {
    const layout = await layoutMachine(graph);
    const svg = renderSvg(layout);
    for (const state of states(graph)) assert.ok(svg.includes(`data-state="${state.id}"`), state.id);
    const drawn = [...svg.matchAll(/data-transition="([^"]+)" data-source="[^"]+" data-target="([^"]+)"/g)]
      .map((m) => `${m[1]}>${m[2]}`).sort();
    const wanted = graph.transitions.flatMap((t) => t.targets.map((target) => `${t.id}>${target}`)).sort();
    assert.deepEqual(drawn, wanted);
    for (const t of graph.transitions.filter((t) => t.targets.length === 0)) {
      const group = svg.split(`data-state="${t.source}">`)[1]!.split("</g>")[0]!;
      assert.ok(group.includes(`>${escapeXml(t.label)}</text>`), `internal transition ${t.label} in ${t.source}`);
    }
    for (const t of graph.transitions.filter((t) => t.targets.length > 0)) {
      const lines = layout.edges.find((e) => e.transition === t.id)?.label?.lines.join(" ");
      assert.equal(lines, t.label, `label of ${t.id}`);
    }
    assertGeometry(layout);
  });
}

/** Child boxes lie inside their parents; every edge starts on its source and ends on its target. */
function assertGeometry(layout: MachineLayout): void {
  const rects = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const box of layout.boxes) rects.set(box.state, box);
  for (const marker of layout.markers) rects.set(`${marker.kind}:${marker.of}`, marker);
  const byPath = new Map(layout.boxes.map((b) => [b.path.join("."), b]));
  for (const box of layout.boxes) {
    if (box.path.length === 0) continue;
    const parent = byPath.get(box.path.slice(0, -1).join("."))!;
    assert.ok(
      box.x >= parent.x && box.y >= parent.y && box.x + box.width <= parent.x + parent.width &&
        box.y + box.height <= parent.y + parent.height,
      `${box.state} lies inside ${parent.state}`,
    );
  }
  const onBorder = (point: readonly [number, number], id: string) => {
    const r = rects.get(id)!;
    const [x, y] = point;
    const inside = x >= r.x - 1 && x <= r.x + r.width + 1 && y >= r.y - 1 && y <= r.y + r.height + 1;
    const nearEdge =
      Math.min(Math.abs(x - r.x), Math.abs(x - r.x - r.width), Math.abs(y - r.y), Math.abs(y - r.y - r.height)) <=
        1;
    return inside && nearEdge;
  };
  for (const edge of layout.edges) {
    assert.ok(edge.points.length >= 2, `${edge.transition} has a route`);
    assert.ok(onBorder(edge.points[0]!, edge.source), `${edge.transition ?? edge.source} starts on ${edge.source}`);
    assert.ok(onBorder(edge.points.at(-1)!, edge.target), `${edge.transition ?? edge.source} ends on ${edge.target}`);
  }
}

const unusual = setup({
  guards: { ready: () => true, open: () => false },
  actions: { log: () => {} },
  delays: { tick: 50 },
}).createMachine({
  id: "demo",
  initial: "idle",
  states: {
    idle: {
      on: { go: { target: "running", guard: and(["ready", not("open")]), actions: ["log", assign({})] } },
      after: { 250: "done" },
    },
    running: {
      type: "parallel",
      states: {
        left: { initial: "a", states: { a: { on: { flip: "b" } }, b: { id: "custom", after: { tick: "a" } } } },
        right: { initial: "x", states: { x: { on: { "<img src=x onerror=alert(1)>": { actions: "log" } } } } },
      },
      on: { stop: "done", reset: { target: "running", reenter: true } },
    },
    done: { type: "final" },
  },
});

Deno.test("unusual definitions: parallel states, custom ids, delays, combined guards, markup in names", async () => {
  const graph = machineGraph(unusual as unknown as MachineDefinition);
  const all = states(graph);
  assert.equal(all.find((s) => s.id === "demo.running")?.type, "parallel");
  assert.equal(all.find((s) => s.id === "demo.running.left")?.initial, "demo.running.left.a");
  assert.ok(all.some((s) => s.id === "custom"));
  const label = (source: string, index = 0) => graph.transitions.filter((t) => t.source === source)[index]?.label;
  assert.equal(label("demo.idle"), "go [(ready && !open)] / log, assign");
  assert.equal(label("demo.idle", 1), "after 250 ms");
  assert.equal(label("custom"), "after tick (50 ms)");
  const reset = graph.transitions.find((t) => t.trigger.kind === "event" && t.trigger.event === "reset")!;
  assert.equal(reset.reenter, true);

  const mermaid = toMermaid(graph);
  assert.ok(!mermaid.includes("<img"), "markup is escaped in Mermaid");
  assert.ok(mermaid.includes("demo_running__any --> demo_running : reset"));
  const layout = await layoutMachine(graph);
  const svg = renderSvg(layout);
  assert.ok(!svg.includes("<img"), "markup is escaped in the SVG");
  assert.ok(svg.includes("&#60;img src=x onerror=alert(1)&#62;"));
  assertGeometry(layout);
  assert.deepEqual(activeStateIds(layout, { running: { left: "b", right: "x" } }), [
    "demo",
    "demo.running",
    "demo.running.left",
    "custom",
    "demo.running.right",
    "demo.running.right.x",
  ]);
  assert.deepEqual(activeStateIds(layout, "nowhere"), ["demo"]);
});

Deno.test("a protocol's machines join the runtime's; one definition is listed once; a clashing id is refused", () => {
  const runtime = new Runtime();
  const spec = (name: string, id: number, machines: MachineDefinition[]): ProtocolSpec => ({
    name,
    id,
    peerId: id,
    canSend: true,
    canRecv: true,
    create: () => {
      throw new Error("not used");
    },
    machines,
  });
  const shared = unusual as unknown as MachineDefinition;
  runtime.registerProtocol(spec("one", 0x7001, [shared]));
  runtime.registerProtocol(spec("two", 0x7002, [shared]));
  const listed = runtimeMachines(runtime);
  assert.deepEqual(listed.map((m) => `${m.owner}:${m.id}`), [
    "runtime:socket",
    "runtime:dialer",
    "runtime:listener",
    "runtime:pipe",
    "one:demo",
  ]);
  runtime.registerProtocol(spec("three", 0x7003, [setup({}).createMachine({ id: "demo" }) as MachineDefinition]));
  assert.throws(() => runtimeMachines(runtime), /machine id demo of three is already used by one/);
});

Deno.test("a real socket's snapshot value highlights its state", async () => {
  const runtime = registerBuiltins(new Runtime());
  const layout = await layoutMachine(machineGraph(runtime.machines.socket));
  const socket = runtime.socket("pair");
  assert.deepEqual(activeStateIds(layout, socket.actor.getSnapshot().value), ["socket", "socket.open"]);
  await socket.close();
  assert.deepEqual(activeStateIds(layout, socket.actor.getSnapshot().value), ["socket", "socket.closed"]);
});
