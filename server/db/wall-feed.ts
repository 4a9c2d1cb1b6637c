// The wall's bulk feed (domain/wall-feed.ts): one keyset page of the open cases a viewer may see, in id order, with
// only the fields the wall draws. The only SQL of GET /api/cases/wall.
import type { Queryable } from './types.js';
import { LIGHT_SQL } from './cases.js';
import { districtOf, districtWhere, visibleWhere } from './visibility.js';
import type { Viewer } from '../domain/visibility.js';
import { WALL_STATUSES } from '../domain/wall-feed.js';
import type { CaseStatus } from '../domain/workflow.js';

export type WallRow = {
  id: string; case_no: string; status: CaseStatus; light: 'green' | 'yellow' | 'red' | null; lon: number; lat: number; version: number;
  class_code: string; grid_code: string; department_id: number | null; step: string | null;
  yellow_at: Date | null; red_at: Date | null; updated_at: Date; urged: boolean; urgent: boolean;
  pending_application: 'return' | 'extension' | 'suspension' | null; rework_count: number; address: string | null;
  origin: 'live' | 'imported' | 'simulated';
};

// The statuses are the domain's constants, written as literals (the planner then knows them).
const OPEN = `c.status in (${WALL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Up to `limit` open cases after the case id `after` (null: from the first), in id order: ids are unique, so paging
 * by the last id of a page neither skips nor repeats a case whatever else the cases share. A district-scoped viewer
 * (db/visibility.ts districtOf) gets its district's cases only: one shard on Citus.
 */
export async function wallPage(db: Queryable, viewer: Viewer, after: string | null, limit: number, now: Date): Promise<WallRow[]> {
  const params: unknown[] = [now];
  const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
  const where = [OPEN];
  const inDistrict = districtWhere(await districtOf(db, viewer), p);
  if (inDistrict) where.unshift(inDistrict);
  if (after !== null) where.push(`c.id > ${p(after)}::uuid`);
  const visible = visibleWhere(viewer, p);
  if (visible) where.push(visible);
  const { rows } = await db.query<WallRow>(
    `select c.id::text as id, c.case_no, c.status, ${LIGHT_SQL} as light, st_x(c.geom) as lon, st_y(c.geom) as lat, c.version,
            c.class_code, c.grid_code, c.department_id, c.step, c.yellow_at, c.red_at, c.updated_at, c.urged, c.urgent,
            c.pending_application, c.rework_count, c.address, c.origin
       from cases c
      where ${where.join(' and ')}
      order by c.id
      limit ${Number(limit)}`,
    params,
  );
  return rows;
}
