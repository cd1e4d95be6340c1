/**
 * The survey machine: the lifecycle of one survey of a SURVEYOR socket or
 * context (nanomsg's `nn_surveyor` states, arch.md §5.5). A survey starts
 * (`survey.start`, again for each new survey, which restarts the
 * deadline), is open until its deadline, then is timed out until a
 * receive has reported ETIMEDOUT once (`deadline.reported`), and idle
 * after; `survey.close` (the context or socket closing) ends it. The
 * survey and its answers are messages and never pass through
 * here: the machine only holds the deadline timer and tells the plain
 * code when it fires (`closeSurvey`). One actor per SURVEYOR socket or
 * context, made at its first survey (~25 µs, a few events per survey).
 *
 * @module
 */

import type { MachineDefinition } from "../../core/runtime.ts";
import { setup } from "../../core/xstate.ts";

/** What a survey machine governs: plain code that owns the survey's data. */
export interface SurveyLifecycle {
  /** The deadline of the next survey, ms. */
  readonly deadline: number;
  /** The deadline has passed: the survey is over. */
  closeSurvey(): void;
}

/** Events a survey machine accepts. */
export type SurveyMachineEvent =
  | { type: "survey.start" }
  | { type: "deadline.reported" }
  | { type: "survey.close" };

/**
 * Builds the survey machine definition.
 *
 * @returns the machine, to run with `createActor`
 */
function createSurveyMachine() {
  return setup({
    types: {
      context: {} as { survey: SurveyLifecycle },
      input: {} as { survey: SurveyLifecycle },
      events: {} as SurveyMachineEvent,
    },
    delays: {
      deadline: ({ context }) => context.survey.deadline,
    },
    actions: {
      closeSurvey: ({ context }) => context.survey.closeSurvey(),
    },
  }).createMachine({
    id: "survey",
    context: ({ input }) => ({ survey: input.survey }),
    initial: "idle",
    states: {
      idle: {},
      surveying: {
        after: { deadline: { target: "timedOut", actions: "closeSurvey" } },
      },
      timedOut: {
        on: { "deadline.reported": "idle" },
      },
      closed: { type: "final" },
    },
    on: {
      "survey.start": { target: ".surveying", reenter: true },
      "survey.close": ".closed",
    },
  });
}

/** The survey machine's definition, listed on `surveyorProtocol.machines`. */
export const surveyMachine: MachineDefinition = createSurveyMachine();
