/**
 * The library for browsers: the same API as `mod.ts`, with the transports
 * a page can use (`inproc://`, and `ws://`/`wss://` dialers over the
 * WebSocket API). `deno task bundle` turns this file into one ES module,
 * `dist/nanomsg.js`, with nothing Deno-only in it.
 *
 * @example Usage
 * ```ts ignore
 * import { openSocket } from "./dist/nanomsg.js"; // in a page
 * const req = openSocket("req");
 * req.connect("ws://127.0.0.1:5555/api");
 * await req.send("hello");
 * console.log(new TextDecoder().decode(await req.recv()));
 * ```
 *
 * @module
 */

import { registerBrowserBuiltins } from "./src/builtins_browser.ts";
import { type ProtocolOptionsOf, Runtime, type SocketFor, type UncheckedName } from "./src/core/runtime.ts";
import type { Socket, SocketInit } from "./src/core/socket.ts";
import type { ProtocolName, SocketTypes } from "./src/socket_types.ts";

export * from "./src/api.ts";
export { registerBrowserBuiltins } from "./src/builtins_browser.ts";
export { createInprocTransport } from "./src/transports/inproc.ts";
export {
  type BrowserWsOptions,
  createBrowserWssTransport,
  createBrowserWsTransport,
} from "./src/transports/ws/browser.ts";

let defaultRuntimeInstance: Runtime<SocketTypes> | undefined;

/**
 * The runtime behind `socket()`, `openSocket()` and `term()` in a page,
 * with the built-in protocols and the browser's transports registered.
 *
 * @example Usage
 * ```ts
 * import { defaultRuntime } from "@sp/nanomsg/browser";
 * console.log(defaultRuntime().schemes()); // ["inproc", "ws", "wss"]
 * ```
 *
 * @returns the default runtime, created on first use
 */
export function defaultRuntime(): Runtime<SocketTypes> {
  defaultRuntimeInstance ??= registerBrowserBuiltins(new Runtime());
  return defaultRuntimeInstance;
}

/**
 * Opens a socket by protocol name on the browser's default runtime,
 * typed by its protocol ({@linkcode SocketTypes}), as `openSocket()` of
 * `mod.ts`.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg/browser";
 * await using s = openSocket("req");
 * console.log(s.protocolName, typeof s.request); // "req" "function"
 * ```
 *
 * @param protocol a built-in (or declared plug-in) protocol's name
 * @param init domain, options and inspector
 * @returns the open socket, of its protocol's class
 * @throws {SpError} EINVAL for a name no protocol is registered under
 */
export function openSocket<P extends ProtocolName>(
  protocol: P,
  init?: SocketInit<ProtocolOptionsOf<SocketFor<SocketTypes, P>>>,
): SocketFor<SocketTypes, P>;
/**
 * Opens a socket by protocol id, or by a name known only at run time (read
 * from a config file): a plain `Socket` as far as types go, and an unknown
 * name is EINVAL listing the registered ones.
 *
 * @example Usage
 * ```ts
 * import { NN_PUSH, openSocket } from "@sp/nanomsg/browser";
 * const fromConfig: string = JSON.parse('{"protocol":"pull"}').protocol;
 * await using pull = openSocket(fromConfig);
 * await using push = openSocket(NN_PUSH);
 * console.log(pull.protocolName, push.protocolName); // "pull" "push"
 * ```
 *
 * @param protocol a registered protocol's id, or a name as a plain `string`
 * @param init domain, options and inspector
 * @returns the open socket
 * @throws {SpError} EINVAL for an unknown protocol, naming the registered ones
 */
export function openSocket<S extends string>(protocol: number | UncheckedName<S>, init?: SocketInit): Socket;
export function openSocket(protocol: string | number, init?: SocketInit): Socket {
  return defaultRuntime().socket(protocol as never, init);
}

/**
 * nanomsg's `nn_socket(domain, protocol)` on the browser's default runtime.
 *
 * @example Usage
 * ```ts
 * import { AF_SP, NN_SUB, socket } from "@sp/nanomsg/browser";
 * await using s = socket(AF_SP, NN_SUB);
 * console.log(s.protocolName); // "sub"
 * ```
 *
 * @param domain `AF_SP` or `AF_SP_RAW`
 * @param protocol a protocol id such as `NN_REQ`
 * @param init options and inspector
 * @returns the open socket
 */
export function socket(domain: number, protocol: number, init?: Omit<SocketInit, "domain">): Socket {
  return defaultRuntime().socket(protocol, { ...init, domain });
}

/**
 * nanomsg's `nn_term()` for the browser's default runtime.
 *
 * @example Usage
 * ```ts ignore
 * import { term } from "@sp/nanomsg/browser";
 * await term();
 * ```
 *
 * @returns when every socket is closed
 */
export function term(): Promise<void> {
  return defaultRuntime().term();
}
