// Satisfaction ratings (回访, issue 11; migrations/0036_case_ratings.sql): the only SQL for case_ratings.
import type { Queryable } from './types.js';
import type { CaseKey } from './cases.js';
import type { Rating, RatingChannel, ReviewOutcome } from '../domain/satisfaction.js';

export type RatingRow = {
  case_id: string; rating: Rating; score: number; comment: string | null; channel: RatingChannel; rated_by: number | null;
  rated_at: Date; district_code: string; idempotency_key: string | null; request_hash: string | null;
  review_status: 'pending' | ReviewOutcome | null; reviewed_by: number | null; reviewed_at: Date | null; review_note: string | null;
};

const COLUMNS = `case_id::text as case_id, rating, score, comment, channel, rated_by, rated_at, district_code, idempotency_key,
  request_hash, review_status, reviewed_by, reviewed_at, review_note`;

const num = (v: number | string | null) => (v === null ? null : Number(v));
const fix = (r: RatingRow): RatingRow => ({ ...r, rated_by: num(r.rated_by), reviewed_by: num(r.reviewed_by), score: Number(r.score) });

/** The rating of a case, or null; `forUpdate` locks it (call inside the case's transaction, after locking the case). */
export async function get(db: Queryable, c: CaseKey, forUpdate = false): Promise<RatingRow | null> {
  const { rows } = await db.query<RatingRow>(
    `select ${COLUMNS} from case_ratings where case_id = $1 and district_code = $2${forUpdate ? ' for update' : ''}`, [c.id, c.district_code]);
  return rows[0] ? fix(rows[0]) : null;
}

export async function insert(db: Queryable, r: Omit<RatingRow, 'reviewed_by' | 'reviewed_at' | 'review_note'>): Promise<RatingRow> {
  const { rows } = await db.query<RatingRow>(
    `insert into case_ratings (case_id, rating, score, comment, channel, rated_by, rated_at, district_code, idempotency_key, request_hash, review_status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning ${COLUMNS}`,
    [r.case_id, r.rating, r.score, r.comment, r.channel, r.rated_by, r.rated_at, r.district_code, r.idempotency_key, r.request_hash, r.review_status]);
  return fix(rows[0]);
}

/** Settles a pending review; false when it was not pending (someone settled it first). */
export async function settleReview(db: Queryable, c: CaseKey, p: { outcome: ReviewOutcome; by: number; at: Date; note: string | null }): Promise<boolean> {
  const { rows } = await db.query(
    `update case_ratings set review_status = $3, reviewed_by = $4, reviewed_at = $5, review_note = $6
      where case_id = $1 and district_code = $2 and review_status = 'pending' returning case_id`, [c.id, c.district_code, p.outcome, p.by, p.at, p.note]);
  return rows.length === 1;
}

export type ReviewItem = {
  case_id: string; case_no: string; case_status: string; class_code: string; class_name_zh: string | null; class_name_en: string | null;
  address: string | null; community_code: string; community_name: string | null; department_id: number | null; department_name: string | null;
  closed_at: Date | null; case_version: number; rating: Rating; score: number; comment: string | null; channel: RatingChannel;
  rated_at: Date; rated_by_name: string | null; review_status: 'pending' | ReviewOutcome; reviewed_at: Date | null;
  reviewed_by_name: string | null; review_note: string | null;
};

/**
 * Dissatisfied ratings in one review state (pending first-come first), one page, with the total; `district`: that
 * district's only (a user kept to it, issue 12), else every district's.
 */
export async function reviewList(db: Queryable, q: { status: 'pending' | ReviewOutcome; limit: number; offset: number; district?: string | null }): Promise<{ items: ReviewItem[]; total: number }> {
  const inDistrict = q.district ? ' and r.district_code = $2' : '';
  const params = q.district ? [q.status, q.district] : [q.status];
  const name = (u: string) => `case when ${u}.id is null then null when ${u}.display_name <> '' then ${u}.display_name else ${u}.username end`;
  const { rows } = await db.query<ReviewItem>(
    `select r.case_id::text as case_id, c.case_no, c.status as case_status, c.class_code, k.name_zh as class_name_zh, k.name_en as class_name_en,
            c.address, c.community_code, rg.name as community_name, c.department_id, d.name as department_name, c.closed_at,
            c.version as case_version, r.rating, r.score, r.comment, r.channel, r.rated_at, ${name('ub')} as rated_by_name,
            r.review_status, r.reviewed_at, ${name('uv')} as reviewed_by_name, r.review_note
       from case_ratings r join cases c on c.id = r.case_id and c.district_code = r.district_code
       left join classes k on k.kind = 'matter' and k.code = c.class_code
       left join regions rg on rg.code = c.community_code
       left join departments d on d.id = c.department_id
       left join users ub on ub.id = r.rated_by
       left join users uv on uv.id = r.reviewed_by
      where r.review_status = $1${inDistrict}
      order by ${q.status === 'pending' ? 'r.rated_at, r.case_id' : 'r.reviewed_at desc, r.case_id'}
      limit ${Number(q.limit)} offset ${Number(q.offset)}`, params);
  const count = await db.query<{ n: string }>(`select count(*) as n from case_ratings r where r.review_status = $1${inDistrict}`, params);
  return {
    items: rows.map((r) => ({ ...r, score: Number(r.score), department_id: num(r.department_id), case_version: Number(r.case_version) })),
    total: Number(count.rows[0].n),
  };
}

/**
 * Satisfaction per evaluated object over the ratings given in [start, end): count, sum of scores, satisfied answers.
 * `by` groups by the rated case's department (the one that handled it) or a region column; `scope` narrows to one
 * region (column and code as db/evaluation.ts REGION_KEY).
 */
export async function satisfactionBy(db: Queryable, by: 'department' | 'district' | 'street' | 'community' | 'grid',
  p: { start: Date; end: Date }, scope?: { column: string; code: string }): Promise<Map<string, { count: number; score_sum: number; satisfied: number }>> {
  const key = by === 'department' ? 'c.department_id::text' : `c.${by}_code`;
  const params: unknown[] = [p.start, p.end];
  let extra = '';
  if (scope) {
    if (!/^c\.(district|street|community|grid)_code$/.test(scope.column)) throw new Error(`satisfactionBy: bad scope column ${scope.column}`);
    params.push(scope.code);
    extra = ` and ${scope.column} = $3`;
  }
  const { rows } = await db.query<{ key: string; n: string; s: string; sat: string }>(
    `select ${key} as key, count(*) as n, sum(r.score) as s, count(*) filter (where r.rating = 'satisfied') as sat
       from case_ratings r join cases c on c.id = r.case_id and c.district_code = r.district_code
      where r.rated_at >= $1 and r.rated_at < $2 and ${key} is not null${extra}
      group by 1`, params);
  return new Map(rows.map((r) => [r.key, { count: Number(r.n), score_sum: Number(r.s), satisfied: Number(r.sat) }]));
}
