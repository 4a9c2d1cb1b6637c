// Citus as a third engine (issue 12; docs/citus.md). Two sides of one seam, server/db/distribute.ts:
// - on every engine of the db project (PGlite, and PostgreSQL with TEST_DATABASE_URL): no Citus, so the
//   distribution step does nothing, and GRIDLINE_DISTRIBUTED=citus is refused with what to do;
// - with CITUS_TEST_DATABASE_URL (a coordinator with two workers: scripts/citus/cluster.sh; .ci/run sets it), the
//   database is reset and seeded there, and the tests read from Citus what it distributed and made reference tables,
//   that the app's writes to distributed tables go to one shard, that case and component writes run with the
//   reference tables in place (their triggers, migration 0042), and, from EXPLAIN on the layout docs/citus.md plans for grids and cases,
//   that locating a point and reading a case of one district are routed to one shard ("Task Count: 1").
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { analyzeTable, citusTables, distribute, DISTRIBUTED_TABLES, isCitus, parseDistributionMode, REFERENCE_TABLES } from '../../../server/db/distribute.js';
import { migrate, readMigrations } from '../../../server/db/migrate.js';
import { wrapClient } from '../../../server/db/postgres.js';
import { reserveSequence } from '../../../server/db/components.js';
import { loadedFiles, markLoaded } from '../../../server/db/classes.js';
import { actOnCase, readCase, reportCase } from '../../../server/services/cases.js';
import { drawGrids } from '../../../server/services/draw-grids.js';
import * as gridsDb from '../../../server/db/grids.js';
import { drawTile } from '../../../server/db/tiles.js';
import { tileOf } from '../../helpers/tiles.js';
import { upsertRegions, type RegionRow } from '../../../server/db/demo.js';
import { caseDeps, demoUsers, pointInGrid } from '../../helpers/cases.js';
import type { Queryable } from '../../../server/db/types.js';
import { sharedPglite, testBackends, withTestDb } from '../../helpers/backends.js';
import { resetAndSeedPostgres } from '../../helpers/fixture.js';

describe('GRIDLINE_DISTRIBUTED', () => {
  test('citus, none and auto (the default, also when empty) are read; anything else is refused by name', () => {
    expect(parseDistributionMode(undefined)).toBe('auto');
    expect(parseDistributionMode('')).toBe('auto');
    expect(parseDistributionMode(' Citus ')).toBe('citus');
    expect(parseDistributionMode('none')).toBe('none');
    expect(parseDistributionMode('off')).toBe('none');
    expect(() => parseDistributionMode('yes')).toThrow(/GRIDLINE_DISTRIBUTED must be citus, none or auto; got "yes"/);
  });
});

/** TEST_DATABASE_URL is the coordinator itself (.ci/run's third engine runs the whole db project there). */
const onCoordinator = !!process.env.CITUS_TEST_DATABASE_URL && process.env.CITUS_TEST_DATABASE_URL === process.env.TEST_DATABASE_URL;

// The shared PGlite (migrated and seeded, or from its image) opens before the tests, not inside the first one's time.
beforeAll(async () => { if (testBackends().includes('pglite')) await sharedPglite(); }, 600_000);

// The whole db project also runs against a coordinator (.ci/run's third engine: TEST_DATABASE_URL is then a Citus
// database the global setup migrated and distributed): there the step has nothing left to do.
describe.each(testBackends())('the distribution step on %s', (backend) => {
  test('auto changes nothing: no Citus here (PGlite, PostgreSQL), or everything already converted (a coordinator); the migrations run as before', () => withTestDb(backend, async (db) => {
    expect(await isCitus(db)).toBe(backend === 'postgres' && onCoordinator);
    expect(await distribute(db, 'auto')).toEqual([]);
    expect(await migrate(db, undefined, { distributed: 'auto' })).toEqual([]);
  }));

  test('analyzeTable analyses a table written in the same transaction; a name that is not one is refused', () => withTestDb(backend, async (db) => {
    await db.query('update grids set land_use = land_use where code = (select min(code) from grids)');
    await analyzeTable(db, 'grids');
    await expect(analyzeTable(db, 'grids; drop table cases')).rejects.toThrow(/not a table name/);
  }));

  test('GRIDLINE_DISTRIBUTED=citus on a database without Citus stops the migration runner and says what to do; on a coordinator it is done', () => withTestDb(backend, async (db) => {
    if (await isCitus(db)) {
      expect(await distribute(db, 'citus')).toEqual([]);
      expect((await citusTables(db)).filter((t) => t.kind === 'reference').map((t) => t.table).sort()).toEqual([...REFERENCE_TABLES].sort());
      return;
    }
    await expect(distribute(db, 'citus')).rejects.toThrow(/no citus extension: point DATABASE_URL at a Citus coordinator \(scripts\/citus\/cluster\.sh start\)/);
    await expect(migrate(db, undefined, { distributed: 'citus' })).rejects.toThrow(/no citus extension/);
  }));
});

const citusUrl = process.env.CITUS_TEST_DATABASE_URL;
// Defined only when a coordinator is given (.ci/run starts one and sets the URL): not skipped, absent.
if (citusUrl) {
  describe('on a Citus coordinator with two workers', () => {
    let pool: pg.Pool;
    beforeAll(async () => {
      // Migrations, then the distribution step (auto), then the fixture district; when the coordinator is also
      // TEST_DATABASE_URL the global setup did that already, and the other test files are using it.
      if (!onCoordinator) await resetAndSeedPostgres(citusUrl);
      pool = new pg.Pool({ connectionString: citusUrl, max: 2 });
    }, 600_000);
    afterAll(async () => { await pool?.end(); });

    /** fn on one connection inside a transaction that is rolled back; `notices` collects what the server said. */
    async function inTx<T>(fn: (db: Queryable, notices: string[]) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      const notices: string[] = [];
      const hear = (m: { message?: string }) => { notices.push(m.message ?? ''); };
      client.on('notice', hear);
      try {
        await client.query('begin');
        return await fn(wrapClient(client), notices);
      } finally {
        await client.query('rollback').catch(() => {});
        client.off('notice', hear);
        client.release();
      }
    }

    const explain = async (db: Queryable, sql: string, params: unknown[] = []) =>
      (await db.query<{ 'QUERY PLAN': string }>(`explain (costs off) ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
    const taskCount = (plan: string) => Number(/Task Count: (\d+)/.exec(plan)?.[1] ?? NaN);

    test('the step distributed component_sequences by district code, made the shared tables reference tables; those linked to them are Citus local tables, the rest plain', () => inTx(async (db) => {
      expect(await isCitus(db)).toBe(true);
      const tables = await citusTables(db);
      expect(tables.filter((t) => t.kind === 'distributed').map((t) => [t.table, t.column]))
        .toEqual(DISTRIBUTED_TABLES.map((d) => [d.table, d.column]));
      expect(tables.filter((t) => t.kind === 'reference').map((t) => t.table).sort()).toEqual([...REFERENCE_TABLES].sort());
      expect(REFERENCE_TABLES).toEqual(expect.arrayContaining(['classes', 'departments', 'class_departments', 'users', 'evaluation_settings', 'supervision_thresholds']));
      // Linked to the reference tables by foreign keys: Citus made them Citus local tables (on the coordinator).
      const local = tables.filter((t) => t.kind === 'local').map((t) => t.table);
      expect(local).toEqual(expect.arrayContaining(['cases', 'case_trail', 'case_events', 'components', 'grids', 'sessions', 'district_calendars']));
      expect(local).not.toContain('regions');
      // No foreign key to them: still plain PostgreSQL tables, which Citus does not know.
      for (const plain of ['case_grid_days', 'grid_component_counts', 'tile_generations', 'places', 'schema_migrations']) {
        expect(tables.map((t) => t.table)).not.toContain(plain);
      }
      const shards = await db.query<{ n: number; nodes: number }>(
        `select count(*)::int as n, count(distinct nodeport)::int as nodes from citus_shards where table_name = 'component_sequences'::regclass`);
      expect(shards.rows[0]).toEqual({ n: 32, nodes: 2 });
      // A reference table has its copy on every node: the coordinator and both workers.
      for (const table of ['classes', 'regions']) {
        const copies = await db.query<{ nodes: number }>(
          `select count(distinct nodeport)::int as nodes from citus_shards where table_name = $1::regclass`, [table]);
        expect(copies.rows[0].nodes, table).toBe(3);
      }
      const { rows: [counts] } = await db.query<{ classes: number; users: number }>(
        'select (select count(*)::int from classes) as classes, (select count(*)::int from users) as users');
      expect(counts.classes).toBeGreaterThan(100);
      expect(counts.users).toBeGreaterThan(5);
    }));

    test('a second run of the step changes nothing', () => inTx(async (db) => {
      expect(await distribute(db, 'citus')).toEqual([]);
      expect(await migrate(db)).toEqual([]);
    }));

    test('a migration of several statements applies after the distribution step (the runner sends them one by one: a worker refuses a DDL text of several commands)', () => inTx(async (db) => {
      const sql = `-- two statements on Citus tables, as a later migration would have them
comment on table grids is 'a later migration; with a semicolon in its text';
create index grids_later_migration_test on grids (code);
comment on table regions is $$dollar-quoted; too$$;`;
      const later = { version: 99_999, name: 'later_migration_test', sql, sha256: 'test' };
      expect(await migrate(db, [...readMigrations(), later])).toEqual(['99999_later_migration_test']);
      const { rows } = await db.query<{ grids: string; regions: string }>(
        `select obj_description('grids'::regclass, 'pg_class') as grids, obj_description('regions'::regclass, 'pg_class') as regions`);
      expect(rows[0]).toEqual({ grids: 'a later migration; with a semicolon in its text', regions: 'dollar-quoted; too' });
    }));

    test("the app's component id reservation (db/components.ts reserveSequence) is sent to one shard, on a worker", () => inTx(async (db, notices) => {
      await db.exec("set local citus.log_remote_commands = on; set local client_min_messages = log");
      const before = notices.length;
      const first = await reserveSequence(db, '110101', '01037', 5);
      const again = await reserveSequence(db, '110101', '01037', 1);
      expect(again).toBe(first + 5);
      const shards = new Set(notices.slice(before).flatMap((m) => /component_sequences_(\d+)/.exec(m)?.[1] ?? []));
      expect(shards.size).toBe(1);
      const other = await explain(db, `insert into component_sequences (district_code, class_code, last_seq) values ('110102', '01037', 1)
        on conflict (district_code, class_code) do update set last_seq = component_sequences.last_seq + 1`);
      expect(taskCount(other)).toBe(1);
    }));

    test('with the reference tables in place, a case is reported and acted on through the case service; the triggers of 0042 bump the tile generation with its extent and count its grid-day', () => inTx(async (db) => {
      const deps = caseDeps(db);
      const { inspector, operator } = await demoUsers(db);
      const p = await pointInGrid(db);
      const gen = async () => Number((await db.query<{ gen: string }>("select gen from tile_generations where tile_set = 'cases'")).rows[0].gen);
      const before = await gen();
      const r = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'citus' }, null);
      expect(r.case).toMatchObject({ status: 'pending_acceptance', grid_code: p.code, version: 1 });
      expect(await gen()).toBeGreaterThan(before);
      // The extent is the case's point and its community's polygon, as on PostgreSQL.
      const { rows: [change] } = await db.query<{ inside: boolean; community: boolean }>(
        `select st_intersects(st_makeenvelope(t.min_lon, t.min_lat, t.max_lon, t.max_lat, 4326), c.geom) as inside,
                st_makeenvelope(t.min_lon, t.min_lat, t.max_lon, t.max_lat, 4326) ~ (select geom from regions where code = c.community_code) as community
           from tile_changes t, cases c where t.tile_set = 'cases' and c.id = $1 order by t.gen desc limit 1`, [r.case.id]);
      expect(change).toEqual({ inside: true, community: true });
      const day = await db.query<{ n: number }>('select n from case_grid_days where grid_code = $1 and day = $2::date', [p.code, '2026-11-23']);
      expect(day.rows[0]?.n).toBeGreaterThanOrEqual(1);
      const accepted = await actOnCase(deps, operator, r.case.id, { action: 'accept', version: r.case.version });
      expect(accepted).toMatchObject({ status: 'pending_filing', version: 2 });
      expect((await readCase(deps, operator, r.case.id)).trail.map((e) => e.action)).toEqual(['report', 'accept']);
    }));

    test("a component write keeps the per-grid counts (0042's grid_component_counts_apply), and data_files' upsert runs on its reference table", () => inTx(async (db) => {
      const { rows: [c] } = await db.query<{ id: string; grid_code: string; major: string }>(
        'select id, grid_code, left(class_code, 2) as major from components where grid_code is not null order by id limit 1');
      const count = async () => (await db.query<{ n: number }>(
        'select n from grid_component_counts where grid_code = $1 and major_code = $2', [c.grid_code, c.major])).rows[0]?.n ?? 0;
      const n = await count();
      expect(n).toBeGreaterThan(0);
      await db.query('update components set grid_code = grid_code where id = $1', [c.id]);
      expect(await count()).toBe(n);
      await db.query('delete from components where id = $1', [c.id]);
      expect(await count()).toBe(n - 1);
      await markLoaded(db, 'citus-test.csv', 'a');
      await markLoaded(db, 'citus-test.csv', 'b');
      expect((await loadedFiles(db)).get('citus-test.csv')).toBe('b');
    }));

    test('a grid redraw (services/draw-grids.ts) and a region write (the loaders\' upsert) bump their tile sets from the writers (0048), with no trigger left on grids or regions; a component write still bumps from its trigger on the shard', () => inTx(async (db) => {
      const gens = async () => Object.fromEntries((await db.query<{ tile_set: string; gen: string }>(
        'select tile_set, gen from tile_generations')).rows.map((r) => [r.tile_set, Number(r.gen)]));
      const { rows: triggers } = await db.query<{ name: string }>(
        `select t.tgname as name from pg_trigger t
          where t.tgrelid in ('grids'::regclass, 'regions'::regclass, 'components'::regclass) and t.tgname like '%tile_generation%' order by 1`);
      expect(triggers.map((t) => t.name)).toEqual(['components_tile_generation', 'components_tile_generation_truncate']);
      // A plain SQL write moves nothing now: the writers do.
      let before = await gens();
      await db.query('update grids set land_use = land_use where code = (select min(code) from grids)');
      expect(await gens()).toEqual(before);
      const { rows: [g] } = await db.query<{ community_code: string }>(
        'select community_code from grids where valid_to is null group by community_code order by count(*) desc, community_code limit 1');
      const summary = await drawGrids(db, { communities: [g.community_code], valid_from: '2031-01-01', target_area_m2: 40_000 });
      expect(summary.ended).toBeGreaterThan(0);
      let after = await gens();
      for (const set of ['grids', 'components', 'cases']) expect(after[set]).toBeGreaterThan(before[set]);
      expect(after.basemap).toBe(before.basemap);
      before = after;
      const { rows: [region] } = await db.query<RegionRow>(
        `select code, level, name, parent_code, encode(st_asewkb(geom), 'hex') as geom, area_m2 from regions where code = $1`, [g.community_code]);
      await upsertRegions(db, [region]);
      after = await gens();
      for (const set of ['grids', 'components', 'cases', 'basemap']) expect(after[set]).toBeGreaterThan(before[set]);
      before = after;
      await db.query('update components set note = note where id = (select min(id) from components)');
      after = await gens();
      expect(after.components).toBeGreaterThan(before.components);
    }));

    test('regions is a reference table whose parent_code foreign key to itself still holds', () => inTx(async (db) => {
      await db.query(`insert into regions (code, level, name, parent_code) values ('990077', 'district', 'citus-cascade', null),
        ('990077001', 'street', 'citus-cascade street', '990077')`);
      await expect(db.query(`insert into regions (code, level, name, parent_code) values ('990078001', 'street', 'orphan', '990078')`))
        .rejects.toThrow(/foreign key/);
    }));

    test('a district deleted from the reference regions cascades to its calendar and limits', () => inTx(async (db) => {
      await db.query(`insert into regions (code, level, name, parent_code) values ('990077', 'district', 'citus-cascade', null)`);
      await db.query(`insert into district_limits (district_code, version, valid_from, limits, created_at) values ('990077', 1, now(), '{}', now())`);
      await db.query(`insert into district_calendars (district_code, version, valid_from, time_zone, holiday_set, periods, weekend, working_day_hours, created_at)
        values ('990077', 1, now(), 'Asia/Shanghai', 'cn', '[["08:00","12:00"]]', '[0,6]', 4, now())`);
      await db.query(`delete from regions where code = '990077'`);
      const { rows: [n] } = await db.query<{ c: number; l: number }>(
        `select (select count(*)::int from district_calendars where district_code = '990077') as c,
                (select count(*)::int from district_limits where district_code = '990077') as l`);
      expect(n).toEqual({ c: 0, l: 0 });
    }));

    test('analyzeTable analyses a Citus local table written in the same transaction (through its shard), where a plain ANALYZE is refused', () => inTx(async (db) => {
      await db.query('update grids set land_use = land_use where code = (select min(code) from grids)');
      await analyzeTable(db, 'grids');
      await expect(db.exec('analyze grids')).rejects.toThrow(/local execution has accessed a placement/);
    }));

    test("still refused, and why 0042 was needed: a trigger that joins its transition table with a Citus table (\"unrecognized RTE kind: 7\")", () => inTx(async (db) => {
      await db.exec(`create function citus_old_style() returns trigger language plpgsql as $f$
        begin
          perform 1 from regions r where r.code in (select community_code from new_rows);
          return null;
        end $f$`);
      await db.exec(`create trigger citus_old_style after update on cases referencing new table as new_rows
        for each statement execute function citus_old_style()`);
      await expect(db.query('update cases set status = status where false')).rejects.toThrow(/unrecognized RTE kind: 7/);
    }));

    describe('the layout docs/citus.md plans for grids and cases: district_code a plain column in every key, no triggers', () => {
      /** citus_plan.grids and citus_plan.cases, distributed by district_code and co-located, filled from public. */
      async function planned(db: Queryable) {
        await db.exec(`
          set local citus.multi_shard_modify_mode to 'sequential';
          set local client_min_messages = warning;
          create schema citus_plan;
          create table citus_plan.grids (like public.grids including defaults);
          alter table citus_plan.grids add primary key (district_code, id), add unique (district_code, code, valid_from);
          create index on citus_plan.grids using gist (geom);
          create table citus_plan.cases (like public.cases including defaults);
          alter table citus_plan.cases add primary key (district_code, id);
          select create_distributed_table('citus_plan.grids', 'district_code');
          select create_distributed_table('citus_plan.cases', 'district_code', colocate_with => 'citus_plan.grids');
          insert into citus_plan.grids select * from public.grids;
          insert into citus_plan.cases select * from public.cases;
          set local search_path = citus_plan, public;
        `);
        const { rows } = await db.query<{ district_code: string; lon: number; lat: number; n: number }>(
          `select district_code, st_x(p) as lon, st_y(p) as lat, (select count(*)::int from citus_plan.grids) as n
             from (select district_code, st_pointonsurface(geom) as p from citus_plan.grids where valid_to is null order by code limit 1) g`);
        expect(rows[0].n).toBeGreaterThan(100);
        return rows[0];
      }

      test('locating a point in a district (db/sql/locate-grid-in-district.sql) is routed to one shard; the locate without the district (locate-grid.sql), to all 32', () => inTx(async (db) => {
        const at = await planned(db);
        const sql = (name: string) => readFileSync(new URL(`../../../server/db/sql/${name}`, import.meta.url), 'utf8').replace(/^--.*$/gm, '');
        const inDistrict = sql('locate-grid-in-district.sql');
        expect(inDistrict).toMatch(/district_code = \$3/);
        const one = await explain(db, inDistrict, [at.lon, at.lat, at.district_code]);
        expect(taskCount(one)).toBe(1);
        expect(one).toMatch(/grids_geom_idx|Index Scan|Bitmap/); // the shard's GiST index finds the grid
        expect(taskCount(await explain(db, sql('locate-grid.sql'), [at.lon, at.lat]))).toBe(32);
        const found = await db.query<{ district_code: string }>(inDistrict, [at.lon, at.lat, at.district_code]);
        expect(found.rows).toEqual([expect.objectContaining({ district_code: at.district_code })]);
      }));

      test("with grids distributed, a component write keeps the per-grid counts: grid_component_counts_apply reads the grids' points in a statement of its own (0049)", () => inTx(async (db) => {
        await planned(db);
        const { rows: [c] } = await db.query<{ id: string; grid_code: string; major: string }>(
          `select k.id, k.grid_code, left(k.class_code, 2) as major from components k
             join grid_component_counts n on n.grid_code = k.grid_code and n.major_code = left(k.class_code, 2) and n.n >= 2
            order by k.id limit 1`);
        const count = async () => (await db.query<{ n: number; pt: boolean }>(
          'select n, pt is not null as pt from grid_component_counts where grid_code = $1 and major_code = $2', [c.grid_code, c.major])).rows[0];
        const before = await count();
        await db.query('update components set grid_code = grid_code where id = $1', [c.id]);
        expect(await count()).toEqual(before);
        await db.query('delete from components where id = $1', [c.id]);
        expect((await count())?.n ?? 0).toBe(before.n - 1);
        // The grid's count row gone and written again: its label point comes from the distributed grids.
        await db.query('delete from grid_component_counts where grid_code = $1 and major_code = $2', [c.grid_code, c.major]);
        await db.query('update components set grid_code = grid_code where grid_code = $1 and left(class_code, 2) = $2', [c.grid_code, c.major]);
        expect(await count()).toEqual({ n: before.n - 1, pt: true });
      }));

      test("with grids distributed, a grid's detail (db/grids.ts get: the grid, then its components) is read; the grids tile below z13 is still refused (its per-community grid count is a correlated subquery from regions)", () => inTx(async (db) => {
        const at = await planned(db);
        const { rows: [g] } = await db.query<{ code: string; lon: number; lat: number; n: number }>(
          `select g.code, st_x(st_pointonsurface(g.geom)) as lon, st_y(st_pointonsurface(g.geom)) as lat, count(k.id)::int as n
             from public.grids g join components k on k.grid_code = g.code
            where g.valid_to is null and g.district_code = $1 group by g.code, g.geom order by g.code limit 1`, [at.district_code]);
        expect(await gridsDb.get(db, g.code)).toMatchObject({ code: g.code, district_code: at.district_code, component_count: g.n });
        const t = tileOf(g.lon, g.lat, 10);
        await expect(drawTile(db, 'grids', 10, t.x, t.y)).rejects.toThrow(/correlated subqueries are not supported/);
      }));

      test("a case read by district and id, and a district's cases joined to their grids, are routed to one shard", () => inTx(async (db) => {
        const at = await planned(db);
        expect(taskCount(await explain(db, 'select * from cases where district_code = $1 and id = $2', [at.district_code, '00000000-0000-0000-0000-000000000000']))).toBe(1);
        const join = await explain(db,
          `select g.code, count(*) from cases c join grids g on g.district_code = c.district_code and g.code = c.grid_code and g.valid_to is null
            where c.district_code = $1 group by g.code`, [at.district_code]);
        expect(taskCount(join)).toBe(1);
        // A province's view over every district runs as one distributed query, a task per shard, joined on the workers.
        const province = await explain(db,
          `select c.district_code, count(*) from cases c join grids g on g.district_code = c.district_code and g.code = c.grid_code
            group by c.district_code`);
        expect(taskCount(province)).toBe(32);
      }));
    });
  });
}
