// Case numbers per district and local day (migrations/0063, db/cases.ts caseNumbers; issue 12): each district and day
// counts from 000001, a batch takes one block per district and day, the migration's seed continues after the numbers
// the old global sequence gave, the keys of 0063 hold, and transactions numbering one district and day at once on
// PostgreSQL never get the same number.
import { describe, expect, test } from 'vitest';
import { committedDb, testBackends, withTestDb } from '../../helpers/backends.js';
import { caseDeps, demoUsers, pointInGrid } from '../../helpers/cases.js';
import { reportCase } from '../../../server/services/cases.js';
import * as cases from '../../../server/db/cases.js';
import { readMigrations, splitSql } from '../../../server/db/migrate.js';
import { caseNo } from '../../../server/domain/codes.js';
import type { Queryable } from '../../../server/db/types.js';

/** The statement of migration 0063 that seeds the counters from the numbers already given. */
const SEED_SQL = splitSql(readMigrations().find((m) => m.version === 63)!.sql).find((s) => /^insert into case_no_counters/m.test(s))!;

/** A case row of `district` numbered `case_no`, inserted as an old writer or a bulk loader would (the fixture's first grid's point). */
async function insertCase(db: Queryable, case_no: string, district: string, merged_into: string | null = null): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into cases (case_no, status, source, kind, class_code, geom, district_code, street_code, community_code, grid_code,
                        trail_head, created_at, updated_at, merged_into)
     select $1, 'handling', 'public', 'event', '06010', st_pointonsurface(geom), $2, $2 || '001', $2 || '001001', $2 || '001001001',
            repeat('0', 64), now(), now(), $3
       from grids where valid_to is null order by code limit 1
     returning id::text as id`, [case_no, district, merged_into]);
  return rows[0].id;
}

describe('caseNo', () => {
  test('district, local date and a serial of 6 digits, 7 past 999,999; bad parts refused', () => {
    expect(caseNo('110101', '2026-11-23', 42)).toBe('11010120261123000042');
    expect(caseNo('110101', '2026-11-23', 999_999)).toBe('11010120261123999999');
    expect(caseNo('110101', '2026-11-23', 1_000_000)).toBe('110101202611231000000');
    for (const bad of [() => caseNo('11010', '2026-11-23', 1), () => caseNo('110101', '20261123', 1), () => caseNo('110101', '2026-11-23', 0)]) {
      expect(bad).toThrow(expect.objectContaining({ code: 'invalid_code' }));
    }
  });
});

describe.each(testBackends())('case numbers on %s', (backend) => {
  test('each district and local day counts from 000001: an intake takes the next of its own day, a new day starts again', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db, '2031-03-10T23:50:00+08:00'); // days no other test numbers in
    const { inspector } = await demoUsers(db);
    const p = await pointInGrid(db);
    const report = async () => (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case.case_no;
    expect(await report()).toBe('11010120310310000001');
    expect(await report()).toBe('11010120310310000002');
    deps.clock.set('2031-03-11T00:05:00+08:00'); // local midnight passed (16:00 UTC)
    expect(await report()).toBe('11010120310311000001');
    // another district's count is its own (the counters need no region: the district is the case's grid's)
    expect(await cases.nextCaseNo(db, '110102', '2031-03-10')).toBe('11010220310310000001');
    expect(await cases.nextCaseNo(db, '110101', '2031-03-10')).toBe('11010120310310000003');
    expect((await db.query(`select district_code, to_char(local_date, 'YYYY-MM-DD') as local_date, last_no::int as last_no from case_no_counters
                             where local_date between '2031-03-10' and '2031-03-11' order by 1, 2`)).rows).toEqual([
      { district_code: '110101', local_date: '2031-03-10', last_no: 3 },
      { district_code: '110101', local_date: '2031-03-11', last_no: 1 },
      { district_code: '110102', local_date: '2031-03-10', last_no: 1 },
    ]);
  }));

  test('a batch takes one block per district and day and numbers its cases in the order given; past 999,999 a day goes on with 7 digits', () => withTestDb(backend, async (db) => {
    const A = { district_code: '110101', local_date: '2032-01-05' };
    const B = { district_code: '110102', local_date: '2032-01-05' };
    const A2 = { district_code: '110101', local_date: '2032-01-06' };
    expect(await cases.caseNumbers(db, [])).toEqual([]);
    expect(await cases.caseNumbers(db, [A, B, A, A2, A])).toEqual([
      '11010120320105000001', '11010220320105000001', '11010120320105000002', '11010120320106000001', '11010120320105000003',
    ]);
    expect(await cases.caseNumbers(db, [A2, A])).toEqual(['11010120320106000002', '11010120320105000004']);
    // a day of one district with 999,999 cases numbered: the next one gets 7 digits, still after the others
    expect(await cases.takeCaseSerials(db, [{ ...B, n: 999_998 }])).toEqual([999_999]);
    expect(await cases.caseNumbers(db, [B, B])).toEqual(['110102203201051000000', '110102203201051000001']);
  }));

  test('after migration 0063 the counters continue past the numbers the global sequence gave: no number twice', () => withTestDb(backend, async (db) => {
    // Numbers as case_no_seq gave them (one sequence for every district and day, so a day's serials are sparse and
    // may pass 6 digits), in districts and days no other test numbers in.
    const old = [
      '99009120330301000517', '99009120330301000519', '990091203303011000002', // district 990091, 2033-03-01: highest 1000002
      '99009220330301000518',                                                  // district 990092, the same day
      '99009120330302000520',                                                  // 990091, the next day
      '99009120330303000012',                                                  // 990091, 2033-03-03: …
      '9900912033030312',                                                      // … and a serial no counter writes (under 6 digits)
    ];
    for (const n of old) await insertCase(db, n, n.slice(0, 6));
    // The migration's own statement, into a temporary table of the same name (it comes first on the search path),
    // over every case there is; then this test's districts copied into the real counters, as the migration left them.
    await db.exec('create temporary table case_no_counters (district_code text, local_date date, last_no bigint, primary key (district_code, local_date)) on commit drop');
    expect(SEED_SQL).toMatch(/^insert into case_no_counters \(district_code, local_date, last_no\)$/m);
    await db.exec(SEED_SQL);
    const seeded = (await db.query<{ district_code: string; local_date: string; last_no: number }>(
      `select district_code, to_char(local_date, 'YYYY-MM-DD') as local_date, last_no::int as last_no from pg_temp.case_no_counters
        where district_code in ('990091', '990092') order by 1, 2`)).rows;
    expect(seeded).toEqual([
      { district_code: '990091', local_date: '2033-03-01', last_no: 1_000_002 },
      { district_code: '990091', local_date: '2033-03-02', last_no: 520 },
      { district_code: '990091', local_date: '2033-03-03', last_no: 12 },
      { district_code: '990092', local_date: '2033-03-01', last_no: 518 },
    ]);
    await db.query(`insert into public.case_no_counters select * from pg_temp.case_no_counters where district_code in ('990091', '990092')`);
    await db.exec('drop table pg_temp.case_no_counters');

    const fresh = await cases.caseNumbers(db, [
      { district_code: '990091', local_date: '2033-03-01' }, { district_code: '990092', local_date: '2033-03-01' },
      { district_code: '990091', local_date: '2033-03-02' }, { district_code: '990091', local_date: '2033-03-03' },
      { district_code: '990091', local_date: '2033-03-04' }, { district_code: '990091', local_date: '2033-03-01' },
    ]);
    expect(fresh).toEqual([
      '990091203303011000003', '99009220330301000519', '99009120330302000521', '99009120330303000013', '99009120330304000001', '990091203303011000004',
    ]);
    // every new number goes in beside the old ones (unique (case_no, district_code) would refuse a repeat)
    for (const n of fresh) await insertCase(db, n, n.slice(0, 6));
    const { rows: [c] } = await db.query<{ n: number; numbers: number }>(
      `select count(*)::int as n, count(distinct case_no)::int as numbers from cases where district_code in ('990091', '990092')`);
    expect(c).toEqual({ n: old.length + fresh.length, numbers: old.length + fresh.length });
  }));

  test('the keys of 0063/0066: a number names its case\'s district, a case merges only into one of its district, a merge target is deleted only once nothing is merged into it', () => withTestDb(backend, async (db) => {
    const target = await insertCase(db, '99009320330401000001', '990093');
    const merged = await insertCase(db, '99009320330401000002', '990093', target);
    // each refusal in a savepoint of its own (a nested transaction), so the test's transaction goes on
    await expect(db.transaction((tx) => insertCase(tx, '99009420330401000001', '990093'))).rejects.toMatchObject({ code: '23514' }); // cases_case_no_district
    const other = await insertCase(db, '99009420330401000001', '990094');
    await expect(db.transaction((tx) => tx.query('update cases set merged_into = $1 where id = $2', [other, merged])))
      .rejects.toMatchObject({ code: '23503' }); // cases_merged_into_fkey
    // 0066: no `on delete set null` (Citus refuses it on a key holding the distribution column): the deleter empties
    // merged_into first, or deletes both in one statement
    await expect(db.transaction((tx) => tx.query('delete from cases where id = $1', [target])))
      .rejects.toMatchObject({ code: '23503' }); // cases_merged_into_fkey
    await db.query('update cases set merged_into = null where id = $1', [merged]);
    await db.query('delete from cases where id = $1', [target]);
    expect((await db.query('select merged_into, district_code from cases where id = $1', [merged])).rows).toEqual([{ merged_into: null, district_code: '990093' }]);
    const again = await insertCase(db, '99009320330401000003', '990093');
    await db.query('update cases set merged_into = $1 where id = $2', [again, merged]);
    await db.query('delete from cases where id = any($1::uuid[])', [[again, merged]]);
    expect((await db.query('select count(*)::int as n from cases where id = any($1::uuid[])', [[again, merged]])).rows).toEqual([{ n: 0 }]);
    expect((await db.query(`select to_regclass('case_no_seq') as s`)).rows).toEqual([{ s: null }]);
  }));
});

describe.each(testBackends().filter((b) => b === 'postgres'))('case numbers under concurrency on %s', (backend) => {
  // Committed rows, in a district and on days of their own per run (the test database keeps them).
  const district = '98' + String(Math.floor(Math.random() * 10_000)).padStart(4, '0');
  const day = (k: number) => `2040-01-${String(k).padStart(2, '0')}`;

  test('40 transactions taking blocks of one district and day at once (the upsert alone) get disjoint blocks covering 1…total', async () => {
    const db = await committedDb(backend);
    const sizes = Array.from({ length: 40 }, (_, i) => 1 + (i % 4));
    const ends = await Promise.all(sizes.map((n) => db.transaction(async (tx) => {
      const [last] = await cases.takeCaseSerials(tx, [{ district_code: district, local_date: day(1), n }]);
      await tx.query('select pg_sleep(0.02)'); // hold the row a while: the others queue behind it, none reads a stale value
      return { first: last - n + 1, last };
    })));
    const taken = ends.flatMap(({ first, last }) => Array.from({ length: last - first + 1 }, (_, k) => first + k)).sort((a, b) => a - b);
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(taken).toEqual(Array.from({ length: total }, (_, k) => k + 1));
  });

  test('30 intakes\' numbering of one district and day at once (nextCaseNo, two days mixed): 30 distinct numbers, consecutive per day', async () => {
    const db = await committedDb(backend);
    const numbers = await Promise.all(Array.from({ length: 30 }, (_, i) => db.transaction(async (tx) => {
      const n = await cases.nextCaseNo(tx, district, day(2 + (i % 2)));
      await tx.query('select pg_sleep(0.01)');
      return n;
    })));
    expect(new Set(numbers).size).toBe(30);
    for (const d of [day(2), day(3)]) {
      const of = numbers.filter((n) => n.slice(6, 14) === d.replace(/-/g, '')).sort();
      expect(of).toEqual(Array.from({ length: 15 }, (_, k) => caseNo(district, d, k + 1)));
    }
  });
});
