/**
 * REP (protocol 3, id 0x31): receives requests fair-queued from every REQ
 * peer and sends each reply back along the request's backtrace
 * (sp-spec.md §2.5).
 *
 * Cooked: `recv` strips the backtrace and keeps it; `send` without a
 * request being answered is EFSM; a new `recv` forgets an unanswered
 * request; a reply whose pipe is gone or cannot take it is dropped, never
 * waits. Requests with more than `NN_MAXTTL` words of backtrace, or with no
 * word carrying the high bit, are dropped and the connection is kept
 * (nanomsg; nng closes the pipe for the malformed ones).
 *
 * Contexts (`openContext()`, and `serve()`): each receives a request of
 * its own and sends the reply to that one, in any order (nng's).
 *
 * Raw (`AF_SP_RAW`): `recvmsg` returns header = [pipe id][hops…][request
 * id]; `sendmsg` routes by the first header word, so a raw REP joined to a
 * raw REQ by `device()` forwards like nanomsg's `nn_device`.
 *
 * @module
 */

import type { ProtocolSpec } from "../../core/protocol.ts";
import { RawResponder, Responder } from "../../routing/responder.ts";
import { RepSocket } from "./rep_socket.ts";

/** REP's SP id. */
export const NN_REP = 0x31;
/** REQ's SP id, REP's peer. */
const REQ_ID = 0x30;

/**
 * The REP protocol, to register on a runtime. Its sockets are
 * {@linkcode RepSocket}s: `openContext()` and `serve()`.
 *
 * @example Usage
 * ```ts
 * import { repProtocol, Runtime } from "@sp/nanomsg";
 * const runtime = new Runtime();
 * runtime.registerProtocol(repProtocol);
 * await using rep = runtime.socket("rep");
 * console.log(rep.protocolId); // 49
 * ```
 */
export const repProtocol: ProtocolSpec = {
  name: "rep",
  id: NN_REP,
  peerId: REQ_ID,
  canSend: true,
  canRecv: true,
  create: (host) => host.raw ? new RawResponder(host) : new Responder(host, "request"),
  createSocket: (setup) => new RepSocket(setup),
};
