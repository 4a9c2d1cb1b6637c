// The clock of a step (docs/workflow.md §Time): when it is due, and when its light turns yellow and red. Pure; the live
// workflow (services/cases.ts) and the simulated history (demo/history.ts) both take a step's times from here,
// through domain/workflow.ts transition (each action) and openCase (a new report).
import { deadline, type Suspension, type WorkCalendar } from './calendar.js';
import { handlingLimit, stepLimit, type CentreStep, type LimitsTable } from './limits.js';
import { YELLOW_AT } from './lights.js';
import type { Step } from './workflow.js';

export type StepTimes = {
  step: Step | null; step_started_at: Date | null; step_deadline_at: Date | null; yellow_at: Date | null; red_at: Date | null;
};

/** Deadline, yellow and red instants of a step started at `start` (handling: with suspensions and extensions). */
export function stepTimes(rules: { calendar: WorkCalendar; limits: LimitsTable }, step: Step | null, start: Date,
  c: { class_code: string; condition: string | null; urgent: boolean; extension_hours: number }, suspensions: readonly Suspension[] = []): StepTimes {
  if (step === null) return { step: null, step_started_at: null, step_deadline_at: null, yellow_at: null, red_at: null };
  const limit = step === 'handling'
    ? handlingLimit(rules.limits, c.class_code, c.condition).limit
    : stepLimit(rules.limits, step as CentreStep, { urgent: c.urgent });
  const opts = step === 'handling' ? { suspensions, extension_hours: c.extension_hours } : {};
  return {
    step,
    step_started_at: start,
    step_deadline_at: deadline(rules.calendar, start, limit, opts),
    yellow_at: deadline(rules.calendar, start, limit, { ...opts, share: YELLOW_AT, edge: 'last' }),
    red_at: deadline(rules.calendar, start, limit, { ...opts, edge: 'last' }),
  };
}
