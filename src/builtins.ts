/**
 * The one place the built-in protocols and transports are registered: all
 * of them for Deno, and the browser's set (inproc, and ws/wss dialers over
 * the WebSocket API) in `builtins_browser.ts`.
 *
 * @module
 */

import { BUILTIN_PROTOCOLS } from "./builtin_protocols.ts";
import type { Runtime } from "./core/runtime.ts";
import type { SocketTypes } from "./socket_types.ts";
import { createInprocTransport } from "./transports/inproc.ts";
import { createIpcTransport } from "./transports/ipc.ts";
import { createTcpTransport } from "./transports/tcp.ts";
import { createTlsTcpTransport } from "./transports/tls.ts";
import { createWssTransport, createWsTransport } from "./transports/ws/ws.ts";

/**
 * Registers every built-in protocol and transport on a runtime.
 *
 * @example Usage
 * ```ts
 * import { registerBuiltins, Runtime } from "@sp/nanomsg";
 * const runtime = registerBuiltins(new Runtime());
 * console.log(runtime.schemes()); // ["inproc", "ipc", "tcp", "tls+tcp", "ws", "wss"]
 * ```
 *
 * @param runtime the runtime to fill
 * @returns the same runtime, typed: `socket("req")` is a `ReqSocket`…
 */
export function registerBuiltins<T extends object>(runtime: Runtime<T>): Runtime<SocketTypes> {
  for (const spec of BUILTIN_PROTOCOLS) runtime.registerProtocol(spec);
  const timing = { clock: runtime.clock, handshakeTimeout: runtime.handshakeTimeout };
  const transports = [
    createInprocTransport(),
    createIpcTransport(),
    createTcpTransport(),
    createTlsTcpTransport(),
    createWsTransport(timing),
    createWssTransport(timing),
  ];
  for (const transport of transports) runtime.registerTransport(transport);
  return runtime as unknown as Runtime<SocketTypes>;
}
