/**
 * The built-ins a browser can run: every protocol, `inproc://`, and
 * `ws://`/`wss://` dialers over the WebSocket API. Nothing here imports a
 * Deno or Node API.
 *
 * @module
 */

import { BUILTIN_PROTOCOLS } from "./builtin_protocols.ts";
import type { Runtime } from "./core/runtime.ts";
import type { SocketTypes } from "./socket_types.ts";
import { createInprocTransport } from "./transports/inproc.ts";
import { createBrowserWssTransport, createBrowserWsTransport } from "./transports/ws/browser.ts";

/**
 * Registers the built-in protocols and the browser's transports.
 *
 * @example Usage
 * ```ts
 * import { Runtime } from "./core/runtime.ts";
 * import { registerBrowserBuiltins } from "./builtins_browser.ts";
 * console.log(registerBrowserBuiltins(new Runtime()).schemes()); // ["inproc", "ws", "wss"]
 * ```
 *
 * @param runtime the runtime to fill
 * @returns the same runtime, typed: `socket("req")` is a `ReqSocket`…
 */
export function registerBrowserBuiltins<T extends object>(runtime: Runtime<T>): Runtime<SocketTypes> {
  for (const spec of BUILTIN_PROTOCOLS) runtime.registerProtocol(spec);
  const timing = { clock: runtime.clock };
  for (
    const transport of [createInprocTransport(), createBrowserWsTransport(timing), createBrowserWssTransport(timing)]
  ) {
    runtime.registerTransport(transport);
  }
  return runtime as unknown as Runtime<SocketTypes>;
}
