/**
 * The REP socket users get from `openSocket("rep")`: nanomsg's
 * `recv`/`send` as on any socket, plus `openContext()` and
 * `serve(handler)` (see `src/routing/answering_socket.ts`).
 *
 * @module
 */

import { AnsweringSocket } from "../../routing/answering_socket.ts";

/**
 * A REP socket.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * await using rep = openSocket("rep");
 * await using req = openSocket("req");
 * req.connect((await rep.listen("inproc://rep-socket-doc")).url);
 * const serving = rep.serve((request) => request); // echo
 * console.log(new TextDecoder().decode(await req.request("hello"))); // "hello"
 * await rep.close();
 * await serving;
 * ```
 */
export class RepSocket extends AnsweringSocket {}
