/**
 * The library's API apart from its transports and default runtime: what
 * `mod.ts` (Deno) and `browser.ts` (the browser bundle) both export.
 *
 * @module
 */

export { type ActorIdentity, actorIdentity, type ActorKind, actorName } from "./core/actor_identity.ts";
export { type Clock, ManualClock, systemClock, type TimerId } from "./core/clock.ts";
export { ERRNO, type ErrorCode, fromDenoError, isSpError, SpError } from "./core/errors.ts";
export {
  AF_SP,
  AF_SP_RAW,
  MAX_DURATION,
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
  NN_TCP_KEEPALIVE,
  NN_TCP_NODELAY,
  type SocketOptions,
} from "./core/options.ts";
export { device } from "./core/device.ts";
export { EMPTY, type Message, SEND_COPY_MIN } from "./core/message.ts";
export { type InspectionRecord, inspectionRecord, type PlainValue } from "./core/inspection_record.ts";
export type {
  ContextHost,
  PipeHandle,
  Protocol,
  ProtocolContext,
  ProtocolHost,
  ProtocolSpec,
  RunningMachine,
} from "./core/protocol.ts";
export {
  type Inspector,
  type MachineActor,
  type MachineDefinition,
  type MachineInspectionEvent,
  type Machines,
  type ProtocolOptionsOf,
  Runtime,
  type RuntimeOptions,
  type SocketFor,
  type UncheckedName,
} from "./core/runtime.ts";
export {
  NN_DONTWAIT,
  type PeerWaitOptions,
  type RecvOptions,
  Socket,
  type SocketInit,
  type SocketOptionName,
  type SocketOptionValue,
  type SocketSetup,
  type WaitOptions,
} from "./core/socket.ts";
export { Context, type ContextSetup } from "./core/context.ts";
export { poll, type PollEntry, type PollOptions, type PollResult } from "./core/poll.ts";
export type { Endpoint } from "./core/endpoint.ts";
export {
  type AcceptErrorEvent,
  type ConnectErrorEvent,
  DROP_REASONS,
  DROP_REPORT_INTERVAL,
  type DropReason,
  type EndpointInfo,
  ITERATOR_BUFFER,
  type ListenOptions,
  type MessageDroppedEvent,
  type PipeAddedEvent,
  type PipeAddingEvent,
  type PipeInfo,
  type PipeRejectedEvent,
  type PipeRemovedEvent,
  type SocketClosedEvent,
  type SocketEvent,
  type SocketEventBase,
  type SocketEventListener,
  type SocketEventMap,
  type SocketEvents,
  type SocketEventType,
} from "./core/socket_events.ts";
export type {
  EndpointStatistics,
  PipeStatistics,
  SocketStatistics,
  SocketStats,
  Traffic,
} from "./core/socket_stats.ts";
export {
  checkEndpointOptions,
  type Connection,
  type ConnectionSink,
  type EndpointOptions,
  type Transport,
  type TransportListener,
  type TransportOptions,
} from "./core/transport.ts";
export { busProtocol, NN_BUS } from "./protocols/bus/bus.ts";
export { NN_PAIR, pairProtocol } from "./protocols/pair/pair.ts";
export {
  NN_PAIR1,
  NN_PAIR1_POLY,
  type Pair1Options,
  pair1Protocol,
  type Pair1Socket,
} from "./protocols/pair1/pair1.ts";
export { NN_PULL, pullProtocol } from "./protocols/pipeline/pull.ts";
export { NN_PUSH, pushProtocol } from "./protocols/pipeline/push.ts";
export { NN_PUB, pubProtocol } from "./protocols/pubsub/pub.ts";
export { NN_REP, repProtocol } from "./protocols/reqrep/rep.ts";
export { RepSocket } from "./protocols/reqrep/rep_socket.ts";
export { NN_REQ, NN_REQ_RESEND_IVL, reqProtocol } from "./protocols/reqrep/req.ts";
export { type ReqContext, type ReqOptions, ReqSocket, type RequestOptions } from "./protocols/reqrep/req_socket.ts";
export { NN_RESPONDENT, respondentProtocol } from "./protocols/survey/respondent.ts";
export { RespondentSocket } from "./protocols/survey/respondent_socket.ts";
export { NN_SURVEYOR, NN_SURVEYOR_DEADLINE, surveyorProtocol } from "./protocols/survey/surveyor.ts";
export {
  type SurveyOptions,
  type SurveyorContext,
  type SurveyorOptions,
  SurveyorSocket,
} from "./protocols/survey/surveyor_socket.ts";
export { NN_SUB, NN_SUB_SUBSCRIBE, NN_SUB_UNSUBSCRIBE, subProtocol } from "./protocols/pubsub/sub.ts";
export { type SubOptions, SubSocket } from "./protocols/pubsub/sub_socket.ts";
export { type Answer, AnsweringSocket, type Handler, type ServeOptions } from "./routing/answering_socket.ts";
export type { ProtocolName, SocketTypes } from "./socket_types.ts";
