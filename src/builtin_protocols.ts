/**
 * The built-in protocols, in one list for every set of built-ins (Deno's
 * and the browser's).
 *
 * @module
 */

import type { ProtocolSpec } from "./core/protocol.ts";
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

/** Every built-in protocol, in registration order. */
export const BUILTIN_PROTOCOLS: readonly ProtocolSpec[] = [
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
