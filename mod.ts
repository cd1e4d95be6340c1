/**
 * The Scalability Protocols (nanomsg) in TypeScript, Deno-first: PAIR (v0
 * and v1), PUSH/PULL, PUB/SUB, REQ/REP, SURVEYOR/RESPONDENT and BUS
 * sockets, cooked and raw, over `inproc://`, `ipc://`, `tcp://`,
 * `tls+tcp://`, `ws://` and `wss://`, speaking nanomsg's wire protocols
 * byte for byte, so they talk to programs built on libnanomsg, nng or
 * mangos. `browser.ts` is the same API for browsers (`deno task bundle`).
 *
 * Open sockets with {@linkcode openSocket} (or nanomsg's
 * {@linkcode socket}); a socket reports its connections' life as events
 * (`socket.events`), waits for peers (`socket.waitForPeers()`), binds any
 * free port (`socket.listen("tcp://127.0.0.1:0")` tells the real URL) and
 * keeps counters per socket, endpoint and pipe (`socket.statistics()`).
 * Sockets, endpoints and pipes are XState machines run by one
 * {@linkcode Runtime}; protocols and transports are plug-ins registered on
 * it. Messages never go through a machine transition.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 *
 * await using pull = openSocket("pull");
 * await using push = openSocket("push");
 * const { url } = await pull.listen("tcp://127.0.0.1:0"); // any free port
 * push.connect(url);
 * await push.send("job 1");
 * console.log(new TextDecoder().decode(await pull.recv())); // "job 1"
 * ```
 *
 * @module
 */

import { registerBuiltins } from "./src/builtins.ts";
import { type ProtocolOptionsOf, Runtime, type SocketFor, type UncheckedName } from "./src/core/runtime.ts";
import type { Socket, SocketInit } from "./src/core/socket.ts";
import type { ProtocolName, SocketTypes } from "./src/socket_types.ts";

export * from "./src/api.ts";
export { registerBuiltins } from "./src/builtins.ts";
export { createInprocTransport } from "./src/transports/inproc.ts";
export { createIpcTransport } from "./src/transports/ipc.ts";
export { createTcpTransport } from "./src/transports/tcp.ts";
export { createTlsTcpTransport } from "./src/transports/tls.ts";
export { createWssTransport, createWsTransport, type WsTransportOptions } from "./src/transports/ws/ws.ts";

let defaultRuntimeInstance: Runtime<SocketTypes> | undefined;

/**
 * The runtime behind `socket()`, `openSocket()` and `term()`, with the
 * built-in protocols and transports registered.
 *
 * @example Usage
 * ```ts
 * import { defaultRuntime } from "@sp/nanomsg";
 * console.log(defaultRuntime().schemes()); // ["inproc", "ipc", "tcp", "tls+tcp", "ws", "wss"]
 * ```
 *
 * @returns the default runtime, created on first use
 */
export function defaultRuntime(): Runtime<SocketTypes> {
  defaultRuntimeInstance ??= registerBuiltins(new Runtime());
  return defaultRuntimeInstance;
}

/**
 * Opens a socket by protocol name (`"pair"`, `"pair1"`, `"push"`,
 * `"pull"`, `"req"`, `"rep"`, `"pub"`, `"sub"`, `"surveyor"`,
 * `"respondent"`, `"bus"`) on the default runtime, typed by its protocol
 * ({@linkcode SocketTypes}): `openSocket("req")` is a `ReqSocket` with
 * `request()`, `openSocket("sub")` a `SubSocket` with `subscribe()`, and
 * a misspelt name fails type checking. `init.options` takes the
 * protocol's options by name too.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * await using sub = openSocket("sub", { options: { rcvtimeo: 100, subscribe: "news." } });
 * sub.subscribe("weather.");
 * console.log(sub.protocolId); // 33
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
 * import { NN_PUSH, openSocket } from "@sp/nanomsg";
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
 * nanomsg's `nn_socket(domain, protocol)` on the default runtime.
 *
 * @example Usage
 * ```ts
 * import { AF_SP, NN_PUSH, socket } from "@sp/nanomsg";
 * await using s = socket(AF_SP, NN_PUSH);
 * console.log(s.protocolName); // "push"
 * ```
 *
 * @param domain `AF_SP` or `AF_SP_RAW`
 * @param protocol a protocol id such as `NN_PAIR`
 * @param init options and inspector
 * @returns the open socket
 */
export function socket(domain: number, protocol: number, init?: Omit<SocketInit, "domain">): Socket {
  return defaultRuntime().socket(protocol, { ...init, domain });
}

/**
 * nanomsg's `nn_term()`: closes every socket of the default runtime at
 * once; blocked and later calls fail with ETERM.
 *
 * @example Usage
 * ```ts ignore
 * import { term } from "@sp/nanomsg";
 * await term();
 * ```
 *
 * @returns when every socket is closed
 */
export function term(): Promise<void> {
  return defaultRuntime().term();
}
