// The case workflow (立案、处置和结案): workflow.md §States and transitions, one entry of RULES per row.
// Pure: the case, the actor and `now` are arguments; deadlines come from calendar.ts and limits.ts in services.
import { DomainError } from './errors.js';

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

/** Posts (岗位) of workflow.md §Roles, plus `admin` (accounts and settings: no case actions). */
export const ROLES = ['inspector', 'operator', 'shift_leader', 'dispatcher', 'department', 'leader', 'admin', 'public'] as const;
export type Role = (typeof ROLES)[number];

/** Where a report came from (domain.md §3). */
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
  'approve_self_handled', 'reject_self_handled',
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

/** The person acting. A department user acts only on cases dispatched to their department. */
export type Actor = { id?: string; roles: readonly Role[]; department_id?: string | null };

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
  /** Row of workflow.md's table. */
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

/** One entry per row of workflow.md's table (rows 1 and 19's report: `decideReport`). Read the table, then this. */
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
  closing_type: ClosingType;
  void_reason: string | null;
  suspended_at: Date | null;
}>;

export type Effects = {
  set: CasePatch;
  /** Amounts to add to the case's counters. */
  add: Partial<Record<Counter, number>>;
  /**
   * Step clocks: `stop` ends the current step's clock; `start` begins the next one, whose limit is the deadline in
   * force next (null: none, the case is finished). `pause`/`resume`: the handling clock during a suspension.
   */
  clock: { stop: Step | null; start: Step | null; pause: boolean; resume: boolean };
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
  if (to !== state.status && effects.clock.stop === null && effects.clock.start === null && !effects.clock.pause && !effects.clock.resume) {
    effects.clock.stop = stepOf(state);
    effects.clock.start = stepOf({ ...state, ...effects.set, status: to } as CaseState);
  }
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
export function decideReport(actor: Actor, input: { source: CaseSource; self_handled?: boolean }): { to: CaseStatus; role: Role; step: Step } {
  if (!(CASE_SOURCES as readonly string[]).includes(input.source)) {
    throw new DomainError('unprocessable', `Unknown report source "${input.source}"; use one of ${CASE_SOURCES.join(', ')}`, { source: 'unknown source' });
  }
  if (input.self_handled) {
    if (input.source !== 'inspector' || !actor.roles.includes('inspector')) {
      throw new DomainError('role_not_allowed', 'Only an inspector may report a problem as self-handled (自处置)');
    }
    return { to: 'pending_review', role: 'inspector', step: 'review' };
  }
  const role = REPORT_RULES[input.source].find((r) => actor.roles.includes(r));
  if (!role) throw new DomainError('role_not_allowed', `Only ${REPORT_RULES[input.source].join(' or ')} may register a ${input.source} report`);
  return { to: 'pending_acceptance', role, step: stepOf({ status: 'pending_acceptance', source: input.source }) as Step };
}

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
  if (ownDepartment && state.department_id != null && actor.department_id != null && String(actor.department_id) !== String(state.department_id)) {
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
  const keys = Object.keys(problems);
  if (keys.length) {
    throw new DomainError('unprocessable', `Cannot ${action}: ${keys.map((k) => `${k} ${problems[k]}`).join('; ')}`, problems);
  }
  return fields as ActionFields;
}

function effectsOf(state: CaseState, action: CaseAction, f: ActionFields, now: Date): Effects {
  const e: Effects = { set: {}, add: {}, clock: { stop: null, start: null, pause: false, resume: false }, suspension: null };
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
      // Rework goes back to the same department unless the dispatcher names another; after an approved return the
      // department was cleared, and null means "the class's suggested department" (services resolve it).
      e.set.department_id = f.department_id ?? state.department_id ?? null;
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
      e.clock.pause = true;
      break;
    case 'resume':
      e.set.suspended_at = null;
      e.suspension = { start: state.suspended_at ?? null, end: now };
      e.clock.resume = true;
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
    case 'accept':
    case 'send_check':
      break;
  }
  return e;
}
