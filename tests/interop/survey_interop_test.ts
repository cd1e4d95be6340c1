/**
 * SURVEYOR (0x62) / RESPONDENT (0x63) against nanocat and nngcat: our
 * SURVEYOR asks their RESPONDENT (and then sees the deadline pass with
 * ETIMEDOUT) and our RESPONDENT answers their SURVEYOR, over tcp and ipc,
 * with our side binding and connecting.
 *
 * @module
 */

import { backtraceExchange } from "./_backtrace_exchange.ts";
import { interopTest } from "./_peers.ts";
import { allMeetings, meetingName } from "./_scenarios.ts";

for (const meeting of allMeetings()) {
  interopTest(
    meeting.peer,
    `survey interop: ${meetingName(meeting, "send")} a survey (our surveyor, their respondent)`,
    () => backtraceExchange(meeting, "surveyor"),
  );
  interopTest(
    meeting.peer,
    `survey interop: ${meetingName(meeting, "receive")} a survey (their surveyor, our respondent)`,
    () => backtraceExchange(meeting, "respondent"),
  );
}
