// The transparency page (政务公开, issue 11): per street or community, the cases received, closed, closed on time and
// the average handling time of a month; the recent closed cases with what may be published of them. The only SQL of
// the page. Nothing personal is selected: no reporter, no staff, no description, no address text.
import type { Queryable } from './types.js';
import { caseKeyArrays, type CaseKey } from './cases.js';

export type RegionFigures = {
  code: string; name: string; parent_code: string | null; parent_name: string | null;
  received: number; closed: number; closed_on_time: number;
  avg_working_hours: number | null; avg_natural_hours: number | null; handled: number;
};

/**
 * The figures of every region of `level` for [start, end):
 * - received: cases reported in the month (created_at; every status, as the leader's trend counts "reported");
 * - closed: cases closed (结案, status closed; voided ones are not) in the month;
 * - closed_on_time: of those, the ones whose department fed back in time (not handled_late: the evaluation's
 *   on-time closing);
 * - avg handling hours: over the feedback dispatches of the cases closed in the month, dispatch to feedback, in
 *   working hours and natural hours (the evaluation facts, as the leader's headline average handling time).
 */
export async function regionFigures(db: Queryable, level: 'street' | 'community', start: Date, end: Date): Promise<RegionFigures[]> {
  const col = level === 'street' ? 'street_code' : 'community_code';
  const { rows } = await db.query<Record<string, string | number | null>>(
    `with counts as (
       select c.${col} as code,
              count(*) filter (where c.created_at >= $2 and c.created_at < $3) as received,
              count(*) filter (where c.status = 'closed' and c.closed_at >= $2 and c.closed_at < $3) as closed,
              count(*) filter (where c.status = 'closed' and c.closed_at >= $2 and c.closed_at < $3 and not c.handled_late) as on_time
         from cases c
        where (c.created_at >= $2 and c.created_at < $3) or (c.closed_at >= $2 and c.closed_at < $3)
        group by 1),
     hours as (
       select c.${col} as code, avg(d.working_hours) as w, avg(d.natural_hours) as n, count(*) as handled
         from case_dispatches d join cases c on c.id = d.case_id and c.district_code = d.district_code
        where c.status = 'closed' and c.closed_at >= $2 and c.closed_at < $3 and d.outcome = 'feedback'
        group by 1)
     select r.code, r.name, r.parent_code, p.name as parent_name,
            coalesce(k.received, 0) as received, coalesce(k.closed, 0) as closed, coalesce(k.on_time, 0) as on_time,
            h.w, h.n, coalesce(h.handled, 0) as handled
       from regions r
       left join regions p on p.code = r.parent_code
       left join counts k on k.code = r.code
       left join hours h on h.code = r.code
      where r.level = $1
      order by r.code`, [level, start, end]);
  const n = (v: string | number | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    code: String(r.code), name: String(r.name), parent_code: r.parent_code === null ? null : String(r.parent_code),
    parent_name: r.parent_name === null ? null : String(r.parent_name),
    received: Number(r.received), closed: Number(r.closed), closed_on_time: Number(r.on_time),
    avg_working_hours: n(r.w), avg_natural_hours: n(r.n), handled: Number(r.handled),
  }));
}

export type ClosedCase = {
  id: string; case_no: string; district_code: string; class_code: string; class_name_zh: string | null; class_name_en: string | null;
  street_code: string; street_name: string | null; community_code: string; community_name: string | null;
  department_name: string | null; reported_at: Date; closed_at: Date; on_time: boolean;
};

/** The latest closed cases (结案), newest first. */
export async function recentClosed(db: Queryable, limit: number): Promise<ClosedCase[]> {
  const { rows } = await db.query<ClosedCase>(
    `select c.id::text as id, c.case_no, c.district_code, c.class_code, k.name_zh as class_name_zh, k.name_en as class_name_en,
            c.street_code, s.name as street_name, c.community_code, m.name as community_name, d.name as department_name,
            c.created_at as reported_at, c.closed_at, not c.handled_late as on_time
       from cases c
       left join classes k on k.kind = 'matter' and k.code = c.class_code
       left join regions s on s.code = c.street_code
       left join regions m on m.code = c.community_code
       left join departments d on d.id = c.department_id
      where c.status = 'closed' and c.closed_at is not null
      order by c.closed_at desc, c.id
      limit ${Number(limit)}`);
  return rows;
}

/**
 * The before-photos (cited by the report) and after-photos (cited by a feedback) of closed cases, stored photos only,
 * in trail order; a photo of both kinds counts as before. The trail is read naming the cases' districts too (its key
 * to the case, 0064), so on Citus only those districts' shards are asked.
 */
export async function casePhotos(db: Queryable, cases: readonly CaseKey[]): Promise<{ case_id: string; photo_id: string; kind: 'before' | 'after'; mime: string; width: number; height: number }[]> {
  if (!cases.length) return [];
  const { rows } = await db.query<{ case_id: string; photo_id: string; kind: 'before' | 'after'; mime: string; width: number; height: number }>(
    `select distinct on (t.case_id, p.id) t.case_id::text as case_id, p.id as photo_id,
            case when t.action = 'report' then 'before' else 'after' end as kind, p.mime, p.width, p.height, t.seq
       from case_trail t cross join lateral unnest(t.photo_ids) as x(photo_id)
       join photos p on p.id = x.photo_id
      where t.case_id = any ($1::uuid[]) and t.district_code = any ($2::text[]) and t.action in ('report', 'feedback')
      order by t.case_id, p.id, t.seq`, caseKeyArrays(cases));
  return rows.map((r) => ({ case_id: r.case_id, photo_id: r.photo_id, kind: r.kind, mime: r.mime, width: Number(r.width), height: Number(r.height) }));
}

/** A closed case by number, for the public photo check. */
export async function closedCaseByNo(db: Queryable, case_no: string): Promise<{ id: string; district_code: string } | null> {
  const { rows } = await db.query<{ id: string; district_code: string }>(
    `select id::text as id, district_code from cases where case_no = $1 and status = 'closed'`, [case_no]);
  return rows[0] ?? null;
}

