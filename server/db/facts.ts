// Evaluation facts (case_dispatches, case_steps): the only SQL for those tables. The rows are derived from each
// case's trail by domain/facts.ts; a case's facts are replaced whole whenever its trail grows. Every row carries its
// case's district_code (its key to cases, migrations/0064), given by the caller, which holds the case.
import type { Queryable } from './types.js';
import type { CaseFacts, DispatchFact, StepFact } from '../domain/facts.js';
import { copyLine } from './copy-text.js';

export const DISPATCH_COLUMNS = [
  'case_id', 'district_code', 'seq', 'case_status', 'department_id', 'dispatcher_id', 'suggested', 'dispatched_at', 'deadline_at', 'ended_at', 'outcome',
  'on_time', 'rework', 'sent_on', 'natural_hours', 'working_hours', 'extension_count', 'extension_hours',
  'suspension_count', 'late_return',
] as const satisfies readonly ('case_id' | 'district_code' | keyof DispatchFact)[];

export const STEP_COLUMNS = [
  'case_id', 'district_code', 'seq', 'case_status', 'step', 'started_at', 'deadline_at', 'ended_at', 'end_seq', 'action', 'actor_id', 'role', 'on_time',
] as const satisfies readonly ('case_id' | 'district_code' | keyof StepFact)[];

/** One case's facts to write: the case's id and district (cases.district_code) with them. */
export type CaseFactsItem = { case_id: string; district_code: string; facts: CaseFacts };

const row = <T extends object>(columns: readonly string[], of: { case_id: string; district_code: string }, fact: T): unknown[] =>
  columns.map((c) => (c === 'case_id' ? of.case_id : c === 'district_code' ? of.district_code : (fact as Record<string, unknown>)[c]));

/** COPY text of many cases' facts, for bulk loads (history, imports). */
export function factsCopyText(items: readonly CaseFactsItem[]): { dispatches: string; steps: string } {
  let dispatches = '';
  let steps = '';
  for (const item of items) {
    for (const d of item.facts.dispatches) dispatches += copyLine(row(DISPATCH_COLUMNS, item, d));
    for (const s of item.facts.steps) steps += copyLine(row(STEP_COLUMNS, item, s));
  }
  return { dispatches, steps };
}

/** Bulk-inserts facts of cases that have none yet. */
export async function copyFacts(db: Queryable, items: readonly CaseFactsItem[]): Promise<void> {
  const { dispatches, steps } = factsCopyText(items);
  if (dispatches) await db.copyFrom('case_dispatches', DISPATCH_COLUMNS, dispatches);
  if (steps) await db.copyFrom('case_steps', STEP_COLUMNS, steps);
}

/** Replaces one case's facts (after each action: two deletes and at most two inserts), by id and district. */
export async function replaceFacts(db: Queryable, of: { case_id: string; district_code: string }, facts: CaseFacts): Promise<void> {
  await db.query('delete from case_dispatches where case_id = $1 and district_code = $2', [of.case_id, of.district_code]);
  await db.query('delete from case_steps where case_id = $1 and district_code = $2', [of.case_id, of.district_code]);
  await insertMany(db, 'case_dispatches', DISPATCH_COLUMNS, facts.dispatches.map((d) => row(DISPATCH_COLUMNS, of, d)));
  await insertMany(db, 'case_steps', STEP_COLUMNS, facts.steps.map((s) => row(STEP_COLUMNS, of, s)));
}

async function insertMany(db: Queryable, table: string, columns: readonly string[], rows: unknown[][]): Promise<void> {
  if (!rows.length) return;
  const params: unknown[] = [];
  const values = rows.map((r) => `(${r.map((v) => { params.push(v); return `$${params.length}`; }).join(', ')})`);
  await db.query(`insert into ${table} (${columns.join(', ')}) values ${values.join(', ')}`, params);
}
