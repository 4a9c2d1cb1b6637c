// The case workflow (立案、处置和结案): docs/workflow.md §States and transitions, one entry of RULES per row.
// Pure: the case, the actor, `now` and the facts (limits, calendar, suspensions, the last trail entry) are arguments.
// `transition` is the one decision of a case action: the whole patch of the stored case (status, department,
// timestamps, the step's deadline and its yellow and red instants), the suspension to open or close and the chained
// trail entry; services/cases.ts and the simulated history (demo/history.ts) only save what it returns.
import { DomainError } from './errors.js';
import { handlingLimit, type LimitsTable } from './limits.js';
import { stepTimes, type StepTimes } from './step-times.js';
import { chainEntry, type ChainedEntry, type TrailEntry } from './trail.js';
import { assertMerge } from './merge.js';
import type { Suspension, WorkCalendar } from './calendar.js';

export const CASE_STATUSES = [
  'pending_acceptance', 'verifying', 'pending_filing', 'pending_dispatch', 'handling', 'suspended',
  'pending_check', 'checking', 'pending_closing', 'closed', 'void', 'pending_review',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const TERMINAL_STATUSES: readonly CaseStatus[] = ['closed', 'void'];

/**
 * The open statuses of the main loop: where `urge` (row 13) and `void` (row 18) apply. A self-handled report
 * waiting for review (`pending_review`) is settled by its own two actions (row 19) instead.
 */
export const OPEN_STATUSES: readonly CaseStatus[] = [
  'pending_acceptance', 'verifying', 'pending_filing', 'pending_dispatch', 'handling', 'suspended',
  'pending_check', 'checking', 'pending_closing',
];

/** Posts (岗位) of docs/workflow.md §Roles, plus `admin` (accounts and settings: no case actions). */
export const ROLES = ['inspector', 'operator', 'shift_leader', 'dispatcher', 'department', 'leader', 'admin', 'public'] as const;
export type Role = (typeof ROLES)[number];

/** Where a report came from (docs/domain.md §3). */
export const CASE_SOURCES = ['inspector', 'public', 'hotline', 'media', 'video', 'leader'] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];

/** Public, hotline and media reports need an inspector's verification (核实) before they are accepted. */
export const SOURCES_NEEDING_VERIFICATION: readonly CaseSource[] = ['public', 'hotline', 'media'];

export const CASE_ACTIONS = [
  'send_verify', 'verify', 'accept', 'reject', 'file', 'refuse', 'dispatch',
  'apply_return', 'approve_return', 'deny_return',
  'apply_extension', 'approve_extension', 'deny_extension',
  'apply_suspension', 'approve_suspension', 'deny_suspension', 'resume',
  'feedback', 'urge', 'send_check', 'check', 'close', 'void',
  'approve_self_handled', 'reject_self_handled', 'reopen',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** An application waiting for the dispatcher: a sub-state of `handling`, not a status. */
export const PENDING_APPLICATIONS = ['return', 'extension', 'suspension'] as const;
export type PendingApplication = (typeof PENDING_APPLICATIONS)[number];

export const CLOSING_TYPES = ['normal', 'overdue', 'error', 'special'] as const;
export type ClosingType = (typeof CLOSING_TYPES)[number];

/**
 * The timed steps of the loop; each has a limit (limits.ts) and a traffic light. `file` is the file+dispatch bundle
 * measured from acceptance; `handling` runs from dispatch to feedback, paused while suspended; `review` is the
 * operator's review of a self-handled report.
 */
export const STEPS = ['send_verify', 'verify', 'accept', 'file', 'dispatch', 'handling', 'send_check', 'check', 'close', 'review'] as const;
export type Step = (typeof STEPS)[number];

/** What decide needs to know about a case. Counters and flags default to 0 / null / false. */
export type CaseState = {
  status: CaseStatus;
  source: CaseSource;
  pending_application?: PendingApplication | null;
  /** Hours asked for by the pending extension application. */
  pending_extension_hours?: number | null;
  /** The last verification's result (核实): true found, false not found, null none yet. */
  verify_found?: boolean | null;
  /** The department the case is (or was last) dispatched to; cleared by an approved return. */
  department_id?: string | null;
  /** The department suggested at intake (the component's, else the class's): where a first dispatch goes by default. */
  suggested_department_id?: string | null;
  /**
   * While handling: the last instant that is still on time, i.e. calendar `deadline(..., { edge: 'last' })` of the
   * handling limit with extensions and suspensions. `now > overdue_after` means overdue (red).
   */
  overdue_after?: Date | null;
  /** Set by feedback: the department fed back after the deadline. */
  handled_late?: boolean;
  /** When the current suspension started. */
  suspended_at?: Date | null;
  urged?: boolean;
  class_code?: string;
  condition?: string;
  closing_type?: ClosingType | null;
  void_reason?: string | null;
} & Partial<Record<Counter, number>>;

/**
 * The person acting: a user's id and department id as everywhere else (numbers: users.id, departments.id); no id for
 * the anonymous public. A department user acts only on cases dispatched to their department. The trail records the
 * id as text (case_trail.actor).
 */
/** The trail's text form of who acted (case_trail.actor): the user id, or null for the public. */
const actorText = (actor: Actor): string | null => (actor.id === undefined ? null : String(actor.id));

export type Actor = { id?: number; roles: readonly Role[]; department_id?: number | null };

/** The request fields of an action (snake_case, as on the wire), after validation. */
export type ActionFields = {
  note?: string;
  photo_ids?: string[];
  found?: boolean;
  passed?: boolean;
  hours?: number;
  reason?: string;
  class_code?: string;
  condition?: string;
  department_id?: string;
  closing_type?: ClosingType;
};
export type FieldName = keyof ActionFields;
/** Raw input, e.g. the request body; `action` and `version` (the envelope) are ignored. */
export type ActionInput = Readonly<Record<string, unknown>>;

/** A status that depends on a boolean field (rows 15 and 16). */
export type Branch = Readonly<{ field: 'passed'; if_true: CaseStatus; if_false: CaseStatus }>;

export type Rule = Readonly<{
  /** Row of docs/workflow.md's table. */
  row: number;
  from: readonly CaseStatus[];
  /** The status after the action; `same` keeps it. */
  to: CaseStatus | 'same' | Branch;
  by: readonly Role[];
  /** What `pending_application` must be: `none`, one kind, or (absent) anything. */
  pending?: PendingApplication | 'none';
  /** Fields beyond the common optional `note` and `photo_ids`. */
  required?: readonly FieldName[];
  optional?: readonly FieldName[];
  /** A valid input: for tests and API examples. */
  example: ActionInput;
}>;

/** One entry per row of docs/workflow.md's table (rows 1 and 19's report: `decideReport`). Read the table, then this. */
export const RULES: Readonly<Record<CaseAction, Rule>> = {
  send_verify:          { row: 2,  from: ['pending_acceptance'], to: 'verifying',          by: ['operator'], example: {} },
  verify:               { row: 3,  from: ['verifying'],          to: 'pending_acceptance', by: ['inspector'], required: ['found'], example: { found: true } }, // 核实
  accept:               { row: 4,  from: ['pending_acceptance'], to: 'pending_filing',     by: ['operator'], example: {} },
  reject:               { row: 5,  from: ['pending_acceptance'], to: 'void',               by: ['operator'], optional: ['reason'], example: { reason: 'duplicate of an open case' } },
  file:                 { row: 6,  from: ['pending_filing'],     to: 'pending_dispatch',   by: ['shift_leader'], optional: ['class_code', 'condition'], example: {} }, // 立案
  refuse:               { row: 7,  from: ['pending_filing'],     to: 'void',               by: ['shift_leader'], optional: ['reason'], example: { reason: 'not a city-management matter' } },
  dispatch:             { row: 8,  from: ['pending_dispatch'],   to: 'handling',           by: ['dispatcher'], optional: ['department_id'], example: {} }, // handling clock starts
  apply_return:         { row: 9,  from: ['handling'], to: 'same',             by: ['department'], pending: 'none',   required: ['reason'], example: { reason: 'not our asset' } },
  approve_return:       { row: 9,  from: ['handling'], to: 'pending_dispatch', by: ['dispatcher'], pending: 'return', example: {} },
  deny_return:          { row: 9,  from: ['handling'], to: 'same',             by: ['dispatcher'], pending: 'return', optional: ['reason'], example: {} },
  apply_extension:      { row: 10, from: ['handling'], to: 'same', by: ['department'], pending: 'none',      required: ['hours'], optional: ['reason'], example: { hours: 4 } },
  approve_extension:    { row: 10, from: ['handling'], to: 'same', by: ['dispatcher'], pending: 'extension', optional: ['hours'], example: {} },
  deny_extension:       { row: 10, from: ['handling'], to: 'same', by: ['dispatcher'], pending: 'extension', optional: ['reason'], example: {} },
  apply_suspension:     { row: 11, from: ['handling'],  to: 'same',      by: ['department'],             pending: 'none',       required: ['reason'], example: { reason: 'needs a budget approval' } }, // 挂账
  approve_suspension:   { row: 11, from: ['handling'],  to: 'suspended', by: ['dispatcher', 'leader'],   pending: 'suspension', example: {} }, // clock paused
  deny_suspension:      { row: 11, from: ['handling'],  to: 'same',      by: ['dispatcher', 'leader'],   pending: 'suspension', optional: ['reason'], example: {} },
  resume:               { row: 11, from: ['suspended'], to: 'handling',  by: ['department', 'dispatcher', 'leader'], example: {} },
  feedback:             { row: 12, from: ['handling'], to: 'pending_check', by: ['department'], required: ['photo_ids'], example: { note: 'cover replaced', photo_ids: ['after-1'] } },
  urge:                 { row: 13, from: OPEN_STATUSES, to: 'same', by: ['leader', 'shift_leader'], example: {} }, // 督办
  send_check:           { row: 14, from: ['pending_check'], to: 'checking', by: ['operator'], example: {} },
  check:                { row: 15, from: ['checking'], to: { field: 'passed', if_true: 'pending_closing', if_false: 'pending_dispatch' }, by: ['inspector'], required: ['passed'], example: { passed: true } }, // 核查; failed = rework (row 16)
  close:                { row: 17, from: ['pending_closing'], to: 'closed', by: ['shift_leader'], optional: ['closing_type'], example: {} }, // 结案
  void:                 { row: 18, from: OPEN_STATUSES, to: 'void', by: ['shift_leader'], required: ['reason'], example: { reason: 'reported twice' } },
  approve_self_handled: { row: 19, from: ['pending_review'], to: 'closed', by: ['operator'], example: {} }, // 自处置
  reject_self_handled:  { row: 19, from: ['pending_review'], to: 'void',   by: ['operator'], optional: ['reason'], example: { reason: 'after-photo does not show the fix' } },
  // Not in the standard's table (issue 11): a closed case the reporter is dissatisfied with (回访 不满意), reviewed by
  // the shift leader and sent back to dispatch (the same department, counted as rework; new deadlines from now).
  reopen:               { row: 20, from: ['closed'], to: 'pending_dispatch', by: ['shift_leader'], required: ['reason'], example: { reason: 'the reporter says the garbage is still there' } },
};

/** Who may report from which source (row 1); a self-handled report (row 19) is an inspector's. */
export const REPORT_RULES: Readonly<Record<CaseSource, readonly Role[]>> = {
  inspector: ['inspector'],
  public: ['public', 'operator'],
  hotline: ['operator'],
  media: ['operator'],
  video: ['operator'],
  leader: ['leader', 'operator'],
};

export type Counter = 'return_count' | 'rework_count' | 'urge_count' | 'extension_count' | 'extension_hours' | 'suspension_count';

/** Case fields an action sets (only those it changes). */
export type CasePatch = Partial<{
  pending_application: PendingApplication | null;
  pending_extension_hours: number | null;
  verify_found: boolean | null;
  department_id: string | null;
  urged: boolean;
  class_code: string;
  condition: string;
  handled_late: boolean;
  closing_type: ClosingType | null;
  void_reason: string | null;
  suspended_at: Date | null;
}>;

export type Effects = {
  set: CasePatch;
  /** Amounts to add to the case's counters. */
  add: Partial<Record<Counter, number>>;
  /** A suspension interval opens or closes; closed intervals are excluded from the handling deadline. */
  suspension: { start: Date } | { start: Date | null; end: Date } | null;
};

export type Decision = {
  action: CaseAction;
  from: CaseStatus;
  to: CaseStatus;
  /** The role the actor acts in (for the trail): the first of the rule's roles the actor holds. */
  role: Role;
  fields: ActionFields;
  effects: Effects;
};

/**
 * What happens when `actor` performs `action` on a case at `now`.
 * @throws DomainError `role_not_allowed` (403), `not_allowed_in_state` (422) or `unprocessable` (422, bad fields)
 * @example decide({ status: 'handling', source: 'inspector', department_id: '7' }, 'feedback',
 *   { roles: ['department'], department_id: '7' }, { photo_ids: ['p1'] }, now).to // 'pending_check'
 */
export function decide(state: CaseState, action: CaseAction, actor: Actor, input: ActionInput, now: Date): Decision {
  const rule = ruleOf(action);
  const role = refuseUnless(state, action, rule, actor, now);
  const fields = validate(action, rule, input);
  const effects = effectsOf(state, action, fields, now);
  const to = rule.to === 'same' ? state.status : typeof rule.to === 'string' ? rule.to : fields[rule.to.field] ? rule.to.if_true : rule.to.if_false;
  return { action, from: state.status, to, role, fields, effects };
}

/** The actions `actor` could take on the case now (fields not considered): for buttons. */
export function availableActions(state: CaseState, actor: Actor, now: Date): CaseAction[] {
  return CASE_ACTIONS.filter((action) => {
    try {
      refuseUnless(state, action, RULES[action], actor, now);
      return true;
    } catch (e) {
      if (e instanceof DomainError) return false;
      throw e;
    }
  });
}

/**
 * The status and first step of a new report (rows 1 and 19).
 * @throws DomainError `role_not_allowed`, `unprocessable`
 */
export function decideReport(actor: Actor, input: { source: CaseSource; self_handled?: boolean; photo_ids?: readonly string[] }): ReportDecision {
  if (!(CASE_SOURCES as readonly string[]).includes(input.source)) {
    throw new DomainError('unprocessable', `Unknown report source "${input.source}"; use one of ${CASE_SOURCES.join(', ')}`, { source: 'unknown source' });
  }
  if (input.self_handled) {
    if (input.source !== 'inspector' || !actor.roles.includes('inspector')) {
      throw new DomainError('role_not_allowed', 'Only an inspector may report a problem as self-handled (自处置)');
    }
    if ((input.photo_ids?.length ?? 0) < 2) {
      throw new DomainError('unprocessable', 'A self-handled report needs a before-photo and an after-photo (photo_ids with at least two ids)', { photo_ids: 'needs at least two ids' });
    }
    return { to: 'pending_review', role: 'inspector', step: 'review' };
  }
  const role = REPORT_RULES[input.source].find((r) => actor.roles.includes(r));
  if (!role) throw new DomainError('role_not_allowed', `Only ${REPORT_RULES[input.source].join(' or ')} may register a ${input.source} report`);
  return { to: 'pending_acceptance', role, step: stepOf({ status: 'pending_acceptance', source: input.source }) as Step };
}

export type ReportDecision = { to: CaseStatus; role: Role; step: Step };

/** The timed step a case in this state is on (whose light it shows), or null when finished. */
export function stepOf(state: Pick<CaseState, 'status' | 'source' | 'verify_found'>): Step | null {
  switch (state.status) {
    case 'pending_acceptance':
      return SOURCES_NEEDING_VERIFICATION.includes(state.source) && (state.verify_found ?? null) === null ? 'send_verify' : 'accept';
    case 'verifying': return 'verify';
    case 'pending_filing': return 'file';
    case 'pending_dispatch': return 'dispatch';
    case 'handling':
    case 'suspended': return 'handling';
    case 'pending_check': return 'send_check';
    case 'checking': return 'check';
    case 'pending_closing': return 'close';
    case 'pending_review': return 'review';
    case 'closed':
    case 'void': return null;
  }
}

/** The state after a decision (counters, flags, status); deadlines are recomputed by the caller. */
export function applyDecision<S extends CaseState>(state: S, decision: Decision): S {
  const next: S = { ...state, ...decision.effects.set, status: decision.to };
  for (const [k, v] of Object.entries(decision.effects.add) as [Counter, number][]) next[k] = (state[k] ?? 0) + v;
  return next;
}

// ---------------------------------------------------------------------------------------------------------------
// The transition of a stored case: one decision, the whole patch

/** The calendar and the time limits (services/work-rules.ts WorkRules): what deadlines are computed from. */
export type WorkflowRules = { calendar: WorkCalendar; limits: LimitsTable };

/**
 * The stored case as the workflow reads it (db/cases.ts CaseRow and demo/history.ts SimulatedCaseRow are both one);
 * department ids are the database's numbers.
 */
export type CaseRecord = {
  id: string; status: string; source: string; class_code: string; condition: string | null; urgent: boolean;
  department_id: number | null; suggested_department_id: number | null; suggestion_taken: boolean | null;
  pending_application: PendingApplication | null; pending_extension_hours: number | null; verify_found: boolean | null;
  handled_late: boolean; urged: boolean; suspended_at: Date | null; closing_type: string | null; void_reason: string | null;
  step: string | null; step_deadline_at: Date | null; handling_started_at: Date | null; overdue_after: Date | null;
} & Record<Counter, number>;

/** Stored fields a transition sets (only those it changes, plus status, updated_at and trail_head always). */
export type RecordPatch = Partial<StepTimes & Record<Counter, number> & {
  pending_application: PendingApplication | null; pending_extension_hours: number | null; verify_found: boolean | null;
  department_id: number | null; suggestion_taken: boolean; urged: boolean; class_code: string; condition: string;
  handled_late: boolean; closing_type: ClosingType | null; void_reason: string | null; suspended_at: Date | null;
  filed_at: Date; dispatched_at: Date; handling_started_at: Date; handling_deadline_at: Date | null; overdue_after: Date | null;
  closed_at: Date | null; merged_into: string;
}> & { status: CaseStatus; updated_at: Date; trail_head: string };

/** What a transition needs to know besides the case: rules, the case's suspensions, its last trail entry. */
export type TransitionFacts = {
  rules: WorkflowRules;
  /** Every suspension of the case so far, in order; `ended_at` null is the one in progress. */
  suspensions: readonly { started_at: Date; ended_at: Date | null }[];
  /** The case's last trail entry (the new one is chained after it). */
  last_entry: { seq: number; hash: string };
};

export type Transition = {
  decision: Decision;
  /** Every stored field that changes: save it as it is (version aside). */
  patch: RecordPatch;
  /** The suspension interval to open, or the one in progress to close, at this instant. */
  suspension: { open: Date } | { close: Date } | null;
  /** The trail entry, chained after `facts.last_entry`; `patch.trail_head` is its hash. */
  entry: ChainedEntry;
};

/** The case state `decide` works on, read from the stored case. */
export function caseStateOf(c: CaseRecord): CaseState {
  const id = (d: number | null) => (d === null ? null : String(d));
  return {
    status: c.status as CaseStatus, source: c.source as CaseSource, pending_application: c.pending_application,
    pending_extension_hours: c.pending_extension_hours, verify_found: c.verify_found,
    department_id: id(c.department_id), suggested_department_id: id(c.suggested_department_id), overdue_after: c.overdue_after,
    handled_late: c.handled_late, suspended_at: c.suspended_at, urged: c.urged, class_code: c.class_code,
    condition: c.condition ?? undefined, closing_type: c.closing_type as CaseState['closing_type'], void_reason: c.void_reason,
    return_count: c.return_count, rework_count: c.rework_count, urge_count: c.urge_count, extension_count: c.extension_count,
    extension_hours: c.extension_hours, suspension_count: c.suspension_count,
  };
}

/**
 * What `actor` performing `action` at `now` does to the stored case `c`: the decision (decide), and everything to
 * save: the patch with status, department (the one named, else the last one, else the suggestion), the step's
 * start, deadline and yellow/red instants from the limits and the calendar (handling: from the dispatch, with the
 * case's closed suspensions and approved extension hours; while suspended no light), timestamps and counters.
 * @throws DomainError `role_not_allowed`, `not_allowed_in_state`, `unprocessable` (bad fields; no department to
 *   dispatch to; a filing condition the class does not have)
 */
export function transition(c: CaseRecord, action: string, actor: Actor, input: ActionInput, now: Date, facts: TransitionFacts): Transition {
  const state = caseStateOf(c);
  const decision = decide(state, action as CaseAction, actor, input, now);
  const next = applyDecision(state, decision);
  const { department_id, ...set } = decision.effects.set;
  const patch: RecordPatch = { ...set, status: decision.to, updated_at: now, trail_head: '' };
  for (const k of Object.keys(decision.effects.add) as Counter[]) patch[k] = next[k];
  if (department_id !== undefined) patch.department_id = department_id === null ? null : Number(department_id);

  if (decision.action === 'dispatch') {
    const to = patch.department_id ?? null;
    if (to === null) throw new DomainError('unprocessable', 'No department to dispatch to: the class has no default department; give department_id', { department_id: 'is required: no suggested department' });
    patch.dispatched_at = now;
    patch.handling_started_at = now;
    if (c.suggestion_taken === null) patch.suggestion_taken = to === c.suggested_department_id;
  }
  if (decision.action === 'file') {
    patch.filed_at = now;
    handlingLimit(facts.rules.limits, patch.class_code ?? c.class_code, patch.condition ?? c.condition); // the condition must be the class's
  }
  if (decision.to === 'closed' || decision.to === 'void') patch.closed_at = now;
  if (decision.action === 'reopen') patch.closed_at = null;

  const s = decision.effects.suspension;
  const suspension = s === null ? null : 'end' in s ? { close: s.end } : { open: s.start };
  const closed = facts.suspensions
    .map((x) => (x.ended_at === null && suspension && 'close' in suspension ? { ...x, ended_at: suspension.close } : x))
    .filter((x) => x.ended_at !== null).map((x) => [x.started_at, x.ended_at!] as Suspension);
  Object.assign(patch, stepClock(c, patch, decision, now, facts.rules, closed));

  const entry: TrailEntry = {
    case_id: c.id, seq: facts.last_entry.seq + 1, at: now, actor: actorText(actor), role: decision.role,
    action: decision.action, from_status: decision.from, to_status: decision.to, note: decision.fields.note ?? null,
    photo_ids: decision.fields.photo_ids ?? null, deadline_at: patch.step_deadline_at ?? c.step_deadline_at,
    data: {
      fields: decision.fields, department_id: patch.department_id ?? c.department_id,
      ...(decision.action === 'feedback' ? { late: !!patch.handled_late } : {}),
    },
  };
  const chained = chainEntry(facts.last_entry, entry);
  patch.trail_head = chained.hash;
  return { decision, patch, suspension, entry: chained };
}

/**
 * The step clock after a transition: on the handling step (handling or suspended) the deadline is recomputed from
 * the dispatch with suspensions and extensions (no light while suspended); another step starts now when the step or
 * the status changes; otherwise the clock runs on untouched.
 */
function stepClock(c: CaseRecord, patch: RecordPatch, d: Decision, now: Date, rules: WorkflowRules, closed: readonly Suspension[]): Partial<RecordPatch> {
  const merged = { ...c, ...patch };
  const step = stepOf({ status: d.to, source: c.source as CaseSource, verify_found: merged.verify_found ?? null });
  if (step === 'handling') {
    const start = merged.handling_started_at ?? now;
    const t = stepTimes(rules, 'handling', start, merged, closed);
    return {
      ...t, step_started_at: start, handling_deadline_at: t.step_deadline_at, overdue_after: t.red_at,
      ...(d.to === 'suspended' ? { yellow_at: null, red_at: null } : {}),
    };
  }
  if (step !== c.step || d.from !== d.to) return stepTimes(rules, step, now, merged);
  return {};
}

/** What a new report starts with (rows 1 and 19): its first step's times and the `report` trail entry. */
export type Opening = { times: StepTimes; entry: ChainedEntry };

/**
 * The first step and trail entry of a report already decided by `decideReport`: the step's clock starts at `now`
 * (the urgent file limit for urgent cases; no filing condition yet).
 */
export function openCase(first: ReportDecision, actor: Actor, r: {
  id: string; source: CaseSource; self_handled: boolean; class_code: string; urgent: boolean; grid_code: string;
  note: string | null; photo_ids: readonly string[] | null; data?: Readonly<Record<string, unknown>>;
}, now: Date, rules: WorkflowRules): Opening {
  const times = stepTimes(rules, first.step, now, { class_code: r.class_code, condition: null, urgent: r.urgent, extension_hours: 0 });
  const entry = chainEntry(null, {
    case_id: r.id, seq: 1, at: now, actor: actorText(actor), role: first.role, action: 'report', from_status: null,
    to_status: first.to, note: r.note, photo_ids: r.photo_ids, deadline_at: times.step_deadline_at,
    data: { source: r.source, self_handled: r.self_handled, class_code: r.class_code, grid_code: r.grid_code, ...r.data },
  });
  return { times, entry };
}

/** A case as a merge reads it. */
export type MergeRecord = Pick<CaseRecord, 'id' | 'status' | 'class_code'> & { case_no: string; merged_into: string | null };

export type MergeSide = { patch: Omit<RecordPatch, 'status'> & { status?: CaseStatus }; entry: ChainedEntry };

/**
 * Merging the duplicate `source` into `target` (domain/merge.ts checks it): the source becomes void with
 * `merged_into` and no step; the target keeps its status; each gets a trail entry naming the other.
 * @throws DomainError from assertMerge
 */
export function decideMerge(source: MergeRecord, target: MergeRecord, actor: Actor, note: string | null, now: Date,
  last: { source: { seq: number; hash: string }; target: { seq: number; hash: string } }): { source: MergeSide; target: MergeSide } {
  const role = assertMerge(
    { id: source.id, status: source.status as CaseStatus, class_code: source.class_code, merged_into: source.merged_into },
    { id: target.id, status: target.status as CaseStatus, class_code: target.class_code, merged_into: target.merged_into },
    actor.roles,
  );
  const side = (c: MergeRecord, prev: { seq: number; hash: string }, e: Pick<TrailEntry, 'action' | 'to_status' | 'data'>, patch: Partial<RecordPatch>): MergeSide => {
    const entry = chainEntry(prev, { ...e, case_id: c.id, seq: prev.seq + 1, at: now, actor: actorText(actor), role, from_status: c.status, note });
    return { patch: { ...patch, updated_at: now, trail_head: entry.hash }, entry };
  };
  return {
    source: side(source, last.source, { action: 'merge', to_status: 'void', data: { merged_into: target.id, merged_into_case_no: target.case_no } }, {
      status: 'void', merged_into: target.id, void_reason: `merged into ${target.case_no}`, closed_at: now,
      step: null, step_started_at: null, step_deadline_at: null, yellow_at: null, red_at: null,
    }),
    target: side(target, last.target, { action: 'merged_from', to_status: target.status, data: { merged_from: source.id, merged_from_case_no: source.case_no } }, {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------

function ruleOf(action: string): Rule {
  if (!Object.hasOwn(RULES, action)) {
    throw new DomainError('unprocessable', `Unknown action "${action}"; use one of ${CASE_ACTIONS.join(', ')}`, { action: 'unknown action' });
  }
  return RULES[action as CaseAction];
}

/** Role, state and sub-state checks, in that order; returns the role acted in. */
function refuseUnless(state: CaseState, action: CaseAction, rule: Rule, actor: Actor, now: Date): Role {
  const role = rule.by.find((r) => actor.roles.includes(r));
  if (!role) throw new DomainError('role_not_allowed', `Only ${rule.by.join(' or ')} may ${action} a case`, { action, roles: rule.by });
  if (!rule.from.includes(state.status)) {
    throw new DomainError('not_allowed_in_state', `Cannot ${action} a case that is ${state.status}; ${action} applies to ${rule.from.join(', ')}`, { action, status: state.status });
  }
  const ownDepartment = rule.by.filter((r) => actor.roles.includes(r)).every((r) => r === 'department');
  if (ownDepartment && state.department_id != null && actor.department_id != null && actor.department_id !== Number(state.department_id)) {
    throw new DomainError('role_not_allowed', `Only the department the case is dispatched to may ${action} it`, { action });
  }
  const pending = state.pending_application ?? null;
  if (rule.pending === 'none' && pending !== null) {
    throw new DomainError('not_allowed_in_state', `Cannot ${action}: an application to ${pending} is waiting for the dispatcher`, { action, pending_application: pending });
  }
  if (rule.pending && rule.pending !== 'none' && pending !== rule.pending) {
    throw new DomainError('not_allowed_in_state', `Cannot ${action}: no application to ${rule.pending} is pending`, { action, pending_application: pending });
  }
  if (action === 'accept') {
    if (state.verify_found === false) {
      throw new DomainError('not_allowed_in_state', 'The inspector did not find the problem (核实: not found); reject the report or send another verify task', { action });
    }
    if (SOURCES_NEEDING_VERIFICATION.includes(state.source) && state.verify_found !== true) {
      throw new DomainError('not_allowed_in_state', `A ${state.source} report must be verified by an inspector (核实) before it is accepted; send a verify task first`, { action });
    }
  }
  if (action === 'apply_extension') {
    if (!(state.overdue_after instanceof Date)) throw new Error('decide(apply_extension) needs the case\'s overdue_after (its handling deadline)');
    if (now > state.overdue_after) {
      throw new DomainError('not_allowed_in_state', `The case has been overdue since ${state.overdue_after.toISOString()}; an extension cannot be applied for once overdue`, { action });
    }
  }
  return role;
}

const COMMON: readonly FieldName[] = ['note', 'photo_ids'];
const ENVELOPE = new Set(['action', 'version']);

type Check = (v: unknown) => { value: unknown } | { problem: string };

const CHECKS: Record<FieldName, Check> = {
  note: (v) => (typeof v === 'string' && v.length <= 2000 ? { value: v } : { problem: 'must be text of at most 2000 characters' }),
  photo_ids: (v) => {
    if (!Array.isArray(v) || v.length > 20) return { problem: 'must be a list of at most 20 photo ids' };
    const ids = v.map((x) => (typeof x === 'number' && Number.isSafeInteger(x) && x > 0 ? String(x) : x));
    return ids.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 100) ? { value: ids } : { problem: 'each photo id must be a non-empty string' };
  },
  found: (v) => (typeof v === 'boolean' ? { value: v } : { problem: 'must be true (the problem exists) or false (not found)' }),
  passed: (v) => (typeof v === 'boolean' ? { value: v } : { problem: 'must be true (fixed) or false (not fixed: rework)' }),
  hours: (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 8760 ? { value: v } : { problem: 'must be a number of hours greater than 0 (at most 8760)' }),
  reason: (v) => (typeof v === 'string' && v.trim() !== '' && v.length <= 500 ? { value: v.trim() } : { problem: 'must be a non-empty text of at most 500 characters' }),
  class_code: (v) => (typeof v === 'string' && /^[0-9]{5}$/.test(v) ? { value: v } : { problem: 'must be a 5-digit class code' }),
  condition: (v) => (typeof v === 'string' && /^[a-z0-9_]{1,64}$/.test(v) ? { value: v } : { problem: 'must be a filing-condition id (lower-case letters, digits, _)' }),
  department_id: (v) => {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return { value: String(v) };
    return typeof v === 'string' && /^[1-9][0-9]{0,18}$/.test(v) ? { value: v } : { problem: 'must be a department id' };
  },
  closing_type: (v) => ((CLOSING_TYPES as readonly unknown[]).includes(v) ? { value: v } : { problem: `must be one of ${CLOSING_TYPES.join(', ')}` }),
};

/** Validates an action's fields; every problem at once, keyed by field. */
function validate(action: CaseAction, rule: Rule, input: ActionInput | null | undefined): ActionFields {
  if (input != null && (typeof input !== 'object' || Array.isArray(input))) {
    throw new DomainError('unprocessable', `The fields of ${action} must be an object`);
  }
  const raw = input ?? {};
  const required = rule.required ?? [];
  const allowed = new Set<string>([...COMMON, ...required, ...(rule.optional ?? [])]);
  const problems: Record<string, string> = {};
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (ENVELOPE.has(key) || value === undefined) continue;
    if (!allowed.has(key)) { problems[key] = `is not a field of ${action}`; continue; }
    const checked = CHECKS[key as FieldName](value);
    if ('problem' in checked) problems[key] = checked.problem;
    else fields[key] = checked.value;
  }
  for (const key of required) {
    if (raw[key] === undefined && !problems[key]) problems[key] = 'is required';
  }
  if (action === 'feedback' && Array.isArray(fields.photo_ids) && fields.photo_ids.length === 0) problems.photo_ids = 'needs at least one after-photo';
  // A failed check (核查 not passed, row 16) sends the case back for rework: its after-photo shows what is still wrong.
  if (action === 'check' && fields.passed === false && !problems.photo_ids && !(Array.isArray(fields.photo_ids) && fields.photo_ids.length > 0)) {
    problems.photo_ids = 'a failed check needs at least one after-photo';
  }
  const keys = Object.keys(problems);
  if (keys.length) {
    throw new DomainError('unprocessable', `Cannot ${action}: ${keys.map((k) => `${k} ${problems[k]}`).join('; ')}`, problems);
  }
  return fields as ActionFields;
}

function effectsOf(state: CaseState, action: CaseAction, f: ActionFields, now: Date): Effects {
  const e: Effects = { set: {}, add: {}, suspension: null };
  const noApplication = () => {
    if ((state.pending_application ?? null) !== null) e.set.pending_application = null;
    if ((state.pending_extension_hours ?? null) !== null) e.set.pending_extension_hours = null;
  };
  switch (action) {
    case 'send_verify':
      e.set.verify_found = null; // a fresh verification
      break;
    case 'verify':
      e.set.verify_found = f.found!;
      break;
    case 'reject':
    case 'refuse':
    case 'reject_self_handled':
      e.set.void_reason = f.reason ?? null;
      break;
    case 'file':
      if (f.class_code) e.set.class_code = f.class_code;
      if (f.condition) e.set.condition = f.condition;
      break;
    case 'dispatch':
      // The department named, else the one it was dispatched to (rework goes back there), else the suggestion: a
      // first dispatch, and after an approved return (which cleared the department). null: nowhere to send it
      // (transition refuses that).
      e.set.department_id = f.department_id ?? state.department_id ?? state.suggested_department_id ?? null;
      break;
    case 'apply_return':
      e.set.pending_application = 'return';
      break;
    case 'approve_return':
      e.set.pending_application = null;
      e.set.department_id = null; // not theirs: the next dispatch picks again
      e.add.return_count = 1;
      break;
    case 'apply_extension':
      e.set.pending_application = 'extension';
      e.set.pending_extension_hours = f.hours!;
      break;
    case 'approve_extension': {
      const asked = state.pending_extension_hours ?? null;
      const hours = f.hours ?? asked;
      if (hours === null) throw new DomainError('unprocessable', 'Cannot approve_extension: say how many hours', { hours: 'is required' });
      if (asked !== null && hours > asked) {
        throw new DomainError('unprocessable', `Cannot approve_extension: ${hours} h is more than the ${asked} h asked for`, { hours: `must be at most ${asked}` });
      }
      noApplication();
      e.add.extension_hours = hours;
      e.add.extension_count = 1;
      break;
    }
    case 'deny_return':
    case 'deny_extension':
    case 'deny_suspension':
      noApplication();
      break;
    case 'apply_suspension':
      e.set.pending_application = 'suspension';
      break;
    case 'approve_suspension':
      noApplication();
      e.set.suspended_at = now;
      e.add.suspension_count = 1;
      e.suspension = { start: now };
      break;
    case 'resume':
      e.set.suspended_at = null;
      e.suspension = { start: state.suspended_at ?? null, end: now };
      break;
    case 'feedback':
      noApplication(); // finishing withdraws whatever was asked for
      e.set.handled_late = state.overdue_after instanceof Date && now > state.overdue_after;
      break;
    case 'urge':
      e.set.urged = true;
      e.add.urge_count = 1;
      break;
    case 'check':
      if (!f.passed) e.add.rework_count = 1; // row 16: back to dispatch, same department
      break;
    case 'close': {
      const type = f.closing_type ?? (state.handled_late ? 'overdue' : 'normal');
      if (state.handled_late && type === 'normal') {
        throw new DomainError('unprocessable', 'Cannot close as normal: the department fed back after the deadline; close as overdue, error or special', { closing_type: 'cannot be normal for a late case' });
      }
      e.set.closing_type = type;
      break;
    }
    case 'void':
      noApplication();
      e.set.void_reason = f.reason!;
      if (state.status === 'suspended') {
        e.set.suspended_at = null;
        e.suspension = { start: state.suspended_at ?? null, end: now };
      }
      break;
    case 'approve_self_handled':
      e.set.closing_type = 'normal';
      break;
    case 'reopen':
      // Row 20 (issue 11): back to dispatch after a dissatisfied call-back; the department that closed it reworks it.
      e.set.closing_type = null;
      e.set.handled_late = false;
      e.add.rework_count = 1;
      break;
    case 'accept':
    case 'send_check':
      break;
  }
  return e;
}
