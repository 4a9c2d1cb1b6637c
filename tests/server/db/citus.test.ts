// Citus as a third engine (issue 12; docs/citus.md). Two sides of one seam, server/db/distribute.ts:
// - on every engine of the db project (PGlite, and PostgreSQL with TEST_DATABASE_URL): no Citus, so the
//   distribution step does nothing, and GRIDLINE_DISTRIBUTED=citus is refused with what to do;
// - with CITUS_TEST_DATABASE_URL (a coordinator with two workers: scripts/citus/cluster.sh; .ci/run sets it), the
//   database is reset and seeded there, and the tests read from Citus what it distributed, that the app's writes
//   to distributed tables go to one shard, and, from EXPLAIN on the layout docs/citus.md plans for grids and cases,
//   that locating a point and reading a case of one district are routed to one shard ("Task Count: 1").
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { citusTables, distribute, DISTRIBUTED_TABLES, isCitus, parseDistributionMode, REFERENCE_TABLES } from '../../../server/db/distribute.js';
import { migrate } from '../../../server/db/migrate.js';
import { wrapClient } from '../../../server/db/postgres.js';
import { reserveSequence } from '../../../server/db/components.js';
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

// The shared PGlite (migrated and seeded, or from its image) opens before the tests, not inside the first one's time.
beforeAll(async () => { if (testBackends().includes('pglite')) await sharedPglite(); }, 600_000);

describe.each(testBackends())('the distribution step without Citus, on %s', (backend) => {
  test('auto finds no Citus and changes nothing; the migrations run as before', () => withTestDb(backend, async (db) => {
    expect(await isCitus(db)).toBe(false);
    expect(await distribute(db, 'auto')).toEqual([]);
    expect(await migrate(db, undefined, { distributed: 'auto' })).toEqual([]);
  }));

  test('GRIDLINE_DISTRIBUTED=citus on a database without Citus stops the migration runner and says what to do', () => withTestDb(backend, async (db) => {
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
      await resetAndSeedPostgres(citusUrl); // migrations, then the distribution step (auto), then the fixture district
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

    test('the step distributed component_sequences by district code, made the listed reference tables, and left the rest plain', () => inTx(async (db) => {
      expect(await isCitus(db)).toBe(true);
      const tables = await citusTables(db);
      expect(tables.filter((t) => t.kind === 'distributed').map((t) => [t.table, t.column]))
        .toEqual(DISTRIBUTED_TABLES.map((d) => [d.table, d.column]));
      expect(tables.filter((t) => t.kind === 'reference').map((t) => t.table).sort()).toEqual([...REFERENCE_TABLES].sort());
      // Nothing was turned into a Citus local table behind our back: grids, components and cases are plain tables.
      expect(tables.filter((t) => t.kind === 'local')).toEqual([]);
      const shards = await db.query<{ n: number; nodes: number }>(
        `select count(*)::int as n, count(distinct nodeport)::int as nodes from citus_shards where table_name = 'component_sequences'::regclass`);
      expect(shards.rows[0]).toEqual({ n: 32, nodes: 2 });
    }));

    test('a second run of the step changes nothing', () => inTx(async (db) => {
      expect(await distribute(db, 'citus')).toEqual([]);
      expect(await migrate(db)).toEqual([]);
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

    test('the blocker of reference tables: with classes a reference table, a case write fails in the tile trigger (RTE kind 7)', () => inTx(async (db) => {
      // Why REFERENCE_TABLES is empty (docs/citus.md): the foreign keys make cases and regions Citus local tables,
      // and cases_tile_change joins its transition table with regions. When this stops failing, fill the list.
      await db.exec("set local citus.multi_shard_modify_mode to 'sequential'; set local client_min_messages = warning");
      await db.query("select create_reference_table('classes')");
      const kinds = await citusTables(db);
      expect(kinds.find((t) => t.table === 'cases')?.kind).toBe('local');
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

      test('locating a point (db/sql/locate-grid.sql with the district predicate) is routed to one shard; without it, to all 32', () => inTx(async (db) => {
        const at = await planned(db);
        const locate = readFileSync(new URL('../../../server/db/sql/locate-grid.sql', import.meta.url), 'utf8').replace(/^--.*$/gm, '');
        expect(locate).toMatch(/where valid_to is null/);
        const inDistrict = locate.replace('where valid_to is null', 'where district_code = $3 and valid_to is null');
        const one = await explain(db, inDistrict, [at.lon, at.lat, at.district_code]);
        expect(taskCount(one)).toBe(1);
        expect(one).toMatch(/grids_geom_idx|Index Scan|Bitmap/); // the shard's GiST index finds the grid
        expect(taskCount(await explain(db, locate, [at.lon, at.lat]))).toBe(32);
        const found = await db.query<{ district_code: string }>(inDistrict, [at.lon, at.lat, at.district_code]);
        expect(found.rows).toHaveLength(1);
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
