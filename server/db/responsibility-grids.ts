// Responsibility grids (责任网格) as the admin console assigns them to inspectors: the SQL for
// `responsibility_grids.inspector_id` and the outlines shown on the console's map (migrations/0005_grids.sql).
import type { Queryable } from './types.js';

export type ResponsibilityGrid = {
  code: string; name: string; community_code: string; inspector_id: number | null; inspector_username: string | null;
  unit_grids: number;
};

type Raw = Omit<ResponsibilityGrid, 'inspector_id'> & { inspector_id: number | string | null };
const toRow = (r: Raw): ResponsibilityGrid => ({ ...r, inspector_id: r.inspector_id === null ? null : Number(r.inspector_id) });

/** Responsibility grids, every one or those of one inspector (`inspector_id`), by code. */
export async function list(db: Queryable, f: { inspector_id?: number | null }): Promise<ResponsibilityGrid[]> {
  const { rows } = await db.query<Raw>(
    `select r.code, r.name, r.community_code, r.inspector_id, u.username as inspector_username,
            (select count(*)::int from responsibility_grid_members m where m.responsibility_code = r.code) as unit_grids
       from responsibility_grids r left join users u on u.id = r.inspector_id
      where ($1::bigint is null or r.inspector_id = $1)
      order by r.code`,
    [f.inspector_id ?? null],
  );
  return rows.map(toRow);
}

/** The same rows with each grid's outline (union of its current unit grids) as GeoJSON text, null when it has none. */
export async function outlines(db: Queryable): Promise<(ResponsibilityGrid & { geometry: string | null })[]> {
  const { rows } = await db.query<Raw & { geometry: string | null }>(
    `select r.code, r.name, r.community_code, r.inspector_id, u.username as inspector_username,
            count(m.grid_code)::int as unit_grids,
            st_asgeojson(st_union(g.geom), 6) as geometry
       from responsibility_grids r
       left join users u on u.id = r.inspector_id
       left join responsibility_grid_members m on m.responsibility_code = r.code
       left join grids g on g.code = m.grid_code and g.valid_to is null
      group by r.code, r.name, r.community_code, r.inspector_id, u.username
      order by r.code`,
  );
  return rows.map((r) => ({ ...toRow(r), geometry: r.geometry }));
}

/** Of `codes`, those that are responsibility grids, with the inspector each has now. */
export async function holders(db: Queryable, codes: readonly string[]): Promise<Map<string, number | null>> {
  const { rows } = await db.query<{ code: string; inspector_id: number | string | null }>(
    'select code, inspector_id from responsibility_grids where code = any($1::text[])', [codes]);
  return new Map(rows.map((r) => [r.code, r.inspector_id === null ? null : Number(r.inspector_id)]));
}

/** Gives `codes` to the inspector (taking them from whoever had them). */
export async function assign(db: Queryable, inspectorId: number, codes: readonly string[]): Promise<void> {
  if (codes.length) await db.query('update responsibility_grids set inspector_id = $1 where code = any($2::text[])', [inspectorId, codes]);
}

/** Takes `codes` from the inspector (grids another inspector holds are left alone). */
export async function unassign(db: Queryable, inspectorId: number, codes: readonly string[]): Promise<void> {
  if (codes.length) await db.query('update responsibility_grids set inspector_id = null where inspector_id = $1 and code = any($2::text[])', [inspectorId, codes]);
}
