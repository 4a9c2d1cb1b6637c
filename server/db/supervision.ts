// Electronic supervision (电子监察, issue 10): the only SQL for supervision_thresholds, and the reads behind the
// supervision screen, all from the case rows, their trail and the dispatch facts (no bookkeeping of its own). The
// rules are domain/supervision.ts: overdue = the step's red instant passed (the LIGHT_SQL of db/cases.ts); an
// urge's answer = the first later entry by a role of answeringRolesByStatus (handed in as a parameter); stockpiled
// and late returns need the working-time calendar, so their candidates are read here and judged by the domain.
// Trail entries and facts meet their case (and each other) on the district too (migrations/0064): one shard on Citus.
import type { Queryable } from './types.js';
import type { Viewer } from '../domain/visibility.js';
import { districtOf, districtWhere, visibleWhere } from './visibility.js';
import {
  CLOCKED_STATUSES, answeringRolesByStatus, type OverdueCount, type Thresholds,
} from '../domain/supervision.js';
import { OPEN_STATUSES } from '../domain/workflow.js';

/** One case row of a supervision list: what the UI shows and needs to open the case. */
export type SupervisionRow = {
  id: string; case_no: string; status: string; class_code: string; step: string | null;
  department_id: number | null; department_name: string | null; address: string | null; grid_code: string; urgent: boolean;
  /** The instant the row is about: red_at (overdue), the urge, the suspension's start, the return application, the grant. */
  event_at: Date;
  dispatched_at: Date | null;
  answered_at: Date | null;
  answer_action: string | null;
  extension_hours: number | null;
  return_outcome: 'approved' | 'denied' | 'pending' | null;
};

export type Paged = { limit: number; offset: number };

/**
 * Who reads: a viewer (its cases by domain/visibility.ts), with the region it is kept to (users.region_code; a
 * request's user carries it, else it is read): a user kept to a district reads that district's cases only (issue 12).
 */
export type SupervisionViewer = (NonNullable<Viewer> & { region_code?: string | null }) | null;
export type Window = { from: Date; to: Date };

/** The columns every list shares (case alias c, department alias dep). */
const CASE_COLUMNS = `c.id::text as id, c.case_no, c.status, c.class_code, c.step, c.address, c.grid_code, c.urgent,
  dep.id as department_id, dep.name as department_name`;

const params = () => {
  const list: unknown[] = [];
  const p = (v: unknown) => { list.push(v); return `$${list.length}`; };
  return { list, p };
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function normalise(r: Record<string, unknown>): SupervisionRow {
  return {
    id: r.id as string, case_no: r.case_no as string, status: r.status as string, class_code: r.class_code as string,
    step: (r.step as string | null) ?? null, department_id: num(r.department_id), department_name: (r.department_name as string | null) ?? null,
    address: (r.address as string | null) ?? null, grid_code: r.grid_code as string, urgent: !!r.urgent,
    event_at: new Date(r.event_at as string | Date),
    dispatched_at: r.dispatched_at == null ? null : new Date(r.dispatched_at as string | Date),
    answered_at: r.answered_at == null ? null : new Date(r.answered_at as string | Date),
    answer_action: (r.answer_action as string | null) ?? null,
    extension_hours: num(r.extension_hours),
    return_outcome: (r.return_outcome as SupervisionRow['return_outcome']) ?? null,
  };
}

const and = (conds: (string | null | false)[]) => conds.filter(Boolean).join(' and ');

/** The cases the viewer reads: those it may see (visibleWhere), of its district when it is kept to one. */
async function seenWhere(db: Queryable, viewer: SupervisionViewer, p: (v: unknown) => string): Promise<string | null> {
  return and([districtWhere(await districtOf(db, viewer), p), visibleWhere(viewer, p)]) || null;
}

// ---------------------------------------------------------------------------------------------------------------
// Overdue

/** The department whose desk the step is on: the case's department on the handling step, else none (the centre). */
const RESPONSIBLE = `(case when c.step = 'handling' then c.department_id end)`;

function overdueWhere(seen: string | null, now: Date, p: (v: unknown) => string): string {
  return and([
    `c.status not in ('closed', 'void')`, // the predicate of the partial index cases_open_red
    `c.status = any(${p([...CLOCKED_STATUSES])}::text[])`,
    `c.red_at is not null`,
    `c.red_at < ${p(now)}`,
    seen,
  ]);
}

/** Overdue cases counted by responsible department × step. */
export async function overdueCounts(db: Queryable, viewer: SupervisionViewer, now: Date): Promise<OverdueCount[]> {
  const { list, p } = params();
  const seen = await seenWhere(db, viewer, p);
  const { rows } = await db.query<{ department_id: string | number | null; department_name: string | null; step: string; count: number }>(
    `select dep.id as department_id, dep.name as department_name, c.step, count(*)::int as count
       from cases c left join departments dep on dep.id = ${RESPONSIBLE}
      where ${overdueWhere(seen, now, p)}
      group by dep.id, dep.name, c.step`,
    list);
  return rows.map((r) => ({ ...r, department_id: num(r.department_id) }));
}

/** One page of overdue cases, longest overdue first; `department` null = the centre's posts, undefined = all. */
export async function overdueList(db: Queryable, viewer: SupervisionViewer, now: Date,
  f: Paged & { department?: number | null; step?: string }): Promise<{ items: SupervisionRow[]; total: number }> {
  const { list, p } = params();
  const where = and([
    overdueWhere(await seenWhere(db, viewer, p), now, p),
    f.department === null ? `${RESPONSIBLE} is null` : f.department !== undefined ? `${RESPONSIBLE} = ${p(f.department)}` : null,
    f.step ? `c.step = ${p(f.step)}` : null,
  ]);
  const from = `from cases c left join departments dep on dep.id = ${RESPONSIBLE} where ${where}`;
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${CASE_COLUMNS}, c.red_at as event_at, c.dispatched_at, null as answered_at, null as answer_action,
            null::float8 as extension_hours, null as return_outcome
       ${from} order by c.red_at, c.id limit ${Number(f.limit)} offset ${Number(f.offset)}`, list);
  const count = await db.query<{ n: number }>(`select count(*)::int as n ${from}`, list);
  return { items: rows.map(normalise), total: count.rows[0].n };
}

// ---------------------------------------------------------------------------------------------------------------
// Urges (督办)

/** The urges with their answer (lateral: the first later entry by an answering role of the status urged in). */
function urgesFrom(p: (v: unknown) => string, time: string): string {
  return `from case_trail u
    join cases c on c.id = u.case_id and c.district_code = u.district_code
    left join departments dep on dep.id = c.department_id
    left join lateral (
      select e.at, e.action from case_trail e
       where e.case_id = u.case_id and e.district_code = u.district_code and e.seq > u.seq and e.action <> 'urge'
         and e.role in (select jsonb_array_elements_text(${p(JSON.stringify(answeringRolesByStatus()))}::jsonb -> u.to_status))
       order by e.seq limit 1
    ) ans on true
   where u.action = 'urge' and ${time}`;
}

/** One page of the urges made in the window, unanswered first, then oldest first. */
export async function urgeList(db: Queryable, viewer: SupervisionViewer, w: Window,
  f: Paged & { answered?: boolean }): Promise<{ items: SupervisionRow[]; total: number }> {
  const { list, p } = params();
  const extra = and([
    await seenWhere(db, viewer, p),
    f.answered === true ? 'ans.at is not null' : f.answered === false ? 'ans.at is null' : null,
  ]);
  const from = `${urgesFrom(p, `u.at >= ${p(w.from)} and u.at <= ${p(w.to)}`)}${extra ? ` and ${extra}` : ''}`;
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${CASE_COLUMNS}, u.at as event_at, c.dispatched_at, ans.at as answered_at, ans.action as answer_action,
            null::float8 as extension_hours, null as return_outcome
       ${from} order by (ans.at is null) desc, u.at, u.id limit ${Number(f.limit)} offset ${Number(f.offset)}`, list);
  const count = await db.query<{ n: number }>(`select count(*)::int as n ${from}`, list);
  return { items: rows.map(normalise), total: count.rows[0].n };
}

/** Urges in the window: all, and those not answered yet. */
export async function urgeCounts(db: Queryable, viewer: SupervisionViewer, w: Window): Promise<{ urged: number; unanswered: number }> {
  const { list, p } = params();
  const visible = await seenWhere(db, viewer, p);
  const { rows } = await db.query<{ urged: number; unanswered: number }>(
    `select count(*)::int as urged, count(*) filter (where ans.at is null)::int as unanswered
       ${urgesFrom(p, `u.at >= ${p(w.from)} and u.at <= ${p(w.to)}`)} ${visible ? `and ${visible}` : ''}`, list);
  return rows[0];
}

/** Urges of cases still open, made before `before` and never answered (the alert's count). */
export async function unansweredUrgesBefore(db: Queryable, viewer: SupervisionViewer, before: Date): Promise<number> {
  const { list, p } = params();
  const visible = await seenWhere(db, viewer, p);
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n ${urgesFrom(p, `u.at < ${p(before)}`)}
        and ans.at is null and c.status = any(${p([...OPEN_STATUSES])}::text[]) ${visible ? `and ${visible}` : ''}`, list);
  return rows[0].n;
}

// ---------------------------------------------------------------------------------------------------------------
// Candidates the domain judges: suspensions in force, return applications

/** Every case suspended now, with the start of its suspension (the domain keeps those past the stockpile limit). */
export async function suspendedNow(db: Queryable, viewer: SupervisionViewer): Promise<SupervisionRow[]> {
  const { list, p } = params();
  const seen = await seenWhere(db, viewer, p);
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${CASE_COLUMNS}, c.suspended_at as event_at, c.dispatched_at, null as answered_at, null as answer_action,
            null::float8 as extension_hours, null as return_outcome
       from cases c left join departments dep on dep.id = c.department_id
      where ${and([`c.status = 'suspended'`, 'c.suspended_at is not null', seen])}
      order by c.suspended_at, c.id`, list);
  return rows.map(normalise);
}

/**
 * Every return application in the window with the dispatch it answers (the case's last dispatch fact before it) and
 * what the dispatcher decided; the domain keeps the late ones.
 */
export async function returnApplications(db: Queryable, viewer: SupervisionViewer, w: Window): Promise<SupervisionRow[]> {
  const { list, p } = params();
  const seen = await seenWhere(db, viewer, p);
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${CASE_COLUMNS}, t.at as event_at, dd.dispatched_at, null as answered_at, null as answer_action,
            null::float8 as extension_hours,
            coalesce((select case r.action when 'approve_return' then 'approved' else 'denied' end from case_trail r
                       where r.case_id = t.case_id and r.district_code = t.district_code and r.seq > t.seq and r.action in ('approve_return', 'deny_return')
                       order by r.seq limit 1), 'pending') as return_outcome
       from case_trail t
       join cases c on c.id = t.case_id and c.district_code = t.district_code
       join lateral (select d.dispatched_at, d.department_id from case_dispatches d
                      where d.case_id = t.case_id and d.district_code = t.district_code and d.seq < t.seq order by d.seq desc limit 1) dd on true
       left join departments dep on dep.id = dd.department_id
      where ${and([`t.action = 'apply_return'`, `t.at >= ${p(w.from)}`, `t.at <= ${p(w.to)}`, seen])}
      order by t.at, t.id`, list);
  return rows.map(normalise);
}

// ---------------------------------------------------------------------------------------------------------------
// Extensions granted

/** Hours granted by an approve_extension entry `t`: its own `hours`, else the application's before it. */
const GRANTED_HOURS = `coalesce((t.data->'fields'->>'hours')::float8,
  (select (a.data->'fields'->>'hours')::float8 from case_trail a
    where a.case_id = t.case_id and a.district_code = t.district_code and a.seq < t.seq and a.action = 'apply_extension' order by a.seq desc limit 1))`;

function extensionsFrom(seen: string | null, w: Window, p: (v: unknown) => string): string {
  return `from case_trail t
    join cases c on c.id = t.case_id and c.district_code = t.district_code
    left join departments dep on dep.id = (case when jsonb_typeof(t.data->'department_id') = 'number' then (t.data->>'department_id')::bigint end)
   where ${and([`t.action = 'approve_extension'`, `t.at >= ${p(w.from)}`, `t.at <= ${p(w.to)}`, seen])}`;
}

/** One page of the extensions granted in the window, newest first. */
export async function extensionList(db: Queryable, viewer: SupervisionViewer, w: Window, f: Paged): Promise<{ items: SupervisionRow[]; total: number }> {
  const { list, p } = params();
  const from = extensionsFrom(await seenWhere(db, viewer, p), w, p);
  const { rows } = await db.query<Record<string, unknown>>(
    `select ${CASE_COLUMNS}, t.at as event_at, c.dispatched_at, null as answered_at, null as answer_action,
            ${GRANTED_HOURS} as extension_hours, null as return_outcome
       ${from} order by t.at desc, t.id desc limit ${Number(f.limit)} offset ${Number(f.offset)}`, list);
  const count = await db.query<{ n: number }>(`select count(*)::int as n ${from}`, list);
  return { items: rows.map(normalise), total: count.rows[0].n };
}

/** Extensions granted in the window and their hours. */
export async function extensionCounts(db: Queryable, viewer: SupervisionViewer, w: Window): Promise<{ extensions: number; extension_hours: number }> {
  const { list, p } = params();
  const { rows } = await db.query<{ extensions: number; extension_hours: number | null }>(
    `select count(*)::int as extensions, coalesce(sum(${GRANTED_HOURS}), 0)::float8 as extension_hours ${extensionsFrom(await seenWhere(db, viewer, p), w, p)}`, list);
  return { extensions: rows[0].extensions, extension_hours: Number(rows[0].extension_hours ?? 0) };
}

// ---------------------------------------------------------------------------------------------------------------
// Thresholds

export type ThresholdsRow = { version: number; thresholds: Thresholds; created_at: Date; created_by: number | null; created_by_name: string | null };

/** The newest thresholds, or null when none were ever stored. */
export async function latestThresholds(db: Queryable): Promise<ThresholdsRow | null> {
  const { rows } = await db.query<ThresholdsRow & { created_by: string | number | null }>(
    `select s.version, s.thresholds, s.created_at, s.created_by, u.username as created_by_name
       from supervision_thresholds s left join users u on u.id = s.created_by
      order by s.version desc limit 1`);
  const r = rows[0];
  return r ? { ...r, created_by: num(r.created_by) } : null;
}

/** Stores a new version; returns its number. Run it in the transaction that also writes the audit entry. */
export async function saveThresholds(db: Queryable, t: Thresholds, userId: number, now: Date): Promise<number> {
  // one writer at a time, so two leaders saving at once get versions n and n + 1, not a key violation
  await db.query(`lock table supervision_thresholds in share row exclusive mode`);
  const { rows } = await db.query<{ version: number }>(
    `insert into supervision_thresholds (version, thresholds, created_at, created_by)
     select coalesce(max(version), 0) + 1, $1::jsonb, $2, $3 from supervision_thresholds
     returning version`,
    [JSON.stringify(t), now, userId]);
  return rows[0].version;
}
