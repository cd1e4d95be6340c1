/**
 * The Scalability Protocols (nanomsg) in TypeScript, Deno-first: PAIR,
 * PUSH and PULL sockets over `inproc://`, `ipc://` and `tcp://`, speaking
 * nanomsg's wire protocol byte for byte, so they talk to programs built on
 * libnanomsg, nng or mangos.
 *
 * Sockets, endpoints and pipes are XState machines run by one
 * {@linkcode Runtime}; protocols and transports are plug-ins registered on
 * it. Messages never go through a machine transition.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "./mod.ts";
 *
 * await using pull = openSocket("pull");
 * await using push = openSocket("push");
 * await pull.bind("inproc://jobs");
 * push.connect("inproc://jobs");
 * await push.send("job 1");
 * console.log(new TextDecoder().decode(await pull.recv())); // "job 1"
 * ```
 *
 * @module
 */

import { registerBuiltins } from "./src/builtins.ts";
import { Runtime } from "./src/core/runtime.ts";
import type { Socket, SocketInit } from "./src/core/socket.ts";

export { registerBuiltins } from "./src/builtins.ts";
export { type Clock, ManualClock, systemClock, type TimerId } from "./src/core/clock.ts";
export { ERRNO, type ErrorCode, fromDenoError, isSpError, SpError } from "./src/core/errors.ts";
export {
  AF_SP,
  AF_SP_RAW,
  NN_DOMAIN,
  NN_IPV4ONLY,
  NN_LINGER,
  NN_MAXTTL,
  NN_PROTOCOL,
  NN_RCVBUF,
  NN_RCVMAXSIZE,
  NN_RCVPRIO,
  NN_RCVTIMEO,
  NN_RECONNECT_IVL,
  NN_RECONNECT_IVL_MAX,
  NN_SNDBUF,
  NN_SNDPRIO,
  NN_SNDTIMEO,
  NN_SOCKET_NAME,
  NN_SOL_SOCKET,
  NN_TCP,
  NN_TCP_NODELAY,
  type SocketOptions,
} from "./src/core/options.ts";
export { device } from "./src/core/device.ts";
export { EMPTY, type Message } from "./src/core/message.ts";
export type { PipeHandle, Protocol, ProtocolHost, ProtocolSpec } from "./src/core/protocol.ts";
export {
  type Inspector,
  type MachineActor,
  type MachineDefinition,
  type MachineInspectionEvent,
  type Machines,
  Runtime,
  type RuntimeOptions,
} from "./src/core/runtime.ts";
export { NN_DONTWAIT, Socket, type SocketInit, type WaitOptions } from "./src/core/socket.ts";
export type { SocketStats } from "./src/core/socket_stats.ts";
export {
  checkEndpointOptions,
  type Connection,
  type ConnectionSink,
  type EndpointOptions,
  type Transport,
  type TransportListener,
  type TransportOptions,
} from "./src/core/transport.ts";
export { busProtocol, NN_BUS } from "./src/protocols/bus/bus.ts";
export { NN_PAIR, pairProtocol } from "./src/protocols/pair/pair.ts";
export { NN_PAIR1, NN_PAIR1_POLY, pair1Protocol } from "./src/protocols/pair1/pair1.ts";
export { NN_PULL, pullProtocol } from "./src/protocols/pipeline/pull.ts";
export { NN_PUSH, pushProtocol } from "./src/protocols/pipeline/push.ts";
export { NN_PUB, pubProtocol } from "./src/protocols/pubsub/pub.ts";
export { NN_REP, repProtocol } from "./src/protocols/reqrep/rep.ts";
export { NN_REQ, NN_REQ_RESEND_IVL, reqProtocol } from "./src/protocols/reqrep/req.ts";
export { NN_RESPONDENT, respondentProtocol } from "./src/protocols/survey/respondent.ts";
export { NN_SURVEYOR, NN_SURVEYOR_DEADLINE, surveyorProtocol } from "./src/protocols/survey/surveyor.ts";
export { NN_SUB, NN_SUB_SUBSCRIBE, NN_SUB_UNSUBSCRIBE, subProtocol } from "./src/protocols/pubsub/sub.ts";
export { createInprocTransport } from "./src/transports/inproc.ts";
export { createIpcTransport } from "./src/transports/ipc.ts";
export { createTcpTransport } from "./src/transports/tcp.ts";

let defaultRuntimeInstance: Runtime | undefined;

/**
 * The runtime behind `socket()`, `openSocket()` and `term()`, with the
 * built-in protocols and transports registered.
 *
 * @example Usage
 * ```ts
 * import { defaultRuntime } from "./mod.ts";
 * console.log(defaultRuntime().schemes()); // ["inproc", "ipc", "tcp", "tls+tcp", "ws", "wss"]
 * ```
 *
 * @returns the default runtime, created on first use
 */
export function defaultRuntime(): Runtime {
  defaultRuntimeInstance ??= registerBuiltins(new Runtime());
  return defaultRuntimeInstance;
}

/**
 * Opens a socket by protocol name (`"pair"`, `"push"`, `"pull"`) on the
 * default runtime.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "./mod.ts";
 * await using s = openSocket("pair", { options: { rcvtimeo: 100 } });
 * console.log(s.protocolId); // 16
 * ```
 *
 * @param protocol a registered protocol's name or id
 * @param init domain, options and inspector
 * @returns the open socket
 */
export function openSocket(protocol: string | number, init?: SocketInit): Socket {
  return defaultRuntime().socket(protocol, init);
}

/**
 * nanomsg's `nn_socket(domain, protocol)` on the default runtime.
 *
 * @example Usage
 * ```ts
 * import { AF_SP, NN_PUSH, socket } from "./mod.ts";
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
 * import { term } from "./mod.ts";
 * await term();
 * ```
 *
 * @returns when every socket is closed
 */
export function term(): Promise<void> {
  return defaultRuntime().term();
}
