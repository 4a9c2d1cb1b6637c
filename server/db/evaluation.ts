// The evaluation's counts (docs/evaluation.md) and the cases behind each of them: the only SQL of the evaluation.
// Every indicator is ONE definition below — a base relation, the instant that puts a row in a period, the key that
// groups rows into objects, a denominator predicate and a numerator predicate — and both the figure (counts) and its
// drill-down (the cases) are generated from that one definition, so they cannot disagree.
//
// Bases: `cases` (alias c), `dispatches` (case_dispatches d joined to its case c), `steps` (case_steps s joined to
// its case c). Parameters of every query: $1 the period's first instant, $2 the instant after its last, $3 now.
import type { Queryable } from './types.js';
import { CASE_FIELDS, LIGHT_SQL, type CaseRow } from './cases.js';
import type { Post, RegionLevel } from '../domain/evaluation.js';

type Base = 'cases' | 'dispatches' | 'steps' | 'ratings';

export type IndicatorSql = {
  base: Base;
  /** Column that places a row in the period. */
  period: string;
  /** Key expression (text) that groups rows into the evaluated objects. */
  key: string;
  /** Extra join (e.g. the responsibility grid of a case). */
  join?: string;
  /** Denominator predicate (for count indicators: the rows counted). */
  den: string;
  /** Numerator predicate, applied on top of `den`. */
  num: string;
};

const FROM: Record<Base, string> = {
  cases: 'cases c',
  // On the district too (migrations/0064): the fact and its case are one district's rows (one shard on Citus).
  dispatches: 'case_dispatches d join cases c on c.id = d.case_id and c.district_code = d.district_code',
  steps: 'case_steps s join cases c on c.id = s.case_id and c.district_code = s.district_code',
  ratings: 'case_ratings r join cases c on c.id = r.case_id and c.district_code = r.district_code',
};
/** The same without the case, for definitions that read nothing of it (no join: a fact table scan only). */
const FROM_FACTS: Record<Base, string> = { cases: 'cases c', dispatches: 'case_dispatches d', steps: 'case_steps s', ratings: FROM.ratings };

/** The FROM of definitions (and a region scope): joins the case only when one of them reads it. */
function fromOf(defs: readonly IndicatorSql[], scope?: { column: string }): string {
  const needsCase = !!scope || defs.some((d) => [d.key, d.den, d.num, d.period, d.join ?? ''].some((x) => /\bc\./.test(x)));
  return (needsCase ? FROM : FROM_FACTS)[defs[0].base];
}

/** A key expression without its text cast, so an equality on it can use the column's index. */
const rawKey = (key: string) => key.replace(/::text$/, '');

const NOT_VOID = `c.status <> 'void'`;
const PUBLIC_SOURCES = `c.source in ('public', 'hotline', 'media')`;
/** Closed, and the feedback that closed it came in time (the engine's handled_late, kept on the case). */
const CLOSED_ON_TIME = `c.status = 'closed' and not c.handled_late`;
const KEPT = `d.outcome is distinct from 'returned'`;
/** The same tests on a fact row's copy of the case status (no join). */
const D_NOT_VOID = `d.case_status <> 'void'`;
const S_NOT_VOID = `s.case_status <> 'void'`;
const ACCURATE_DISPATCH = `not d.sent_on and ${KEPT}`;
const step = (name: string): Pick<IndicatorSql, 'base' | 'period' | 'key' | 'den' | 'num'> =>
  ({ base: 'steps', period: 's.ended_at', key: 's.actor_id::text', den: `s.step = '${name}'`, num: 's.on_time' });

export const REGION_KEY: Record<RegionLevel, string> = {
  district: 'c.district_code', street: 'c.street_code', community: 'c.community_code', grid: 'c.grid_code',
};

/** Regions: cases filed in the period, grouped by the region's code column. */
export function regionIndicators(level: RegionLevel): Record<string, IndicatorSql> {
  const key = REGION_KEY[level];
  const filed = { base: 'cases' as const, period: 'c.filed_at', key };
  return {
    public_report_rate: { ...filed, den: NOT_VOID, num: PUBLIC_SOURCES },
    filed_count: { ...filed, den: `c.status not in ('void', 'suspended')`, num: 'true' }, // suspended cases left out
    closing_rate: { ...filed, den: NOT_VOID, num: `c.status = 'closed'` },
    on_time_closing_rate: { ...filed, den: NOT_VOID, num: CLOSED_ON_TIME },
    satisfaction_rate: { ...SATISFACTION, key },
  };
}

/** Satisfaction (回访, issue 11): ratings given in the period; satisfied ones in the numerator (migrations/0036). */
const SATISFACTION = { base: 'ratings' as const, period: 'r.rated_at', den: 'true', num: `r.rating = 'satisfied'` };

/** Departments: dispatches (tasks) in the period, grouped by the department they went to. */
const DISPATCHED = { base: 'dispatches' as const, period: 'd.dispatched_at', key: 'd.department_id::text' };
export const DEPARTMENT_INDICATORS: Record<string, IndicatorSql> = {
  filed_count: { ...DISPATCHED, den: KEPT, num: 'true' },
  closing_rate: { ...DISPATCHED, den: `${KEPT} and ${D_NOT_VOID}`, num: `d.case_status = 'closed'` },
  // Due to handle: with a deadline, and fed back or still handling with the deadline passed (by the period's end or
  // now). A task without a time limit (an imported case without a target) is never late, and not judged.
  on_time_handling_rate: { ...DISPATCHED, den: `${KEPT} and ${D_NOT_VOID} and d.deadline_at is not null and (d.outcome in ('feedback', 'closed') or (d.outcome is null and d.deadline_at < least($2::timestamptz, $3::timestamptz)))`, num: 'd.on_time is true' },
  rework_rate: { ...DISPATCHED, den: `d.outcome = 'feedback'`, num: 'd.rework' },
  // the department that handled the rated case (its last dispatch)
  satisfaction_rate: { ...SATISFACTION, key: 'c.department_id::text' },
};

/** Also shown for departments (docs/evaluation.md): counts over the same dispatches. */
export const DEPARTMENT_EXTRAS: Record<string, string> = {
  pending: `count(*) filter (where d.outcome is null and ${D_NOT_VOID})`,
  pending_overdue: `count(*) filter (where d.outcome is null and ${D_NOT_VOID} and d.deadline_at < $3)`,
  overdue_handled: `count(*) filter (where d.outcome = 'feedback' and d.on_time = false)`,
  returns: `count(*) filter (where d.outcome = 'returned')`,
  late_returns: 'count(*) filter (where d.late_return)',
  extensions: 'coalesce(sum(d.extension_count), 0)',
  extension_hours: 'coalesce(sum(d.extension_hours), 0)',
  suspensions: 'coalesce(sum(d.suspension_count), 0)',
  avg_working_hours: `avg(d.working_hours) filter (where d.outcome = 'feedback')`,
  avg_natural_hours: `avg(d.natural_hours) filter (where d.outcome = 'feedback')`,
};

/** Posts: what each person did in the period. */
export const POST_INDICATORS: Record<Post, Record<string, IndicatorSql>> = {
  inspector: {
    valid_report_rate: { base: 'cases', period: 'c.created_at', key: 'c.reporter_id::text', den: `c.source = 'inspector' and c.reporter_id is not null`, num: `c.filed_at is not null and ${NOT_VOID}` },
    missed_report_rate: {
      base: 'cases', period: 'c.filed_at', key: 'rg.inspector_id::text', join: 'join responsibility_grids rg on rg.code = c.responsibility_code',
      den: `${NOT_VOID} and rg.inspector_id is not null`, num: PUBLIC_SOURCES,
    },
    on_time_verify_rate: step('verify'),
    on_time_check_rate: step('check'),
  },
  operator: {
    accepted_count: { base: 'steps', period: 's.ended_at', key: 's.actor_id::text', den: `s.step = 'accept' and s.action = 'accept'`, num: 'true' },
    on_time_verify_dispatch_rate: step('send_verify'),
    on_time_check_dispatch_rate: step('send_check'),
  },
  shift_leader: {
    on_time_filing_rate: step('file'),
    accurate_filing_rate: { base: 'steps', period: 's.ended_at', key: 's.actor_id::text', den: `s.step = 'file' and s.action = 'file'`, num: S_NOT_VOID },
    on_time_closing_rate: step('close'),
  },
  dispatcher: {
    dispatch_count: { base: 'dispatches', period: 'd.dispatched_at', key: 'd.dispatcher_id::text', den: 'true', num: 'true' },
    on_time_dispatch_rate: step('dispatch'),
    accurate_dispatch_rate: { base: 'dispatches', period: 'd.dispatched_at', key: 'd.dispatcher_id::text', den: 'true', num: ACCURATE_DISPATCH },
  },
};

/** The headline indicators (docs/evaluation.md §Headline), for the whole district or one region (key = its code). */
export function headlineIndicators(level: RegionLevel): Record<string, IndicatorSql> {
  const key = REGION_KEY[level];
  const filed = { base: 'cases' as const, period: 'c.filed_at', key };
  const dispatched = { base: 'dispatches' as const, period: 'd.dispatched_at', key };
  return {
    discovery_rate: { ...filed, den: NOT_VOID, num: `c.source = 'inspector'` },
    dispatch_accuracy: { ...dispatched, den: 'true', num: ACCURATE_DISPATCH },
    suggestion_accuracy: { ...dispatched, den: 'd.suggested is not null', num: `d.suggested and ${ACCURATE_DISPATCH}` },
    closing_rate: { ...filed, den: NOT_VOID, num: `c.status = 'closed'` },
    on_time_closing_rate: { ...filed, den: NOT_VOID, num: CLOSED_ON_TIME },
    avg_handling_hours: { ...dispatched, den: `d.outcome = 'feedback'`, num: 'true' },
  };
}

export type Period = { start: Date; end: Date; now: Date };

function where(def: IndicatorSql, extra: string[]): string {
  // $3 (now) is referenced in every query, used by a predicate or not: both engines refuse unused parameters.
  return [`${def.period} >= $1`, `${def.period} < $2`, '$3::timestamptz is not null', ...extra].join(' and ');
}

/**
 * The predicates of a region scope: its column equal to its code, and, below a district, the district too
 * (`c.district_code`, the first six digits): the scoped query then names its district, one shard on Citus (issue 12).
 */
function scopeWhere(scope: { column: string; code: string }, params: unknown[]): string[] {
  params.push(scope.code);
  const out = [`${scope.column} = $${params.length}`];
  if (scope.column !== REGION_KEY.district && scope.code.length > 6) {
    params.push(scope.code.slice(0, 6));
    out.unshift(`${REGION_KEY.district} = $${params.length}`);
  }
  return out;
}

/** Numerator and denominator per key (only keys with rows). `scope` narrows to one region's rows (its code). */
export async function counts(db: Queryable, def: IndicatorSql, p: Period, scope?: { column: string; code: string }): Promise<Map<string, { numerator: number; denominator: number }>> {
  return (await countsMany(db, { only: def }, p, scope)).get('only')!;
}

/**
 * The counts of several indicators at once: indicators that share a base, period, key and join are counted in one
 * scan (one query with a pair of filtered counts each), so an object's evaluation reads its rows once per base.
 */
export async function countsMany(db: Queryable, defs: Record<string, IndicatorSql>, p: Period, scope?: { column: string; code: string },
  extras?: { with: string; columns: Record<string, string>; into: Map<string, Record<string, number | null>> }): Promise<Map<string, Map<string, { numerator: number; denominator: number }>>> {
  const out = new Map<string, Map<string, { numerator: number; denominator: number }>>();
  const groups = new Map<string, [string, IndicatorSql][]>();
  for (const [name, def] of Object.entries(defs)) {
    const g = `${def.base}|${def.period}|${def.key}|${def.join ?? ''}`;
    groups.set(g, [...(groups.get(g) ?? []), [name, def]]);
  }
  for (const members of groups.values()) {
    const def = members[0][1];
    const params: unknown[] = [p.start, p.end, p.now];
    const extra: string[] = [`${def.key} is not null`];
    if (scope) extra.push(...scopeWhere(scope, params));
    const cols = members.map(([, d], i) => `count(*) filter (where ${d.den}) as den${i}, count(*) filter (where (${d.den}) and (${d.num})) as num${i}`);
    const withExtras = extras && members.some(([name]) => name === extras.with);
    if (withExtras) cols.push(...Object.entries(extras.columns).map(([k, e]) => `${e} as x_${k}`));
    const { rows } = await db.query<Record<string, string>>(
      `select ${def.key} as key, ${cols.join(', ')} from ${fromOf(members.map(([, d]) => d), scope)} ${def.join ?? ''} where ${where(def, extra)} group by 1`, params);
    if (withExtras) {
      for (const r of rows) extras.into.set(r.key, Object.fromEntries(Object.keys(extras.columns).map((k) => [k, r[`x_${k}`] === null ? null : Number(r[`x_${k}`])])));
    }
    members.forEach(([name], i) => {
      out.set(name, new Map(rows.map((r) => [r.key, { numerator: Number(r[`num${i}`]), denominator: Number(r[`den${i}`]) }])));
    });
  }
  return out;
}

/** Average handling hours (dispatch → feedback) over the headline's dispatches. */
export async function handlingHours(db: Queryable, p: Period, scope?: { column: string; code: string }): Promise<{ working: number | null; natural: number | null; count: number }> {
  const params: unknown[] = [p.start, p.end, p.now];
  const extra = scope ? ` and ${scopeWhere(scope, params).join(' and ')}` : '';
  const { rows } = await db.query<{ working: number | null; natural: number | null; n: string }>(
    `select avg(d.working_hours) as working, avg(d.natural_hours) as natural, count(*) as n
       from ${scope ? FROM.dispatches : FROM_FACTS.dispatches} where d.dispatched_at >= $1 and d.dispatched_at < $2 and $3::timestamptz is not null and d.outcome = 'feedback'${extra}`, params);
  const r = rows[0];
  return { working: r.working === null ? null : Number(r.working), natural: r.natural === null ? null : Number(r.natural), count: Number(r.n) };
}

const SUMMARY = `c.id::text as id, ${CASE_FIELDS.map((f) => `c.${f}`).join(', ')}, st_x(c.geom) as lon, st_y(c.geom) as lat, ${LIGHT_SQL.replace(/\$1/g, '$3')} as light`;

/**
 * The cases behind one figure: the distinct cases of the rows in `part` (numerator or denominator) of the object
 * `key` (null: every key, for the headline of the whole district), newest first. `events` counts the rows (the
 * figure itself), `total` the distinct cases.
 */
export async function drill(db: Queryable, def: IndicatorSql, p: Period, q: {
  key: string | null; part: 'numerator' | 'denominator'; limit: number; offset: number; scope?: { column: string; code: string };
}): Promise<{ items: CaseRow[]; total: number; events: number }> {
  const params: unknown[] = [p.start, p.end, p.now];
  const extra: string[] = [`${def.key} is not null`, `(${def.den})`];
  if (q.part === 'numerator') extra.push(`(${def.num})`);
  if (q.key !== null) { params.push(q.key); extra.push(`${rawKey(def.key)} = $${params.length}`); }
  if (q.scope) extra.push(...scopeWhere(q.scope, params));
  const caseId = def.base === 'cases' ? 'c.id' : def.base === 'dispatches' ? 'd.case_id' : def.base === 'ratings' ? 'r.case_id' : 's.case_id';
  const rowsSql = `select ${caseId} as case_id, ${def.period} as at from ${fromOf([def], q.scope)} ${def.join ?? ''} where ${where(def, extra)}`;
  const count = await db.query<{ events: string; total: string }>(
    `select count(*) as events, count(distinct case_id) as total from (${rowsSql}) r`, params);
  // The page: cases by the figure's own instant (filed, dispatched, ended), newest first; only its rows get the wide
  // select list.
  const { rows } = await db.query<CaseRow>(
    `with page as (select case_id, max(at) as at from (${rowsSql}) r group by case_id
                    order by max(at) desc, case_id limit ${Number(q.limit)} offset ${Number(q.offset)})
     select ${SUMMARY} from page p join cases c on c.id = p.case_id order by p.at desc, p.case_id`, params);
  return { items: rows, total: Number(count.rows[0].total), events: Number(count.rows[0].events) };
}

// Objects --------------------------------------------------------------------------------------------------------

/** The regions of a level (for `grid`: the current unit grids) with their unit-grid counts; `parent` narrows. */
export async function regionsOf(db: Queryable, level: RegionLevel, parent: string | null): Promise<{ key: string; name: string; grids: number }[]> {
  if (level === 'grid') {
    const { rows } = await db.query<{ key: string; name: string }>(
      `select code as key, code as name from grids where valid_to is null and ($1::text is null or code like $1 || '%') order by code`, [parent]);
    return rows.map((r) => ({ ...r, grids: 1 }));
  }
  const col = { district: 'district_code', street: 'street_code', community: 'community_code' }[level];
  // The counts as an aggregate joined to regions: Citus refuses a subquery on the distributed grids correlated with
  // the reference table regions (docs/citus.md).
  // Below a district (a parent of 6 digits or more) the grids are that district's: named, so Citus reads its shard
  // alone.
  const district = parent !== null && parent.length >= 6 ? parent.slice(0, 6) : null;
  const { rows } = await db.query<{ key: string; name: string; grids: string }>(
    `select r.code as key, r.name, coalesce(n.grids, 0) as grids
       from regions r
       left join (select g.${col} as code, count(*) as grids from grids g
                   where g.valid_to is null and ($2::text is null or g.${col} like $2 || '%')${district ? ' and g.district_code = $3' : ''}
                   group by g.${col}) n on n.code = r.code
      where r.level = $1 and ($2::text is null or r.code like $2 || '%') order by r.code`, district ? [level, parent, district] : [level, parent]);
  return rows.map((r) => ({ ...r, grids: Number(r.grids) }));
}

export async function regionExists(db: Queryable, code: string): Promise<boolean> {
  // A grid's code starts with its district's: named, so Citus reads that district's shard alone.
  const { rows } = await db.query<{ ok: boolean }>(
    `select exists (select 1 from regions where code = $1)
         or exists (select 1 from grids where code = $1 and district_code = $2 and valid_to is null) as ok`, [code, code.slice(0, 6)]);
  return rows[0].ok;
}

export async function departmentsAll(db: Queryable): Promise<{ key: string; name: string }[]> {
  const { rows } = await db.query<{ key: string; name: string }>('select id::text as key, name from departments order by id');
  return rows;
}

/** The users holding a post; with a district, those kept to it and the users of every district (region_code null). */
export async function postHolders(db: Queryable, post: Post, district: string | null = null): Promise<{ key: string; name: string }[]> {
  const { rows } = await db.query<{ key: string; name: string }>(
    `select id::text as key, case when display_name <> '' then display_name || ' (' || username || ')' else username end as name
       from users where $1 = any (roles) and ($2::text is null or region_code is null or left(region_code, 6) = $2) order by id`,
    [post, district]);
  return rows;
}

// Settings -------------------------------------------------------------------------------------------------------

export async function latestSettings(db: Queryable): Promise<{ version: number; settings: unknown; created_at: Date } | null> {
  const { rows } = await db.query<{ version: number; settings: unknown; created_at: Date }>(
    'select version, settings, created_at from evaluation_settings order by version desc limit 1');
  return rows[0] ?? null;
}

/** Stores a new version (the next number); returns it. */
export async function saveSettings(db: Queryable, settings: unknown, userId: number | null): Promise<number> {
  await db.query('lock table evaluation_settings in share row exclusive mode');
  // The next number read first (the lock above keeps it), then inserted as a value: Citus refuses a subquery in
  // the values of an insert into a reference table (docs/citus.md).
  const { rows: [next] } = await db.query<{ version: number }>('select coalesce(max(version), 0) + 1 as version from evaluation_settings');
  const { rows } = await db.query<{ version: number }>(
    'insert into evaluation_settings (version, settings, created_by) values ($1, $2, $3) returning version',
    [next.version, JSON.stringify(settings), userId]);
  return rows[0].version;
}
