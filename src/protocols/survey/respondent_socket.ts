/**
 * The RESPONDENT socket users get from `openSocket("respondent")`:
 * nanomsg's `recv`/`send` as on any socket, plus `openContext()` and
 * `serve(handler)` (see `src/routing/answering_socket.ts`).
 *
 * @module
 */

import { AnsweringSocket } from "../../routing/answering_socket.ts";

/**
 * A RESPONDENT socket.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * await using surveyor = openSocket("surveyor");
 * await using respondent = openSocket("respondent");
 * respondent.connect((await surveyor.listen("inproc://respondent-socket-doc")).url);
 * await surveyor.waitForPeers(1);
 * const serving = respondent.serve((question) => `yes to ${new TextDecoder().decode(question)}`);
 * for await (const answer of surveyor.survey("tea?", { deadline: 100 })) {
 *   console.log(new TextDecoder().decode(answer)); // "yes to tea?"
 * }
 * await respondent.close();
 * await serving;
 * ```
 */
export class RespondentSocket extends AnsweringSocket {}
