/**
 * Fixtures for the REQ/REP and SURVEYOR/RESPONDENT tests: a runtime on a
 * manual clock with the four protocols registered, sockets joined over
 * inproc, backtrace words written from the wire description
 * (sp-spec.md §2.2) rather than with the library's own helpers, and
 * assertions on nanomsg's error codes.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  AF_SP,
  AF_SP_RAW,
  type ErrorCode,
  isSpError,
  ManualClock,
  registerBuiltins,
  Runtime,
  type Socket,
  type SocketOptions,
} from "../../mod.ts";
import { repProtocol } from "../../src/protocols/reqrep/rep.ts";
import { reqProtocol } from "../../src/protocols/reqrep/req.ts";
import { respondentProtocol } from "../../src/protocols/survey/respondent.ts";
import { surveyorProtocol } from "../../src/protocols/survey/surveyor.ts";
import { advance, settle } from "../core/_mock_transport.ts";

export { advance, settle };

/** The protocols under test, for runtimes of our own. */
export const PROTOCOLS = [reqProtocol, repProtocol, surveyorProtocol, respondentProtocol] as const;

/**
 * A runtime with the built-ins and the four protocols under test
 * registered (each only if the built-ins do not include it already).
 */
export function protocolRuntime(clock?: ManualClock): Runtime {
  const runtime = registerBuiltins(new Runtime(clock === undefined ? {} : { clock }));
  const known = new Set(runtime.protocols().map((spec) => spec.name));
  for (const spec of PROTOCOLS) if (!known.has(spec.name)) runtime.registerProtocol(spec);
  return runtime;
}

/** A manual clock and a runtime that runs on it. */
export interface Bench {
  clock: ManualClock;
  runtime: Runtime;
  /** Opens a socket with LINGER 0 (so close() never waits on the manual clock). */
  open(protocol: string, raw?: boolean, options?: Partial<SocketOptions>): Socket;
}

/** A fresh manual-clock runtime. */
export function bench(): Bench {
  const clock = new ManualClock();
  const runtime = protocolRuntime(clock);
  return {
    clock,
    runtime,
    open: (protocol, raw = false, options = {}) =>
      runtime.socket(protocol, { domain: raw ? AF_SP_RAW : AF_SP, options: { linger: 0, ...options } }),
  };
}

/** Binds `server` to `inproc://name`, connects each client, and waits until all are attached. */
export async function join(name: string, server: Socket, ...clients: Socket[]): Promise<void> {
  await server.bind(`inproc://${name}`);
  for (const client of clients) client.connect(`inproc://${name}`);
  for (let i = 0; i < 20 && server.stats.currentConnections < clients.length; i++) await settle();
  for (const client of clients) {
    for (let i = 0; i < 20 && client.stats.currentConnections < 1; i++) await settle();
    assert.equal(client.stats.currentConnections, 1, "client attached");
  }
  assert.equal(server.stats.currentConnections, clients.length, "server attached every client");
}

/** Waits for `promise` to reject with the SpError `code`. */
export function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  return assert.rejects(promise, (e) => isSpError(e, code));
}

/** Expects `fn` to throw the SpError `code`. */
export function throwsWith(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e) => isSpError(e, code));
}

/** Whether `promise` has settled after pending callbacks ran (it is not left waiting). */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  await settle();
  return done;
}

/** One backtrace word as four big-endian bytes (written here, not with the library's helper). */
export function word(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

/** The words joined into one header. */
export function words(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  values.forEach((value, i) => new DataView(out.buffer).setUint32(i * 4, value >>> 0));
  return out;
}

/** The u32 big-endian word at `offset`. */
export function wordAt(bytes: Uint8Array, offset = 0): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset);
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Header bytes followed by a UTF-8 body, as one payload. */
export function payload(header: Uint8Array, body: string): Uint8Array {
  const b = utf8(body);
  const out = new Uint8Array(header.length + b.length);
  out.set(header);
  out.set(b, header.length);
  return out;
}
