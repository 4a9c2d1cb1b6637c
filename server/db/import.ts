// Component import (部件导入): the only SQL of server/services/import-components.ts. A batch is staged by COPY into
// a temporary table, planned by one set-based statement (grid by st_covers, existing component by source id),
// then written with one insert (ids from sequences reserved per district and class in the same statement) and
// one update, each run only when the plan's counts say it has rows. All of it runs inside the caller's
// transaction; the temporary tables are dropped at commit.
import { readFileSync } from 'node:fs';
import type { Queryable } from './types.js';
import { noteTileSets } from './tile-bumps.js';
import { toEwkt } from '../domain/import/ewkt.js';
import type { NormalRow, SwapCandidate } from '../domain/import/rows.js';
import { applyCountDeltas, countDeltasSql, type CountDeltas } from './grid-counts.js';
import { analyzeTable, isDistributed } from './distribute.js';

const PLAN_SQL = readFileSync(new URL('./sql/import-plan.sql', import.meta.url), 'utf8');
const PLAN_BY_GRID_SQL = readFileSync(new URL('./sql/import-plan-by-grid.sql', import.meta.url), 'utf8');

export const STAGING_COLUMNS = [
  'row_no', 'source_id', 'class_code', 'status', 'survey_date', 'change_date', 'data_source', 'note', 'attrs', 'geom', 'swap_only',
] as const;

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** COPY text of a value (copy-text.ts's rules), skipping the replaces when nothing needs escaping (the usual case). */
function esc(v: string | null): string {
  if (v === null) return '\\N';
  return NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/** One import_rows line in COPY text format. Codes, dates and EWKT need no escaping; free text does. Joined from
 *  an array, which makes one flat string: a template literal leaves a tree of ~20 concatenations per line, which the
 *  batch holds (100,000 lines) and the garbage collector copies until the batch is sent (issue 12: ~0.8 s of CPU
 *  per 200,000 rows). */
export function stagingLine(r: NormalRow): string {
  return [r.row, esc(r.source_id), r.class_code, r.status ?? '\\N', r.survey_date ?? '\\N', r.change_date ?? '\\N',
    r.data_source ?? '\\N', esc(r.note), hasKeys(r.attrs) ? esc(JSON.stringify(r.attrs)) : '{}', toEwkt(r.geom), 'f\n'].join('\t');
}

/** A row whose out-of-range coordinates look swapped: staged with the swapped geometry, to be checked only. */
export function swapLine(c: SwapCandidate): string {
  return `${c.row}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t${toEwkt(c.swapped)}\tt\n`;
}

/**
 * Creates (first time in this transaction) and empties the staging tables, and takes the import lock so two
 * imports do not plan the same new source ids at once. Call inside a transaction.
 */
export async function prepareStaging(tx: Queryable, o: { check_stats?: boolean } = {}): Promise<void> {
  // Statistics that say components is empty while it has pages (analysed right after a mass delete) make the
  // planner treat it as one row and scan all of it per staged row; analyse it first in that one case. On Citus
  // through analyzeTable: a plain analyze of the Citus local table is refused once the transaction wrote it.
  // `check_stats: false` (the import's later batches): checked by the first batch already; one round trip less.
  if (o.check_stats ?? true) {
    const { rows: [stats] } = await tx.query<{ stale: boolean }>(
      `select reltuples <= 0 and relpages > 0 as stale from pg_class where oid = 'components'::regclass`);
    if (stats?.stale) await analyzeTable(tx, 'components');
  }
  await tx.exec(`
    set local jit = off; -- compiling these few-millisecond statements costs more than it saves
    -- A batch's sorts and hashes (the window numbering new ids over 100,000 rows of ~150 bytes, the joins with the
    -- plan) and the count trigger's transition table stay in memory instead of spilling to temporary files (issue 12).
    set local work_mem = '128MB';
    create temp table if not exists import_rows (
      row_no integer not null, source_id text, class_code text, status text, survey_date date, change_date date,
      data_source text, note text, attrs jsonb, geom geometry not null, swap_only boolean not null
    ) on commit drop;
    create temp table if not exists import_plan (
      row_no integer not null, class_code text, outcome text not null, existing_id text, existing_class text, grid_code text,
      community_code text, street_code text, district_code text, x double precision, y double precision, swap_grid text
    ) on commit drop;
    drop index if exists import_rows_pt; -- built after the COPY (applyStaged): one sorted build, not a row at a time
    truncate import_rows, import_plan;
    select pg_advisory_xact_lock(hashtext('gridline.import_components'));`);
}

export async function stage(tx: Queryable, copyText: string): Promise<void> {
  await tx.copyFrom('import_rows', STAGING_COLUMNS, copyText);
}

/** What the plan decided for a row that is not written. */
export type PlannedRejection = {
  row_no: number;
  outcome: 'outside_grids' | 'swapped_coordinates' | 'invalid_coordinates' | 'class_changed' | 'invalid_geometry';
  source_id: string | null;
  class_code: string | null;
  existing_id: string | null;
  existing_class: string | null;
  grid_code: string | null;
  x: number | null;
  y: number | null;
  swap_grid: string | null;
};

export type BatchOutcome = { imported: number; updated: number; written: number; rejected: PlannedRejection[] };

/** Which of the tables the plan reads Citus has distributed (docs/citus.md): the plan stages those first. */
export type ImportLayout = { components: boolean; grids: boolean };

/** The import's layout, read once per import (two or four catalog queries) instead of once per batch. */
export async function importLayout(db: Queryable): Promise<ImportLayout> {
  const components = await isDistributed(db, 'components');
  return { components, grids: components || await isDistributed(db, 'grids') };
}

/**
 * On Citus, where grids is distributed (docs/citus.md): Citus refuses the plan's lateral probes from the staged rows
 * (a local table) into a distributed table. The current grids the batch's points and their swapped twins can fall
 * in (those meeting the two extents) are copied into a temporary table first, with its own GiST index, and the plan
 * reads that instead: returns the plan with `from grids` so renamed. Elsewhere the plan probes grids directly.
 */
async function stageGrids(tx: Queryable, plan: string): Promise<string> {
  await tx.exec(`
    create temp table if not exists import_grids (
      code text, community_code text, street_code text, district_code text, geom geometry, valid_to date
    ) on commit drop;
    drop index if exists import_grids_geom;
    truncate import_grids;`);
  const { rows: [e] } = await tx.query<{ a: string | null; b: string | null }>(
    `select st_asewkt(st_setsrid(st_extent(pt)::geometry, 4326)) as a, st_asewkt(st_flipcoordinates(st_setsrid(st_extent(pt)::geometry, 4326))) as b
       from (select case when geometrytype(geom) = 'POINT' then geom else st_pointonsurface(geom) end as pt from import_rows) p`);
  await tx.query(
    `insert into import_grids (code, community_code, street_code, district_code, geom, valid_to)
     select code, community_code, street_code, district_code, geom, valid_to from grids
      where valid_to is null and (geom && $1::geometry or geom && $2::geometry)`, [e.a, e.b]);
  await tx.exec('create index import_grids_geom on import_grids using gist (geom)');
  return plan.replace(/\bfrom grids\b/g, 'from import_grids');
}

/**
 * On Citus, once components is distributed (docs/citus.md): Citus refuses the plan's per-row probe of components by
 * source id from the staged rows (a local table), as it refuses the grid probes (stageGrids, which runs first). The
 * components the plan can match (the batch's source ids, in the districts of the staged grids: a row's component
 * is looked up in the district of its grid, and the staged grids are every grid a row can get) are copied into a
 * temporary table first, in one statement naming those districts (`district_code = any`: one shard for a batch
 * inside one district), with an index for the same probe, and the plan reads that instead: returns the plan with
 * `from components` so renamed. Elsewhere the plan probes components directly.
 */
async function stageComponents(tx: Queryable, plan: string): Promise<string> {
  await tx.exec(`
    create temp table if not exists import_components (id text, class_code text, source_id text, district_code text) on commit drop;
    drop index if exists import_components_source;
    truncate import_components;`);
  const { rows: districts } = await tx.query<{ d: string }>('select distinct district_code as d from import_grids order by 1');
  await tx.query(
    `insert into import_components (id, class_code, source_id, district_code)
     select id, class_code, source_id, district_code from components
      where district_code = any ($1::text[]) and source_id in (select source_id from import_rows where source_id is not null)`,
    [districts.map((r) => r.d)]);
  await tx.exec('create index import_components_source on import_components (source_id, district_code)');
  return plan.replace(/\bfrom components\b/g, 'from import_components');
}

/**
 * Plans and writes the staged batch (`by_grid`: from the grids' side, for a batch of at least as many rows as
 * there are current grids; sql/import-plan-by-grid.sql). New components get `district + class + sequence` ids from
 * component_sequences (one upsert per batch reserves every (district, class) range), the supervising department
 * of their class, and the defaults for what the row did not give. Existing ones (same source id in the district the
 * row's point lies in: a source id is unique per district, 0062) get the row's
 * position, grid, community and street, and whatever the row gives; they are written only when something
 * differs (`written`), so a re-import of an unchanged file writes nothing. The insert and the update each return
 * their per-grid count changes (db/grid-counts.ts), applied right after them. `staged`: the rows staged; when the
 * plan sent all of them to the insert or the update, the rejection query is skipped. Statements with nothing to do
 * (no insert, no update) are not run.
 */
export async function applyStaged(
  tx: Queryable,
  d: { today: string; survey_date: string; default_status: string; data_source: string; by_grid?: boolean; staged?: number; layout?: ImportLayout },
): Promise<BatchOutcome> {
  if (d.by_grid) {
    // The index the grid-side lookup probes once per grid (sql/import-plan-by-grid.sql), on the point it locates.
    await tx.exec(`create index import_rows_pt on import_rows using gist
                     ((case when geometrytype(geom) = 'POINT' then geom else st_pointonsurface(geom) end))`);
  }
  // No analyze of import_rows: every lookup of the plan is a lateral probe or the grid-side loop, whatever the
  // statistics say, and the planner sizes a never-analysed table by its pages (issue 12: 0.5-1 s a batch).
  const plan = d.by_grid ? PLAN_BY_GRID_SQL : PLAN_SQL;
  // On Citus, the distributed tables the plan reads are staged first (stageGrids, stageComponents): the components
  // are read in the districts of the staged grids, so those are staged whenever components is distributed.
  const layout = d.layout ?? await importLayout(tx);
  const gridsStaged = layout.grids ? await stageGrids(tx, plan) : plan;
  const { rows: counts } = await tx.query<{ outcome: string; district_code: string | null; class_code: string | null; n: number }>(
    layout.components ? await stageComponents(tx, gridsStaged) : gridsStaged);
  const n = (o: string) => counts.reduce((a, r) => a + (r.outcome === o ? r.n : 0), 0);
  const planned = counts.reduce((a, r) => a + r.n, 0);
  const imported = n('insert');
  const updated = n('update');
  const rejected = planned === d.staged && imported + updated === planned ? [] : await plannedRejections(tx);
  if (imported > 0) {
    const need = counts.filter((r) => r.outcome === 'insert');
    // Per (district, class), from the plan's counts: the reserved range and the class's default department, a
    // few rows each row looks up. Ids are numbered over the plan's narrow rows, then joined to the staged data by
    // hashing (neither side has an index on row_no, and no statistics are needed for this). Whichever side the
    // hash is built on, rows come in file order or in id order; either way every (district, class) has its own
    // key range whose numbers grow with the row, so the primary key's inserts append at the ends of a few
    // ranges, with no sort of the wide rows.
    const { rows: [inserted] } = await tx.query<CountDeltas>(
      `with need as (
         select * from unnest($4::text[], $5::text[], $6::int[]) as t(district_code, class_code, n)
       ), seq as (
         insert into component_sequences as cs (district_code, class_code, last_seq)
         select district_code, class_code, n from need
         on conflict (district_code, class_code) do update set last_seq = cs.last_seq + excluded.last_seq
         returning cs.district_code, cs.class_code, cs.last_seq
       ), base as materialized (
         select q.district_code, q.class_code, q.last_seq - n.n as base, cd.department_id
           from seq q join need n using (district_code, class_code)
           left join class_departments cd on cd.kind = 'component' and cd.class_code = q.class_code
       ), numbered as (
         select p.row_no, p.district_code || p.class_code
                  || lpad(((select b.base from base b where b.district_code = p.district_code and b.class_code = p.class_code)
                           + row_number() over (partition by p.district_code, p.class_code order by p.row_no))::text, 6, '0') as id,
                p.class_code, p.district_code, p.grid_code, p.community_code, p.street_code,
                (select b.department_id from base b where b.district_code = p.district_code and b.class_code = p.class_code) as department_id
           from import_plan p
          where p.outcome = 'insert'
       ), ins as (
         insert into components (id, class_code, district_code, supervising_department_id, status, survey_date, change_date,
                                 data_source, note, grid_code, community_code, street_code, source_id, geom, attrs)
         select n.id, n.class_code, n.district_code, n.department_id, coalesce(s.status, $2), coalesce(s.survey_date, $1::date), s.change_date,
                coalesce(s.data_source, $3), s.note, n.grid_code, n.community_code, n.street_code, s.source_id, s.geom, coalesce(s.attrs, '{}')
           from numbered n
           join import_rows s on s.row_no = n.row_no
         returning district_code, grid_code, class_code, 1 as n
       )
       ${countDeltasSql('ins')}`,
      [d.survey_date, d.default_status, d.data_source, need.map((r) => r.district_code), need.map((r) => r.class_code), need.map((r) => r.n)],
    );
    await applyCountDeltas(tx, inserted);
    await noteTileSets(tx, ['components']); // the tile bump, at commit (db/tile-bumps.ts)
  }
  if (updated === 0) return { imported, updated, written: 0, rejected };
  await tx.exec('analyze import_plan'); // the update joins components by id: with real counts, probes or a hash as they deserve
  // The old grid comes from a second reference to the row (o): the import lock (prepareStaging) keeps other imports,
  // the only writers that move a component, away until commit, so o's grid is the one the update replaces. The
  // districts of the updated rows (from the plan's counts) are named as constants too: implied by the join with the
  // plan, but only a constant lets Citus send the update to those districts' shards alone, not to all 32, once
  // components is distributed.
  const { rows: [written] } = await tx.query<CountDeltas & { written: number }>(
    `with u as (
       update components c
          set status = coalesce(s.status, c.status),
              survey_date = coalesce(s.survey_date, c.survey_date),
              change_date = coalesce(s.change_date, $1::date),
              data_source = coalesce(s.data_source, c.data_source),
              note = coalesce(s.note, c.note),
              grid_code = p.grid_code, community_code = p.community_code, street_code = p.street_code,
              geom = s.geom,
              attrs = c.attrs || coalesce(s.attrs, '{}')
         from import_plan p join import_rows s using (row_no) join components o on o.id = p.existing_id and o.district_code = p.district_code
        where p.outcome = 'update' and c.id = p.existing_id and c.district_code = p.district_code
          and c.district_code = any ($2::text[]) and o.district_code = any ($2::text[])
          and (c.status, c.survey_date, c.change_date, c.data_source, c.note, c.grid_code, c.geom, c.attrs)
              is distinct from
              (coalesce(s.status, c.status), coalesce(s.survey_date, c.survey_date), coalesce(s.change_date, c.change_date),
               coalesce(s.data_source, c.data_source), coalesce(s.note, c.note), p.grid_code, s.geom, c.attrs || coalesce(s.attrs, '{}'))
       returning c.district_code, c.grid_code, c.class_code, o.district_code as old_district, o.grid_code as old_grid, o.class_code as old_class
     ), moved as (
       select district_code, grid_code, class_code, 1 as n from u
       union all
       select old_district, old_grid, old_class, -1 from u
     )
     select (select count(*)::int from u) as written, x.* from (${countDeltasSql('moved')}) x`,
    [d.today, [...new Set(counts.filter((r) => r.outcome === 'update').map((r) => r.district_code))]],
  );
  await applyCountDeltas(tx, written);
  if (written.written) await noteTileSets(tx, ['components']);
  return { imported, updated, written: written.written, rejected };
}

/** The rows of the batch the plan did not send to the insert or the update, with what it found. */
async function plannedRejections(tx: Queryable): Promise<PlannedRejection[]> {
  // A row the plan lost (PostGIS failing on a shape the TypeScript checks let through) is reported, not dropped.
  const { rows } = await tx.query<PlannedRejection>(
    `select p.row_no, p.outcome, s.source_id, p.class_code, p.existing_id, p.existing_class, p.grid_code, p.x, p.y, p.swap_grid
       from import_plan p join import_rows s using (row_no)
      where p.outcome not in ('insert', 'update')
     union all
     select s.row_no, 'invalid_geometry', s.source_id, s.class_code, null, null, null, null, null, null
       from import_rows s
      where not exists (select 1 from import_plan p where p.row_no = s.row_no)
      order by 1`,
  );
  return rows;
}

/** How many current unit grids there are: a batch of at least this many rows is planned from the grids' side. */
export async function currentGridCount(db: Queryable): Promise<number> {
  const { rows: [r] } = await db.query<{ n: number }>('select count(*)::int as n from grids where valid_to is null');
  return r.n;
}

/** Codes of the component classes (the FK target of components.class_code). */
export async function componentClassCodes(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ code: string }>(`select code from classes where kind = 'component'`);
  return new Set(rows.map((r) => r.code));
}
