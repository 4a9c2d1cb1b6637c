// Evaluation facts (docs/evaluation.md) derived from a case's trail: one row per dispatch (the departments' and
// dispatchers' indicators) and one per timed step (the posts' indicators). Pure: the trail is the single source,
// so a live case, an imported one and a simulated one give their facts the same way, and the facts of any case can
// be rebuilt from its trail at any time.
import { stepOf, type CaseSource, type CaseStatus, type Step } from './workflow.js';

/** What facts need of a trail entry (db/cases.ts TrailRow and domain/trail.ts TrailEntry both fit). */
export type FactEntry = {
  seq: number;
  at: Date | string;
  actor: string | null;
  role: string | null;
  action: string;
  from_status: string | null;
  to_status: string;
  deadline_at?: Date | string | null;
  data?: Readonly<Record<string, unknown>> | null;
};

export type DispatchFact = {
  seq: number;
  /** The case's status now (its last trail entry's), so figures need not join the case. */
  case_status: string;
  department_id: number | null;
  dispatcher_id: number | null;
  suggested: boolean | null;
  dispatched_at: Date;
  deadline_at: Date | null;
  ended_at: Date | null;
  outcome: 'feedback' | 'returned' | 'void' | 'closed' | null;
  on_time: boolean | null;
  rework: boolean;
  sent_on: boolean;
  natural_hours: number | null;
  working_hours: number | null;
  extension_count: number;
  extension_hours: number;
  suspension_count: number;
  late_return: boolean;
};

export type StepFact = {
  seq: number;
  /** The case's status now (its last trail entry's). */
  case_status: string;
  step: Step;
  started_at: Date;
  deadline_at: Date | null;
  ended_at: Date | null;
  end_seq: number | null;
  action: string | null;
  actor_id: number | null;
  role: string | null;
  on_time: boolean | null;
};

export type CaseFacts = { dispatches: DispatchFact[]; steps: StepFact[] };

export type FactsContext = {
  source: CaseSource;
  suggested_department_id: number | null;
  /** Working hours between two instants on the city's calendar, suspended intervals excluded. */
  workingHours(from: Date, to: Date, suspensions: readonly (readonly [Date, Date])[]): number;
};

const date = (v: Date | string | null | undefined): Date | null => (v == null ? null : v instanceof Date ? v : new Date(v));
const idOf = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : null;
};
const fieldsOf = (e: FactEntry): Record<string, unknown> => {
  const f = e.data?.fields;
  return f && typeof f === 'object' ? (f as Record<string, unknown>) : {};
};

/**
 * The facts of one case from its trail (entries in seq order).
 * - A step starts when an entry moves the case to a status whose step differs from the one before (or re-enters a
 *   step, as a failed check re-enters dispatch); it ends at the next such entry. Its deadline is the `deadline_at`
 *   in force when it ends (extensions and suspensions move it); on time = ended no later than that deadline.
 * - A dispatch runs from a `dispatch` entry to the feedback, an approved return, a void, a merge or a close.
 *   A feedback whose check fails marks the dispatch as reworked; a later dispatch to another department marks it
 *   as sent on. A return applied for after the handling deadline is a late return.
 */
export function caseFacts(trail: readonly FactEntry[], ctx: FactsContext): CaseFacts {
  const steps: StepFact[] = [];
  const dispatches: DispatchFact[] = [];
  let verify_found: boolean | null = null;
  let current: StepFact | null = null;
  let open = null as DispatchFact | null;
  let lastFed = null as DispatchFact | null;
  let pendingHours: number | null = null;
  let suspendedAt: Date | null = null;
  let suspensions: [Date, Date][] = [];

  const endDispatch = (e: FactEntry, outcome: NonNullable<DispatchFact['outcome']>) => {
    if (!open) return;
    const at = date(e.at)!;
    open.ended_at = at;
    open.outcome = outcome;
    if (outcome === 'feedback') {
      // The engine records whether the feedback was late (its lights' rule, `late` in the entry); else the deadline.
      const late = e.data?.late;
      open.on_time = typeof late === 'boolean' ? !late : open.deadline_at ? at.getTime() <= open.deadline_at.getTime() : null;
      open.natural_hours = (at.getTime() - open.dispatched_at.getTime()) / 3_600_000;
      open.working_hours = ctx.workingHours(open.dispatched_at, at, suspensions);
      lastFed = open;
    }
    open = null;
  };

  for (const e of trail) {
    const at = date(e.at)!;
    const f = fieldsOf(e);
    if (e.action === 'send_verify') verify_found = null;
    if (e.action === 'verify' && typeof f.found === 'boolean') verify_found = f.found;
    const status = e.to_status as CaseStatus;
    const step = stepOf({ status, source: ctx.source, verify_found });
    const moved = e.from_status !== e.to_status || e.action === 'report';
    const stepChanged = moved && !(current?.step === 'handling' && step === 'handling' && e.action !== 'dispatch');

    // Steps ------------------------------------------------------------------------------------------------
    if (stepChanged) {
      if (current) {
        current.ended_at = at;
        current.end_seq = e.seq;
        current.action = e.action;
        current.actor_id = idOf(e.actor);
        current.role = e.role;
        current.on_time = current.deadline_at ? at.getTime() <= current.deadline_at.getTime() : null;
        current = null;
      }
      if (step) {
        current = { seq: e.seq, case_status: '', step, started_at: at, deadline_at: date(e.deadline_at), ended_at: null, end_seq: null,
          action: null, actor_id: null, role: null, on_time: null };
        steps.push(current);
      }
    } else if (current && e.deadline_at !== undefined && e.deadline_at !== null) {
      current.deadline_at = date(e.deadline_at); // an extension or a resume moved the deadline
    }

    // Dispatches -------------------------------------------------------------------------------------------
    switch (e.action) {
      case 'dispatch': {
        const department_id = idOf(e.data?.department_id ?? f.department_id);
        for (const d of dispatches) if (d.department_id !== department_id) d.sent_on = true;
        suspensions = [];
        open = {
          seq: e.seq, case_status: '', department_id, dispatcher_id: idOf(e.actor),
          suggested: ctx.suggested_department_id === null || department_id === null ? null : department_id === ctx.suggested_department_id,
          dispatched_at: at, deadline_at: date(e.deadline_at), ended_at: null, outcome: null, on_time: null, rework: false,
          sent_on: false, natural_hours: null, working_hours: null, extension_count: 0, extension_hours: 0, suspension_count: 0,
          late_return: false,
        };
        dispatches.push(open);
        break;
      }
      case 'apply_extension':
        pendingHours = typeof f.hours === 'number' ? f.hours : null;
        break;
      case 'approve_extension':
        if (open) {
          open.extension_count += 1;
          open.extension_hours += typeof f.hours === 'number' ? f.hours : (pendingHours ?? 0);
          if (e.deadline_at) open.deadline_at = date(e.deadline_at);
        }
        pendingHours = null;
        break;
      case 'approve_suspension':
        if (open) open.suspension_count += 1;
        suspendedAt = at;
        break;
      case 'resume':
        if (suspendedAt) suspensions.push([suspendedAt, at]);
        suspendedAt = null;
        if (open && e.deadline_at) open.deadline_at = date(e.deadline_at);
        break;
      case 'apply_return':
        if (open && open.deadline_at && at.getTime() > open.deadline_at.getTime()) open.late_return = true;
        break;
      case 'approve_return':
        endDispatch(e, 'returned');
        break;
      case 'feedback':
        endDispatch(e, 'feedback');
        break;
      case 'check':
        if (f.passed === false && lastFed) lastFed.rework = true;
        break;
      case 'reopen': // a closed case sent back after a dissatisfied call-back (issue 11): the last handling is reworked
        if (lastFed) lastFed.rework = true;
        break;
      case 'void':
      case 'merge':
        endDispatch(e, 'void');
        break;
      case 'close':
        endDispatch(e, 'closed');
        break;
    }
  }
  const status = trail.length ? trail[trail.length - 1].to_status : '';
  for (const d of dispatches) d.case_status = status;
  for (const st of steps) st.case_status = status;
  return { dispatches, steps };
}
