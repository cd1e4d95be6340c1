/**
 * The one place the built-in protocols and transports are registered.
 *
 * @module
 */

import type { Runtime } from "./core/runtime.ts";
import { busProtocol } from "./protocols/bus/bus.ts";
import { pairProtocol } from "./protocols/pair/pair.ts";
import { pair1Protocol } from "./protocols/pair1/pair1.ts";
import { pullProtocol } from "./protocols/pipeline/pull.ts";
import { pushProtocol } from "./protocols/pipeline/push.ts";
import { pubProtocol } from "./protocols/pubsub/pub.ts";
import { subProtocol } from "./protocols/pubsub/sub.ts";
import { repProtocol } from "./protocols/reqrep/rep.ts";
import { reqProtocol } from "./protocols/reqrep/req.ts";
import { respondentProtocol } from "./protocols/survey/respondent.ts";
import { surveyorProtocol } from "./protocols/survey/surveyor.ts";
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
 * import { Runtime } from "./core/runtime.ts";
 * import { registerBuiltins } from "./builtins.ts";
 * const runtime = registerBuiltins(new Runtime());
 * console.log(runtime.schemes()); // ["inproc", "ipc", "tcp", "tls+tcp", "ws", "wss"]
 * ```
 *
 * @param runtime the runtime to fill
 * @returns the same runtime
 */
export function registerBuiltins(runtime: Runtime): Runtime {
  const protocols = [
    pairProtocol,
    pair1Protocol,
    pushProtocol,
    pullProtocol,
    pubProtocol,
    subProtocol,
    reqProtocol,
    repProtocol,
    surveyorProtocol,
    respondentProtocol,
    busProtocol,
  ];
  for (const spec of protocols) runtime.registerProtocol(spec);
  const clock = { clock: runtime.clock, handshakeTimeout: runtime.handshakeTimeout };
  const transports = [
    createInprocTransport(),
    createIpcTransport(),
    createTcpTransport(),
    createTlsTcpTransport(),
    createWsTransport(clock),
    createWssTransport(clock),
  ];
  for (const transport of transports) {
    runtime.registerTransport(transport);
  }
  return runtime;
}
