// Evaluation facts (case_dispatches, case_steps): the only SQL for those tables. The rows are derived from each
// case's trail by domain/facts.ts; a case's facts are replaced whole whenever its trail grows.
import type { Queryable } from './types.js';
import type { CaseFacts, DispatchFact, StepFact } from '../domain/facts.js';
import { copyLine } from './copy-text.js';

export const DISPATCH_COLUMNS = [
  'case_id', 'seq', 'case_status', 'department_id', 'dispatcher_id', 'suggested', 'dispatched_at', 'deadline_at', 'ended_at', 'outcome',
  'on_time', 'rework', 'sent_on', 'natural_hours', 'working_hours', 'extension_count', 'extension_hours',
  'suspension_count', 'late_return',
] as const satisfies readonly ('case_id' | keyof DispatchFact)[];

export const STEP_COLUMNS = [
  'case_id', 'seq', 'case_status', 'step', 'started_at', 'deadline_at', 'ended_at', 'end_seq', 'action', 'actor_id', 'role', 'on_time',
] as const satisfies readonly ('case_id' | keyof StepFact)[];

const row = <T extends object>(columns: readonly string[], case_id: string, fact: T): unknown[] =>
  columns.map((c) => (c === 'case_id' ? case_id : (fact as Record<string, unknown>)[c]));

/** COPY text of many cases' facts, for bulk loads (history, imports). */
export function factsCopyText(items: readonly { case_id: string; facts: CaseFacts }[]): { dispatches: string; steps: string } {
  let dispatches = '';
  let steps = '';
  for (const { case_id, facts } of items) {
    for (const d of facts.dispatches) dispatches += copyLine(row(DISPATCH_COLUMNS, case_id, d));
    for (const s of facts.steps) steps += copyLine(row(STEP_COLUMNS, case_id, s));
  }
  return { dispatches, steps };
}

/** Bulk-inserts facts of cases that have none yet. */
export async function copyFacts(db: Queryable, items: readonly { case_id: string; facts: CaseFacts }[]): Promise<void> {
  const { dispatches, steps } = factsCopyText(items);
  if (dispatches) await db.copyFrom('case_dispatches', DISPATCH_COLUMNS, dispatches);
  if (steps) await db.copyFrom('case_steps', STEP_COLUMNS, steps);
}

/** Replaces one case's facts (after each action: two deletes and at most two inserts). */
export async function replaceFacts(db: Queryable, case_id: string, facts: CaseFacts): Promise<void> {
  await db.query('delete from case_dispatches where case_id = $1', [case_id]);
  await db.query('delete from case_steps where case_id = $1', [case_id]);
  await insertMany(db, 'case_dispatches', DISPATCH_COLUMNS, facts.dispatches.map((d) => row(DISPATCH_COLUMNS, case_id, d)));
  await insertMany(db, 'case_steps', STEP_COLUMNS, facts.steps.map((s) => row(STEP_COLUMNS, case_id, s)));
}

async function insertMany(db: Queryable, table: string, columns: readonly string[], rows: unknown[][]): Promise<void> {
  if (!rows.length) return;
  const params: unknown[] = [];
  const values = rows.map((r) => `(${r.map((v) => { params.push(v); return `$${params.length}`; }).join(', ')})`);
  await db.query(`insert into ${table} (${columns.join(', ')}) values ${values.join(', ')}`, params);
}
