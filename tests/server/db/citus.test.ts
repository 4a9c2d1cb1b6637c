// Citus as a third engine (issue 12; docs/citus.md). Two sides of one seam, server/db/distribute.ts:
// - on every engine of the db project (PGlite, and PostgreSQL with TEST_DATABASE_URL): no Citus, so the
//   distribution step does nothing, and GRIDLINE_DISTRIBUTED=citus is refused with what to do;
// - with CITUS_TEST_DATABASE_URL (a coordinator with two workers: scripts/citus/cluster.sh; .ci/run sets it), the
//   database is reset and seeded there, and the tests read from Citus what the step distributed (the district-scoped
//   tables, co-located, 32 shards on two workers), made reference tables and left on the coordinator; that the keys
//   among the distributed tables hold on the shards; and, from Citus's remote commands and EXPLAIN of the app's own
//   statements, that the hot paths of one district (locate, tiles, intake, an action, a case's reads, the wall feed,
//   a district's evaluation, the component import) go to one shard, and the province's views (the ranking of
//   districts, the live stream's read) to all 32.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { analyzeTable, citusTables, COORDINATOR_TABLES_CITING_CASES, distribute, DISTRIBUTED_TABLES, isCitus, isDistributed, parseDistributionMode, REFERENCE_TABLES } from '../../../server/db/distribute.js';
import { migrate, readMigrations } from '../../../server/db/migrate.js';
import { copyRows, deleteBySource, extent as componentExtent, feature as componentFeature, get as getComponent, inBbox, near, reserveSequence } from '../../../server/db/components.js';
import { importComponents } from '../../../server/services/import-components.js';
import { expectCountsExact, gridWithoutMajor } from '../../helpers/grid-counts.js';
import { assignComponentDefaults, suggestFor } from '../../../server/db/departments.js';
import { components as historyComponents } from '../../../server/db/history.js';
import { loadedFiles, markLoaded } from '../../../server/db/classes.js';
import { actOnCase, readCase, reportCase } from '../../../server/services/cases.js';
import { drawGrids } from '../../../server/services/draw-grids.js';
import * as gridsDb from '../../../server/db/grids.js';
import { locate as locateRouted } from '../../../server/services/grids.js';
import { DistrictExtents } from '../../../server/services/district-extents.js';
import * as statsDb from '../../../server/db/stats.js';
import { CASE_DETAIL_ZOOM, districtBoxes, drawTile, postgresLayerSql, tileLayers } from '../../../server/db/tiles.js';
import { districtsMeeting } from '../../../server/services/tiles.js';
import { decodeTile, tileContent, tileOf } from '../../helpers/tiles.js';
import { upsertRegions, type RegionRow } from '../../../server/db/demo.js';
import { caseDeps, demoUsers, pointInGrid, workRules } from '../../helpers/cases.js';
import { caseNumbers, eventsAfter, EVENTS_CHANNEL, lastEventId, lastTrail, nextCaseNo, trail } from '../../../server/db/cases.js';
import { LiveHub } from '../../../server/live/hub.js';
import { wallPage } from '../../../server/db/wall-feed.js';
import { evaluate } from '../../../server/services/evaluation.js';
import { publicReply, savePublicReply } from '../../../server/db/public.js';
import type { Queryable, Sql } from '../../../server/db/types.js';
import { sharedPglite, testBackends, withTestDb } from '../../helpers/backends.js';
import { citusUrl, coordinatorTx, explain, onCoordinator, recording, taskCounts } from '../../helpers/citus.js';

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

// Defined only when a coordinator is given (.ci/run starts one and sets the URL): not skipped, absent.
if (citusUrl) {
  describe('on a Citus coordinator with two workers', () => {
    const inTx = coordinatorTx(citusUrl!); // inside `if (citusUrl)`

    const taskCount = (plan: string) => Number(/Task Count: (\d+)/.exec(plan)?.[1] ?? NaN);

    const GROUP = DISTRIBUTED_TABLES.map((d) => d.table);
    const SHARD = new RegExp(`\\b(${[...GROUP].sort((a, b) => b.length - a.length).join('|')})_(\\d{6,})\\b`, 'g');
    const TOUCHES_GROUP = new RegExp(`\\b(${GROUP.join('|')})\\b`);


    /**
     * The shards of the co-located group that the commands Citus sent on to the workers named (`notices` with
     * citus.log_remote_commands on), by table, and their hash ranges: co-located shards of one range hold one
     * district's rows of every table of the group, on one node.
     */
    async function shardsNamed(db: Queryable, notices: string[]) {
      const byTable = new Map<string, Set<string>>();
      for (const m of notices) {
        if (!m.startsWith('issuing ')) continue;
        for (const [, table, id] of m.matchAll(SHARD)) byTable.set(table, (byTable.get(table) ?? new Set()).add(id));
      }
      const ids = [...byTable.values()].flatMap((s) => [...s]);
      const { rows } = await db.query<{ min: string }>('select distinct shardminvalue as min from pg_dist_shard where shardid = any($1::bigint[])', [ids]);
      return { tables: [...byTable.keys()].sort(), ranges: rows.map((r) => r.min), commands: notices.filter((m) => m.startsWith('issuing ') && [...m.matchAll(SHARD)].length > 0) };
    }

    /** The EXPLAIN task counts of every recorded statement that names a table of the group. */
    async function routes(db: Queryable, seen: { sql: string; params: readonly unknown[] }[]) {
      const out: { sql: string; tasks: number[] }[] = [];
      const done = new Set<string>();
      for (const { sql, params } of seen) {
        const bare = sql.replace(/^\s*--.*$/gm, '').trim();
        if (!/^(with|select|insert|update|delete)\b/i.test(bare) || !TOUCHES_GROUP.test(bare) || done.has(bare)) continue;
        done.add(bare);
        out.push({ sql: bare.replace(/\s+/g, ' ').slice(0, 160), tasks: taskCounts(await explain(db, bare, params)) });
      }
      return out;
    }

    /** A user of `district` (its region code, as a request's user carries it: db/visibility.ts districtOf). */
    const scoped = <U extends { id: number }>(u: U, district: string) => ({ ...u, region_code: district });
    /** The fixture district: that of its first current grid. */
    const fixtureDistrict = async (db: Queryable) =>
      (await db.query<{ d: string }>('select district_code as d from grids where valid_to is null order by code limit 1')).rows[0].d;
    /**
     * A second district whose rows live on another shard than the fixture district's (32 shards: one of a few tries),
     * with one grid 0.003° wide west of the fixture's westmost grid `w`, its east edge `gap` degrees short of w's west
     * edge (0: the two share that edge).
     */
    async function neighbourOnAnotherShard(db: Queryable, name: string, gap = 0) {
      const { rows: [w] } = await db.query<{ district_code: string; x0: number; y0: number; y1: number }>(
        `select district_code, st_xmin(geom) as x0, st_ymin(geom) as y0, st_ymax(geom) as y1 from grids
          where valid_to is null order by st_xmin(geom), code limit 1`);
      const shard = async (d: string) => (await db.query<{ s: string }>(`select get_shard_id_for_distribution_column('grids', $1::text)::text as s`, [d])).rows[0].s;
      let b = '';
      for (const d of ['990081', '990082', '990083', '990084', '990085']) if (!b && await shard(d) !== await shard(w.district_code)) b = d;
      expect(b).not.toBe('');
      await db.query(`insert into regions (code, level, name, parent_code) values ($1, 'district', $2, null),
        ($1 || '001', 'street', $2, $1), ($1 || '001001', 'community', $2, $1 || '001')`, [b, name]);
      await db.query(
        `insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
         values ($1 || '001001001', $1 || '001001', $1 || '001', $1, st_multi(st_makeenvelope($2::float8 - 0.003, $3, $2::float8 - $5::float8, $4, 4326)), 90000, '2026-01-01')`,
        [b, w.x0, w.y0, w.y1, gap]);
      return { w, b };
    }
    /** A statement that must fail, in a savepoint: its error's message and detail. */
    async function refusal(db: Queryable, sql: string, params: unknown[] = []): Promise<string> {
      await db.exec('savepoint refused');
      const e = await db.query(sql, params).then(() => null, (err: Error & { detail?: string }) => err);
      await db.exec('rollback to savepoint refused');
      return `${e?.message} (${e?.detail})`;
    }

    test('the step distributed the district-scoped tables by district code, co-located, 32 shards on the two workers; made the shared tables reference tables; the rest stays on the coordinator, Citus local or plain', () => inTx(async (db) => {
      expect(await isCitus(db)).toBe(true);
      const tables = await citusTables(db);
      const distributed = tables.filter((t) => t.kind === 'distributed');
      expect(distributed.map((t) => [t.table, t.column]).sort()).toEqual(DISTRIBUTED_TABLES.map((d) => [d.table, d.column]).sort());
      expect(GROUP).toEqual(expect.arrayContaining(['component_sequences', 'grids', 'components', 'cases', 'case_no_counters', 'case_trail', 'case_events',
        'case_steps', 'case_dispatches', 'case_suspensions', 'case_tracking', 'case_contacts', 'case_public_replies', 'case_ratings', 'open311_requests',
        'public_photo_approvals', 'notification_optins', 'grid_component_counts', 'case_grid_days']));
      expect(new Set(distributed.map((t) => t.colocation_id)).size).toBe(1); // co-located: a district's rows on one node
      const { rows: shards } = await db.query<{ table: string; n: number; nodes: number; ranges: number }>(
        `select p.logicalrelid::text as table, count(*)::int as n, count(distinct pl.groupid)::int as nodes, count(distinct s.shardminvalue)::int as ranges
           from pg_dist_partition p join pg_dist_shard s on s.logicalrelid = p.logicalrelid join pg_dist_placement pl on pl.shardid = s.shardid
          where p.partmethod = 'h' group by 1 order by 1`);
      expect(shards).toEqual([...GROUP].sort().map((table) => ({ table, n: 32, nodes: 2, ranges: 32 })));
      const { rows: [coord] } = await db.query<{ n: number }>(
        `select count(*)::int as n from pg_dist_placement pl join pg_dist_shard s on s.shardid = pl.shardid
           join pg_dist_partition p on p.logicalrelid = s.logicalrelid where p.partmethod = 'h' and pl.groupid = 0`);
      expect(coord.n).toBe(0); // no shard of a distributed table on the coordinator
      expect(tables.filter((t) => t.kind === 'reference').map((t) => t.table).sort()).toEqual([...REFERENCE_TABLES].sort());
      expect(REFERENCE_TABLES).toEqual(expect.arrayContaining(['classes', 'departments', 'class_departments', 'users', 'evaluation_settings',
        'supervision_thresholds', 'data_files', 'regions']));
      // Left on the coordinator: linked to a reference table by a foreign key, Citus local tables ...
      const local = tables.filter((t) => t.kind === 'local').map((t) => t.table);
      expect(local).toEqual(expect.arrayContaining(['sessions', 'audit_log', 'patrol_duties', 'patrol_positions', 'photo_uploads',
        'public_tickets', 'notification_outbox', 'webhook_subscriptions']));
      for (const t of [...GROUP, ...REFERENCE_TABLES]) expect(local, t).not.toContain(t);
      // ... and with no foreign key to one, plain PostgreSQL tables Citus does not know (idempotency_keys since the
      // step dropped its key to cases).
      for (const plain of ['idempotency_keys', 'tile_generations', 'tile_changes', 'login_throttle', 'schema_migrations']) {
        expect(tables.map((t) => t.table)).not.toContain(plain);
      }
      // The rows left the coordinator's own copy for the workers' shards, and are all there.
      const { rows: [n] } = await db.query<{ grids: number; components: number; classes: number; users: number }>(
        `select (select count(*)::int from grids) as grids, (select count(*)::int from components) as components,
                (select count(*)::int from classes) as classes, (select count(*)::int from users) as users`);
      expect(n.grids).toBeGreaterThan(100);
      expect(n.components).toBeGreaterThan(100);
      expect(n.classes).toBeGreaterThan(100);
      expect(n.users).toBeGreaterThan(5);
      // A reference table has its copy on every node: the coordinator and both workers.
      for (const table of ['classes', 'regions', 'users']) {
        const copies = await db.query<{ nodes: number }>(
          `select count(distinct nodeport)::int as nodes from citus_shards where table_name = $1::regclass`, [table]);
        expect(copies.rows[0].nodes, table).toBe(3);
      }
      // 0059: grids' district and street are plain columns now, its id no identity; the keys carry district_code.
      const { rows: cols } = await db.query<{ column_name: string; is_generated: string; is_identity: string }>(
        `select column_name, is_generated, is_identity from information_schema.columns
          where table_schema = 'public' and table_name = 'grids' and column_name in ('id', 'street_code', 'district_code') order by 1`);
      expect(cols).toEqual(['district_code', 'id', 'street_code'].map((c) => ({ column_name: c, is_generated: 'NEVER', is_identity: 'NO' })));
    }));

    test("the foreign keys among the group are back on the distributed tables (every case_* table's to cases, cases' to components and to itself); the coordinator tables' keys to cases are gone", () => inTx(async (db) => {
      const { rows } = await db.query<{ t: string; name: string; ref: string; def: string }>(
        `select r.relname as t, c.conname as name, f.relname as ref, pg_get_constraintdef(c.oid) as def
           from pg_constraint c join pg_class r on r.oid = c.conrelid join pg_class f on f.oid = c.confrelid
          where c.contype = 'f' and r.relnamespace = 'public'::regnamespace and f.relname in ('cases', 'components') order by 1, 2`);
      const citing = ['case_contacts', 'case_dispatches', 'case_events', 'case_public_replies', 'case_ratings', 'case_steps', 'case_suspensions',
        'case_tracking', 'case_trail', 'notification_optins', 'open311_requests', 'public_photo_approvals'];
      expect(rows.map((r) => [r.t, r.name])).toEqual([
        ...citing.slice(0, 9).map((t) => [t, `${t}_case_id_district_code_fkey`]),
        ['cases', 'cases_component_fkey'], ['cases', 'cases_merged_into_fkey'],
        ...citing.slice(9).map((t) => [t, `${t}_case_id_district_code_fkey`]),
      ]);
      for (const r of rows) expect(r.def, r.name).toMatch(/^FOREIGN KEY \(\w+, district_code\) REFERENCES (cases|components)\(id, district_code\)/);
      expect(rows.find((r) => r.t === 'case_trail')!.def).toMatch(/ON DELETE RESTRICT$/);
      expect(rows.find((r) => r.name === 'cases_merged_into_fkey')!.def).toBe('FOREIGN KEY (merged_into, district_code) REFERENCES cases(id, district_code)');
      for (const t of COORDINATOR_TABLES_CITING_CASES) expect(rows.map((r) => r.t), t).not.toContain(t);
      // Why they are gone: Citus refuses a foreign key from a table left on the coordinator to a distributed one.
      expect(await refusal(db, `alter table public_tickets add constraint public_tickets_case_fkey foreign key (case_id, district_code) references cases (id, district_code)`))
        .toMatch(/foreign keys from reference tables and local tables to distributed tables are not supported|cannot create foreign key constraint/);
    }));

    test("0066's keys: case_trail and case_events numbered by sequences (the coordinator's), keyed (id, district_code); cases keyed (id, district_code), its source unique per district", () => inTx(async (db) => {
      const { rows: keys } = await db.query<{ name: string; def: string }>(
        `select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
          where conrelid in ('cases'::regclass, 'case_trail'::regclass, 'case_events'::regclass) and contype in ('p', 'u') order by 1`);
      expect(keys).toEqual(expect.arrayContaining([
        { name: 'case_events_pkey', def: 'PRIMARY KEY (id, district_code)' },
        { name: 'case_trail_pkey', def: 'PRIMARY KEY (id, district_code)' },
        { name: 'case_trail_case_id_seq_district_code_key', def: 'UNIQUE (case_id, seq, district_code)' },
        { name: 'cases_pkey', def: 'PRIMARY KEY (id, district_code)' },
      ]));
      const { rows: [src] } = await db.query<{ def: string }>(`select pg_get_indexdef('cases_source_id'::regclass) as def`);
      expect(src.def).toMatch(/UNIQUE INDEX cases_source_id ON public\.cases USING btree \(source_system, source_id, district_code\) WHERE \(source_id IS NOT NULL\)/);
      const { rows: ids } = await db.query<{ t: string; is_identity: string; d: string }>(
        `select table_name as t, is_identity, column_default as d from information_schema.columns
          where table_schema = 'public' and table_name in ('case_trail', 'case_events') and column_name = 'id' order by 1`);
      expect(ids).toEqual([
        { t: 'case_events', is_identity: 'NO', d: "nextval('case_events_id_seq'::regclass)" },
        { t: 'case_trail', is_identity: 'NO', d: "nextval('case_trail_id_seq'::regclass)" }]);
      // Two cases in a row: their trail and event ids go up, from the coordinator's sequences, whatever their shards.
      const a = await acceptedCase(db, 'citus 0066 a');
      const b = await acceptedCase(db, 'citus 0066 b');
      const idsOf = async (table: string, id: string) => (await db.query<{ id: string }>(`select id from ${table} where case_id = $1 and district_code = $2 order by id`,
        [id, a.r.case.district_code])).rows.map((r) => Number(r.id));
      for (const table of ['case_trail', 'case_events']) {
        const [ta, tb] = [await idsOf(table, a.r.case.id), await idsOf(table, b.r.case.id)];
        expect(ta, table).toHaveLength(2);
        expect(Math.max(...ta), table).toBeLessThan(Math.min(...tb));
      }
    }));

    test("case_trail's append-only guard is on its shards: an update or a delete of an entry is refused there", () => inTx(async (db) => {
      const { r } = await acceptedCase(db, 'citus append-only');
      const key = [r.case.id, r.case.district_code];
      expect(await refusal(db, `update case_trail set note = 'changed' where case_id = $1 and district_code = $2`, key)).toMatch(/case_trail is append-only: UPDATE is not allowed/);
      expect(await refusal(db, `delete from case_trail where case_id = $1 and district_code = $2`, key)).toMatch(/case_trail is append-only: DELETE is not allowed/);
      // And the refusal came from a shard (the trigger's copy on a worker), not from the coordinator's empty shell.
      const { rows: [t] } = await db.query<{ n: number }>(
        `select count(*)::int as n from run_command_on_shards('case_trail', $$select count(*) from pg_trigger where tgrelid = '%s'::regclass and tgname like 'case_trail_no_update%%'$$)
          where result = '1'`);
      expect(t.n).toBe(32);
      expect((await trail(db, r.case)).map((e) => e.action)).toEqual(['report', 'accept']);
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

    test("case numbers (0063): an intake's number is one upsert on one shard of the distributed case_no_counters, and the counts go on", () => inTx(async (db, notices) => {
      expect(await isDistributed(db, 'case_no_counters')).toBe(true);
      expect(await nextCaseNo(db, '110101', '2031-07-01')).toBe('11010120310701000001');
      await db.exec('set local citus.log_remote_commands = on; set local client_min_messages = log');
      const before = notices.length;
      expect(await nextCaseNo(db, '110101', '2031-07-01')).toBe('11010120310701000002');
      const sent = notices.slice(before).filter((m) => /case_no_counters_\d+/.test(m));
      expect(sent.map((m) => /^(\w+)/.exec(m.replace(/^issuing /, ''))?.[1])).toEqual(['INSERT']); // no intermediate result
      expect(await caseNumbers(db, [{ district_code: '110101', local_date: '2031-07-01' }, { district_code: '110102', local_date: '2031-07-01' }]))
        .toEqual(['11010120310701000003', '11010220310701000001']);
    }));

    test('a case is reported and acted on through the case service; its writer bumps the tile generation with its extent (0060), and its grid-day is counted', () => inTx(async (db) => {
      const deps = caseDeps(db);
      const { inspector, operator } = await demoUsers(db);
      const p = await pointInGrid(db);
      const gen = async () => Number((await db.query<{ gen: string }>("select gen from tile_generations where tile_set = 'cases'")).rows[0].gen);
      const before = await gen();
      const r = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'citus' }, null);
      expect(r.case).toMatchObject({ status: 'pending_acceptance', grid_code: p.code, version: 1 });
      expect(await gen()).toBeGreaterThan(before);
      // The extent is the case's point and its community's polygon, as on PostgreSQL (cases read first: a join of
      // the distributed cases with the plain tile_changes is refused).
      const { rows: [c] } = await db.query<{ geom: string; community_code: string }>(
        'select st_asewkt(geom) as geom, community_code from cases where id = $1 and district_code = $2', [r.case.id, r.case.district_code]);
      const { rows: [change] } = await db.query<{ inside: boolean; community: boolean }>(
        `select st_intersects(st_makeenvelope(t.min_lon, t.min_lat, t.max_lon, t.max_lat, 4326), $1::geometry) as inside,
                st_makeenvelope(t.min_lon, t.min_lat, t.max_lon, t.max_lat, 4326) ~ (select geom from regions where code = $2) as community
           from tile_changes t where t.tile_set = 'cases' order by t.gen desc limit 1`, [c.geom, c.community_code]);
      expect(change).toEqual({ inside: true, community: true });
      const day = await db.query<{ n: number }>('select n from case_grid_days where district_code = $1 and grid_code = $2 and day = $3::date',
        [r.case.district_code, p.code, '2026-11-23']);
      expect(day.rows[0]?.n).toBeGreaterThanOrEqual(1);
      const accepted = await actOnCase(deps, operator, r.case.id, { action: 'accept', version: r.case.version });
      expect(accepted).toMatchObject({ status: 'pending_filing', version: 2 });
      expect((await readCase(deps, operator, r.case.id)).trail.map((e) => e.action)).toEqual(['report', 'accept']);
    }));

    test("the case workflow tables carry their case's district (0064): written by the case service, another district's row refused by the foreign key on the shards", () => inTx(async (db) => {
      const { r } = await acceptedCase(db, 'citus 0064');
      for (const table of ['case_trail', 'case_events', 'case_steps']) {
        const { rows } = await db.query<{ d: string; n: number }>(`select district_code as d, count(*)::int as n from ${table} where case_id = $1 group by 1`, [r.case.id]);
        expect(rows, table).toEqual([{ d: r.case.district_code, n: 2 }]);
      }
      expect(await refusal(db, `insert into case_events (case_id, district_code, version, at, payload) values ($1, '110102', 9, now(), '{}')`, [r.case.id]))
        .toMatch(/violates foreign key constraint "case_events_case_id_district_code_fkey_\d+"/);
    }));

    test("the public, Open311, rating, notification and idempotency rows carry their case's district (0065): written by the case service; on the shards another district's row is refused by the foreign key", () => inTx(async (db) => {
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
      expect(await refusal(db, `insert into case_tracking (case_id, district_code, code_hash, created_at) values ($1, '110102', $2, now())`, [r.case.id, 'a'.repeat(64)]))
        .toMatch(/violates foreign key constraint "case_tracking_case_id_district_code_fkey_\d+"/);
    }));

    test("a component import (0062's keys) keeps the per-grid counts from its writer (0061), and data_files' upsert runs on its reference table", () => inTx(async (db) => {
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
      const { rows: [k] } = await db.query<{ id: string; district_code: string }>(
        `select id, district_code from components where class_code in (select class_code from class_departments where kind = 'component') order by id limit 1`);
      await db.query('update components set supervising_department_id = null where id = $1 and district_code = $2', [k.id, k.district_code]);
      expect(await gens()).toEqual(before); // plain SQL
      expect(await assignComponentDefaults(db)).toBeGreaterThanOrEqual(1); // a component writer (db/departments.ts)
      expect((await db.query('select 1 from components where id = $1 and district_code = $2 and supervising_department_id is not null', [k.id, k.district_code])).rows).toHaveLength(1);
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
      await db.query(`insert into audit_log (at, action, target) values ($1, 'citus.analyze', 'test')`, [new Date()]);
      await analyzeTable(db, 'audit_log');
      await expect(db.exec('analyze audit_log')).rejects.toThrow(/local execution has accessed a placement/);
    }));

    test('analyzeTable analyses the distributed grids and components written in the same transaction (a plain ANALYZE, sent to the shards)', () => inTx(async (db) => {
      await db.query('update grids set land_use = land_use where code = (select min(code) from grids)');
      await analyzeTable(db, 'grids');
      await db.query('update components set note = note where id = (select min(id) from components)');
      await analyzeTable(db, 'components');
    }));

    test("still refused: a trigger on a distributed table (cases: why 0060 and 0061 took the tile and count triggers off it), and, why 0042 was needed, a trigger joining its transition table with a Citus table (\"unrecognized RTE kind: 7\") on a Citus local one", () => inTx(async (db) => {
      await db.exec(`create function citus_old_style() returns trigger language plpgsql as $f$
        begin
          perform 1 from regions r where r.code in (select target from new_rows);
          return null;
        end $f$`);
      expect(await refusal(db, `create trigger citus_old_style after update on cases referencing new table as new_rows
        for each statement execute function citus_old_style()`)).toMatch(/triggers are not supported on distributed tables/);
      await db.exec(`create trigger citus_old_style after update on audit_log referencing new table as new_rows
        for each statement execute function citus_old_style()`);
      await expect(db.query('update audit_log set target = target where false')).rejects.toThrow(/unrecognized RTE kind: 7/);
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
    describe("a locate without a district asks the districts whose extent holds the point (services/grids.ts locate, services/district-extents.ts)", () => {
      /** The locates among the recorded statements (the extents' and the generation's reads aside). */
      const locates = (seen: { sql: string; params: readonly unknown[] }[]) => seen.filter((x) => /st_covers\(geom/.test(x.sql));
      /** What Citus sent the workers while fn ran (citus.log_remote_commands), as shardsNamed reads it. */
      async function remote(db: Queryable, notices: string[], fn: () => Promise<unknown>) {
        await db.exec('set local citus.log_remote_commands = on; set local client_min_messages = log');
        const from = notices.length;
        await fn();
        await db.exec('set local citus.log_remote_commands = off; set local client_min_messages = notice');
        return shardsNamed(db, notices.slice(from));
      }
      const rangeOf = async (db: Queryable, district: string) => (await db.query<{ min: string }>(
        `select shardminvalue as min from pg_dist_shard where shardid = get_shard_id_for_distribution_column('grids', $1::text)`, [district])).rows[0].min;

      test('a point inside one district: one statement (locate-grid-in-district.sql), Task Count 1, sent to that district\'s shard alone; the unrouted locate\'s answer', () => inTx(async (db, notices) => {
        const { rows: [at] } = await db.query<{ code: string; district_code: string; lon: number; lat: number }>(
          `select code, district_code, st_x(p) as lon, st_y(p) as lat
             from (select code, district_code, st_pointonsurface(geom) as p from grids where valid_to is null order by code offset 5 limit 1) g`);
        const extents = new DistrictExtents();
        await extents.current(db); // read once per grids generation (a task per shard), before the locates
        const seen: { sql: string; params: readonly unknown[] }[] = [];
        const rec = recording(db, seen);
        let got: unknown = null;
        const sent = await remote(db, notices, async () => { got = await locateRouted(rec, at.lon, at.lat, extents); });
        expect(got).toMatchObject({ code: at.code, district_code: at.district_code });
        expect(got).toEqual(await gridsDb.locate(db, at.lon, at.lat));
        expect(sent.tables).toEqual(['grids']);
        expect(sent.ranges).toEqual([await rangeOf(db, at.district_code)]);
        const l = locates(seen);
        expect(l.map((x) => x.params)).toEqual([[at.lon, at.lat, at.district_code]]);
        expect(taskCount(await explain(db, l[0].sql, l[0].params))).toBe(1);
        expect(extents.stats().reads).toBe(1);
      }));

      test('on the edge of two districts on different shards: one statement (district_code = any($3)) of two tasks, each run on those two shards alone (past the plan cache\'s five custom plans); the lower code, as unrouted', () => inTx(async (db, notices) => {
        const { w, b } = await neighbourOnAnotherShard(db, 'citus-edge');
        const extents = new DistrictExtents();
        await extents.current(db);
        const edge = { lon: w.x0, lat: (w.y0 + w.y1) / 2 };
        const unrouted = await gridsDb.locate(db, edge.lon, edge.lat);
        expect(unrouted?.district_code).toBe([w.district_code, b].sort()[0]);
        const ranges = [await rangeOf(db, w.district_code), await rangeOf(db, b)].sort();
        for (let i = 0; i < 8; i++) {
          const seen: { sql: string; params: readonly unknown[] }[] = [];
          let got: unknown = null;
          const sent = await remote(db, notices, async () => { got = await locateRouted(recording(db, seen), edge.lon, edge.lat, extents); });
          expect(got).toEqual(unrouted);
          expect(sent.ranges.sort(), `run ${i}`).toEqual(ranges);
          const l = locates(seen);
          expect(l.map((x) => x.params)).toEqual([[edge.lon, edge.lat, [w.district_code, b].sort()]]);
          if (i === 0) expect(taskCount(await explain(db, l[0].sql, l[0].params))).toBe(2);
        }
      }));

      test('intake by a user of every district (reportCase with the extents): every command on the group goes to the shards of one hash range, each statement Task Count 1', () => inTx(async (db, notices) => {
        const { inspector } = await demoUsers(db);
        const p = await pointInGrid(db);
        const district = (await gridsDb.locate(db, p.lon, p.lat))!.district_code;
        const deps = { ...caseDeps(db), district_extents: new DistrictExtents() };
        await deps.district_extents.current(db);
        const seen: { sql: string; params: readonly unknown[] }[] = [];
        const sent = await remote(db, notices, async () => {
          const r = await reportCase({ ...deps, db: recording(db, seen) }, { ...inspector, region_code: null },
            { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'citus intake, every district' }, null);
          expect(r.case).toMatchObject({ district_code: district, grid_code: p.code });
        });
        expect(sent.tables).toEqual(expect.arrayContaining(['cases', 'grids']));
        expect(sent.ranges).toEqual([await rangeOf(db, district)]);
        const routed = await routes(db, seen);
        expect(routed.some((x) => /st_covers\(geom/.test(x.sql))).toBe(true);
        for (const r of routed) expect(r.tasks, r.sql).toEqual(r.tasks.map(() => 1));
      }));
    });

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
      const { w, b } = await neighbourOnAnotherShard(db, 'citus-edge');
      const t = tileOf(w.x0, (w.y0 + w.y1) / 2, 16);
      const met = districtsMeeting(await districtBoxes(db), 16, t.x, t.y);
      expect(met).toEqual([w.district_code, b].sort());
      expect(taskCount(await explain(db, postgresLayerSql(tileLayers('grids', 16, null, true)[0]), [16, t.x, t.y, met]))).toBe(2);
      // drawTile inlines the envelope for such a tile (db/tiles.ts ENV_INLINED): the shards' tasks scan by a constant, no
      // envelope computed on the coordinator and broadcast to them as an intermediate result (~250 ms a tile)
      // (an index condition or a filter, as the shard's planner likes: the envelope's column of the broadcast result)
      const byBroadcastEnvelope = /geom && intermediate_result\.q\b/;
      expect(await explain(db, postgresLayerSql(tileLayers('grids', 16, null, true)[0]), [16, t.x, t.y, met])).toMatch(byBroadcastEnvelope);
      const inlined = await explain(db, postgresLayerSql(tileLayers('grids', 16, null, true)[0], true), [16, t.x, t.y, met]);
      expect(inlined).toMatch(/geom && '[0-9A-F]+'::geometry/);
      expect(inlined).not.toMatch(byBroadcastEnvelope);
      expect(taskCount(inlined)).toBe(2);
      const routed = (await drawTile(db, 'grids', 16, t.x, t.y, 'postgis', undefined, met)).mvt;
      expect(decodeTile(routed).grids.map((f) => f.properties.code)).toEqual(expect.arrayContaining([`${b}001001001`]));
      // the same content: two shards answer in either order, so the features may come in another order than unrouted
      expect(tileContent(routed)).toEqual(tileContent((await drawTile(db, 'grids', 16, t.x, t.y, 'postgis')).mvt));
    }));

    test("a grid's detail (db/grids.ts get: the grid, then its components by district) is read from the distributed grids and components", () => inTx(async (db) => {
      // Joined on the district too: co-located, on each shard (on grid_code alone Citus refuses it, "requires repartitioning").
      const { rows: [g] } = await db.query<{ code: string; district_code: string; n: number }>(
        `select g.code, g.district_code, count(k.id)::int as n
           from grids g join components k on k.district_code = g.district_code and k.grid_code = g.code
          where g.valid_to is null group by g.code, g.district_code order by g.code limit 1`);
      expect(g.n).toBeGreaterThan(0);
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


    test("components (0062's keys) co-located with grids and cases: a component by id and district, and a district's cases joined to their components, go to one shard; the foreign key holds on the shards; the deleter clears citations first", () => inTx(async (db) => {
      const { inspector } = await demoUsers(db);
      const { rows: [k] } = await db.query<{ id: string; district_code: string; x: number; y: number }>(
        `select id, district_code, st_x(geom) as x, st_y(geom) as y from components
          where class_code = '01037' and grid_code is not null order by id limit 1`);
      const r = await reportCase(caseDeps(db), scoped(inspector, k.district_code), { kind: 'component_anomaly', class_code: '01037', lon: k.x, lat: k.y, component_id: k.id }, null);
      expect(r.case).toMatchObject({ component_id: k.id, district_code: k.district_code });
      expect(taskCount(await explain(db, 'select * from components where id = $1 and district_code = $2', [k.id, k.district_code]))).toBe(1);
      expect(taskCount(await explain(db,
        `select c.case_no, k.class_code from cases c join components k on k.id = c.component_id and k.district_code = c.district_code
          where c.district_code = $1`, [k.district_code]))).toBe(1);
      expect(await getComponent(db, k.id)).toMatchObject({ id: k.id, class_code: '01037' });
      // The foreign key, on the shards: another district's component is refused, a cited component's delete too …
      const other = `110199${k.id.slice(6)}`;
      await db.query(`insert into components (id, class_code, district_code, survey_date, geom) values ($1, '01037', '110199', '2026-01-01', st_setsrid(st_makepoint($2, $3), 4326))`,
        [other, k.x, k.y]);
      expect(await refusal(db, 'update cases set component_id = $1 where id = $2 and district_code = $3', [other, r.case.id, k.district_code])).toMatch(/violates foreign key constraint "cases_component_fkey_\d+"/);
      expect(await refusal(db, 'delete from components where id = $1 and district_code = $2', [k.id, k.district_code])).toMatch(/violates foreign key constraint "cases_component_fkey_\d+"/);
      // … and the app's deleter clears the citation first (db/components.ts deleteBySource).
      await db.query(`update components set source_id = 'test:citus-fk:1' where id = $1 and district_code = $2`, [k.id, k.district_code]);
      expect(await deleteBySource(db, 'test:citus-fk:%')).toBe(1);
      expect((await db.query('select component_id from cases where id = $1 and district_code = $2', [r.case.id, k.district_code])).rows).toEqual([{ component_id: null }]);
      // Why 0062's key has no `on delete set null`: Citus refuses SET NULL on a key holding the distribution column
      // (PostgreSQL 15's column list too).
      expect(await refusal(db, `alter table cases add constraint cases_component_null_fkey foreign key (component_id, district_code)
                                  references components (id, district_code) on delete set null (component_id)`)).toMatch(/SET NULL or SET DEFAULT is not supported/);
    }));

    test("the app's component import (services/import-components.ts) on the distributed components: the plan reads the batch's components from a temporary copy read from the district's shard (db/import.ts stageComponents); every statement reaching components goes to that one shard", () => inTx(async (db, notices) => {
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
      const opts = { class_code: '01037', id_field: 'ID', source: 'test:citus-import', map: { note: 'NOTE', class_code: 'CLASS' },
        now: () => new Date('2026-03-01T04:00:00Z') };
      await db.query(`insert into components (id, class_code, district_code, survey_date, geom, source_id)
                      values ('11019901037999999', '01037', '110199', '2026-01-01', st_setsrid(st_makepoint($1, $2), 4326), 'test:citus-import:N3')`, [a.x, a.y]);
      await db.exec('set local citus.log_remote_commands = on; set local client_min_messages = log');
      const from = notices.length;
      const reports = [];
      for (const text of [first, second, third]) {
        const { elapsed_ms: _, ...r } = await importComponents(db, text, opts);
        reports.push(r);
      }
      const sent = notices.slice(from);
      await db.exec('set local citus.log_remote_commands = off');
      expect(reports.map((r) => [r.imported, r.updated, r.unchanged, Object.keys(r.rejected_by_code).sort()])).toEqual([
        [2, 0, 0, ['outside_grids', 'swapped_coordinates']], [2, 2, 1, []], [0, 0, 0, ['class_changed']]]);
      const { rows } = await db.query<{ source_id: string; district_code: string; note: string | null; change_date: string }>(
        `select source_id, district_code, note, change_date::text from components where source_id like 'test:citus-import:%' order by id`);
      expect(rows.filter((r) => r.source_id === 'test:citus-import:N3').map((r) => r.district_code)).toEqual([a.district_code, '110199']);
      expect(rows.find((r) => r.source_id === 'test:citus-import:N1')).toMatchObject({ note: 'moved', change_date: '2026-03-01' });
      await expectCountsExact(db);
      // Every statement of the imports that reached components (the staging read, the insert, the update) was
      // sent to one shard: the fixture district's.
      const statements = sent.filter((m) => /\bcomponents_\d+/.test(m));
      expect(statements.map((m) => /^issuing (\w+)/.exec(m)?.[1])).toEqual(expect.arrayContaining(['SELECT', 'INSERT', 'UPDATE']));
      expect(new Set(statements.map((m) => /\bcomponents_(\d+)/.exec(m)?.[1])).size).toBe(1);
    }));

    test("the app's other readers and writers of components run on the distributed table: the map's list and OGC items, a feature, the extent, nearby components, the department suggestion, the defaults' update, the simulated history's components, a grid's detail and card, a points tile, the loaders' COPY and the deleter", () => inTx(async (db) => {
      const { rows: [k] } = await db.query<{ id: string; district_code: string; x: number; y: number; grid_code: string }>(
        `select id, district_code, st_x(geom) as x, st_y(geom) as y, grid_code from components
          where class_code = '01037' and grid_code is not null order by id limit 1`);
      const box: [number, number, number, number] = [k.x - 0.01, k.y - 0.01, k.x + 0.01, k.y + 0.01];
      const t = tileOf(k.x, k.y, 17);
      const { rows: three } = await db.query<{ id: string }>(
        `select id from components where district_code = $1 and class_code = '01037' order by id limit 3`, [k.district_code]);
      await db.query('update components set supervising_department_id = null where district_code = $1 and id = any ($2::text[])',
        [k.district_code, three.map((r) => r.id)]);
      expect(await assignComponentDefaults(db)).toBe(3);
      expect(await suggestFor(db, { class_code: '01037', component_id: k.id })).not.toBeNull();
      const list = await inBbox(db, { bbox: box, limit: 10, offset: 5 });
      expect(list.items).toHaveLength(10);
      const items = await inBbox(db, { bbox: box, limit: 10, offset: 0, predicate: 'intersects', class_code: '01037' });
      expect(items.items.length).toBeGreaterThan(0);
      expect(await componentFeature(db, k.id)).toMatchObject({ id: k.id });
      const extent = await componentExtent(db);
      expect(extent).not.toBeNull();
      expect((await near(db, { lon: k.x, lat: k.y, radius_m: 300, limit: 5 })).map((c) => c.id)).toContain(k.id);
      expect((await historyComponents(db, ['01037'])).length).toBeGreaterThan(0);
      const { rows: [n] } = await db.query<{ n: number }>('select count(*)::int as n from components where district_code = $1 and grid_code = $2', [k.district_code, k.grid_code]);
      expect(await gridsDb.get(db, k.grid_code)).toMatchObject({ code: k.grid_code, component_count: n.n });
      expect((await statsDb.gridComponents(db, k.grid_code)).reduce((s, c) => s + c.count, 0)).toBe(n.n);
      expect(decodeTile((await drawTile(db, 'components', 17, t.x, t.y, 'postgis')).mvt).components?.map((f) => f.properties.id)).toContain(k.id);
      await copyRows(db, ['id', 'class_code', 'district_code', 'grid_code', 'survey_date', 'geom', 'source_id'],
        `${k.district_code}01037999990\t01037\t${k.district_code}\t${k.grid_code}\t2026-01-01\tSRID=4326;POINT(${k.x} ${k.y})\ttest:citus-readers:1\n`);
      await expectCountsExact(db);
      expect(await deleteBySource(db, 'test:citus-readers:%')).toBe(1);
      await expectCountsExact(db);
    }));

    describe("the hot paths of one district are routed to one shard; the province's views run as distributed queries", () => {
      /** Every command the app's `fn` made Citus send to the workers, and the shards of the group they named. */
      async function sentBy(db: Queryable, notices: string[], fn: () => Promise<unknown>) {
        await db.exec('set local citus.log_remote_commands = on; set local client_min_messages = log');
        const from = notices.length;
        await fn();
        await db.exec('set local citus.log_remote_commands = off; set local client_min_messages = notice');
        return shardsNamed(db, notices.slice(from));
      }

      test('intake (reportCase by a district-scoped inspector): every command on the group (the locate, the duplicates, the number, the case, its trail, event, step and grid-day) goes to the shards of one hash range; each statement of the app on them is Task Count 1', () => inTx(async (db, notices) => {
        const district = await fixtureDistrict(db);
        const { inspector } = await demoUsers(db);
        const p = await pointInGrid(db);
        const seen: { sql: string; params: readonly unknown[] }[] = [];
        const rec = recording(db, seen);
        let id = '';
        const sent = await sentBy(db, notices, async () => {
          const r = await reportCase(caseDeps(rec), scoped(inspector, district), { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'citus intake' }, 'citus-intake');
          id = r.case.id;
          expect(r.case).toMatchObject({ district_code: district, grid_code: p.code, status: 'pending_acceptance' });
        });
        expect(sent.tables).toEqual(expect.arrayContaining(['case_events', 'case_grid_days', 'case_no_counters', 'case_steps', 'case_trail', 'cases', 'grids']));
        expect(sent.ranges).toHaveLength(1);
        const { rows: [mine] } = await db.query<{ min: string }>(
          `select shardminvalue as min from pg_dist_shard where shardid = get_shard_id_for_distribution_column('cases', $1::text)`, [district]);
        expect(sent.ranges).toEqual([mine.min]);
        const routed = await routes(db, seen);
        expect(routed.length).toBeGreaterThanOrEqual(6);
        for (const r of routed) expect(r.tasks, r.sql).toEqual(r.tasks.map(() => 1));
        // The grid-day upsert of one case is a values row, router-planned (an insert … select from unnest was pulled
        // to the coordinator, no task: db/grid-counts.ts applyDayDeltas).
        expect(routed.find((r) => /^insert into case_grid_days/.test(r.sql))?.tasks).toEqual([1]);
        expect(id).not.toBe('');
      }));

      test('an action (actOnCase by a district-scoped operator) and a case read by a scoped user go to one shard', () => inTx(async (db, notices) => {
        const district = await fixtureDistrict(db);
        const { inspector, operator } = await demoUsers(db);
        const p = await pointInGrid(db);
        const deps = caseDeps(db);
        const r = await reportCase(deps, scoped(inspector, district), { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'citus action' }, null);
        const seen: { sql: string; params: readonly unknown[] }[] = [];
        const rdeps = caseDeps(recording(db, seen));
        const sent = await sentBy(db, notices, async () => {
          expect(await actOnCase(rdeps, scoped(operator, district), r.case.id, { action: 'accept', version: r.case.version }))
            .toMatchObject({ status: 'pending_filing', version: 2 });
          expect((await readCase(rdeps, scoped(operator, district), r.case.id)).trail.map((e) => e.action)).toEqual(['report', 'accept']);
        });
        expect(sent.tables).toEqual(expect.arrayContaining(['case_trail', 'cases']));
        expect(sent.ranges).toHaveLength(1);
        const routed = await routes(db, seen);
        for (const table of ['cases', 'case_trail', 'case_events', 'case_steps']) {
          expect(routed.some((x) => new RegExp(`\\b${table}\\b`).test(x.sql)), table).toBe(true);
        }
        for (const x of routed) expect(x.tasks, x.sql).toEqual(x.tasks.map(() => 1));
      }));

      test("a case's trail (db/cases.ts trail, lastTrail) and public reply (db/public.ts publicReply) name its district: Task Count 1; by case id alone, 32", () => inTx(async (db) => {
        const { operator, r } = await acceptedCase(db, 'citus case reads');
        await savePublicReply(db, { case_id: r.case.id, district_code: r.case.district_code, reply: 'on its way', at: new Date('2026-03-01T04:00:00Z'), by: operator.id });
        const seen: { sql: string; params: readonly unknown[] }[] = [];
        const rec = recording(db, seen);
        const c = { id: r.case.id, district_code: r.case.district_code };
        expect((await trail(rec, c)).map((e) => e.action)).toEqual(['report', 'accept']);
        expect(await lastTrail(rec, c)).toMatchObject({ seq: 2 });
        expect(await publicReply(rec, c)).toMatchObject({ reply: 'on its way' });
        expect(seen).toHaveLength(3);
        for (const { sql, params } of seen) {
          expect(sql).toMatch(/ and district_code = \$2/);
          expect(taskCount(await explain(db, sql, params)), sql).toBe(1);
          expect(taskCount(await explain(db, sql.replace(' and district_code = $2', ''), params.slice(0, 1))), sql).toBe(32);
        }
      }));

      test("the wall's feed of a scoped user (db/wall-feed.ts wallPage) is one shard; the live stream's read of case_events (db/cases.ts eventsAfter, one per server process for every district, filtered per stream in the hub) is a merge of the 32 shards in id order", () => inTx(async (db) => {
        const district = await fixtureDistrict(db);
        const { operator } = await demoUsers(db);
        const start = await lastEventId(db);
        const { r } = await acceptedCase(db, 'citus live');
        const seen: { sql: string; params: readonly unknown[] }[] = [];
        const page = await wallPage(recording(db, seen), scoped(operator, district), null, 500, new Date('2026-11-23T03:00:00Z'));
        expect(page.map((c) => c.id)).toContain(r.case.id);
        const routed = await routes(db, seen);
        expect(routed).toHaveLength(1);
        expect(routed[0].tasks).toEqual([1]);
        const events = await eventsAfter(db, start);
        expect(events.map((e) => [e.case_id, e.version])).toEqual([[r.case.id, 1], [r.case.id, 2]]);
        expect(events.map((e) => e.payload.district_code)).toEqual([district, district]);
        expect(taskCount(await explain(db, 'select id, case_id::text as case_id, version, payload from case_events where id > $1 order by id limit $2', [start, 1000]))).toBe(32);
      }));

      test("a scoped user's cases tile (db/tiles.ts, `c.district_code = $10`) is one shard: the points (z >= 16) and the grid clusters (z13-15, its grids named too)", () => inTx(async (db) => {
        const district = await fixtureDistrict(db);
        const { r } = await acceptedCase(db, 'citus tile');
        const { rows: [c] } = await db.query<{ x: number; y: number }>('select st_x(geom) as x, st_y(geom) as y from cases where id = $1 and district_code = $2',
          [r.case.id, r.case.district_code]);
        const seen: { sql: string; params: readonly unknown[] }[] = [];
        const points = tileOf(c.x, c.y, CASE_DETAIL_ZOOM);
        const drawn = await drawTile(recording(db, seen), 'cases', CASE_DETAIL_ZOOM, points.x, points.y, 'postgis', { now: new Date('2026-11-23T03:00:00Z'), district });
        expect(decodeTile(drawn.mvt).cases?.map((f) => f.properties.id)).toContain(r.case.id);
        const clusters = tileOf(c.x, c.y, CASE_DETAIL_ZOOM - 2);
        const clustered = await drawTile(recording(db, seen), 'cases', CASE_DETAIL_ZOOM - 2, clusters.x, clusters.y, 'postgis', { now: new Date('2026-11-23T03:00:00Z'), district });
        expect(decodeTile(clustered.mvt).cases?.map((f) => f.properties.grid_code)).toContain(r.case.grid_code);
        const routed = await routes(db, seen);
        expect(routed.length).toBe(2);
        for (const x of routed) expect(x.tasks, x.sql).toEqual(x.tasks.map(() => 1));
      }));

      test("one district's evaluation (services/evaluation.ts evaluate, its streets) reads its cases from one shard; the province's ranking of districts runs on all 32 and gives each district the row its own evaluation gives", () => inTx(async (db) => {
        const district = await fixtureDistrict(db);
        const { inspector } = await demoUsers(db);
        // A second district on another shard, with a grid west of the fixture's (not touching it) and a case in it.
        const { w, b } = await neighbourOnAnotherShard(db, 'citus-rank', 0.0005);
        const deps = caseDeps(db);
        const p = await pointInGrid(db);
        for (const [user, lon, lat] of [[scoped(inspector, district), p.lon, p.lat], [scoped(inspector, district), p.lon, p.lat],
          [scoped(inspector, b), w.x0 - 0.0015, (w.y0 + w.y1) / 2]] as const) {
          const r = await reportCase(deps, user, { kind: 'event', class_code: '06010', lon, lat, description: 'citus ranking' }, null);
          expect(r.case.district_code).toBe(user.region_code);
        }
        const evalDeps = (q: Queryable) => ({ db: q, clock: { now: () => new Date('2026-11-30T04:00:00Z') }, work: workRules() });
        const period = { from: '2026-11-01', to: '2026-11-30' };
        // The app's statements first, their EXPLAINs after (an EXPLAIN between them changes the transaction's
        // local-execution state, and Citus then refuses the next read of a reference table: a test artifact).
        const seenOne: { sql: string; params: readonly unknown[] }[] = [];
        const streets = await evaluate(evalDeps(recording(db, seenOne)), 'regions', { level: 'street', parent: district, ...period });
        expect(streets.rows.length).toBeGreaterThan(0);
        const seenAll: { sql: string; params: readonly unknown[] }[] = [];
        const ranking = await evaluate(evalDeps(recording(db, seenAll)), 'regions', { level: 'district', ...period });
        const own = new Map<string, unknown>();
        for (const d of [district, b]) own.set(d, (await evaluate(evalDeps(db), 'regions', { level: 'district', parent: d, ...period })).rows[0]);
        expect(ranking.rows.map((r) => r.key).sort()).toEqual([district, b].sort());
        for (const d of [district, b]) expect(ranking.rows.find((r) => r.key === d), d).toEqual(own.get(d));
        // Every statement of one district's evaluation: its cases, and its grids (the region's existence, the count of
        // grids per street: db/evaluation.ts names the district).
        const one = await routes(db, seenOne);
        expect(one.filter((x) => /\bcases\b/.test(x.sql)).length).toBeGreaterThan(0);
        expect(one.filter((x) => /\bgrids\b/.test(x.sql)).length).toBeGreaterThan(0);
        for (const x of one) expect(x.tasks, x.sql).toEqual(x.tasks.map(() => 1));
        const province = (await routes(db, seenAll)).filter((x) => /\bcases\b/.test(x.sql));
        expect(province.length).toBeGreaterThan(0);
        for (const x of province) expect(Math.max(...x.tasks), x.sql).toBe(32);
        const reported = (d: string) => Object.values(ranking.rows.find((r) => r.key === d)!.indicators).map((f) => f.denominator);
        expect(reported(b)).not.toEqual(reported(district)); // two cases against one: the rows are each district's own
      }));
    });

    describe('case ids naming their district (domain/case-ids.ts, migrations/0068): a user of every district acts on a case by id on one shard', () => {
      /** Every command the app's `fn` made Citus send to the workers, and the shards of the group they named. */
      async function sentByApp(db: Queryable, notices: string[], fn: () => Promise<unknown>) {
        await db.exec('set local citus.log_remote_commands = on; set local client_min_messages = log');
        const from = notices.length;
        await fn();
        await db.exec('set local citus.log_remote_commands = off; set local client_min_messages = notice');
        return shardsNamed(db, notices.slice(from));
      }
      /** The case `id` copied under a version-4 id, as every case made before 0068 has (its trail re-keyed). */
      async function asOldCase(db: Queryable, id: string): Promise<string> {
        const cols = ['status', 'source', 'kind', 'class_code', 'geom', 'district_code', 'street_code', 'community_code', 'grid_code', 'reporter_id',
          'step', 'step_started_at', 'step_deadline_at', 'yellow_at', 'red_at', 'trail_head', 'version', 'created_at', 'updated_at', 'origin'].join(', ');
        const { rows: [c] } = await db.query<{ id: string }>(
          `insert into cases (id, case_no, ${cols}) select gen_random_uuid(), case_no || '9', ${cols} from cases where id = $1 returning id::text as id`, [id]);
        await db.query(`insert into case_trail (case_id, district_code, seq, at, actor, role, action, from_status, to_status, prev_hash, hash)
          select $2, district_code, seq, at, actor, role, action, from_status, to_status, prev_hash, hash from case_trail where case_id = $1`, [id, c.id]);
        return c.id;
      }

      test('a new case (a UUIDv8 id naming its district): the action and the read of an unscoped operator, every statement Task Count 1 on the district\'s shards; an old v4 case: the district read first asks all 32', () => inTx(async (db, notices) => {
        const district = await fixtureDistrict(db);
        const { inspector, operator, shiftLead } = await demoUsers(db); // operator, shift leader: region_code null, users of every district
        const p = await pointInGrid(db);
        const r = await reportCase(caseDeps(db), scoped(inspector, district), { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'citus case id' }, null);
        expect(r.case.id.slice(0, 6)).toBe(district);
        expect(r.case.id[14]).toBe('8');
        const seen: { sql: string; params: readonly unknown[] }[] = [];
        const rdeps = caseDeps(recording(db, seen));
        const sent = await sentByApp(db, notices, async () => {
          expect(await actOnCase(rdeps, operator, r.case.id, { action: 'accept', version: r.case.version })).toMatchObject({ status: 'pending_filing', version: 2 });
          expect((await readCase(rdeps, operator, r.case.id)).trail.map((e) => e.action)).toEqual(['report', 'accept']);
        });
        // The same kind of action on a case with a v4 id (made before 0068): the lock's district is read first, by id alone.
        // (The app's statements before any EXPLAIN: one between them changes the transaction's local-execution state.)
        const old = await asOldCase(db, r.case.id);
        const seenOld: { sql: string; params: readonly unknown[] }[] = [];
        expect(await actOnCase(caseDeps(recording(db, seenOld)), shiftLead, old, { action: 'file', version: 2 })).toMatchObject({ id: old, version: 3 });

        expect(sent.tables).toEqual(expect.arrayContaining(['case_trail', 'cases']));
        const { rows: [mine] } = await db.query<{ min: string }>(
          `select shardminvalue as min from pg_dist_shard where shardid = get_shard_id_for_distribution_column('cases', $1::text)`, [district]);
        expect(sent.ranges).toEqual([mine.min]);
        expect(seen.some((x) => /\bfrom cases c where c\.id = \$2 and c\.district_code = \$3 for update/.test(x.sql)), 'the lock names the district').toBe(true);
        expect(seen.filter((x) => /select district_code as d from cases where id = \$1/.test(x.sql)), 'no district read first').toEqual([]);
        const routed = await routes(db, seen);
        for (const x of routed) expect(x.tasks, x.sql).toEqual(x.tasks.map(() => 1));
        const districtRead = (await routes(db, seenOld)).filter((x) => /select district_code as d from cases where id = \$1/.test(x.sql));
        expect(districtRead.map((x) => x.tasks)).toEqual([[32]]);
      }));
    });

    describe("the live stream reads the districts it heard of (live/hub.ts, db/cases.ts eventsHeard; issue 12)", () => {
      test("a pump after one district's write (its NOTIFY `<id>:<district>`) reads that district alone: each statement Task Count 1, sent to its case_events shard alone; the full read by id is 32", () => inTx(async (db, notices) => {
        const district = await fixtureDistrict(db);
        const seenHub: { sql: string; params: readonly unknown[] }[] = [];
        let onNotice: ((payload: string) => void) | null = null;
        // the hub's db: the statements it sends are recorded; its listener is driven by the NOTIFY payloads the
        // write below sent (inside this test's transaction, which never commits, nothing is delivered)
        const hubDb = {
          engine: db.engine,
          query: (sql: Sql, params: readonly unknown[] = []) => { seenHub.push({ sql: typeof sql === 'string' ? sql : sql.text, params }); return db.query(sql, params); },
          listen: async (channel: string, cb: (p: string) => void, opts: { onState?: (up: boolean) => void } = {}) => {
            if (channel === EVENTS_CHANNEL) { onNotice = cb; opts.onState?.(true); }
            return async () => {};
          },
        } as unknown as ConstructorParameters<typeof LiveHub>[0];
        const hub = new LiveHub(hubDb);
        await hub.start();
        await hub.quiet(); // the first read after listening is a full one
        const got: number[] = [];
        await hub.add({ write: (f) => { if (f.startsWith('id: ')) got.push(Number(f.slice(4, f.indexOf('\n')))); return true; }, end: () => {} }, null, null);

        const seenWrite: { sql: string; params: readonly unknown[] }[] = [];
        const { r } = await acceptedCase(recording(db, seenWrite), 'citus live heard');
        const payloads = seenWrite.filter((x) => /pg_notify\('gridline_case_events'/.test(x.sql)).map((x) => String(x.params[0]));
        const ids = (await db.query<{ id: string }>('select id from case_events where case_id = $1 order by id', [r.case.id])).rows.map((x) => Number(x.id));
        expect(payloads).toEqual(ids.map((id) => `${id}:${district}`));

        seenHub.length = 0;
        await db.exec('set local citus.log_remote_commands = on; set local client_min_messages = log');
        notices.length = 0;
        for (const p of payloads) onNotice!(p);
        await hub.quiet();
        const sent = notices.splice(0);
        await db.exec('set local citus.log_remote_commands = off; set local client_min_messages = notice');
        expect(got).toEqual(ids);

        const reads = seenHub.filter((x) => /from case_events/.test(x.sql));
        expect(reads.length).toBeGreaterThanOrEqual(1);
        for (const x of reads) {
          expect(x.sql).toMatch(/district_code = any\(\$1::text\[\]\) and id > \$2 and id <= \$3/);
          expect(x.params[0]).toEqual([district]);
          expect(taskCounts(await explain(db, x.sql, x.params)), x.sql).toEqual([1]);
        }
        const { rows: [mine] } = await db.query<{ shard: string }>(`select get_shard_id_for_distribution_column('case_events', $1::text)::text as shard`, [district]);
        const shards = [...new Set(sent.flatMap((n) => [...n.matchAll(/\bcase_events_(\d{6,})\b/g)].map((m) => m[1])))];
        expect(shards).toEqual([mine.shard]);
        // the full read (a poke without the events, a bare-id notice): every shard
        expect(taskCount(await explain(db, 'select id, case_id::text as case_id, version, payload from case_events where id > $1 order by id limit $2', [ids[0] - 1, 500]))).toBe(32);
        await hub.stop();
      }));
    });
  });
}
