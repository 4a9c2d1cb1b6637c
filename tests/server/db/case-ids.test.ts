// Case ids that name their district (issue 12, domain/case-ids.ts, migrations/0068): intake and the case import make
// UUIDv8 ids starting with the case's district; a read or an action by id of a user of every district names that
// district in its statements (on Citus: one shard, tests/server/db/citus.test.ts), with no read of the district first;
// an old v4 case still reads and acts by id alone; a scoped user still sees only its district; the database holds a
// new id to its row's district.
import { describe, expect, test } from 'vitest';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { caseDeps, demoUsers } from '../../helpers/cases.js';
import { A, B, loadSecondDistrict, scopedUser } from '../../helpers/two-districts.js';
import { actOnCase, readCase, reportCase } from '../../../server/services/cases.js';
import { importCases, type CaseImportOptions } from '../../../server/services/import-cases.js';
import { parseCaseFieldMap } from '../../../server/domain/case-import.js';
import { districtOfCaseId, newCaseId } from '../../../server/domain/case-ids.js';
import * as cases from '../../../server/db/cases.js';
import * as caseFeatures from '../../../server/db/case-features.js';
import type { Queryable, Sql } from '../../../server/db/types.js';
import type { CaseUser } from '../../../server/services/cases.js';

const V8 = /^[0-9]{6}[0-9a-f]{2}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** `db` with every statement's text noted in `log` (a transaction's too). */
function spied(db: Queryable, log: string[]): Queryable {
  return {
    engine: db.engine,
    query: (sql: Sql, params?: readonly unknown[]) => { log.push(typeof sql === 'string' ? sql : sql.text); return db.query(sql, params); },
    exec: (sql) => { log.push(sql); return db.exec(sql); },
    transaction: (fn, opts) => db.transaction((tx) => fn(spied(tx, log)), opts),
    copyFrom: (t, c, x) => db.copyFrom(t, c, x),
    commitWork: () => db.commitWork(),
  } as Queryable;
}

/** The statements of `log` that read or write a case row by id. */
const byId = (log: string[]) => log.filter((s) => /from cases( c)? where (c\.)?id = \$|update cases c set/.test(s));

const reportAt = async (db: Queryable, at: { lon: number; lat: number }) => {
  const { inspector } = await demoUsers(db); // a user of every district
  return (await reportCase(caseDeps(db), inspector, { kind: 'event', class_code: '06010', lon: at.lon, lat: at.lat, description: 'case ids' }, null)).case;
};

const pointInA = async (db: Queryable) => (await db.query<{ lon: number; lat: number }>(
  `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from grids where district_code = $1 and valid_to is null order by code limit 1) g`, [A])).rows[0];

/**
 * A copy of case `id` under a version-4 id, as every case made before 0068 has (its trail rows too, re-keyed; the
 * trail's hashes then no longer verify, which no action checks). `id` given: that id instead.
 */
let copies = 0;
async function copyAs(db: Queryable, from: string, id: string | null = null): Promise<string> {
  const cols = cases.CASE_FIELDS.filter((f) => f !== 'case_no').join(', ');
  const { rows: [c] } = await db.query<{ id: string }>(
    `insert into cases (id, case_no, ${cols}, geom)
     select coalesce($2::uuid, gen_random_uuid()), case_no || $3, ${cols}, geom from cases where id = $1 returning id::text as id`, [from, id, String(++copies)]);
  await db.query(
    `insert into case_trail (case_id, district_code, seq, at, actor, role, action, from_status, to_status, note, photo_ids, deadline_at, data, prev_hash, hash)
     select $2, district_code, seq, at, actor, role, action, from_status, to_status, note, photo_ids, deadline_at, data, prev_hash, hash
       from case_trail where case_id = $1`, [from, c.id]);
  return c.id;
}

async function userOf(db: Queryable, username: string): Promise<NonNullable<CaseUser>> {
  const { rows: [u] } = await db.query<{ id: number; roles: string[]; department_id: number | null }>(
    'select id, roles, department_id from users where username = $1', [username]);
  return { id: Number(u.id), username, roles: u.roles, department_id: u.department_id === null ? null : Number(u.department_id) };
}

describe.each(testBackends())('case ids naming their district on %s', (backend) => {
  test('intake makes a UUIDv8 id starting with the case\'s district, in either district', () => withTestDb(backend, async (db) => {
    const b = await loadSecondDistrict(db);
    const inB = await reportAt(db, b);
    const inA = await reportAt(db, await pointInA(db));
    expect([inB.district_code, inA.district_code]).toEqual([B, A]);
    expect(inB.id).toMatch(V8);
    expect(inA.id).toMatch(V8);
    expect([districtOfCaseId(inB.id), districtOfCaseId(inA.id)]).toEqual([B, A]);
  }));

  test('the case import makes ids naming each case\'s district', () => withTestDb(backend, async (db) => {
    const b = await loadSecondDistrict(db);
    const a = await pointInA(db);
    const opts: CaseImportOptions = {
      work: caseDeps(db).work, source_system: 'caseids', time_zone: 'Asia/Shanghai', now: () => new Date('2026-03-01T04:00:00Z'),
      map: parseCaseFieldMap('source_id=id,type=type,opened=opened,dispatched=dispatched,target=target,closed=closed,department=dept,channel=channel,description=text'),
      type_map: { 道路破损: '06013' },
    };
    const csv = ['id,type,opened,dispatched,target,closed,dept,channel,text,lon,lat',
      ...[['IB', b], ['IA', a]].map(([id, p]) => {
        const { lon, lat } = p as { lon: number; lat: number };
        return `${id},道路破损,2025-06-04 09:00,2025-06-04 10:00,2025-06-06 18:00,2025-06-05 12:00,市政管理委员会,监督员,${id},${lon},${lat}`;
      })].join('\n');
    expect(await importCases(db, csv, opts)).toMatchObject({ imported: 2, rejected: [] });
    const { rows } = await db.query<{ id: string; district_code: string }>(
      `select id::text as id, district_code from cases where source_system = 'caseids' order by source_id`);
    expect(rows.map((r) => r.district_code)).toEqual([A, B]);
    for (const r of rows) {
      expect(r.id).toMatch(V8);
      expect(districtOfCaseId(r.id)).toBe(r.district_code);
    }
  }));

  test('a user of every district reads and acts on a new case by id with every statement naming its district, no district read first', () => withTestDb(backend, async (db) => {
    const b = await loadSecondDistrict(db);
    const c = await reportAt(db, b);
    const { operator } = await demoUsers(db); // region_code null: every district
    const log: string[] = [];
    const deps = caseDeps(spied(db, log));
    expect(await readCase(deps, operator, c.id)).toMatchObject({ id: c.id, district_code: B });
    const accepted = await actOnCase(deps, operator, c.id, { action: 'accept', version: c.version });
    expect(accepted).toMatchObject({ status: 'pending_filing', district_code: B });
    const statements = byId(log);
    expect(statements.length).toBeGreaterThanOrEqual(3); // the read, the lock, the update
    for (const s of statements) expect(s, s).toMatch(/district_code = \$/);
    expect(log.filter((s) => /select district_code as d from cases where id = \$1/.test(s))).toEqual([]);
    expect(await caseFeatures.feature(db, c.id, new Date())).toMatchObject({ id: c.id });
  }));

  test('an old (v4) case still reads and acts by id alone, for a user of every district', () => withTestDb(backend, async (db) => {
    const b = await loadSecondDistrict(db);
    const old = await copyAs(db, (await reportAt(db, b)).id);
    expect(old).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    expect(districtOfCaseId(old)).toBeNull();
    const { operator } = await demoUsers(db);
    const log: string[] = [];
    const deps = caseDeps(spied(db, log));
    const read = await readCase(deps, operator, old);
    expect(read).toMatchObject({ id: old, district_code: B });
    expect(await actOnCase(deps, operator, old, { action: 'accept', version: read.version })).toMatchObject({ id: old, status: 'pending_filing' });
    expect(log.filter((s) => /select district_code as d from cases where id = \$1/.test(s))).toHaveLength(1); // the lock's district, read first
    expect(await caseFeatures.feature(db, old, new Date())).toMatchObject({ id: old });
  }));

  test('a scoped user of another district still gets 404 for a case whose id names a district', () => withTestDb(backend, async (db) => {
    const b = await loadSecondDistrict(db);
    const inB = await reportAt(db, b);
    const inA = await reportAt(db, await pointInA(db));
    await scopedUser(db, 'dispatcher_b', ['dispatcher'], B);
    const userB = await userOf(db, 'dispatcher_b');
    const deps = caseDeps(db);
    expect(await readCase(deps, userB, inB.id)).toMatchObject({ id: inB.id });
    await expect(readCase(deps, userB, inA.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(actOnCase(deps, userB, inA.id, { action: 'accept', version: inA.version })).rejects.toMatchObject({ code: 'not_found' });
    expect(await cases.get(db, inA.id, new Date(), false, B)).toBeNull(); // the caller's district wins over the id's
    expect(await caseFeatures.feature(db, inA.id, new Date(), B)).toBeNull();
    expect(await cases.get(db, newCaseId(B), new Date())).toBeNull(); // no such case: none, also by id alone
    expect(await caseFeatures.feature(db, newCaseId(B), new Date())).toBeNull();
  }));

  test('the database refuses a UUIDv8 case id naming another district than the row\'s; takes its own and a v4 one (0068)', () => withTestDb(backend, async (db) => {
    const b = await loadSecondDistrict(db);
    const c = await reportAt(db, b);
    await expect(db.transaction((tx) => copyAs(tx, c.id, newCaseId(A)))).rejects.toThrow(/cases_id_names_district/);
    await expect(db.transaction((tx) => tx.query('update cases set id = $2 where id = $1', [c.id, newCaseId(A)]))).rejects.toThrow(/cases_id_names_district/);
    expect(districtOfCaseId(await copyAs(db, c.id, newCaseId(B)))).toBe(B);
    expect(districtOfCaseId(await copyAs(db, c.id))).toBeNull();
    // not a v8 id of the form domain/case-ids.ts makes (another variant, or no six digits first): not held to a district
    await copyAs(db, c.id, '11010100-0000-8000-c000-000000000001');
    await copyAs(db, c.id, 'abcdef00-0000-8000-8000-000000000001');
  }));
});
