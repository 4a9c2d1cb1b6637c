// Citus as a third engine (issue 12; docs/citus.md). Two sides of one seam, server/db/distribute.ts:
// - on every engine of the db project (PGlite, and PostgreSQL with TEST_DATABASE_URL): no Citus, so the
//   distribution step does nothing, and GRIDLINE_DISTRIBUTED=citus is refused with what to do;
// - with CITUS_TEST_DATABASE_URL (a coordinator with two workers: scripts/citus/cluster.sh; .ci/run sets it), the
//   database is reset and seeded there, and the tests read from Citus what it distributed and made reference tables,
//   that the app's writes to distributed tables go to one shard, that case and component writes run with the
//   reference tables in place (their triggers, migration 0042), and, from EXPLAIN, that locating a point in a
//   district on the distributed grids (0059) and reading a case of one district (on the layout docs/citus.md plans
//   for cases) are routed to one shard ("Task Count: 1").
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { analyzeTable, citusTables, distribute, DISTRIBUTED_TABLES, isCitus, isDistributed, parseDistributionMode, REFERENCE_TABLES } from '../../../server/db/distribute.js';
import { migrate, readMigrations } from '../../../server/db/migrate.js';
import { wrapClient } from '../../../server/db/postgres.js';
import { copyRows, deleteBySource, extent as componentExtent, feature as componentFeature, get as getComponent, inBbox, near, reserveSequence } from '../../../server/db/components.js';
import { importComponents } from '../../../server/services/import-components.js';
import { expectCountsExact, gridWithoutMajor } from '../../helpers/grid-counts.js';
import { assignComponentDefaults, suggestFor } from '../../../server/db/departments.js';
import { components as historyComponents } from '../../../server/db/history.js';
import { loadedFiles, markLoaded } from '../../../server/db/classes.js';
import { actOnCase, readCase, reportCase } from '../../../server/services/cases.js';
import { drawGrids } from '../../../server/services/draw-grids.js';
import * as gridsDb from '../../../server/db/grids.js';
import * as statsDb from '../../../server/db/stats.js';
import { districtBoxes, drawTile, postgresLayerSql, tileLayers } from '../../../server/db/tiles.js';
import { districtsMeeting } from '../../../server/services/tiles.js';
import { decodeTile, tileContent, tileOf } from '../../helpers/tiles.js';
import { upsertRegions, type RegionRow } from '../../../server/db/demo.js';
import { caseDeps, demoUsers, pointInGrid } from '../../helpers/cases.js';
import { caseNumbers, lastTrail, nextCaseNo, trail } from '../../../server/db/cases.js';
import { publicReply, savePublicReply } from '../../../server/db/public.js';
import type { Queryable } from '../../../server/db/types.js';
import { sharedPglite, testBackends, withTestDb } from '../../helpers/backends.js';
import { resetAndSeedPostgres } from '../../helpers/fixture.js';

/** A case reported by the demo inspector at a point in a grid and accepted by the operator: trail, events and steps of two steps. */
async function acceptedCase(db: Queryable, description: string) {
  const deps = caseDeps(db);
  const { inspector, operator } = await demoUsers(db);
  const p = await pointInGrid(db);
  const r = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description }, null);
  await actOnCase(deps, operator, r.case.id, { action: 'accept', version: r.case.version });
  return { deps, operator, r };
}

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

    test('the step distributed component_sequences and grids by district code, co-located, made the shared tables reference tables; those linked to them are Citus local tables, the rest plain', () => inTx(async (db) => {
      expect(await isCitus(db)).toBe(true);
      const tables = await citusTables(db);
      const distributed = tables.filter((t) => t.kind === 'distributed');
      expect(distributed.map((t) => [t.table, t.column]).sort()).toEqual(DISTRIBUTED_TABLES.map((d) => [d.table, d.column]).sort());
      expect(distributed.map((t) => t.table)).toEqual(expect.arrayContaining(['component_sequences', 'grids']));
      expect(new Set(distributed.map((t) => t.colocation_id)).size).toBe(1); // co-located: a district's rows on one node
      expect(tables.filter((t) => t.kind === 'reference').map((t) => t.table).sort()).toEqual([...REFERENCE_TABLES].sort());
      expect(REFERENCE_TABLES).toEqual(expect.arrayContaining(['classes', 'departments', 'class_departments', 'users', 'evaluation_settings', 'supervision_thresholds']));
      // Linked to the reference tables by foreign keys: Citus made them Citus local tables (on the coordinator).
      const local = tables.filter((t) => t.kind === 'local').map((t) => t.table);
      expect(local).toEqual(expect.arrayContaining(['cases', 'case_trail', 'case_events', 'components', 'sessions', 'district_calendars']));
      expect(local).not.toContain('regions');
      expect(local).not.toContain('grids');
      // No foreign key to them: still plain PostgreSQL tables, which Citus does not know.
      for (const plain of ['case_grid_days', 'grid_component_counts', 'tile_generations', 'places', 'schema_migrations']) {
        expect(tables.map((t) => t.table)).not.toContain(plain);
      }
      for (const table of ['component_sequences', 'grids']) {
        const shards = await db.query<{ n: number; nodes: number }>(
          `select count(*)::int as n, count(distinct nodeport)::int as nodes from citus_shards where table_name = $1::regclass`, [table]);
        expect(shards.rows[0], table).toEqual({ n: 32, nodes: 2 });
      }
      // 0059: grids' district and street are plain columns now, its id no identity; the keys carry district_code.
      const { rows: cols } = await db.query<{ column_name: string; is_generated: string; is_identity: string }>(
        `select column_name, is_generated, is_identity from information_schema.columns
          where table_schema = 'public' and table_name = 'grids' and column_name in ('id', 'street_code', 'district_code') order by 1`);
      expect(cols).toEqual(['district_code', 'id', 'street_code'].map((c) => ({ column_name: c, is_generated: 'NEVER', is_identity: 'NO' })));
      // The rows left the coordinator's own copy for the workers' shards, and are all there.
      const { rows: [g] } = await db.query<{ n: number }>('select count(*)::int as n from grids');
      expect(g.n).toBeGreaterThan(100);
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

    test('case numbers (0063): case_no_counters is a plain table today; distributed co-located with grids (the plan), an intake\'s number is one upsert on one shard and the counts go on', () => inTx(async (db, notices) => {
      expect((await citusTables(db)).map((t) => t.table)).not.toContain('case_no_counters');
      expect(await nextCaseNo(db, '110101', '2031-07-01')).toBe('11010120310701000001');
      await db.query(`select create_distributed_table('case_no_counters', 'district_code', colocate_with => 'grids')`);
      await db.exec('set local citus.log_remote_commands = on; set local client_min_messages = log');
      const before = notices.length;
      expect(await nextCaseNo(db, '110101', '2031-07-01')).toBe('11010120310701000002');
      const sent = notices.slice(before).filter((m) => /case_no_counters_\d+/.test(m));
      expect(sent.map((m) => /^(\w+)/.exec(m.replace(/^issuing /, ''))?.[1])).toEqual(['INSERT']); // no intermediate result
      expect(await caseNumbers(db, [{ district_code: '110101', local_date: '2031-07-01' }, { district_code: '110102', local_date: '2031-07-01' }]))
        .toEqual(['11010120310701000003', '11010220310701000001']);
    }));

    test('with the reference tables in place, a case is reported and acted on through the case service; its writer bumps the tile generation with its extent (0060), and its grid-day is counted', () => inTx(async (db) => {
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

    test("the case workflow tables carry their case's district (0064) on the coordinator: written by the case service, another district refused by the foreign key (case_id, district_code), still Citus local tables", () => inTx(async (db) => {
      const { r } = await acceptedCase(db, 'citus 0064');
      for (const table of ['case_trail', 'case_events', 'case_steps']) {
        const { rows } = await db.query<{ d: string; n: number }>(`select district_code as d, count(*)::int as n from ${table} where case_id = $1 group by 1`, [r.case.id]);
        expect(rows, table).toEqual([{ d: r.case.district_code, n: 2 }]);
      }
      await db.exec('savepoint other_district');
      await expect(db.query(`insert into case_events (case_id, district_code, version, at, payload) values ($1, '110102', 9, now(), '{}')`, [r.case.id]))
        .rejects.toThrow(/foreign key/);
      await db.exec('rollback to savepoint other_district');
      const tables = await citusTables(db);
      const kinds = new Map(tables.map((t) => [t.table, t.kind]));
      for (const t of ['case_trail', 'case_events', 'case_steps', 'case_dispatches', 'case_suspensions']) expect(kinds.get(t), t).toBe('local');
    }));

    test("the public, Open311, rating, notification and idempotency rows carry their case's district (0065) on the coordinator: written by the case service, another district refused by the foreign key, still Citus local tables", () => inTx(async (db) => {
      const deps = caseDeps(db);
      const { inspector, operator } = await demoUsers(db);
      const p = await pointInGrid(db);
      await db.query(`insert into webhook_subscriptions (name, url, secret, created_at) values ('citus', 'http://127.0.0.1:9/hook', $1, now())`, ['s'.repeat(32)]);
      const r = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'citus 0065' }, 'citus-0065');
      const hot = await reportCase(deps, operator, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, source: 'hotline', reporter_phone: '13912345678', notify_reporter: true }, null);
      const districts = async (table: string, id: string) =>
        (await db.query<{ d: string }>(`select distinct district_code as d from ${table} where case_id = $1`, [id])).rows.map((x) => x.d);
      expect(await districts('idempotency_keys', r.case.id)).toEqual([r.case.district_code]);
      expect(await districts('notification_outbox', r.case.id)).toEqual([r.case.district_code]);
      expect(await districts('notification_optins', hot.case.id)).toEqual([hot.case.district_code]);
      await db.exec('savepoint other_district');
      await expect(db.query(`insert into case_tracking (case_id, district_code, code_hash, created_at) values ($1, '110102', $2, now())`, [r.case.id, 'a'.repeat(64)]))
        .rejects.toThrow(/foreign key/);
      await db.exec('rollback to savepoint other_district');
      const kinds = new Map((await citusTables(db)).map((t) => [t.table, t.kind]));
      for (const t of ['open311_requests', 'case_tracking', 'case_contacts', 'public_tickets', 'public_ticket_photos', 'case_public_replies',
        'public_photo_approvals', 'case_ratings', 'notification_outbox', 'notification_optins', 'idempotency_keys']) expect(kinds.get(t), t).toBe('local');
    }));

    test("a component import (0062's keys on the Citus local components) keeps the per-grid counts from its writer (0061), and data_files' upsert runs on its reference table", () => inTx(async (db) => {
      const { rows: [a, b] } = await db.query<{ code: string; x: number; y: number }>(
        'select code, st_x(p) as x, st_y(p) as y from (select code, st_pointonsurface(geom) as p from grids where valid_to is null order by code limit 2) g');
      const at = (g: { x: number; y: number }) => JSON.stringify({ type: 'FeatureCollection', features: [
        { type: 'Feature', geometry: { type: 'Point', coordinates: [g.x, g.y] }, properties: { ID: 'C1' } }] });
      const opts = { class_code: '01037', id_field: 'ID', source: 'test:citus', now: () => new Date('2026-03-01T04:00:00Z') };
      expect(await importComponents(db, at(a), opts)).toMatchObject({ imported: 1, updated: 0 });
      // moved to b's grid: the same component, found by its source id in its district (0062's unique key)
      expect(await importComponents(db, at(b), opts)).toMatchObject({ imported: 0, updated: 1, unchanged: 0 });
      const { rows: keys } = await db.query<{ def: string }>(
        `select pg_get_constraintdef(oid) as def from pg_constraint where conname in ('components_pkey', 'cases_component_fkey') order by conname`);
      expect(keys.map((k) => k.def)).toEqual(['FOREIGN KEY (component_id, district_code) REFERENCES components(id, district_code)', 'PRIMARY KEY (id, district_code)']);
      await expectCountsExact(db);
      expect(await deleteBySource(db, 'test:citus:%')).toBe(1);
      await expectCountsExact(db);
      await markLoaded(db, 'citus-test.csv', 'a');
      await markLoaded(db, 'citus-test.csv', 'b');
      expect((await loadedFiles(db)).get('citus-test.csv')).toBe('b');
    }));

    test('a grid redraw (services/draw-grids.ts), a region write (the loaders\' upsert) and a component write bump their tile sets from the writers (0048, 0060), with no tile trigger left', () => inTx(async (db) => {
      const gens = async () => Object.fromEntries((await db.query<{ tile_set: string; gen: string }>(
        'select tile_set, gen from tile_generations')).rows.map((r) => [r.tile_set, Number(r.gen)]));
      const { rows: triggers } = await db.query<{ name: string }>(
        `select t.tgname as name from pg_trigger t
          where t.tgrelid in ('grids'::regclass, 'regions'::regclass, 'components'::regclass, 'cases'::regclass, 'places'::regclass,
                              'grid_component_counts'::regclass) and t.tgname like '%tile%' order by 1`);
      expect(triggers.map((t) => t.name)).toEqual([]);
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
      const { rows: [k] } = await db.query<{ id: string }>(
        `update components set supervising_department_id = null where id = (select min(id) from components where class_code in
           (select class_code from class_departments where kind = 'component')) returning id`);
      expect(await gens()).toEqual(before); // plain SQL
      expect(await assignComponentDefaults(db)).toBeGreaterThanOrEqual(1); // a component writer (db/departments.ts)
      expect((await db.query('select 1 from components where id = $1 and supervising_department_id is not null', [k.id])).rows).toHaveLength(1);
      after = await gens();
      expect(after.components).toBe(before.components + 1);
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
      await db.query('update components set note = note where id = (select min(id) from components)');
      await analyzeTable(db, 'components');
      await expect(db.exec('analyze components')).rejects.toThrow(/local execution has accessed a placement/);
    }));

    test('analyzeTable analyses the distributed grids written in the same transaction (a plain ANALYZE, sent to the shards)', () => inTx(async (db) => {
      await db.query('update grids set land_use = land_use where code = (select min(code) from grids)');
      await analyzeTable(db, 'grids');
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

    test('locating a point in a district (db/sql/locate-grid-in-district.sql) on the distributed grids is routed to one shard; the locate without the district (locate-grid.sql), to all 32', () => inTx(async (db) => {
      const { rows: [at] } = await db.query<{ code: string; district_code: string; lon: number; lat: number }>(
        `select code, district_code, st_x(p) as lon, st_y(p) as lat
           from (select code, district_code, st_pointonsurface(geom) as p from grids where valid_to is null order by code limit 1) g`);
      const sql = (name: string) => readFileSync(new URL(`../../../server/db/sql/${name}`, import.meta.url), 'utf8').replace(/^--.*$/gm, '');
      const inDistrict = sql('locate-grid-in-district.sql');
      expect(inDistrict).toMatch(/district_code = \$3/);
      const one = await explain(db, inDistrict, [at.lon, at.lat, at.district_code]);
      expect(taskCount(one)).toBe(1);
      // An index of the district's shard (at the fixture's 250 grids the planner may walk the current codes in order
      // rather than the GiST index; tests/server/db/grids.test.ts checks that the GiST index serves the lookup).
      expect(one).toMatch(/(Index Scan|Bitmap Index Scan) using grids_\w+_\d+ on grids_\d+|Bitmap Heap Scan on grids_\d+/);
      expect(taskCount(await explain(db, sql('locate-grid.sql'), [at.lon, at.lat]))).toBe(32);
      expect((await db.query(inDistrict, [at.lon, at.lat, at.district_code])).rows).toEqual([expect.objectContaining({ code: at.code })]);
      expect(await gridsDb.locate(db, at.lon, at.lat)).toMatchObject({ code: at.code, district_code: at.district_code });
    }));

    test("the grids tile names the districts it meets (db/tiles.ts districtBoxes, services/tiles.ts districtsMeeting): one task inside a district, one per district at an edge, 32 unrouted; below z13 the per-community counts, an aggregate joined to regions, match the grids", () => inTx(async (db) => {
      const { rows: [g] } = await db.query<{ code: string; community_code: string; district_code: string; lon: number; lat: number; n: number }>(
        `select g.code, g.community_code, g.district_code, st_x(st_pointonsurface(g.geom)) as lon, st_y(st_pointonsurface(g.geom)) as lat, c.n
           from grids g join (select community_code, count(*)::int as n from grids where valid_to is null group by community_code) c
                on c.community_code = g.community_code
          where g.valid_to is null order by g.code limit 1`);
      const t16 = tileOf(g.lon, g.lat, 16);
      const met = districtsMeeting(await districtBoxes(db), 16, t16.x, t16.y);
      expect(met).toEqual([g.district_code]);
      const routed = postgresLayerSql(tileLayers('grids', 16, null, true)[0]);
      expect(routed).toMatch(/g\.district_code = any\(\$4::text\[\]\)/);
      expect(taskCount(await explain(db, routed, [16, t16.x, t16.y, met]))).toBe(1);
      expect(taskCount(await explain(db, postgresLayerSql(tileLayers('grids', 16)[0]), [16, t16.x, t16.y]))).toBe(32);
      const drawn = (await drawTile(db, 'grids', 16, t16.x, t16.y, 'postgis', undefined, met)).mvt;
      expect(drawn.length).toBeGreaterThan(0);
      expect(drawn.equals((await drawTile(db, 'grids', 16, t16.x, t16.y, 'postgis')).mvt)).toBe(true);
      // Below z13: the SQL Citus refused as a correlated subquery from regions before 0059 runs, with the right
      // counts, routed to the district.
      const t10 = tileOf(g.lon, g.lat, 10);
      const low = tileLayers('grids', 10, null, true)[0];
      const lowSql = `with env as (select st_tileenvelope($1::int, $2::int, $3::int) as e,
                             st_transform(st_tileenvelope($1::int, $2::int, $3::int), 4326) as q), rows as (${low.rows})
         select code, grid_count from rows where code = $5`;
      const { rows } = await db.query<{ code: string; grid_count: number }>(lowSql, [10, t10.x, t10.y, [g.district_code], g.community_code]);
      expect(rows).toEqual([{ code: g.community_code, grid_count: g.n }]);
      expect(taskCount(await explain(db, postgresLayerSql(low), [10, t10.x, t10.y, [g.district_code]]))).toBe(1);
      expect((await drawTile(db, 'grids', 10, t10.x, t10.y, 'postgis', undefined, [g.district_code])).mvt.length).toBeGreaterThan(0);
    }));

    test('a grids tile at the edge of two districts on different shards is two tasks, with the bytes of the unrouted tile', () => inTx(async (db) => {
      const { rows: [w] } = await db.query<{ district_code: string; x0: number; y0: number; y1: number }>(
        `select district_code, st_xmin(geom) as x0, st_ymin(geom) as y0, st_ymax(geom) as y1 from grids
          where valid_to is null order by st_xmin(geom), code limit 1`);
      // A neighbour district whose grids live on another shard than the fixture district's (32 shards: one of a few tries).
      const shard = async (d: string) => (await db.query<{ s: string }>(`select get_shard_id_for_distribution_column('grids', $1::text)::text as s`, [d])).rows[0].s;
      let b = '';
      for (const d of ['990081', '990082', '990083', '990084', '990085']) if (!b && await shard(d) !== await shard(w.district_code)) b = d;
      expect(b).not.toBe('');
      await db.query(`insert into regions (code, level, name, parent_code) values ($1, 'district', 'citus-edge', null),
        ($1 || '001', 'street', 'citus-edge', $1), ($1 || '001001', 'community', 'citus-edge', $1 || '001')`, [b]);
      await db.query(
        `insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
         values ($1 || '001001001', $1 || '001001', $1 || '001', $1, st_multi(st_makeenvelope($2::float8 - 0.003, $3, $2, $4, 4326)), 90000, '2026-01-01')`,
        [b, w.x0, w.y0, w.y1]);
      const t = tileOf(w.x0, (w.y0 + w.y1) / 2, 16);
      const met = districtsMeeting(await districtBoxes(db), 16, t.x, t.y);
      expect(met).toEqual([w.district_code, b].sort());
      expect(taskCount(await explain(db, postgresLayerSql(tileLayers('grids', 16, null, true)[0]), [16, t.x, t.y, met]))).toBe(2);
      const routed = (await drawTile(db, 'grids', 16, t.x, t.y, 'postgis', undefined, met)).mvt;
      expect(decodeTile(routed).grids.map((f) => f.properties.code)).toEqual(expect.arrayContaining([`${b}001001001`]));
      // the same content: two shards answer in either order, so the features may come in another order than unrouted
      expect(tileContent(routed)).toEqual(tileContent((await drawTile(db, 'grids', 16, t.x, t.y, 'postgis')).mvt));
    }));

    test("a grid's detail (db/grids.ts get: the grid, then its components by district) is read from the distributed grids", () => inTx(async (db) => {
      const { rows: [g] } = await db.query<{ code: string; district_code: string; n: number }>(
        `select g.code, g.district_code, count(k.id)::int as n
           from grids g join components k on k.grid_code = g.code
          where g.valid_to is null group by g.code, g.district_code order by g.code limit 1`);
      expect(await gridsDb.get(db, g.code)).toMatchObject({ code: g.code, district_code: g.district_code, component_count: g.n });
    }));

    test("a grid's card (db/stats.ts gridBase) names the grid's district: one shard of the distributed grids", () => inTx(async (db) => {
      const { rows: [g] } = await db.query<{ code: string }>('select code from grids where valid_to is null order by code limit 1');
      const seen: [string, unknown[]][] = [];
      const recorded = new Proxy(db, {
        get(target, key) {
          if (key === 'query') return (sql: string, params: unknown[] = []) => { seen.push([sql, params]); return target.query(sql, params); };
          const v = Reflect.get(target, key) as unknown;
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      expect(await statsDb.gridBase(recorded, g.code)).toMatchObject({ code: g.code, current: true });
      expect(seen).toHaveLength(1);
      expect(taskCount(await explain(db, ...seen[0]))).toBe(1);
    }));

    test("with grids distributed, a component import keeps the per-grid counts: a new (grid, major class) row takes its label point from the distributed grids in a statement of its own (db/grid-counts.ts)", () => inTx(async (db) => {
      const g = await gridWithoutMajor(db);
      if (!g) throw new Error('no grid without components of some major class');
      const fc = JSON.stringify({ type: 'FeatureCollection', features: [
        { type: 'Feature', geometry: { type: 'Point', coordinates: [g.x, g.y] }, properties: { ID: 'D1' } }] });
      await importComponents(db, fc, { class_code: g.class_code, id_field: 'ID', source: 'test:citus-grid', now: () => new Date('2026-03-01T04:00:00Z') });
      const { rows } = await db.query<{ n: number; pt: boolean }>(
        'select n, pt is not null as pt from grid_component_counts where grid_code = $1 and major_code = $2', [g.code, g.class_code.slice(0, 2)]);
      expect(rows).toEqual([{ n: 1, pt: true }]);
      await expectCountsExact(db);
    }));

    describe('the layout docs/citus.md plans for components and cases (district_code in every key, no triggers), co-located with the distributed grids', () => {
      /**
       * citus_plan.components with 0062's keys and citus_plan.cases with its foreign key to them, both distributed by
       * district_code and co-located with grids, filled from public. Not done in public by the step: cases is still a
       * Citus local table there, and Citus refuses a foreign key from one to a distributed table (below).
       */
      async function planned(db: Queryable) {
        // One statement at a time: Citus sends DDL on to the workers with its text, and a worker refuses several commands.
        for (const sql of [
          `set local citus.multi_shard_modify_mode to 'sequential'`,
          `set local client_min_messages = warning`,
          `create schema citus_plan`,
          `create table citus_plan.components (like public.components including defaults including constraints)`,
          `alter table citus_plan.components add constraint components_pkey primary key (id, district_code)`,
          `create unique index components_source on citus_plan.components (source_id, district_code) where source_id is not null`,
          `select create_distributed_table('citus_plan.components', 'district_code', colocate_with => 'public.grids')`,
          `insert into citus_plan.components select * from public.components`,
          `create table citus_plan.cases (like public.cases including defaults)`,
          `alter table citus_plan.cases add primary key (district_code, id)`,
          `select create_distributed_table('citus_plan.cases', 'district_code', colocate_with => 'public.grids')`,
          `alter table citus_plan.cases add constraint cases_component_fkey foreign key (component_id, district_code) references citus_plan.components (id, district_code)`,
          `insert into citus_plan.cases select * from public.cases`,
          `set local search_path = citus_plan, public`,
        ]) await db.exec(sql);
        const { rows } = await db.query<{ district_code: string }>(
          'select district_code from grids where valid_to is null order by code limit 1');
        return rows[0];
      }

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

      test("the app's reads of a case's rows name its district (0064, 0065): its trail (db/cases.ts trail, lastTrail) and public reply (db/public.ts publicReply) go to one shard of case_trail and case_public_replies distributed co-located; by case id alone, to all 32", () => inTx(async (db) => {
        const { operator, r } = await acceptedCase(db, 'citus case reads');
        await savePublicReply(db, { case_id: r.case.id, district_code: r.case.district_code, reply: 'on its way', at: new Date('2026-03-01T04:00:00Z'), by: operator.id });
        await planned(db);
        for (const table of ['case_trail', 'case_public_replies']) {
          for (const sql of [
            `create table citus_plan.${table} (like public.${table} including defaults including constraints)`,
            `select create_distributed_table('citus_plan.${table}', 'district_code', colocate_with => 'public.grids')`,
            `insert into citus_plan.${table} select * from public.${table}`,
          ]) await db.exec(sql);
        }
        const seen: [string, unknown[]][] = [];
        const recorded = new Proxy(db, {
          get(target, key) {
            if (key === 'query') return (sql: string, params: unknown[] = []) => { seen.push([sql, params]); return target.query(sql, params); };
            const v = Reflect.get(target, key) as unknown;
            return typeof v === 'function' ? v.bind(target) : v;
          },
        });
        const c = { id: r.case.id, district_code: r.case.district_code };
        expect((await trail(recorded, c)).map((e) => e.action)).toEqual(['report', 'accept']);
        expect(await lastTrail(recorded, c)).toMatchObject({ seq: 2 });
        expect(await publicReply(recorded, c)).toMatchObject({ reply: 'on its way' });
        expect(seen).toHaveLength(3);
        for (const [sql, params] of seen) {
          expect(sql).toMatch(/ and district_code = \$2/);
          expect(taskCount(await explain(db, sql, params)), sql).toBe(1);
          // The same read by case id alone, as before: a task on every shard.
          expect(taskCount(await explain(db, sql.replace(' and district_code = $2', ''), params.slice(0, 1))), sql).toBe(32);
        }
      }));

      test("components with 0062's keys distributed co-located with grids: a component by id and district, and a district's cases joined to their components, go to one shard; the foreign key holds on the shards", () => inTx(async (db) => {
        const { inspector } = await demoUsers(db);
        const { rows: [k] } = await db.query<{ id: string; district_code: string; x: number; y: number }>(
          `select id, district_code, st_x(geom) as x, st_y(geom) as y from public.components
            where class_code = '01037' and grid_code is not null order by id limit 1`);
        // A case citing it, reported by the app into public (a Citus local table), then copied with the rest.
        const r = await reportCase(caseDeps(db), inspector, { kind: 'component_anomaly', class_code: '01037', lon: k.x, lat: k.y, component_id: k.id }, null);
        expect(r.case).toMatchObject({ component_id: k.id, district_code: k.district_code });
        await planned(db);
        const { rows: layout } = await db.query<{ t: string; kind: string; column: string; colocation: number }>(
          `select n.nspname || '.' || c.relname as t, p.partmethod as kind, column_to_column_name(p.logicalrelid, p.partkey) as column, p.colocationid as colocation
             from pg_dist_partition p join pg_class c on c.oid = p.logicalrelid join pg_namespace n on n.oid = c.relnamespace
            where p.logicalrelid in ('citus_plan.components'::regclass, 'citus_plan.cases'::regclass, 'public.grids'::regclass) order by 1`);
        expect(layout.map(({ t, kind, column }) => [t, kind, column])).toEqual([
          ['citus_plan.cases', 'h', 'district_code'], ['citus_plan.components', 'h', 'district_code'], ['public.grids', 'h', 'district_code']]);
        expect(new Set(layout.map((l) => l.colocation)).size).toBe(1); // co-located
        expect(taskCount(await explain(db, 'select * from components where id = $1 and district_code = $2', [k.id, k.district_code]))).toBe(1);
        expect(taskCount(await explain(db,
          `select c.case_no, k.class_code from cases c join components k on k.id = c.component_id and k.district_code = c.district_code
            where c.district_code = $1`, [k.district_code]))).toBe(1);
        // The app's read of a component (db/components.ts get names the id's district) runs on the distributed table.
        expect(await getComponent(db, k.id)).toMatchObject({ id: k.id, class_code: '01037' });
        // The foreign key, on the shards: another district's component is refused, a cited component's delete too …
        const refused = async (sql: string, params: unknown[], message: RegExp) => {
          await db.exec('savepoint refused');
          await expect(db.query(sql, params)).rejects.toThrow(message);
          await db.exec('rollback to savepoint refused');
        };
        const other = `110199${k.id.slice(6)}`;
        await db.query(`insert into components (id, class_code, district_code, survey_date, geom) values ($1, '01037', '110199', '2026-01-01', st_setsrid(st_makepoint($2, $3), 4326))`,
          [other, k.x, k.y]);
        await refused('update cases set component_id = $1 where id = $2 and district_code = $3', [other, r.case.id, k.district_code], /violates foreign key constraint/);
        await refused('delete from components where id = $1 and district_code = $2', [k.id, k.district_code], /violates foreign key constraint/);
        // … and the app's deleter clears the citation first (db/components.ts deleteBySource), on the distributed tables.
        await db.query(`update components set source_id = 'test:citus-plan:1' where id = $1 and district_code = $2`, [k.id, k.district_code]);
        expect(await deleteBySource(db, 'test:citus-plan:%')).toBe(1);
        expect((await db.query('select component_id from cases where id = $1 and district_code = $2', [r.case.id, k.district_code])).rows).toEqual([{ component_id: null }]);
      }));

      test("the app's component import (services/import-components.ts) runs on that layout: the plan reads the batch's components from a temporary copy read from the district's shard (db/import.ts stageComponents), and writes the same rows, reports and counts as the plain plan on the Citus local table", () => inTx(async (db, notices) => {
        const { rows: [a, b] } = await db.query<{ district_code: string; x: number; y: number }>(
          `select district_code, st_x(p) as x, st_y(p) as y
             from (select district_code, st_pointonsurface(geom) as p from grids where valid_to is null order by code limit 2) g`);
        const fc = (features: [number, number, Record<string, string>][]) => JSON.stringify({ type: 'FeatureCollection',
          features: features.map(([x, y, properties]) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] }, properties })) });
        // New rows, a row outside every grid, one with lon and lat exchanged; then a move, an unchanged row, a new
        // row and a source id another district (110199) has too (a new component here, not the other district's);
        // then a class change.
        const first = fc([[a.x, a.y, { ID: 'N1' }], [b.x, b.y, { ID: 'N2' }], [a.x + 5, a.y, { ID: 'N4' }], [a.y, a.x, { ID: 'N5' }]]);
        const second = fc([[b.x, b.y, { ID: 'N1', NOTE: 'moved' }], [b.x, b.y, { ID: 'N2' }], [a.x, a.y, { ID: 'N6' }], [a.x, a.y, { ID: 'N3' }]]);
        const third = fc([[a.x, a.y, { ID: 'N2', CLASS: '01013' }]]);
        const opts = { class_code: '01037', id_field: 'ID', source: 'test:citus-plan-import', map: { note: 'NOTE', class_code: 'CLASS' },
          now: () => new Date('2026-03-01T04:00:00Z') };
        const sent: string[] = []; // what the imports sent on to the shards (logged on the planned layout only)
        const run = async () => {
          await db.query(`insert into components (id, class_code, district_code, survey_date, geom, source_id)
                          values ('11019901037999999', '01037', '110199', '2026-01-01', st_setsrid(st_makepoint($1, $2), 4326), 'test:citus-plan-import:N3')`, [a.x, a.y]);
          const reports = [];
          for (const text of [first, second, third]) {
            const from = notices.length;
            const { elapsed_ms: _, ...r } = await importComponents(db, text, opts);
            reports.push(r);
            sent.push(...notices.slice(from));
          }
          const { rows } = await db.query(
            `select id, class_code, district_code, grid_code, community_code, street_code, source_id, status, survey_date::text, change_date::text,
                    note, attrs, st_asewkt(geom) as geom
               from components where source_id like 'test:citus-plan-import:%' order by id`);
          const { rows: counts } = await db.query(
            `select k.grid_code, k.major_code, k.n from grid_component_counts k
              where (k.district_code, k.grid_code) in (select district_code, grid_code from components where source_id like 'test:citus-plan-import:%')
              order by 1, 2`);
          return { reports, rows, counts };
        };
        await db.exec('savepoint plain');
        const plain = await run(); // public.components, a Citus local table: the plan as on PostgreSQL, no staging
        await db.exec('rollback to savepoint plain');
        await planned(db);
        expect(await isDistributed(db, 'components')).toBe(true);
        await db.exec('set local citus.log_remote_commands = on; set local client_min_messages = log');
        sent.length = 0;
        const distributed = await run();
        expect(distributed).toEqual(plain);
        expect(plain.reports.map((r) => [r.imported, r.updated, r.unchanged, Object.keys(r.rejected_by_code).sort()])).toEqual([
          [2, 0, 0, ['outside_grids', 'swapped_coordinates']], [2, 2, 1, []], [0, 0, 0, ['class_changed']]]);
        expect(plain.rows.filter((r) => r.source_id === 'test:citus-plan-import:N3').map((r) => r.district_code)).toEqual([a.district_code, '110199']);
        expect(plain.rows.find((r) => r.source_id === 'test:citus-plan-import:N1')).toMatchObject({ note: 'moved', change_date: '2026-03-01' });
        expect(plain.counts.length).toBeGreaterThan(0);
        // Every statement of the imports that reached components (the staging read, the insert, the update) was
        // sent to one shard: the fixture district's.
        const statements = sent.filter((m) => /citus_plan\.components_\d+/.test(m));
        expect(statements.map((m) => /^issuing (\w+)/.exec(m)?.[1])).toEqual(expect.arrayContaining(['SELECT', 'INSERT', 'UPDATE']));
        expect(new Set(statements.map((m) => /citus_plan\.components_(\d+)/.exec(m)?.[1])).size).toBe(1);
      }));

      test("the app's other readers and writers of components run on that layout and answer as on the Citus local table: the map's list and OGC items, a feature, the extent, nearby components, the department suggestion, the defaults' update, the simulated history's components, a grid's detail and card, a points tile, the loaders' COPY and the deleter", () => inTx(async (db) => {
        const { rows: [k] } = await db.query<{ id: string; district_code: string; x: number; y: number; grid_code: string }>(
          `select id, district_code, st_x(geom) as x, st_y(geom) as y, grid_code from components
            where class_code = '01037' and grid_code is not null order by id limit 1`);
        const box: [number, number, number, number] = [k.x - 0.01, k.y - 0.01, k.x + 0.01, k.y + 0.01];
        const t = tileOf(k.x, k.y, 17);
        const all = async () => {
          const { rows: three } = await db.query<{ id: string }>(
            `select id from components where district_code = $1 and class_code = '01037' order by id limit 3`, [k.district_code]);
          await db.query('update components set supervising_department_id = null where district_code = $1 and id = any ($2::text[])',
            [k.district_code, three.map((r) => r.id)]);
          return {
            defaults: await assignComponentDefaults(db),
            suggested: await suggestFor(db, { class_code: '01037', component_id: k.id }),
            list: await inBbox(db, { bbox: box, limit: 10, offset: 5 }),
            items: await inBbox(db, { bbox: box, limit: 10, offset: 0, predicate: 'intersects', class_code: '01037' }),
            feature: await componentFeature(db, k.id),
            extent: await componentExtent(db),
            near: await near(db, { lon: k.x, lat: k.y, radius_m: 300, limit: 5 }),
            history: (await historyComponents(db, ['01037'])).length,
            grid: await gridsDb.get(db, k.grid_code),
            card: await statsDb.gridComponents(db, k.grid_code),
            tile: decodeTile((await drawTile(db, 'components', 17, t.x, t.y, 'postgis')).mvt).components?.map((f) => f.properties.id).sort(),
            copied: await copyRows(db, ['id', 'class_code', 'district_code', 'grid_code', 'survey_date', 'geom', 'source_id'],
              `${k.district_code}01037999990\t01037\t${k.district_code}\t${k.grid_code}\t2026-01-01\tSRID=4326;POINT(${k.x} ${k.y})\ttest:citus-readers:1\n`),
            deleted: await deleteBySource(db, 'test:citus-readers:%'),
          };
        };
        await db.exec('savepoint plain');
        const plain = await all();
        await db.exec('rollback to savepoint plain');
        await planned(db);
        expect(await isDistributed(db, 'components')).toBe(true);
        expect(await all()).toEqual(plain);
        expect(plain).toMatchObject({ defaults: 3, deleted: 1, history: expect.any(Number) as number });
        expect(plain.list.items).toHaveLength(10);
        expect(plain.tile).toContain(k.id);
      }));

      test("still refused, and why 0062 has no `on delete set null` and components is not distributed yet: SET NULL on a key with the distribution column (PostgreSQL 15's column list too), and a foreign key from a Citus local table (public.cases) to a distributed one", () => inTx(async (db) => {
        await planned(db);
        const refused = async (sql: string, message: RegExp) => {
          await db.exec('savepoint refused');
          const e = await db.exec(sql).then(() => null, (err: Error & { detail?: string }) => err);
          await db.exec('rollback to savepoint refused');
          expect(`${e?.message} (${e?.detail})`).toMatch(message);
        };
        await refused(`alter table citus_plan.cases add constraint cases_component_null_fkey foreign key (component_id, district_code)
                         references citus_plan.components (id, district_code) on delete set null (component_id)`, /SET NULL or SET DEFAULT is not supported/);
        await refused(`alter table public.cases add constraint cases_plan_fkey foreign key (component_id, district_code)
                         references citus_plan.components (id, district_code)`, /foreign keys from reference tables and local tables to distributed tables are not supported/);
      }));
    });
  });
}
