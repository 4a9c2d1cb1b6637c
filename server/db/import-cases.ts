// Historical case import: the only SQL of services/import-cases.ts. A batch is staged by COPY into a temporary
// table, located and matched in a few set-based statements (grid by st_covers, department by name — created when
// missing —, existing case by source system and id, locked), then written by COPY (new cases, their trail) and one
// UPDATE (re-imported cases). All of it runs in the caller's transaction; the temporary tables go at commit.
import type { Queryable } from './types.js';
import { caseKeyArrays, lockCaseWrites, type CaseKey } from './cases.js';
import { applyDayDeltas, dayDeltasOfCopy, dayDeltasSql, type DayDeltas } from './grid-counts.js';
import { copyLine, copyValue } from './copy-text.js';
import { caseChangeOfCopy, noteCaseChange, type CaseChange } from './tile-bumps.js';
import type { CasePlace, ImportedSnapshot } from '../domain/case-import.js';
import type { ChainedEntry } from '../domain/trail.js';

/**
 * Creates (first time in this transaction) and empties the staging table, and takes the import lock, so two
 * imports do not plan the same new source ids (or departments) at once. Call inside a transaction.
 */
export async function prepareStaging(tx: Queryable): Promise<void> {
  await tx.exec(`
    set local jit = off;
    create temp table if not exists case_import_rows (
      row_no integer not null, source_id text not null, department text, geom geometry(Point, 4326) not null
    ) on commit drop;
    truncate case_import_rows;
    select pg_advisory_xact_lock(hashtext('gridline.import_cases'));`);
}

export type StagedRow = { row: number; source_id: string; department: string | null; lon: number; lat: number };

export async function stage(tx: Queryable, rows: readonly StagedRow[]): Promise<void> {
  let text = '';
  for (const r of rows) text += `${r.row}\t${copyValue(r.source_id)}\t${copyValue(r.department)}\tSRID=4326;POINT(${r.lon} ${r.lat})\n`;
  if (text) await tx.copyFrom('case_import_rows', ['row_no', 'source_id', 'department', 'geom'], text);
}

/**
 * Each staged row's grid (null outside every current unit grid), responsibility grid and department. A department
 * is matched by name ignoring case, and created (level 2) when no department has that name; only rows inside the
 * district create departments.
 */
export async function plan(tx: Queryable): Promise<Map<number, CasePlace | null>> {
  await tx.exec('analyze case_import_rows');
  const { rows } = await tx.query<{
    row_no: number; grid_code: string | null; community_code: string | null; street_code: string | null; district_code: string | null;
    responsibility_code: string | null; department_id: string | number | null;
  }>(
    // The grids covering the rows as a join of its own (materialized), then the lowest code per row: Citus refuses a
    // lateral outer join from a local table to the distributed grids (docs/citus.md).
    `with hit as materialized (
       select r.row_no, g.code, g.community_code, g.street_code, g.district_code
         from case_import_rows r join grids g on g.valid_to is null and st_covers(g.geom, r.geom)
     ), located as (
       select distinct on (r.row_no) r.row_no, r.department, h.code, h.community_code, h.street_code, h.district_code
         from case_import_rows r left join hit h on h.row_no = r.row_no
        order by r.row_no, h.code
     ), names as (
       select distinct on (lower(department)) department as name from located
        where code is not null and department is not null order by lower(department), department
     ), known as (
       select n.name, (select min(d.id) from departments d where lower(d.name) = lower(n.name)) as id from names n
     ), created as (
       insert into departments (name, level) select name, 2 from known where id is null
       on conflict (name) do nothing returning id, name
     )
     select l.row_no, l.code as grid_code, l.community_code, l.street_code, l.district_code, m.responsibility_code,
            coalesce(k.id, c.id) as department_id
       from located l
       left join known k on lower(k.name) = lower(l.department)
       left join created c on lower(c.name) = lower(l.department)
       left join responsibility_grid_members m on m.grid_code = l.code`,
  );
  const out = new Map<number, CasePlace | null>();
  for (const r of rows) {
    out.set(r.row_no, r.grid_code === null ? null : {
      grid_code: r.grid_code, community_code: r.community_code!, street_code: r.street_code!, district_code: r.district_code!,
      responsibility_code: r.responsibility_code, department_id: r.department_id === null ? null : Number(r.department_id),
    });
  }
  return out;
}

/**
 * The cases a batch re-imports, by source id, locked until commit (a live action waits for the import). A source id
 * is read in every district (a re-import that would move a case to another district is refused, domain/case-import.ts
 * reimport), then locked district by district: on Citus a row is locked only by a statement sent to one shard, and a
 * case never changes district, so the unlocked first read names the right one.
 */
export async function existing(tx: Queryable, source_system: string, source_ids: readonly string[]): Promise<Map<string, ImportedSnapshot>> {
  if (!source_ids.length) return new Map();
  const { rows: found } = await tx.query<{ id: string; district_code: string }>(
    'select id::text as id, district_code from cases where source_system = $1 and source_id = any($2::text[])', [source_system, source_ids]);
  const byDistrict = new Map<string, string[]>();
  for (const f of found) {
    const ids = byDistrict.get(f.district_code);
    if (ids) ids.push(f.id);
    else byDistrict.set(f.district_code, [f.id]);
  }
  const out = new Map<string, ImportedSnapshot>();
  for (const [district, ids] of [...byDistrict].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // The rows locked first, their trails' last instants read after: Citus refuses FOR UPDATE on a statement with a
    // subquery, even one sent to a single shard.
    const { rows } = await tx.query<Omit<ImportedSnapshot, 'last_at'> & { source_id: string; department_id: string | number | null }>(
      `select c.id::text as id, c.source_id, c.version, c.status, c.source, c.class_code, c.description, c.address, c.district_code,
              st_x(c.geom) as lon, st_y(c.geom) as lat, c.grid_code, c.department_id, c.source_type, c.created_at,
              c.dispatched_at, c.handling_deadline_at, c.closed_at
         from cases c
        where c.district_code = $1 and c.id = any($2::uuid[])
        for update of c`,
      [district, ids],
    );
    const { rows: last } = await tx.query<{ case_id: string; last_at: Date }>(
      `select case_id::text as case_id, max(at) as last_at from case_trail
        where district_code = $1 and case_id = any($2::uuid[]) group by case_id`,
      [district, rows.map((r) => r.id)],
    );
    const lastAt = new Map(last.map((l) => [l.case_id, l.last_at]));
    for (const r of rows) {
      out.set(r.source_id, { ...r, last_at: lastAt.get(r.id) ?? null, department_id: r.department_id === null ? null : Number(r.department_id) } as ImportedSnapshot);
    }
  }
  return out;
}

/** Columns of a new imported case written by COPY (domain/case-import.ts importedCaseColumns, plus identity, number
 *  and chain head); geom (EWKT) comes from lon/lat. The rest keep their defaults. */
const INSERT_COLUMNS = [
  'id', 'case_no', 'trail_head', 'version', 'status', 'source', 'kind', 'class_code', 'condition', 'component_id', 'description',
  'address', 'district_code', 'street_code', 'community_code', 'grid_code', 'responsibility_code', 'reporter_id', 'reporter_name',
  'reporter_phone', 'self_handled', 'urgent', 'department_id', 'suggested_department_id', 'suggestion_taken', 'pending_application',
  'pending_extension_hours', 'verify_found', 'handled_late', 'urged', 'return_count', 'rework_count', 'urge_count', 'extension_count',
  'extension_hours', 'suspension_count', 'suspended_at', 'closing_type', 'void_reason', 'step', 'step_started_at', 'step_deadline_at',
  'yellow_at', 'red_at', 'handling_started_at', 'handling_deadline_at', 'overdue_after', 'filed_at', 'dispatched_at', 'closed_at',
  'merged_into', 'created_at', 'updated_at', 'origin', 'source_system', 'source_id', 'source_type', 'geom',
] as const;

/** A case's COPY line from its column values (lon/lat → geom). */
export function caseLine(c: Record<string, unknown>): string {
  return copyLine(INSERT_COLUMNS.map((k) => (k === 'geom' ? `SRID=4326;POINT(${Number(c.lon)} ${Number(c.lat)})` : c[k])));
}

export async function insertCases(tx: Queryable, copyText: string): Promise<void> {
  if (copyText) await lockCaseWrites(tx); // before the cases triggers, as every case write (db/cases.ts lockCaseWrites)
  if (copyText) await tx.copyFrom('cases', INSERT_COLUMNS, copyText);
  if (copyText) await noteCaseChange(tx, caseChangeOfCopy(INSERT_COLUMNS, copyText)); // the tile bump (db/tile-bumps.ts)
  if (copyText) await applyDayDeltas(tx, dayDeltasOfCopy(INSERT_COLUMNS, copyText)); // case_grid_days (db/grid-counts.ts)
}

const TRAIL_COPY_COLUMNS = [
  'case_id', 'district_code', 'seq', 'at', 'actor', 'role', 'action', 'from_status', 'to_status', 'note', 'photo_ids', 'deadline_at', 'data', 'prev_hash', 'hash',
] as const;

/** COPY line of a chained trail entry (the same values the hash was computed over) of a case of `district_code`. */
export function trailLine(e: ChainedEntry, district_code: string): string {
  return copyLine(TRAIL_COPY_COLUMNS.map((k) => (k === 'district_code' ? district_code : (e as unknown as Record<string, unknown>)[k] ?? null)));
}

export async function appendTrails(tx: Queryable, copyText: string): Promise<void> {
  if (copyText) await tx.copyFrom('case_trail', TRAIL_COPY_COLUMNS, copyText);
}

export type StoredEntry = {
  case_id: string; seq: number; at: Date; actor: string | null; role: string | null; action: string; from_status: string | null;
  to_status: string; deadline_at: Date | null; data: Record<string, unknown> | null; hash: string;
};

/** The whole trails of some cases (by id and district), in seq order, grouped by case (for facts and for chaining new entries). */
export async function trails(tx: Queryable, cases: readonly CaseKey[]): Promise<Map<string, StoredEntry[]>> {
  const out = new Map<string, StoredEntry[]>();
  if (!cases.length) return out;
  const { rows } = await tx.query<StoredEntry>(
    `select case_id::text as case_id, seq, at, actor, role, action, from_status, to_status, deadline_at, data, hash
       from case_trail where case_id = any($1::uuid[]) and district_code = any($2::text[]) order by case_id, seq`,
    caseKeyArrays(cases),
  );
  for (const r of rows) {
    let list = out.get(r.case_id);
    if (!list) out.set(r.case_id, (list = []));
    list.push(r);
  }
  return out;
}

/** What a re-import writes to one case: descriptive columns always, closing columns when `closing`. */
export const UPDATE_COLUMNS = [
  'id', 'version', 'closing', 'trail_head', 'source', 'kind', 'class_code', 'description', 'address', 'geom', 'district_code',
  'street_code', 'community_code', 'grid_code', 'responsibility_code', 'source_type', 'updated_at', 'status', 'handled_late',
  'closing_type', 'closed_at', 'step', 'step_started_at', 'step_deadline_at', 'yellow_at', 'red_at',
] as const;

export function updateLine(u: Record<string, unknown>): string {
  return copyLine(UPDATE_COLUMNS.map((k) => (k === 'geom' ? `SRID=4326;POINT(${Number(u.lon)} ${Number(u.lat)})` : u[k] ?? null)));
}

/**
 * Applies staged updates; each case must still be at the version read (it is locked, so it is). Returns how many
 * cases were written. The district is matched, never set: a re-import never moves a case to another district
 * (domain/case-import.ts reimport), and Citus refuses an update that sets the distribution column.
 */
export async function updateCases(tx: Queryable, copyText: string): Promise<number> {
  if (!copyText) return 0;
  await lockCaseWrites(tx); // before the cases triggers, as every case write (db/cases.ts lockCaseWrites)
  await tx.exec(`
    create temp table if not exists case_import_updates (
      id uuid not null, version integer not null, closing boolean not null, trail_head text not null, source text,
      kind text, class_code text, description text, address text, geom geometry(Point, 4326), district_code text,
      street_code text, community_code text, grid_code text, responsibility_code text, source_type text,
      updated_at timestamptz, status text, handled_late boolean, closing_type text, closed_at timestamptz, step text,
      step_started_at timestamptz, step_deadline_at timestamptz, yellow_at timestamptz, red_at timestamptz
    ) on commit drop;
    truncate case_import_updates;`);
  await tx.copyFrom('case_import_updates', UPDATE_COLUMNS, copyText);
  await noteCaseChange(tx, await reimportChange(tx)); // the tile bump (db/tile-bumps.ts)
  const moved = await reimportDays(tx); // case_grid_days, applied after the update (db/grid-counts.ts)
  const { rows } = await tx.query<{ n: number }>(
    `with u as (
       update cases c
          set source = u.source, kind = u.kind, class_code = u.class_code, description = u.description, address = u.address,
              geom = u.geom, street_code = u.street_code, community_code = u.community_code,
              grid_code = u.grid_code, responsibility_code = u.responsibility_code, source_type = u.source_type,
              updated_at = u.updated_at, trail_head = u.trail_head, version = c.version + 1,
              status = case when u.closing then u.status else c.status end,
              handled_late = case when u.closing then u.handled_late else c.handled_late end,
              closing_type = case when u.closing then u.closing_type else c.closing_type end,
              closed_at = case when u.closing then u.closed_at else c.closed_at end,
              step = case when u.closing then u.step else c.step end,
              step_started_at = case when u.closing then u.step_started_at else c.step_started_at end,
              step_deadline_at = case when u.closing then u.step_deadline_at else c.step_deadline_at end,
              yellow_at = case when u.closing then u.yellow_at else c.yellow_at end,
              red_at = case when u.closing then u.red_at else c.red_at end
         from case_import_updates u
        where c.id = u.id and c.district_code = u.district_code and c.version = u.version
       returning 1)
     select count(*)::int as n from u`,
  );
  await applyDayDeltas(tx, moved);
  return rows[0].n;
}

/**
 * What the staged re-imports change in case_grid_days, read before the update (the same rows: id and version; the
 * cases are locked): −1 at the old district and grid, +1 at the new, for the cases whose grid or district changes.
 */
async function reimportDays(tx: Queryable): Promise<DayDeltas> {
  const { rows: [d] } = await tx.query<DayDeltas>(dayDeltasSql(
    `(select x.* from cases c join case_import_updates u on u.id = c.id and u.version = c.version,
             lateral (values (c.district_code, c.created_at, c.grid_code, -1), (u.district_code, c.created_at, u.grid_code, 1))
               as x(district_code, created_at, grid_code, n)
       where (c.district_code, c.grid_code) is distinct from (u.district_code, u.grid_code))`));
  return d;
}

/**
 * Where the staged re-imports change the cases tiles, read before the update that applies them (the same rows: id and
 * version): the old and new points and communities of the cases whose tile columns (db/tile-bumps.ts
 * CASE_TILE_COLUMNS; a re-import writes no case_no, origin or created_at) or point change; null when none does.
 */
async function reimportChange(tx: Queryable): Promise<CaseChange | null> {
  const { rows: [r] } = await tx.query<{ x0: number | null; y0: number; x1: number; y1: number; communities: string[] | null }>(
    `select st_xmin(e) as x0, st_ymin(e) as y0, st_xmax(e) as x1, st_ymax(e) as y1, communities
       from (select st_extent(x.geom) as e, array_agg(distinct x.community_code) filter (where x.community_code is not null) as communities
               from cases c join case_import_updates u on u.id = c.id and u.version = c.version,
                    lateral (values (c.geom, c.community_code), (u.geom, u.community_code)) as x(geom, community_code)
              where (c.source, c.class_code, c.grid_code, c.community_code, c.status, c.yellow_at, c.red_at)
                    is distinct from
                    (u.source, u.class_code, u.grid_code, u.community_code, case when u.closing then u.status else c.status end,
                     case when u.closing then u.yellow_at else c.yellow_at end, case when u.closing then u.red_at else c.red_at end)
                 or not st_equals(c.geom, u.geom)) s`,
  );
  if (!r || r.x0 === null) return null;
  return { points: [Number(r.x0), Number(r.y0), Number(r.x1), Number(r.y1)], communities: r.communities ?? [] };
}

/** Removes the facts of cases (by id and district) whose facts are about to be written again from their grown trails. */
export async function deleteFacts(tx: Queryable, cases: readonly CaseKey[]): Promise<void> {
  if (!cases.length) return;
  const params = caseKeyArrays(cases);
  await tx.query('delete from case_dispatches where case_id = any($1::uuid[]) and district_code = any($2::text[])', params);
  await tx.query('delete from case_steps where case_id = any($1::uuid[]) and district_code = any($2::text[])', params);
}

/** Codes of the matter classes (the FK target of cases.class_code). */
export async function matterClassCodes(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ code: string }>(`select code from classes where kind = 'matter'`);
  return new Set(rows.map((r) => r.code));
}
