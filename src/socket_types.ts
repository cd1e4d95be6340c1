/**
 * Which socket class each built-in protocol name opens, for the typed
 * `openSocket()`: `openSocket("req")` is a `ReqSocket`, `openSocket("sub")`
 * a `SubSocket`, and a name that is no protocol fails type checking.
 *
 * The map is an interface, so a plug-in protocol adds its name without
 * touching the library (declaration merging, in the plug-in's own code):
 *
 * ```ts ignore
 * declare module "@sp/nanomsg" {
 *   interface SocketTypes {
 *     greeting: GreetingSocket;
 *   }
 * }
 * defaultRuntime().registerProtocol(greetingProtocol);
 * const socket = openSocket("greeting"); // a GreetingSocket
 * ```
 *
 * @module
 */

import type { Socket } from "./core/socket.ts";
import type { Pair1Socket } from "./protocols/pair1/pair1.ts";
import type { SubSocket } from "./protocols/pubsub/sub_socket.ts";
import type { RepSocket } from "./protocols/reqrep/rep_socket.ts";
import type { ReqSocket } from "./protocols/reqrep/req_socket.ts";
import type { RespondentSocket } from "./protocols/survey/respondent_socket.ts";
import type { SurveyorSocket } from "./protocols/survey/surveyor_socket.ts";

/**
 * Protocol name → the socket class it opens. Open to plug-ins through
 * declaration merging (see the module doc).
 *
 * @example Usage
 * ```ts
 * import { openSocket, type SocketTypes } from "@sp/nanomsg";
 * const req: SocketTypes["req"] = openSocket("req");
 * await req.close();
 * ```
 */
export interface SocketTypes {
  /** PAIR v0: one peer. */
  pair: Socket;
  /** PAIR v1 (nng's pair1): hop counts, polyamorous mode (`poly`). */
  pair1: Pair1Socket;
  /** PUSH: each message to one PULL peer. */
  push: Socket;
  /** PULL: fair-queued from every PUSH peer. */
  pull: Socket;
  /** PUB: every message to every SUB peer. */
  pub: Socket;
  /** SUB: `subscribe()`, `unsubscribe()`. */
  sub: SubSocket;
  /** REQ: `request()`, contexts, `resendIvl`. */
  req: ReqSocket;
  /** REP: `serve()`, contexts. */
  rep: RepSocket;
  /** SURVEYOR: `survey()`, contexts, `deadline`. */
  surveyor: SurveyorSocket;
  /** RESPONDENT: `serve()`, contexts. */
  respondent: RespondentSocket;
  /** BUS: every message to every direct BUS peer. */
  bus: Socket;
}

/** A protocol name the typed `openSocket()` knows. */
export type ProtocolName = keyof SocketTypes & string;
