/**
 * Inspection events as plain JSON. XState's inspection events hold actor
 * refs, and our snapshots' contexts hold live objects (connections,
 * functions, the socket's plumbing, each other); {@linkcode inspectionRecord}
 * keeps what a person or a log needs: the actor's readable name and kind,
 * the state, the event, and the context with every object reduced to plain
 * data: no functions, no cycles, errors as `{ name, code, message }`,
 * actors and pipes by name, and anything that looks like a secret (TLS
 * keys and certificates in an endpoint's options) redacted.
 *
 * @module
 */

import { actorIdentity, type ActorKind } from "./actor_identity.ts";
import type { MachineInspectionEvent } from "./runtime.ts";

/** JSON data. */
export type PlainValue = null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };

/** An inspection event as plain JSON (see {@linkcode inspectionRecord}). */
export interface InspectionRecord {
  /** XState's event type: `@xstate.actor`, `@xstate.event`, `@xstate.snapshot`, `@xstate.action` … */
  readonly type: string;
  /** The actor's readable name (`pipe#17 tcp …`), or XState's id for an actor a runtime did not start. */
  readonly actor: string;
  /** Which of our machines it runs, when it is ours. */
  readonly kind?: ActorKind;
  /** The machine's id (`"pipe"`). */
  readonly machine?: string;
  /** The id of its socket. */
  readonly socket?: number;
  /** The id of its endpoint. */
  readonly endpoint?: number;
  /** The pipe's id. */
  readonly pipe?: number;
  /** XState's session id of the actor (`x:7`). */
  readonly sessionId: string;
  /** XState's session id of the root actor of its system. */
  readonly rootId: string;
  /** For `@xstate.event`: the sender's name, if any. */
  readonly source?: string;
  /** The event received or processed. */
  readonly event?: PlainValue;
  /** For `@xstate.action`: the action's name and parameters. */
  readonly action?: PlainValue;
  /** For `@xstate.snapshot`: the state value, e.g. `"active"` or `{ closing: "lingering" }`. */
  readonly state?: PlainValue;
  /** For `@xstate.snapshot`: `active`, `done`, `error` or `stopped`. */
  readonly status?: string;
  /** For `@xstate.snapshot`: the machine's context, as plain data. */
  readonly context?: PlainValue;
  /** For `@xstate.snapshot` in status `error`: the error. */
  readonly error?: PlainValue;
}

/** How deep {@linkcode plainValue} follows nested objects by default. */
export const PLAIN_DEPTH = 4;

/** Keys whose values are not shown: keys, certificates (`tls-ca` too), passwords, tokens. */
const SECRET = /key|secret|passw|token|cert|tls-ca/i;

interface ActorLike {
  readonly sessionId: string;
  readonly id: string;
  readonly logic?: { readonly id?: string };
  readonly src?: unknown;
  readonly _parent?: ActorLike;
}

function isActor(value: unknown): value is ActorLike {
  return typeof value === "object" && value !== null && typeof (value as ActorLike).sessionId === "string" &&
    typeof (value as { send?: unknown }).send === "function";
}

/**
 * An actor's readable name; for an actor one of ours invoked (a connect
 * or handshake in progress), its parent's name and what it runs
 * (`dialer#1 tcp://… ▸ connect`); else XState's id.
 */
function nameOf(actor: ActorLike): string {
  const name = actorIdentity(actor)?.name;
  if (name !== undefined) return name;
  const parent = actor._parent === undefined ? undefined : actorIdentity(actor._parent)?.name;
  return parent !== undefined && typeof actor.src === "string" ? `${parent} ▸ ${actor.src}` : actor.id;
}

/**
 * Turns one inspection event into plain JSON with the actor's readable
 * name: `JSON.stringify` takes it as it is, and so does a log or a
 * WebSocket.
 *
 * @example Usage
 * ```ts
 * import { inspectionRecord, type MachineInspectionEvent, openSocket } from "@sp/nanomsg";
 * const lines: string[] = [];
 * const inspect = (event: MachineInspectionEvent) => {
 *   const record = inspectionRecord(event);
 *   if (record.type === "@xstate.snapshot") lines.push(`${record.actor}: ${JSON.stringify(record.state)}`);
 * };
 * await using pull = openSocket("pull", { inspect });
 * await using push = openSocket("push", { inspect });
 * const { url } = await pull.listen("tcp://127.0.0.1:0");
 * push.connect(url);
 * await pull.waitForPeers(1);
 * console.log(lines.some((line) => line.startsWith("pipe#"))); // true: e.g. "pipe#1 tcp 127.0.0.1:40122⇄…: \"active\""
 * ```
 *
 * @param event an event from an `inspect` observer (a socket's or `runtime.inspect()`)
 * @returns the event as plain data
 */
export function inspectionRecord(event: MachineInspectionEvent): InspectionRecord {
  const raw = event as MachineInspectionEvent & {
    readonly event?: unknown;
    readonly sourceRef?: unknown;
    readonly action?: unknown;
    readonly snapshot?: {
      readonly value?: unknown;
      readonly status?: string;
      readonly context?: unknown;
      readonly error?: unknown;
    };
  };
  const actor = raw.actorRef as ActorLike;
  const identity = actorIdentity(actor);
  const record: Record<string, unknown> = { type: raw.type, actor: nameOf(actor) };
  if (identity !== undefined) {
    record.kind = identity.kind;
    record.socket = identity.socket;
    if (identity.endpoint !== undefined) record.endpoint = identity.endpoint;
    if (identity.pipe !== undefined) record.pipe = identity.pipe;
  }
  const machine = actor.logic?.id;
  if (typeof machine === "string") record.machine = machine;
  record.sessionId = actor.sessionId;
  record.rootId = raw.rootId;
  if (isActor(raw.sourceRef)) record.source = nameOf(raw.sourceRef);
  if (raw.event !== undefined) record.event = plainValue(raw.event);
  if (raw.action !== undefined) record.action = plainValue(raw.action);
  const snapshot = raw.snapshot;
  if (raw.type === "@xstate.snapshot" && snapshot !== undefined) {
    record.state = plainValue(snapshot.value ?? null);
    if (snapshot.status !== undefined) record.status = snapshot.status;
    if (snapshot.context !== undefined) record.context = plainValue(snapshot.context);
    if (snapshot.error !== undefined) record.error = plainValue(snapshot.error);
  }
  return record as unknown as InspectionRecord;
}

/**
 * Reduces any value to plain JSON data: primitives stay (non-finite
 * numbers and bigints become strings), errors become
 * `{ name, code?, message }`, actors and objects with a `name` become that
 * name, maps and sets become arrays, byte arrays `"<n bytes>"`, functions
 * and symbols are left out, a cycle or anything deeper than `depth`
 * becomes a marker string, and keys that look like secrets (`key`,
 * `cert`, `tls-ca`, `token`, `secret`, `password`) are redacted.
 *
 * @example Usage
 * ```ts
 * import { plainValue } from "./inspection_record.ts";
 * const node: Record<string, unknown> = { n: 1, run() {} };
 * node.self = node;
 * console.log(JSON.stringify(plainValue(node))); // {"n":1,"self":"[circular]"}
 * ```
 *
 * @param value anything
 * @param depth how many levels of nested objects to keep
 * @returns plain data
 */
export function plainValue(value: unknown, depth: number = PLAIN_DEPTH): PlainValue {
  return toPlain(value, depth, new Set());
}

function toPlain(value: unknown, depth: number, path: Set<object>): PlainValue {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return String(value);
    case "undefined":
    case "function":
    case "symbol":
      return null;
  }
  if (value === null) return null;
  const object = value as object;
  if (isActor(object)) return nameOf(object);
  if (object instanceof Error) return errorValue(object);
  if (ArrayBuffer.isView(object)) return `<${object.byteLength} bytes>`;
  if (object instanceof ArrayBuffer) return `<${object.byteLength} bytes>`;
  if (object instanceof Date) return object.toISOString();
  if (path.has(object)) return "[circular]";
  if (depth <= 0) return "[…]";
  path.add(object);
  try {
    if (Array.isArray(object) || object instanceof Set) {
      return [...object].map((item) => toPlain(item, depth - 1, path));
    }
    if (object instanceof Map) {
      return [...object].map(([key, item]) => [toPlain(key, depth - 1, path), toPlain(item, depth - 1, path)]);
    }
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) return instanceValue(object);
    const out: Record<string, PlainValue> = {};
    for (const [key, item] of Object.entries(object)) {
      if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
      out[key] = SECRET.test(key) ? "[redacted]" : toPlain(item, depth - 1, path);
    }
    return out;
  } finally {
    path.delete(object);
  }
}

function errorValue(error: Error): PlainValue {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string"
    ? { name: error.name, code, message: error.message }
    : { name: error.name, message: error.message };
}

/** An instance of a class: by its name or description, else by its class. */
function instanceValue(object: object): string {
  const named = object as { name?: unknown; description?: unknown };
  if (typeof named.name === "string") return named.name;
  if (typeof named.description === "string") return named.description;
  return `[${object.constructor?.name ?? "object"}]`;
}
