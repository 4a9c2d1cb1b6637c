// The per-grid counts against a recount of their base tables (issue 12: the writers keep them, db/grid-counts.ts).
import { expect } from 'vitest';
import type { Queryable } from '../../server/db/types.js';

/**
 * Rows of grid_component_counts and case_grid_days that differ from a fresh count of components and cases (with
 * `district`, that district's rows only); an empty list when the counts are exact. Rows at n = 0 of case_grid_days
 * are allowed (kept, as in 0017); grid_component_counts must have none, and a point wherever its grid is current.
 */
export async function countMismatches(db: Queryable, district: string | null = null): Promise<string[]> {
  const only = (t: string) => (district ? `where ${t}.district_code = $1` : '');
  const params = district ? [district] : [];
  const { rows: components } = await db.query<{ key: string; kept: number | null; fresh: number | null }>(
    `with current_grids as materialized (select code from grids where valid_to is null) -- read apart: grids is distributed on Citus
     select concat_ws('/', coalesce(k.district_code, f.district_code), coalesce(k.grid_code, f.grid_code), coalesce(k.major_code, f.major_code)) as key,
            k.n as kept, f.n as fresh
       from (select * from grid_component_counts k ${only('k')}) k
       full join (select district_code, grid_code, left(class_code, 2) as major_code, count(*)::int as n
                    from components c ${only('c')} ${district ? 'and' : 'where'} grid_code is not null group by 1, 2, 3) f
         on f.district_code = k.district_code and f.grid_code = k.grid_code and f.major_code = k.major_code
       left join current_grids g on g.code = k.grid_code
      where k.n is distinct from f.n or (k.pt is null and g.code is not null)`,
    params,
  );
  const { rows: cases } = await db.query<{ key: string; kept: number | null; fresh: number | null }>(
    `select concat_ws('/', coalesce(k.district_code, f.district_code), coalesce(k.day, f.day), coalesce(k.grid_code, f.grid_code)) as key,
            k.n as kept, f.n as fresh
       from (select * from case_grid_days k ${only('k')}) k
       full join (select district_code, (created_at at time zone 'UTC')::date as day, grid_code, count(*)::int as n
                    from cases c ${only('c')} group by 1, 2, 3) f
         on f.district_code = k.district_code and f.day = k.day and f.grid_code = k.grid_code
      where coalesce(k.n, 0) <> coalesce(f.n, 0)`,
    params,
  );
  return [
    ...components.map((r) => `grid_component_counts ${r.key}: kept ${r.kept}, counted ${r.fresh}`),
    ...cases.map((r) => `case_grid_days ${r.key}: kept ${r.kept}, counted ${r.fresh}`),
  ];
}

/** Both count tables equal a recount from components and cases (of `district`, or all). */
export async function expectCountsExact(db: Queryable, district: string | null = null): Promise<void> {
  expect(await countMismatches(db, district)).toEqual([]);
}

/** The first current grid with a component class whose major class it has no count of (statements apart: Citus). */
export async function gridWithoutMajor(db: Queryable): Promise<{ code: string; x: number; y: number; class_code: string } | undefined> {
  const { rows: grids } = await db.query<{ code: string; x: number; y: number }>(
    'select code, st_x(p) as x, st_y(p) as y from (select code, st_pointonsurface(geom) as p from grids where valid_to is null order by code limit 20) g');
  const { rows: classes } = await db.query<{ code: string }>(`select code from classes where kind = 'component' order by code`);
  const { rows: counted } = await db.query<{ grid_code: string; major_code: string }>(
    'select grid_code, major_code from grid_component_counts where grid_code = any ($1)', [grids.map((g) => g.code)]);
  for (const g of grids) {
    const c = classes.find((k) => !counted.some((n) => n.grid_code === g.code && n.major_code === k.code.slice(0, 2)));
    if (c) return { ...g, class_code: c.code };
  }
  return undefined;
}
