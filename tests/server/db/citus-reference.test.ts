// The last shared tables as Citus reference tables (issue 12; docs/citus.md, server/db/distribute.ts
// REFERENCE_TABLES): district_calendars, district_limits, public_settings, places, open311_keys and photos.
// - on every engine of the db project (PGlite, and PostgreSQL with TEST_DATABASE_URL; on .ci/run's third engine
//   TEST_DATABASE_URL is the coordinator itself): the application's writers of those tables, each checked by what
//   it wrote: a calendar and a limits version numbered one after the other (db/district-rules.ts reads the number
//   before inserting it: Citus refuses `insert … select max(version) + 1 from` a reference table itself), the public
//   settings' upsert (no now() in its `on conflict do update`), roads added once (db/drawing.ts insertRoads finds the
//   new ones before inserting: as a modifying CTE with an anti-join Citus inserted nothing), an Open311 key issued
//   and revoked, and a photo uploaded twice through services/photos.ts (db/photos.ts: one row, two uploaders);
// - with CITUS_TEST_DATABASE_URL (a coordinator with two workers: scripts/citus/cluster.sh): each of those tables is
//   a reference table with a copy on all three nodes holding the same rows, and, when the coordinator is not
//   TEST_DATABASE_URL already, the same writers run there.
// Then the responsibility grids (responsibility_grids, responsibility_grid_members), made reference tables after
// them: on every engine their writers (the admin console moving a grid between inspectors, whose case list follows;
// the demo loader's grids for an inspector who has none); on the coordinator, both tables on every node, and a
// district-scoped inspector's case list and the inspectors' evaluation of a district each one task on the district's
// shard, where the same statements on a Citus local copy of responsibility_grids (the layout before) read it on the
// coordinator first and ship the result to the shard (a distributed subplan).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { citusTables, REFERENCE_TABLES } from '../../../server/db/distribute.js';
import { calendars, limits } from '../../../server/db/district-rules.js';
import { insertRoads as drawRoads } from '../../../server/db/drawing.js';
import { insertRoads as loadRoads } from '../../../server/db/demo.js';
import { nearestRoad, search } from '../../../server/db/places.js';
import { activeKeyByHash, listKeys } from '../../../server/db/open311.js';
import { getVisible } from '../../../server/db/photos.js';
import type { Queryable } from '../../../server/db/types.js';
import { changeCalendar, changeLimits, loadDistrictRules } from '../../../server/services/district-rules.js';
import { setPublicSettings } from '../../../server/services/public.js';
import { issueKey, revokeKey } from '../../../server/services/open311.js';
import { uploadPhoto } from '../../../server/services/photos.js';
import { US_EAST_CALENDAR } from '../../../server/domain/district-rules.js';
import { createHash } from 'node:crypto';
import { demoUsers } from '../../helpers/cases.js';
import { encodePng } from '../../helpers/png.js';
import { sharedPglite, testBackends, withTestDb } from '../../helpers/backends.js';
import { citusUrl, coordinatorTx, explain, nodePorts, onCoordinator, recording, taskCounts } from '../../helpers/citus.js';
import { holders, list as responsibilityGrids } from '../../../server/db/responsibility-grids.js';
import { changeInspectorGrids } from '../../../server/services/admin.js';
import { seedDemoUsers } from '../../../server/services/demo-users.js';
import { listCases, reportCase } from '../../../server/services/cases.js';
import { evaluate } from '../../../server/services/evaluation.js';
import { caseDeps, pointInGrid, workRules } from '../../helpers/cases.js';

/** The tables this change made reference tables, in REFERENCE_TABLES' order. */
const NEW_REFERENCE_TABLES = ['district_calendars', 'district_limits', 'public_settings', 'places', 'open311_keys', 'photos'];
/** The responsibility grids, reference tables since (REFERENCE_TABLES' last two). */
const RESPONSIBILITY_TABLES = ['responsibility_grids', 'responsibility_grid_members'];
const NOW = new Date('2026-12-05T09:00:00Z');

async function firstDistrict(db: Queryable): Promise<string> {
  const { rows: [d] } = await db.query<{ code: string }>(`select code from regions where level = 'district' order by code limit 1`);
  return d.code;
}

/** A line of two points near the fixture district's first grid, as GeoJSON; `i` moves it east. */
async function roadNear(db: Queryable, i: number) {
  const { rows: [p] } = await db.query<{ x: number; y: number }>(
    `select st_x(c) as x, st_y(c) as y from (select st_pointonsurface(geom) as c from grids where valid_to is null order by code limit 1) g`);
  const x = Number(p.x) + i * 0.001;
  return { type: 'LineString', coordinates: [[x, Number(p.y)], [x + 0.0005, Number(p.y) + 0.0005]] };
}

/** Each writer of the new reference tables, with what it must have written. */
const WRITERS: [string, (db: Queryable) => Promise<void>][] = [
  ['a calendar version and a limits version, each numbered after the last of its district (district_calendars, district_limits)', async (db) => {
    const district = await firstDistrict(db);
    const { admin } = await demoUsers(db);
    const book = await loadDistrictRules(db, { clock: () => NOW });
    const before = { calendars: (await calendars(db, district)).length, limits: (await limits(db, district)).length };
    const deps = { db, book };
    const c1 = await changeCalendar(deps, admin, null, { settings: US_EAST_CALENDAR, valid_from: '2027-01-01T00:00:00Z', note: 'reference test 1' }, district);
    const c2 = await changeCalendar(deps, admin, null, { settings: { ...US_EAST_CALENDAR, working_day_hours: 7 }, valid_from: '2027-02-01T00:00:00Z', note: 'reference test 2' }, district);
    expect([c1.created, c2.created]).toEqual([true, true]);
    expect(c2.version).toBe(c1.version + 1);
    const cal = await calendars(db, district);
    expect(cal).toHaveLength(before.calendars + 2);
    expect(cal.slice(-2).map((v) => [v.version, v.note, v.body.time_zone, v.body.working_day_hours, v.valid_from.toISOString()])).toEqual([
      [c1.version, 'reference test 1', 'America/New_York', 7.5, '2027-01-01T00:00:00.000Z'],
      [c2.version, 'reference test 2', 'America/New_York', 7, '2027-02-01T00:00:00.000Z'],
    ]);
    const l1 = await changeLimits(deps, admin, null, { changes: { stockpile_after: { value: 3, unit: 'working_days' } }, valid_from: '2027-01-01T00:00:00Z' }, district);
    const l2 = await changeLimits(deps, admin, null, { changes: { stockpile_after: { value: 4, unit: 'working_days' } }, valid_from: '2027-02-01T00:00:00Z' }, district);
    expect(l2.version).toBe(l1.version + 1);
    const lim = await limits(db, district);
    expect(lim).toHaveLength(before.limits + 2);
    expect(lim.slice(-2).map((v) => [v.version, v.body.stockpile_after])).toEqual([
      [l1.version, { value: 3, unit: 'working_days' }], [l2.version, { value: 4, unit: 'working_days' }]]);
  }],
  ['the public settings: the first save inserts the district\'s row, the next updates it (public_settings)', async (db) => {
    const district = await firstDistrict(db);
    const { admin } = await demoUsers(db);
    expect(await setPublicSettings(db, admin, district, false, NOW)).toEqual({ district_code: district, withhold_photos: false });
    const later = new Date(NOW.getTime() + 60_000);
    expect(await setPublicSettings(db, admin, district, true, later)).toEqual({ district_code: district, withhold_photos: true });
    const { rows } = await db.query<{ withhold_photos: boolean; updated_at: Date; updated_by: number }>(
      'select withhold_photos, updated_at, updated_by::int as updated_by from public_settings where district_code = $1', [district]);
    expect(rows.map((r) => [r.withhold_photos, new Date(r.updated_at).toISOString(), Number(r.updated_by)])).toEqual([[true, later.toISOString(), admin.id]]);
  }],
  ['roads added by the grid tool once each, and by the demo loader (places), then found by name and as the nearest road', async (db) => {
    const [a, b, c, d] = [await roadNear(db, 0), await roadNear(db, 1), await roadNear(db, 2), await roadNear(db, 3)];
    const name = (s: string) => `引用表测试路${s}`;
    expect(await drawRoads(db, [{ name: name('甲'), geometry: a }, { name: name('乙'), geometry: b }])).toBe(2);
    // The same two again, one of them under another name, and a new one: only the two not there yet are added.
    expect(await drawRoads(db, [{ name: name('甲'), geometry: a }, { name: name('乙'), geometry: b }, { name: name('丙'), geometry: b }, { name: name('丁'), geometry: c }])).toBe(2);
    expect(await drawRoads(db, [{ name: name('甲'), geometry: a }])).toBe(0);
    await loadRoads(db, [{ name: name('戊'), geom: JSON.stringify(d) }]);
    expect((await search(db, '引用表测试路', 10)).map((p) => p.name).sort()).toEqual(['甲', '丁', '丙', '乙', '戊'].map(name).sort());
    const { rows: [n] } = await db.query<{ n: number }>(`select count(*)::int as n from places where name like '引用表测试路%'`);
    expect(n.n).toBe(5);
    expect(await nearestRoad(db, d.coordinates[0][0], d.coordinates[0][1])).toEqual({ name: name('戊'), distance_m: 0 });
  }],
  ['an Open311 key issued for a district and revoked (open311_keys): each new key numbered after the last', async (db) => {
    const district = await firstDistrict(db);
    const { admin } = await demoUsers(db);
    const k1 = await issueKey(db, admin, { name: 'reference test hotline', source: 'hotline', district_code: district }, NOW);
    const k2 = await issueKey(db, admin, { name: 'reference test app' }, NOW);
    expect(k2.id).toBeGreaterThan(k1.id);
    const hash = (key: string) => createHash('sha256').update(key).digest('hex');
    expect(await activeKeyByHash(db, hash(k1.api_key))).toMatchObject({ id: k1.id, name: 'reference test hotline', source: 'hotline', district_code: district });
    const revoked = await revokeKey(db, admin, k1.id, NOW);
    expect(revoked).toMatchObject({ id: k1.id });
    expect(await activeKeyByHash(db, hash(k1.api_key))).toBeNull();
    expect((await listKeys(db)).filter((k) => k.id === k1.id || k.id === k2.id).map((k) => [k.name, k.revoked_at === null])).toEqual([
      ['reference test hotline', false], ['reference test app', true]]);
  }],
  ['a photo uploaded by two users: one row, two uploaders, each reading it back; deleting it takes its uploads along (photos, photo_uploads)', async (db) => {
    const { inspector, inspector2 } = await demoUsers(db);
    const dir = await mkdtemp(join(tmpdir(), 'gridline-ref-photos-'));
    try {
      const deps = { db, photo_dir: dir, max_pixels: 1_000_000, secret: null, link_minutes: 60, clock: { now: () => NOW } };
      const bytes = encodePng(3, 2, (x, y) => [x * 80, y * 120, 200]);
      const first = await uploadPhoto(deps, { bytes, uploader: inspector });
      const again = await uploadPhoto(deps, { bytes, uploader: inspector2 });
      expect(again.id).toBe(first.id);
      expect(first).toMatchObject({ mime: 'image/png', width: 3, height: 2 });
      const { rows } = await db.query<{ n: number; by: number }>('select count(*)::int as n, min(uploaded_by)::int as by from photos where id = $1', [first.id]);
      expect(rows[0]).toEqual({ n: 1, by: inspector.id });
      expect((await getVisible(db, first.id, inspector2))?.id).toBe(first.id);
      const uploads = async () => (await db.query<{ user_id: number }>('select user_id::int as user_id from photo_uploads where photo_id = $1 order by user_id', [first.id])).rows.map((r) => r.user_id);
      expect(await uploads()).toEqual([inspector.id, inspector2.id].sort((x, y) => x - y));
      await db.query('delete from photos where id = $1', [first.id]);
      expect(await uploads()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }],
];

// The shared PGlite (migrated and seeded, or from its image) opens before the tests, not inside the first one's time.
beforeAll(async () => { if (testBackends().includes('pglite')) await sharedPglite(); }, 600_000);

describe.each(testBackends())('the writers of the shared tables on %s', (backend) => {
  test('the new reference tables are in REFERENCE_TABLES, after the tables they reference', () => {
    expect(REFERENCE_TABLES.slice(-NEW_REFERENCE_TABLES.length - RESPONSIBILITY_TABLES.length, -RESPONSIBILITY_TABLES.length)).toEqual(NEW_REFERENCE_TABLES);
    expect(REFERENCE_TABLES.indexOf('regions')).toBeLessThan(REFERENCE_TABLES.indexOf('district_calendars'));
    expect(REFERENCE_TABLES.indexOf('users')).toBeLessThan(REFERENCE_TABLES.indexOf('public_settings'));
  });
  for (const [name, fn] of WRITERS) test(name, () => withTestDb(backend, fn));
});

// Defined only when a coordinator is given (.ci/run starts one and sets the URL): not skipped, absent.
if (citusUrl) {
  describe('the shared tables on a Citus coordinator with two workers', () => {
    const inTx = coordinatorTx(citusUrl!); // inside `if (citusUrl)`

    test('each is a reference table with a copy on the coordinator and both workers, and the copies hold the same rows', () => inTx(async (db) => {
      const kinds = new Map((await citusTables(db)).map((t) => [t.table, t.kind]));
      expect(NEW_REFERENCE_TABLES.map((t) => [t, kinds.get(t)])).toEqual(NEW_REFERENCE_TABLES.map((t) => [t, 'reference']));
      // Their foreign keys' other ends: still Citus local (or distributed, once cases is), never dropped by the step.
      for (const [table, ref] of [['photo_uploads', 'photos'], ['public_ticket_photos', 'photos'], ['public_photo_approvals', 'photos'], ['open311_requests', 'open311_keys']]) {
        expect(kinds.get(table), table).toMatch(/^(local|distributed)$/);
        const { rows } = await db.query(
          `select 1 from pg_constraint where contype = 'f' and conrelid = $1::regclass and confrelid = $2::regclass`, [table, ref]);
        expect(rows, `${table} → ${ref}`).toHaveLength(1);
      }
      for (const table of NEW_REFERENCE_TABLES) {
        const { rows: [copies] } = await db.query<{ nodes: number }>(
          'select count(distinct nodeport)::int as nodes from citus_shards where table_name = $1::regclass', [table]);
        expect(copies.nodes, table).toBe(3);
        const { rows: [here] } = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
        // Each node's copy read on that node (committed rows: this transaction wrote nothing).
        const { rows: placements } = await db.query<{ nodeport: number; success: boolean; result: string }>(
          `select nodeport, success, result from run_command_on_placements($1::regclass, 'select count(*) from %s')`, [table]);
        expect(new Set(placements.map((p) => p.nodeport)).size, table).toBe(3);
        expect(placements.map((p) => [p.success, Number(p.result)]), table).toEqual(placements.map(() => [true, here.n]));
      }
      // The fixture's rows are there (regions' districts have a calendar or not, but the photo and key tables start
      // empty): places holds the fixture's roads on every node.
      const { rows: [roads] } = await db.query<{ n: number }>('select count(*)::int as n from places');
      expect(roads.n).toBeGreaterThan(0);
    }));

    // On .ci/run's third engine the writers above ran on this coordinator already (as the postgres backend).
    if (!onCoordinator) {
      for (const [name, fn] of WRITERS) test(`${name}, on the reference table`, () => inTx(fn));
    }
  });
}

/** A user of `district` (its region code, as a request's user carries it: db/visibility.ts districtOf). */
const scoped = <U extends { id: number }>(u: U, district: string) => ({ ...u, region_code: district });

/** The writers of the responsibility grids, each checked by what it wrote and by what an inspector then sees. */
const RESPONSIBILITY_WRITERS: [string, (db: Queryable) => Promise<void>][] = [
  ['a responsibility grid moved to another inspector by the admin console and taken back (services/admin.ts changeInspectorGrids): the district-scoped case list of that inspector shows its case only meanwhile', async (db) => {
    const district = await firstDistrict(db);
    const { inspector, inspector2, admin } = await demoUsers(db);
    const deps = caseDeps(db);
    const p = await pointInGrid(db);
    const r = await reportCase(deps, scoped(inspector, district), { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'responsibility reference test' }, null);
    const code = r.case.responsibility_code!;
    expect(code).toMatch(/^[0-9]{12}R[0-9]{2}$/);
    expect((await holders(db, [code])).get(code)).toBe(inspector.id);
    // inspector2 did not report it: it sees the case only through the responsibility grid (db/visibility.ts).
    const seenBy2 = async () => (await listCases(deps, scoped(inspector2, district), { limit: 100, offset: 0 })).items.map((c) => c.id);
    expect(await seenBy2()).not.toContain(r.case.id);
    const admin_deps = { db, clock: { now: () => NOW } };
    const moved = await changeInspectorGrids(admin_deps, admin, inspector2.id, { mode: 'add', codes: [code] }, { ip: null });
    expect(moved).toMatchObject({ added: [code], removed: [], taken_from: [{ code, inspector_id: inspector.id }] });
    expect((await holders(db, [code])).get(code)).toBe(inspector2.id);
    expect((await responsibilityGrids(db, { inspector_id: inspector.id })).map((g) => g.code)).not.toContain(code);
    expect(await seenBy2()).toContain(r.case.id);
    const back = await changeInspectorGrids(admin_deps, admin, inspector2.id, { mode: 'remove', codes: [code] }, { ip: null });
    expect(back).toMatchObject({ added: [], removed: [code] });
    expect((await holders(db, [code])).get(code)).toBeNull();
    expect(await seenBy2()).not.toContain(r.case.id);
    const { rows: audit } = await db.query<{ action: string; target: string }>(
      `select action, target from audit_log where action = 'inspector_grids.changed' and target = $1 and at = $2 order by id`, [`user:${inspector2.id}`, NOW]);
    expect(audit).toHaveLength(2);
  }],
  ["the demo loader's responsibility grids (services/demo-users.ts seedDemoUsers) for an inspector left without: the same grids, codes and unit grids again; a second run adds nothing; deleting a grid takes its unit grids along", async (db) => {
    const { inspector2 } = await demoUsers(db);
    const unitsOf = async (codes: string[]) => (await db.query<{ r: string; g: string }>(
      'select responsibility_code as r, grid_code as g from responsibility_grid_members where responsibility_code = any($1::text[]) order by 1, 2', [codes])).rows;
    const before = await responsibilityGrids(db, { inspector_id: inspector2.id });
    expect(before.length).toBeGreaterThan(0);
    const codes = before.map((g) => g.code);
    const units = await unitsOf(codes);
    expect(units.length).toBe(before.reduce((n, g) => n + g.unit_grids, 0));
    await db.query('delete from responsibility_grids where inspector_id = $1', [inspector2.id]);
    expect(await unitsOf(codes)).toEqual([]); // on delete cascade, between the two reference tables
    expect(await seedDemoUsers(db)).toBe(0); // no user created; inspector2 patrols again
    const after = await responsibilityGrids(db, { inspector_id: inspector2.id });
    expect(after).toEqual(before);
    expect(await unitsOf(codes)).toEqual(units);
    expect(await seedDemoUsers(db)).toBe(0);
    expect(await responsibilityGrids(db, { inspector_id: inspector2.id })).toEqual(before);
    const { rows: [n] } = await db.query<{ n: number; d: number }>(
      'select count(*)::int as n, count(distinct grid_code)::int as d from responsibility_grid_members');
    expect(n.n).toBe(n.d); // a unit grid in one responsibility grid at most
  }],
];

describe.each(testBackends())('the writers of the responsibility grids on %s', (backend) => {
  test('responsibility_grids, then responsibility_grid_members, are reference tables after the tables they reference', () => {
    expect(REFERENCE_TABLES.slice(-RESPONSIBILITY_TABLES.length)).toEqual(RESPONSIBILITY_TABLES);
    for (const ref of ['regions', 'users']) expect(REFERENCE_TABLES.indexOf(ref)).toBeLessThan(REFERENCE_TABLES.indexOf('responsibility_grids'));
  });
  for (const [name, fn] of RESPONSIBILITY_WRITERS) test(name, () => withTestDb(backend, fn));
});

if (citusUrl) {
  describe('the responsibility grids on a Citus coordinator with two workers', () => {
    const inTx = coordinatorTx(citusUrl!); // inside `if (citusUrl)`


    test('both are reference tables with a copy on the coordinator and both workers holding the same rows; their foreign keys are kept', () => inTx(async (db) => {
      const kinds = new Map((await citusTables(db)).map((t) => [t.table, t.kind]));
      expect(RESPONSIBILITY_TABLES.map((t) => [t, kinds.get(t)])).toEqual(RESPONSIBILITY_TABLES.map((t) => [t, 'reference']));
      for (const table of RESPONSIBILITY_TABLES) {
        const { rows: [here] } = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
        expect(here.n, table).toBeGreaterThan(0);
        const { rows: placements } = await db.query<{ nodeport: number; success: boolean; result: string }>(
          `select nodeport, success, result from run_command_on_placements($1::regclass, 'select count(*) from %s')`, [table]);
        expect(new Set(placements.map((p) => p.nodeport)).size, table).toBe(3);
        expect(placements.map((p) => [p.success, Number(p.result)]), table).toEqual(placements.map(() => [true, here.n]));
      }
      const { rows: keys } = await db.query<{ t: string; def: string }>(
        `select conrelid::regclass::text as t, pg_get_constraintdef(oid) as def from pg_constraint
          where contype = 'f' and conrelid = any(array['responsibility_grids', 'responsibility_grid_members']::regclass[]) order by 1, 2`);
      expect(keys).toEqual([
        { t: 'responsibility_grid_members', def: 'FOREIGN KEY (responsibility_code) REFERENCES responsibility_grids(code) ON DELETE CASCADE' },
        { t: 'responsibility_grids', def: 'FOREIGN KEY (community_code) REFERENCES regions(code) ON DELETE RESTRICT' },
        { t: 'responsibility_grids', def: 'FOREIGN KEY (inspector_id) REFERENCES users(id) ON DELETE SET NULL' },
      ]);
    }));

    test("a district-scoped inspector's case list (db/visibility.ts: a subquery on responsibility_grids) and the inspectors' evaluation of one district (db/evaluation.ts: cases joined to responsibility_grids) are one task each, on the district's shard; on a Citus local copy (the layout before) each first read it on the coordinator (a distributed subplan)", () => inTx(async (db) => {
      const district = await firstDistrict(db);
      const { inspector } = await demoUsers(db);
      // The layout before, for comparison: a Citus local copy of responsibility_grids (DDL before the app's statements).
      await db.exec('create table responsibility_grids_local as select * from responsibility_grids');
      await db.exec(`select citus_add_local_table_to_metadata('responsibility_grids_local')`);
      const deps = caseDeps(db);
      const p = await pointInGrid(db);
      const r = await reportCase(deps, scoped(inspector, district), { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'responsibility reference plan' }, null);
      // The app's statements first, their EXPLAINs after (an EXPLAIN between them changes the transaction's
      // local-execution state, and Citus then refuses the next read of a reference table: a test artifact).
      const seen: { sql: string; params: readonly unknown[] }[] = [];
      // Searched by its number: on .ci/run's third engine the other files' cases are in this database too, and the
      // first page may hold none of this one.
      const no = r.case.case_no;
      const listed = await listCases(caseDeps(recording(db, seen)), scoped(inspector, district),
        { text: { q: no, prefix: `${no}%`, contains: `%${no}%` }, limit: 20, offset: 0 });
      expect(listed.items.map((c) => c.id)).toContain(r.case.id);
      const evaluated = await evaluate({ db: recording(db, seen), clock: { now: () => new Date('2026-11-30T04:00:00Z') }, work: workRules() },
        'posts', { post: 'inspector', district, from: '2026-11-01', to: '2026-11-30' });
      expect(evaluated.rows.map((row) => row.key)).toContain(String(inspector.id));
      const { rows: [shard] } = await db.query<{ port: number }>(
        `select nodeport as port from citus_shards where shardid = get_shard_id_for_distribution_column('cases', $1::text)`, [district]);
      expect(Number(shard.port)).not.toBe(new URL(citusUrl!).port === '' ? 5432 : Number(new URL(citusUrl!).port)); // on a worker
      const joined = seen.filter((s) => /\bresponsibility_grids\b/.test(s.sql) && /\bcases\b/.test(s.sql));
      expect(joined.length).toBe(3); // the list's page and count, the evaluation's missed reports
      for (const { sql, params } of joined) {
        const now = await explain(db, sql, params);
        expect(now, sql).not.toMatch(/Distributed Subplan/);
        expect(taskCounts(now), sql).toEqual([1]);
        expect(nodePorts(now), sql).toEqual([Number(shard.port)]);
        expect(now, sql).toMatch(/responsibility_grids_\d+/); // the worker's copy, joined there
        // In a savepoint: the EXPLAIN of the copy's task fails on the coordinator (below), which aborts the transaction.
        await db.exec('savepoint before_layout');
        const before = await explain(db, sql.replace(/\bresponsibility_grids\b/g, 'responsibility_grids_local'), params);
        await db.exec('rollback to savepoint before_layout');
        expect(before, sql).toMatch(/Distributed Subplan/);
        expect(taskCounts(before), sql).toEqual([1, 1]);
        // The shard's task reads the subplan's result (the copy's read runs on the coordinator first; EXPLAIN cannot
        // show that task's plan: the copy was made in this transaction).
        expect(before, sql).toMatch(/read_intermediate_result/);
      }
    }));

    // On .ci/run's third engine the writers above ran on this coordinator already (as the postgres backend).
    if (!onCoordinator) {
      for (const [name, fn] of RESPONSIBILITY_WRITERS) test(`${name}, on the reference tables`, () => inTx(fn));
    }
  });
}
