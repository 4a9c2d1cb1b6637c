// Keeps the evaluation facts of a case (db/facts.ts) in step with its trail: after every trail append, in the
// same transaction, the case's facts are derived again from the whole trail (domain/facts.ts).
import type { Queryable } from '../db/types.js';
import * as cases from '../db/cases.js';
import * as facts from '../db/facts.js';
import { caseFacts, type FactEntry, type FactsContext } from '../domain/facts.js';
import { elapsedMinutes } from '../domain/calendar.js';
import type { CaseSource } from '../domain/workflow.js';
import { workOf, type WorkRules } from './work-rules.js';

export function factsContext(work: WorkRules, c: { source: string; suggested_department_id: number | null }): FactsContext {
  return {
    source: c.source as CaseSource,
    suggested_department_id: c.suggested_department_id === null ? null : Number(c.suggested_department_id),
    workingHours: (from, to, suspensions) => elapsedMinutes(work.calendar, from, to, 'working_hours', suspensions as [Date, Date][]) / 60,
  };
}

/** The facts of a trail, for callers that build cases in memory (history, imports). */
export function factsOf(work: WorkRules, c: { source: string; suggested_department_id: number | null }, trail: readonly FactEntry[]) {
  return caseFacts(trail, factsContext(work, c));
}

/** Derives the case's facts again from its stored trail and replaces them (working hours on its district's calendar). */
export async function refreshFacts(db: Queryable, work: WorkRules, c: { id: string; source: string; suggested_department_id: number | null; district_code: string }): Promise<void> {
  const trail = await cases.trail(db, c);
  await facts.replaceFacts(db, { case_id: c.id, district_code: c.district_code }, factsOf(workOf(work, c.district_code), c, trail));
}
