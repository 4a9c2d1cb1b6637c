// Electronic supervision (电子监察, issue 10): the summary, the lists, the thresholds (changes audited) and the alerts
// of GET/PUT /api/supervision/…. Rules in domain/supervision.ts, SQL in db/supervision.ts; visibility as every
// case list (domain/visibility.ts).
import type { Queryable } from '../db/types.js';
import * as sv from '../db/supervision.js';
import * as audit from '../db/audit.js';
import { workOf, type WorkRules } from './work-rules.js';
import type { CaseUser } from './cases.js';
import { DomainError } from '../domain/errors.js';
import {
  DEFAULT_THRESHOLDS, evaluateAlerts, isLateReturn, isStockpiled, overdueTable, validateThresholds,
  type Alert, type SupervisionCategory, type Thresholds,
} from '../domain/supervision.js';
import { STEPS } from '../domain/workflow.js';

export type SupervisionDeps = { db: Queryable; clock: { now(): Date }; work: WorkRules };

/** Days of the window the historical lists (urges, late returns, extensions) look back by default. */
export const DEFAULT_WINDOW_DAYS = 30;

export type ListQuery = {
  days?: number; limit?: number; offset?: number;
  /** overdue: a department id, or `centre` for the centre's posts. */
  department?: string;
  /** overdue: one step. */
  step?: string;
  /** urged: only answered (`yes`) or only unanswered (`no`). */
  answered?: 'yes' | 'no';
};

export type ThresholdsInForce = Thresholds & {
  version: number; source: 'default' | 'stored'; updated_at: Date | null; updated_by: number | null; updated_by_name: string | null;
};

function windowOf(now: Date, days: number | undefined): sv.Window {
  const d = days ?? DEFAULT_WINDOW_DAYS;
  return { from: new Date(now.getTime() - d * 86_400_000), to: now };
}

/** The thresholds in force: the newest stored version, else the defaults (version 0). */
export async function thresholdsInForce(db: Queryable): Promise<ThresholdsInForce> {
  const row = await sv.latestThresholds(db);
  if (!row) return { ...DEFAULT_THRESHOLDS, version: 0, source: 'default', updated_at: null, updated_by: null, updated_by_name: null };
  // a stored row is whole (validated on the way in); defaults fill keys a later Gridline adds
  return { ...DEFAULT_THRESHOLDS, ...row.thresholds, version: row.version, source: 'stored', updated_at: row.created_at,
    updated_by: row.created_by, updated_by_name: row.created_by_name };
}

/** PUT /api/supervision/thresholds: a new version, and an audit entry with the old and new values, in one transaction. */
export async function saveThresholds(deps: SupervisionDeps, user: NonNullable<CaseUser>, input: unknown, ip: string | null): Promise<ThresholdsInForce> {
  const next = validateThresholds(input);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const before = await thresholdsInForce(tx);
    const version = await sv.saveThresholds(tx, next, user.id, now);
    await audit.record(tx, {
      at: now, action: 'supervision.thresholds', user_id: user.id, username: user.username, target: `supervision_thresholds:${version}`, ip,
      detail: { before: pick(before), after: next, before_version: before.version, version },
    });
  });
  return thresholdsInForce(deps.db);
}

const pick = (t: Thresholds): Thresholds => ({
  department_overdue: t.department_overdue, step_overdue: t.step_overdue, stockpiled: t.stockpiled, unanswered_urge_hours: t.unanswered_urge_hours,
});

async function stockpiled(deps: SupervisionDeps, user: CaseUser, now: Date): Promise<sv.SupervisionRow[]> {
  return (await sv.suspendedNow(deps.db, user)).filter((r) => isStockpiled(caseWork(deps, r), r.event_at, now));
}

async function lateReturns(deps: SupervisionDeps, user: CaseUser, w: sv.Window): Promise<sv.SupervisionRow[]> {
  return (await sv.returnApplications(deps.db, user, w))
    .filter((r) => r.dispatched_at !== null && isLateReturn(caseWork(deps, r), r.dispatched_at, r.event_at));
}

/** The rules of the row's case: its district's (the first six digits of its grid code; issue 12). */
const caseWork = (deps: SupervisionDeps, r: sv.SupervisionRow): WorkRules => workOf(deps.work, r.grid_code.slice(0, 6));

async function alertsOf(deps: SupervisionDeps, user: CaseUser, now: Date, t: Thresholds, overdue?: Awaited<ReturnType<typeof sv.overdueCounts>>, stock?: number): Promise<Alert[]> {
  return evaluateAlerts({
    overdue: overdue ?? await sv.overdueCounts(deps.db, user, now),
    stockpiled: stock ?? (await stockpiled(deps, user, now)).length,
    unanswered_urges: await sv.unansweredUrgesBefore(deps.db, user, new Date(now.getTime() - t.unanswered_urge_hours * 3_600_000)),
  }, t);
}

/** GET /api/supervision/summary: every count, the department × step table of overdue cases (worst first), the alerts. */
export async function summary(deps: SupervisionDeps, user: CaseUser, q: { days?: number }) {
  const now = deps.clock.now();
  const w = windowOf(now, q.days);
  const t = await thresholdsInForce(deps.db);
  const overdue = await sv.overdueCounts(deps.db, user, now);
  const table = overdueTable(overdue);
  const stock = (await stockpiled(deps, user, now)).length;
  const urges = await sv.urgeCounts(deps.db, user, w);
  const ext = await sv.extensionCounts(deps.db, user, w);
  return {
    now, from: w.from, to: w.to, days: q.days ?? DEFAULT_WINDOW_DAYS,
    counts: {
      overdue: table.rows.reduce((n, r) => n + r.total, 0),
      urged: urges.urged,
      unanswered_urges: urges.unanswered,
      stockpiled: stock,
      late_returns: (await lateReturns(deps, user, w)).length,
      extensions: ext.extensions,
      extension_hours: ext.extension_hours,
    },
    steps: table.steps,
    departments: table.rows,
    alerts: await alertsOf(deps, user, now, t, overdue, stock),
    thresholds: pick(t),
  };
}

/** GET /api/supervision/alerts: the alerts in force now. */
export async function alerts(deps: SupervisionDeps, user: CaseUser) {
  const now = deps.clock.now();
  const t = await thresholdsInForce(deps.db);
  return { now, alerts: await alertsOf(deps, user, now, t) };
}

/** `centre` → null (the centre's posts), digits → the department id; anything else is a 400. */
function departmentOf(v: string | undefined): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === 'centre') return null;
  if (/^[1-9][0-9]{0,9}$/.test(v) && Number(v) <= 2_147_483_647) return Number(v);
  throw new DomainError('bad_request', `department "${v}" is neither a department id nor "centre"`, { department: 'a department id or centre' });
}

/** GET /api/supervision/cases/{category}: one page of case rows the UI can open. */
export async function list(deps: SupervisionDeps, user: CaseUser, category: SupervisionCategory, q: ListQuery) {
  const now = deps.clock.now();
  const w = windowOf(now, q.days);
  const page = { limit: q.limit ?? 50, offset: q.offset ?? 0 };
  if (q.step !== undefined && !(STEPS as readonly string[]).includes(q.step)) {
    throw new DomainError('bad_request', `step "${q.step}" is not a step (${STEPS.join(', ')})`, { step: 'unknown' });
  }
  const department = departmentOf(q.department);
  const slice = (rows: sv.SupervisionRow[]) => ({ items: rows.slice(page.offset, page.offset + page.limit), total: rows.length });
  let r: { items: sv.SupervisionRow[]; total: number };
  switch (category) {
    case 'overdue':
      r = await sv.overdueList(deps.db, user, now, { ...page, department, step: q.step });
      break;
    case 'urged':
      r = await sv.urgeList(deps.db, user, w, { ...page, answered: q.answered === undefined ? undefined : q.answered === 'yes' });
      break;
    case 'stockpiled':
      r = slice(await stockpiled(deps, user, now));
      break;
    case 'late_returns':
      r = slice(await lateReturns(deps, user, w));
      break;
    case 'extensions':
      r = await sv.extensionList(deps.db, user, w, page);
      break;
  }
  return { category, now, from: w.from, to: w.to, ...r, limit: page.limit, offset: page.offset };
}
