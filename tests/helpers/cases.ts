// Factories for case tests: deps with a settable clock, users by role, a point inside a fixture grid.
import type { Queryable } from '../../server/db/types.js';
import { loadWorkRules, type WorkRules } from '../../server/services/work-rules.js';
import type { CaseDeps, CaseUser } from '../../server/services/cases.js';

let rules: WorkRules | null = null;
export const workRules = () => (rules ??= loadWorkRules());

export function caseDeps(db: Queryable, at = '2026-11-23T10:00:00+08:00'): CaseDeps & { clock: { now(): Date; set(iso: string): void; advance(min: number): void } } {
  let now = new Date(at);
  return {
    db, work: workRules(),
    clock: { now: () => now, set: (iso) => { now = new Date(iso); }, advance: (min) => { now = new Date(now.getTime() + min * 60_000); } },
  };
}

/** A department id that exists in the fixture and the class default of 06010 (exposed garbage). */
export async function someDepartment(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ id: number }>(`select department_id as id from class_departments where kind = 'matter' and class_code = '06010'`);
  return Number(rows[0].id);
}

export const asUser = (id: number, roles: string[], department_id: number | null = null): CaseUser => ({ id, username: `u${id}`, roles, department_id });

export async function pointInGrid(db: Queryable, offset = 3): Promise<{ lon: number; lat: number; code: string }> {
  const { rows } = await db.query<{ lon: number; lat: number; code: string }>(
    `select st_x(p) as lon, st_y(p) as lat, code from (select code, st_pointonsurface(geom) as p from grids order by code offset ${offset} limit 1) s`);
  return rows[0];
}
