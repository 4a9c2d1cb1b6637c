// Electronic supervision (电子监察, issue 10): what the supervision centre and leaders watch, computed from the case
// row, its trail and the city's limits (docs/workflow.md §Time, rows 9–13): overdue cases by department and step,
// urges (督办) and whether the handling side answered them, suspensions (挂账) in force past the stockpile limit
// (积存), late returns, extensions granted; and the thresholds that turn those counts into alerts on the wall.
// Pure: `now`, the calendar and the limits are arguments; db/supervision.ts writes the same rules as SQL filters.
import { deadline, type WorkCalendar } from './calendar.js';
import { DomainError } from './errors.js';
import type { LimitsTable } from './limits.js';
import { OPEN_STATUSES, RULES, STEPS, type CaseAction, type CaseStatus, type Step } from './workflow.js';

/** The lists of the supervision screen, one endpoint each (GET /api/supervision/cases/{category}). */
export const SUPERVISION_CATEGORIES = ['overdue', 'urged', 'stockpiled', 'late_returns', 'extensions'] as const;
export type SupervisionCategory = (typeof SUPERVISION_CATEGORIES)[number];

/** Who reads supervision: the supervision centre's posts (受理员, 值班长), leaders and admin (issue 10). */
export const SUPERVISION_READERS = ['operator', 'shift_leader', 'leader', 'admin'] as const;
/** Who may change the alert thresholds. */
export const THRESHOLD_EDITORS = ['leader', 'admin'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Overdue (超期)

/**
 * Statuses whose step clock runs: open and not suspended (a suspension pauses the clock; it has no light), and a
 * self-handled report waiting for the operator's review (row 19, a timed step too).
 */
export const CLOCKED_STATUSES: readonly CaseStatus[] = [...OPEN_STATUSES.filter((s) => s !== 'suspended'), 'pending_review'];

/**
 * Whether a case is overdue at `now`: its current step's light is red (`now > red_at`, the same instant lights.ts and
 * db/cases.ts LIGHT_SQL use), on an open, unsuspended case.
 * @example isOverdue({ status: 'handling', red_at: new Date('2026-11-23T06:00:00Z') }, new Date('2026-11-23T07:00:00Z')) // true
 */
export function isOverdue(c: { status: string; red_at: Date | null }, now: Date): boolean {
  return c.red_at !== null && (CLOCKED_STATUSES as readonly string[]).includes(c.status) && now.getTime() > c.red_at.getTime();
}

/**
 * Whose desk an overdue step sits on: the department for the handling step, null (the centre's posts) for every
 * other step, whatever department the case was last sent to.
 */
export function responsibleDepartment(step: string | null, department_id: number | null): number | null {
  return step === 'handling' ? department_id : null;
}

export type OverdueCount = { department_id: number | null; department_name: string | null; step: string; count: number };
export type DepartmentRow = { department_id: number | null; department_name: string | null; total: number; by_step: Record<string, number> };

/**
 * The department × step table of overdue counts, worst first (most overdue cases, then name; the centre's row,
 * department null, sorts by its count like any other), and the steps that have any, in workflow order.
 * @example overdueTable([{ department_id: 3, department_name: 'Roads', step: 'handling', count: 2 }]).rows[0].total // 2
 */
export function overdueTable(counts: readonly OverdueCount[]): { steps: Step[]; rows: DepartmentRow[] } {
  const byDept = new Map<string, DepartmentRow>();
  const seen = new Set<string>();
  for (const c of counts) {
    if (c.count <= 0) continue;
    const key = String(c.department_id);
    const row = byDept.get(key) ?? { department_id: c.department_id, department_name: c.department_name, total: 0, by_step: {} };
    row.by_step[c.step] = (row.by_step[c.step] ?? 0) + c.count;
    row.total += c.count;
    byDept.set(key, row);
    seen.add(c.step);
  }
  const rows = [...byDept.values()].sort((a, b) => b.total - a.total
    || (a.department_name ?? '').localeCompare(b.department_name ?? '') || (a.department_id ?? 0) - (b.department_id ?? 0));
  return { steps: STEPS.filter((s) => seen.has(s)), rows };
}

// ---------------------------------------------------------------------------------------------------------------
// Urges (督办) and their answers

/**
 * Who answers an urge made while the case is in `status`: the side that moves the case on from there (the roles of
 * the workflow rules that leave that status), leaders excluded, since they urge. While handling or suspended the
 * answer is the department's (a feedback, an application, a resume): the dispatcher approving or denying something
 * is not the handling side answering.
 * @example answeringRoles('handling') // ['department']
 * @example answeringRoles('pending_dispatch') // ['dispatcher']
 */
export function answeringRoles(status: string): string[] {
  if (status === 'handling' || status === 'suspended') return ['department'];
  const roles = new Set<string>();
  for (const [action, rule] of Object.entries(RULES) as [CaseAction, (typeof RULES)[CaseAction]][]) {
    if (action === 'urge' || action === 'void') continue;
    if (!(rule.from as readonly string[]).includes(status)) continue;
    for (const r of rule.by) if (r !== 'leader') roles.add(r);
  }
  return [...roles].sort();
}

/** answeringRoles of every open status: what db/supervision.ts hands to SQL as a parameter. */
export function answeringRolesByStatus(): Record<string, string[]> {
  return Object.fromEntries(OPEN_STATUSES.map((s) => [s, answeringRoles(s)]));
}

export type UrgeTrailEntry = { seq: number; at: Date; action: string; role: string | null; from_status: string | null; to_status: string };
export type UrgeAnswer = { urge_seq: number; urged_at: Date; status: string; answered_at: Date | null; answer_action: string | null };

/**
 * Every urge of a trail (entries in seq order) with its answer: the first later entry by an answering role of the
 * status the case was in when urged (another urge is not an answer).
 * @example urgeAnswers(trail).filter((u) => u.answered_at === null) // the urges still waiting
 */
export function urgeAnswers(trail: readonly UrgeTrailEntry[]): UrgeAnswer[] {
  const out: UrgeAnswer[] = [];
  trail.forEach((e, i) => {
    if (e.action !== 'urge') return;
    const roles = answeringRoles(e.to_status);
    const answer = trail.slice(i + 1).find((x) => x.action !== 'urge' && x.role !== null && roles.includes(x.role));
    out.push({ urge_seq: e.seq, urged_at: e.at, status: e.to_status, answered_at: answer?.at ?? null, answer_action: answer?.action ?? null });
  });
  return out;
}

/** Whether an urge made at `urged_at` and not answered by `now` has waited longer than `hours`. */
export function urgeOverdue(urged_at: Date, answered_at: Date | null, now: Date, hours: number): boolean {
  return answered_at === null && now.getTime() - urged_at.getTime() > hours * 3_600_000;
}

// ---------------------------------------------------------------------------------------------------------------
// Suspensions (挂账) past the stockpile limit, late returns

export type SupervisionRules = { calendar: WorkCalendar; limits: LimitsTable };

/**
 * When a suspension started at `suspended_at` becomes stockpiled (积存): the last instant within the limits'
 * `stockpile_after` (60 natural days by default); later than that it is stockpiled.
 */
export function stockpiledAfter(rules: SupervisionRules, suspended_at: Date): Date {
  return deadline(rules.calendar, suspended_at, rules.limits.stockpile_after, { edge: 'last' });
}

/**
 * Whether a case suspended since `suspended_at` (still suspended) is stockpiled at `now`.
 * @example isStockpiled(rules, new Date('2026-01-01T00:00:00Z'), new Date('2026-03-03T00:00:00Z')) // true: 61 days
 */
export function isStockpiled(rules: SupervisionRules, suspended_at: Date, now: Date): boolean {
  return now.getTime() > stockpiledAfter(rules, suspended_at).getTime();
}

/**
 * Whether a return applied at `applied_at` for a dispatch made at `dispatched_at` is late: later than the limits'
 * `late_return_after` (row 9 "timed; late returns counted"; 2 working hours by default) after the dispatch.
 * @example isLateReturn(rules, mondayNine, mondayEleven30) // true with the 2-working-hour default
 */
export function isLateReturn(rules: SupervisionRules, dispatched_at: Date, applied_at: Date): boolean {
  return applied_at.getTime() > deadline(rules.calendar, dispatched_at, rules.limits.late_return_after, { edge: 'last' }).getTime();
}

/** Whole natural days from `from` to `now` (for "suspended 63 days"). */
export function naturalDays(from: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - from.getTime()) / 86_400_000));
}

// ---------------------------------------------------------------------------------------------------------------
// Thresholds and alerts

/** The alert thresholds of the wall (电子监察预警). A count at or above its threshold raises an alert. */
export type Thresholds = {
  /** A department with this many overdue cases (handling step) or more. */
  department_overdue: number;
  /** A step with this many overdue cases or more, all departments and centre posts together. */
  step_overdue: number;
  /** This many stockpiled cases (suspended past the stockpile limit) or more. */
  stockpiled: number;
  /** An urge unanswered for more than this many hours. */
  unanswered_urge_hours: number;
};

export const THRESHOLD_KEYS = ['department_overdue', 'step_overdue', 'stockpiled', 'unanswered_urge_hours'] as const satisfies readonly (keyof Thresholds)[];

/** Gridline defaults, to be set per city by a leader or admin. */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  department_overdue: 5, step_overdue: 10, stockpiled: 1, unanswered_urge_hours: 24,
});

/** Bounds of each threshold: counts 1–100000, hours 1–8760 (a year). */
export const THRESHOLD_BOUNDS: Readonly<Record<keyof Thresholds, readonly [number, number]>> = {
  department_overdue: [1, 100_000], step_overdue: [1, 100_000], stockpiled: [1, 100_000], unanswered_urge_hours: [1, 8760],
};

/**
 * A complete thresholds object from input, every problem named by field.
 * @throws DomainError `bad_request` with `details` keyed by field
 * @example validateThresholds({ department_overdue: 3, step_overdue: 8, stockpiled: 1, unanswered_urge_hours: 12 })
 */
export function validateThresholds(input: unknown): Thresholds {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new DomainError('bad_request', `Thresholds must be an object with ${THRESHOLD_KEYS.join(', ')}`);
  }
  const o = input as Record<string, unknown>;
  const details: Record<string, string> = {};
  for (const k of Object.keys(o)) if (!(THRESHOLD_KEYS as readonly string[]).includes(k)) details[k] = `is not a threshold (${THRESHOLD_KEYS.join(', ')})`;
  const out = {} as Thresholds;
  for (const k of THRESHOLD_KEYS) {
    const v = o[k];
    const [min, max] = THRESHOLD_BOUNDS[k];
    if (v === undefined) details[k] = 'is required';
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) details[k] = `must be a whole number from ${min} to ${max}`;
    else out[k] = v;
  }
  if (Object.keys(details).length) {
    throw new DomainError('bad_request', `Thresholds are invalid: ${Object.entries(details).map(([k, m]) => `${k} ${m}`).join('; ')}`, details);
  }
  return out;
}

export type AlertKind = 'department_overdue' | 'step_overdue' | 'stockpiled' | 'unanswered_urges';

export type Alert = {
  kind: AlertKind;
  /** Stable id of the alert (kind + what it is about), for the client to key and de-duplicate. */
  key: string;
  count: number;
  threshold: number;
  department_id: number | null;
  department_name: string | null;
  step: string | null;
  /** Which list opens the cases behind it. */
  category: SupervisionCategory;
};

/** What alerts are evaluated from: the current counts (db/supervision.ts). */
export type AlertInput = {
  overdue: readonly OverdueCount[];
  stockpiled: number;
  /** Urges of open cases unanswered for more than `thresholds.unanswered_urge_hours`. */
  unanswered_urges: number;
};

/**
 * The alerts in force: each department, and each step, at or above its overdue threshold (worst first), the
 * stockpile, and any urge left unanswered too long.
 * @example evaluateAlerts({ overdue: [], stockpiled: 2, unanswered_urges: 0 }, DEFAULT_THRESHOLDS)[0].kind // 'stockpiled'
 */
export function evaluateAlerts(input: AlertInput, t: Thresholds): Alert[] {
  const alerts: Alert[] = [];
  const table = overdueTable(input.overdue);
  for (const r of table.rows) {
    if (r.department_id === null || r.total < t.department_overdue) continue;
    alerts.push({ kind: 'department_overdue', key: `department_overdue:${r.department_id}`, count: r.total, threshold: t.department_overdue,
      department_id: r.department_id, department_name: r.department_name, step: null, category: 'overdue' });
  }
  const bySteps = new Map<string, number>();
  for (const c of input.overdue) bySteps.set(c.step, (bySteps.get(c.step) ?? 0) + c.count);
  for (const step of STEPS) {
    const n = bySteps.get(step) ?? 0;
    if (n >= t.step_overdue) {
      alerts.push({ kind: 'step_overdue', key: `step_overdue:${step}`, count: n, threshold: t.step_overdue,
        department_id: null, department_name: null, step, category: 'overdue' });
    }
  }
  if (input.stockpiled >= t.stockpiled) {
    alerts.push({ kind: 'stockpiled', key: 'stockpiled', count: input.stockpiled, threshold: t.stockpiled,
      department_id: null, department_name: null, step: null, category: 'stockpiled' });
  }
  if (input.unanswered_urges > 0) {
    alerts.push({ kind: 'unanswered_urges', key: 'unanswered_urges', count: input.unanswered_urges, threshold: t.unanswered_urge_hours,
      department_id: null, department_name: null, step: null, category: 'urged' });
  }
  // worst first: by how far over its line (an unanswered urge is over its line once; count them as they are)
  const over = (a: Alert) => (a.kind === 'unanswered_urges' ? a.count : a.count / a.threshold);
  return alerts.sort((a, b) => over(b) - over(a) || a.key.localeCompare(b.key));
}
