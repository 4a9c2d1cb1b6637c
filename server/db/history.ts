// The demo's simulated history (server/demo/history.ts): the SQL that reads its inputs and bulk-loads its cases,
// trails and suspensions with COPY. Facts go through db/facts.ts copyFacts.
import type { Queryable } from './types.js';
import { copyLine } from './copy-text.js';
import { caseChangeOf, noteCaseChange } from './tile-bumps.js';
import { applyDayDeltas, dayDeltasOfCopy } from './grid-counts.js';
import type { HistoryClass, HistoryComponent, HistoryGrid, SimulatedCase, SimulatedCaseRow } from '../demo/history.js';
import type { ChainedEntry } from '../domain/trail.js';

type GeoJsonPolygons = { type: 'Polygon'; coordinates: [number, number][][] } | { type: 'MultiPolygon'; coordinates: [number, number][][][] };

/**
 * Current unit grids with a point inside each, their rings, responsibility grid, the inspector patrolling it and
 * the nearest road's name (one KNN lookup per grid on the places index).
 */
export async function grids(db: Queryable): Promise<HistoryGrid[]> {
  const { rows } = await db.query<{
    code: string; community_code: string; street_code: string; district_code: string; responsibility_code: string | null;
    inspector_id: number | string | null; lon: number; lat: number; geojson: string; address: string | null;
  }>(
    // The grids first (materialized), then the road per grid: Citus refuses a subquery on a local table (places)
    // correlated with the distributed grids (docs/citus.md).
    `with g as materialized (
       select g.code, g.community_code, g.street_code, g.district_code, m.responsibility_code, r.inspector_id,
              st_pointonsurface(g.geom) as pt, st_asgeojson(g.geom, 7) as geojson
         from grids g
         left join responsibility_grid_members m on m.grid_code = g.code
         left join responsibility_grids r on r.code = m.responsibility_code
        where g.valid_to is null)
     select g.code, g.community_code, g.street_code, g.district_code, g.responsibility_code, g.inspector_id,
            st_x(g.pt) as lon, st_y(g.pt) as lat, g.geojson,
            (select pl.name from places pl where pl.kind in ('road', 'lane') order by pl.geom <-> g.pt limit 1) as address
       from g
      order by g.code`,
  );
  return rows.map((r) => {
    const geom = JSON.parse(r.geojson) as GeoJsonPolygons;
    const rings = geom.type === 'Polygon' ? geom.coordinates : geom.coordinates.flat();
    return {
      code: r.code, community_code: r.community_code, street_code: r.street_code, district_code: r.district_code,
      responsibility_code: r.responsibility_code, inspector_id: r.inspector_id === null ? null : Number(r.inspector_id),
      inside: [Number(r.lon), Number(r.lat)], rings, address: r.address === null ? null : r.address.slice(0, 256),
    };
  });
}

/** Matter classes with their default department. */
export async function classes(db: Queryable, codes: readonly string[]): Promise<HistoryClass[]> {
  const { rows } = await db.query<{ code: string; kind: HistoryClass['kind']; name_zh: string; name_en: string; department_id: number | string | null }>(
    `select c.code, c.matter_kind as kind, c.name_zh, c.name_en, cd.department_id
       from classes c left join class_departments cd on cd.kind = 'matter' and cd.class_code = c.code
      where c.kind = 'matter' and c.code = any ($1::text[])
      order by c.code`,
    [codes],
  );
  return rows.map((r) => ({ ...r, department_id: r.department_id === null ? null : Number(r.department_id) }));
}

/** Point components of the given classes that lie in a unit grid, with the department a case about them goes to. */
export async function components(db: Queryable, classCodes: readonly string[]): Promise<HistoryComponent[]> {
  const { rows } = await db.query<{ id: string; class_code: string; grid_code: string; lon: number; lat: number; department_id: number | string | null }>(
    `select id, class_code, grid_code, st_x(geom) as lon, st_y(geom) as lat,
            coalesce(maintainer_department_id, supervising_department_id) as department_id
       from components
      where class_code = any ($1::text[]) and grid_code is not null and geometrytype(geom) = 'POINT'
      order by id`,
    [classCodes],
  );
  return rows.map((r) => ({ ...r, lon: Number(r.lon), lat: Number(r.lat), department_id: r.department_id === null ? null : Number(r.department_id) }));
}

export async function departmentIds(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ id: number | string }>('select id from departments order by id');
  return rows.map((r) => Number(r.id));
}

/** Enabled users by username, with their department. */
export async function usersByName(db: Queryable, usernames: readonly string[]): Promise<Map<string, { id: number; department_id: number | null }>> {
  const { rows } = await db.query<{ id: number | string; username: string; department_id: number | string | null }>(
    'select id, username, department_id from users where username = any ($1::text[]) and not disabled', [usernames]);
  return new Map(rows.map((r) => [r.username, { id: Number(r.id), department_id: r.department_id === null ? null : Number(r.department_id) }]));
}

/** Columns of `cases` the history writes, in COPY order (geom as EWKT). */
export const CASE_COPY_COLUMNS = [
  'id', 'case_no', 'status', 'source', 'kind', 'class_code', 'condition', 'component_id', 'description', 'address', 'geom',
  'district_code', 'street_code', 'community_code', 'grid_code', 'responsibility_code', 'reporter_id', 'reporter_name',
  'reporter_phone', 'self_handled', 'urgent', 'department_id', 'suggested_department_id', 'suggestion_taken',
  'pending_application', 'pending_extension_hours', 'verify_found', 'handled_late', 'urged', 'return_count', 'rework_count',
  'urge_count', 'extension_count', 'extension_hours', 'suspension_count', 'suspended_at', 'closing_type', 'void_reason',
  'step', 'step_started_at', 'step_deadline_at', 'yellow_at', 'red_at', 'handling_started_at', 'handling_deadline_at',
  'overdue_after', 'filed_at', 'dispatched_at', 'closed_at', 'trail_head', 'version', 'created_at', 'updated_at', 'origin',
] as const;

const TRAIL_COPY_COLUMNS = [
  'case_id', 'district_code', 'seq', 'at', 'actor', 'role', 'action', 'from_status', 'to_status', 'note', 'photo_ids', 'deadline_at', 'data',
  'prev_hash', 'hash',
] as const;

/** A text[] in COPY text format ({"a","b"}), or null. */
function textArray(values: readonly string[] | null | undefined): string | null {
  if (!values) return null;
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function caseLine(row: SimulatedCaseRow, case_no: string): string {
  return copyLine(CASE_COPY_COLUMNS.map((c) => {
    if (c === 'case_no') return case_no;
    if (c === 'geom') return `SRID=4326;POINT(${row.lon} ${row.lat})`;
    return row[c as keyof SimulatedCaseRow];
  }));
}

/** `district_code`: the case's (the entry's key to cases, migrations/0064). */
function trailLine(e: ChainedEntry, district_code: string): string {
  return copyLine([e.case_id, district_code, e.seq, e.at, e.actor, e.role, e.action, e.from_status, e.to_status, e.note ?? null,
    textArray(e.photo_ids), e.deadline_at ?? null, e.data ?? null, e.prev_hash, e.hash]);
}

/** COPYs cases (numbered by `caseNo`), their trails and suspensions. */
export async function copyCases(db: Queryable, items: readonly { c: SimulatedCase; case_no: string }[]): Promise<void> {
  let cases = '';
  let trail = '';
  let suspensions = '';
  for (const { c, case_no } of items) {
    cases += caseLine(c.row, case_no);
    for (const e of c.trail) trail += trailLine(e, c.row.district_code);
    for (const s of c.suspensions) suspensions += copyLine([c.row.id, c.row.district_code, s.started_at, s.ended_at]);
  }
  if (cases) await db.copyFrom('cases', CASE_COPY_COLUMNS, cases);
  await noteCaseChange(db, caseChangeOf(items.map(({ c }) => c.row))); // the tile bump (db/tile-bumps.ts)
  if (cases) await applyDayDeltas(db, dayDeltasOfCopy(CASE_COPY_COLUMNS, cases)); // case_grid_days (db/grid-counts.ts)
  if (trail) await db.copyFrom('case_trail', TRAIL_COPY_COLUMNS, trail);
  if (suspensions) await db.copyFrom('case_suspensions', ['case_id', 'district_code', 'started_at', 'ended_at'], suspensions);
}

// Progress of a background load ---------------------------------------------------------------------------------

export type HistoryPlan = { seed: number; start_at: Date; end_at: Date; loaded_until: string | null; finished_at: Date | null };

export async function plan(db: Queryable): Promise<HistoryPlan | null> {
  const { rows } = await db.query<HistoryPlan>(
    `select seed, start_at, end_at, to_char(loaded_until, 'YYYY-MM-DD') as loaded_until, finished_at from demo_history`);
  return rows[0] ?? null;
}

export async function savePlan(db: Queryable, p: { seed: number; start_at: Date; end_at: Date }): Promise<void> {
  await db.query(
    `insert into demo_history (seed, start_at, end_at) values ($1, $2, $3)
     on conflict (id) do update set seed = excluded.seed, start_at = excluded.start_at, end_at = excluded.end_at, loaded_until = null, finished_at = null`,
    [p.seed, p.start_at, p.end_at]);
}

export async function markLoaded(db: Queryable, date: string, finished: boolean): Promise<void> {
  await db.query(`update demo_history set loaded_until = $1::date, finished_at = case when $2 then now() end`, [date, finished]);
}
