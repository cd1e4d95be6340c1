/**
 * RESPONDENT (protocol 6, id 0x63): receives surveys fair-queued from
 * every SURVEYOR peer and sends each answer back along the survey's
 * backtrace (sp-spec.md §2.8). It behaves exactly like REP: `send` before
 * a survey was received is EFSM, a new `recv` forgets an unanswered
 * survey, answers never wait (dropped when their pipe is gone or cannot
 * take them), and surveys with more than `NN_MAXTTL` words of backtrace or
 * none marked as the id are dropped with the connection kept (nanomsg).
 *
 * Contexts (`openContext()`, and `serve()`): each receives a survey of its
 * own and answers that one, in any order (nng's).
 *
 * Raw (`AF_SP_RAW`): `recvmsg` returns header = [pipe id][hops…][survey
 * id]; `sendmsg` routes by the first header word, for `device()`.
 *
 * @module
 */

import type { ProtocolSpec } from "../../core/protocol.ts";
import { RawResponder, Responder } from "../../routing/responder.ts";
import { RespondentSocket } from "./respondent_socket.ts";

/** RESPONDENT's SP id. */
export const NN_RESPONDENT = 0x63;
/** SURVEYOR's SP id, RESPONDENT's peer. */
const SURVEYOR_ID = 0x62;

/**
 * The RESPONDENT protocol, to register on a runtime. Its sockets are
 * {@linkcode RespondentSocket}s: `openContext()` and `serve()`.
 *
 * @example Usage
 * ```ts
 * import { respondentProtocol, Runtime } from "@sp/nanomsg";
 * const runtime = new Runtime();
 * runtime.registerProtocol(respondentProtocol);
 * await using respondent = runtime.socket("respondent");
 * console.log(respondent.protocolId); // 99
 * ```
 */
export const respondentProtocol: ProtocolSpec = {
  name: "respondent",
  id: NN_RESPONDENT,
  peerId: SURVEYOR_ID,
  canSend: true,
  canRecv: true,
  create: (host) => host.raw ? new RawResponder(host) : new Responder(host, "survey"),
  createSocket: (setup) => new RespondentSocket(setup),
};
