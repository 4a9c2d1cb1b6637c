// Cases as OGC API – Features items (the `cases` collection): the same properties as the `cases` tile layer and no
// personal data (no reporter, no description, no address). The only SQL of that collection.
import type { Queryable } from './types.js';
import type { Bbox } from '../domain/coords.js';
import { lightAtSqlExpression } from '../domain/lights.js';
import { districtWhere } from './visibility.js';
import { districtOfCaseId } from '../domain/case-ids.js';

export type CaseFeature = {
  id: string; case_no: string; status: string; class_code: string; light: 'green' | 'yellow' | 'red' | null;
  origin: string; created_at: string; geometry: string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// $1 = now (for the light).
const COLUMNS = `c.id::text as id, c.case_no, c.status, c.class_code,
  (case when c.red_at is null or c.status in ('closed', 'void', 'suspended') then null
        else ${lightAtSqlExpression('$1::timestamptz', 'c.yellow_at', 'c.red_at')} end) as light,
  c.origin, to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as created_at,
  st_asgeojson(c.geom, 7) as geometry`;

/**
 * Cases whose point intersects the bbox and whose report time lies in [start, end] (either end open when null),
 * oldest first (then by id, a stable order for paging); `total` counts every match.
 */
export async function features(
  db: Queryable,
  p: { now: Date; bbox?: Bbox; start?: Date | null; end?: Date | null; limit: number; offset: number; district?: string | null },
): Promise<{ items: CaseFeature[]; total: number }> {
  const params: unknown[] = [p.now, p.bbox?.[0] ?? null, p.bbox?.[1] ?? null, p.bbox?.[2] ?? null, p.bbox?.[3] ?? null, p.start ?? null, p.end ?? null];
  // a user kept to a district (issue 12): its district's cases only, named in the statement (one shard on Citus)
  const inDistrict = districtWhere(p.district, (v) => { params.push(v); return `$${params.length}`; });
  const where = `($2::float8 is null or st_intersects(c.geom, st_makeenvelope($2, $3, $4, $5, 4326)))
    and ($6::timestamptz is null or c.created_at >= $6::timestamptz) and ($7::timestamptz is null or c.created_at <= $7::timestamptz)${inDistrict ? ` and ${inDistrict}` : ''}`;
  const { rows } = await db.query<CaseFeature>(
    `select ${COLUMNS} from cases c where ${where} order by c.created_at, c.id limit ${Number(p.limit)} offset ${Number(p.offset)}`,
    params,
  );
  const count = await db.query<{ n: number }>(`select count(*)::int as n, $1::timestamptz as at from cases c where ${where}`, params);
  return { items: rows, total: count.rows[0].n };
}

/**
 * One case as a feature; null when no case has the id (or it is not a UUID, or not of `district` when given). Without
 * `district`, first in the district the id names (domain/case-ids.ts: one shard on Citus), then, not found there
 * (an id made before migrations/0068), by id alone.
 */
export async function feature(db: Queryable, id: string, now: Date, district: string | null = null): Promise<CaseFeature | null> {
  if (!UUID.test(id)) return null;
  const named = district ? null : districtOfCaseId(id);
  if (named) {
    const found = await featureIn(db, id, now, named);
    if (found) return found;
  }
  return featureIn(db, id, now, district);
}

async function featureIn(db: Queryable, id: string, now: Date, district: string | null): Promise<CaseFeature | null> {
  const params: unknown[] = [now, id];
  const inDistrict = districtWhere(district, (v) => { params.push(v); return `$${params.length}`; });
  const { rows } = await db.query<CaseFeature>(`select ${COLUMNS} from cases c where c.id = $2::uuid${inDistrict ? ` and ${inDistrict}` : ''}`, params);
  return rows[0] ?? null;
}
