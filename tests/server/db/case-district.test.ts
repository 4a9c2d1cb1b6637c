// The case workflow tables carry their case's district (issue 12, migrations/0064): case_trail, case_events,
// case_steps, case_dispatches and case_suspensions name district_code, and their foreign key to cases is
// (case_id, district_code). With a second district (110102) loaded beside the fixture's Dongcheng (110101): the
// database refuses a row naming another district than its case's, and every writer — the case service (report,
// actions, a suspension, a merge), the case import (new and re-imported cases) — writes the case's own district.
import { describe, expect, test } from 'vitest';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { caseDeps, demoUsers } from '../../helpers/cases.js';
import { A, B, loadSecondDistrict } from '../../helpers/two-districts.js';
import { actOnCase, mergeCase, reportCase } from '../../../server/services/cases.js';
import { importCases, type CaseImportOptions } from '../../../server/services/import-cases.js';
import { parseCaseFieldMap } from '../../../server/domain/case-import.js';
import type { Queryable } from '../../../server/db/types.js';

const TABLES = ['case_trail', 'case_events', 'case_steps', 'case_dispatches', 'case_suspensions'] as const;
type Table = (typeof TABLES)[number];

const HASH = 'a'.repeat(64);
/** One row of `table` for case `id`, naming `district`; the other columns valid. */
const INSERT: Record<Table, string> = {
  case_trail: `insert into case_trail (case_id, district_code, seq, at, role, action, to_status, prev_hash, hash)
               values ($1, $2, 99, now(), 'system', 'note', 'pending_acceptance', '${HASH}', '${HASH}')`,
  case_events: `insert into case_events (case_id, district_code, version, at, payload) values ($1, $2, 99, now(), '{}')`,
  case_steps: `insert into case_steps (case_id, district_code, seq, case_status, step, started_at) values ($1, $2, 99, 'handling', 'check', now())`,
  case_dispatches: `insert into case_dispatches (case_id, district_code, seq, case_status, dispatched_at) values ($1, $2, 99, 'handling', now())`,
  case_suspensions: `insert into case_suspensions (case_id, district_code, started_at) values ($1, $2, '2030-01-01T00:00:00Z')`,
};

/** The districts of a case's rows in each table (sorted, distinct) and how many rows each table has. */
async function rowsOf(db: Queryable, caseId: string): Promise<Record<Table, { districts: string[]; n: number }>> {
  const out = {} as Record<Table, { districts: string[]; n: number }>;
  for (const t of TABLES) {
    const { rows: [r] } = await db.query<{ districts: string[] | null; n: number }>(
      `select array_agg(distinct district_code order by district_code) as districts, count(*)::int as n from ${t} where case_id = $1`, [caseId]);
    out[t] = { districts: r.districts ?? [], n: r.n };
  }
  return out;
}

const reportIn = async (db: Queryable, at: { lon: number; lat: number }, description = 'district rows') => {
  const { inspector } = await demoUsers(db); // a user of every district: reports wherever the point lies
  return (await reportCase(caseDeps(db), inspector, { kind: 'event', class_code: '06010', lon: at.lon, lat: at.lat, description }, null)).case;
};

describe.each(testBackends())('district_code on the case workflow tables on %s', (backend) => {
  test.each(TABLES)('%s refuses a row naming another district than its case\'s (foreign key (case_id, district_code) → cases), and takes its own', (table) => withTestDb(backend, async (db) => {
    const b = await loadSecondDistrict(db);
    const c = await reportIn(db, b);
    expect(c.district_code).toBe(B);
    await expect(db.transaction((tx) => tx.query(INSERT[table], [c.id, A]))).rejects.toThrow(/foreign key/);
    await expect(db.transaction((tx) => tx.query(INSERT[table], [c.id, null]))).rejects.toThrow(/null/i); // Citus: "… NULL in the partition column"
    await db.transaction((tx) => tx.query(INSERT[table], [c.id, B]));
    const { rows: [n] } = await db.query<{ n: number }>(`select count(*)::int as n from ${table} where case_id = $1 and district_code = $2`, [c.id, B]);
    expect(n.n).toBeGreaterThanOrEqual(1);
  }));

  test('the case service writes the case\'s district on every row: report, actions, a suspension opened and closed, facts, events, a merge', () => withTestDb(backend, async (db) => {
    const b = await loadSecondDistrict(db);
    const deps = caseDeps(db);
    const { operator, shiftLead, dispatcher, crew } = await demoUsers(db);
    let c = await reportIn(db, b);
    const act = async (user: typeof operator, action: string, fields: Record<string, unknown> = {}) => {
      c = await actOnCase(deps, user, c.id, { action, version: c.version, ...fields });
    };
    await act(operator, 'accept');
    await act(shiftLead, 'file');
    await act(dispatcher, 'dispatch', { department_id: crew.department_id });
    await act(crew, 'apply_suspension', { reason: 'needs a budget' });
    await act(dispatcher, 'approve_suspension');
    deps.clock.advance(60);
    await act(dispatcher, 'resume');
    expect(c).toMatchObject({ district_code: B, status: 'handling' });
    const rows = await rowsOf(db, c.id);
    for (const t of TABLES) expect(rows[t], t).toMatchObject({ districts: [B], n: expect.any(Number) });
    expect(rows.case_trail.n).toBe(7);
    expect(rows.case_events.n).toBe(7);
    expect(rows.case_dispatches.n).toBe(1);
    expect(rows.case_steps.n).toBeGreaterThanOrEqual(3);
    expect(rows.case_suspensions.n).toBe(1);
    const { rows: [s] } = await db.query<{ ended: boolean }>('select ended_at is not null as ended from case_suspensions where case_id = $1', [c.id]);
    expect(s.ended).toBe(true); // closed by the resume, through (case_id, district_code)

    // A merge of two cases of the second district: both trails and both events in it; one in Dongcheng stays there.
    const first = await reportIn(db, b, 'first');
    const dup = await reportIn(db, b, 'duplicate');
    const merged = await mergeCase(deps, operator, dup.id, { into: first.id, version: dup.version });
    expect(merged).toMatchObject({ status: 'void', merged_into: first.id });
    for (const id of [first.id, dup.id]) {
      const r = await rowsOf(db, id);
      expect([r.case_trail, r.case_events], id).toEqual([{ districts: [B], n: 2 }, { districts: [B], n: 2 }]);
    }
    const { rows: [a] } = await db.query<{ lon: number; lat: number }>(
      `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from grids where district_code = $1 and valid_to is null order by code limit 1) g`, [A]);
    const inA = await reportIn(db, a);
    expect((await rowsOf(db, inA.id)).case_trail).toEqual({ districts: [A], n: 1 });
  }));

  test('the case import writes each case\'s district on its trail and facts, new and re-imported; a re-import that would move a case to another district is refused', () => withTestDb(backend, async (db) => {
    const b = await loadSecondDistrict(db);
    const { rows: [a] } = await db.query<{ lon: number; lat: number }>(
      `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from grids where district_code = $1 and valid_to is null order by code limit 1) g`, [A]);
    const opts: CaseImportOptions = {
      work: caseDeps(db).work, source_system: 'twodistricts', time_zone: 'Asia/Shanghai', now: () => new Date('2026-03-01T04:00:00Z'),
      map: parseCaseFieldMap('source_id=id,type=type,opened=opened,dispatched=dispatched,target=target,closed=closed,department=dept,channel=channel,description=text'),
      type_map: { 道路破损: '06013' },
    };
    const csv = (rows: { id: string; at: { lon: number; lat: number }; text: string; closed?: string }[]) => [
      'id,type,opened,dispatched,target,closed,dept,channel,text,lon,lat',
      ...rows.map((r) => `${r.id},道路破损,2025-06-04 09:00,2025-06-04 10:00,2025-06-06 18:00,${r.closed ?? '2025-06-05 12:00'},市政管理委员会,监督员,${r.text},${r.at.lon},${r.at.lat}`),
    ].join('\n');
    const first = await importCases(db, csv([{ id: 'IB', at: b, text: 'in B', closed: '' }, { id: 'IA', at: a, text: 'in A' }]), opts);
    expect(first).toMatchObject({ imported: 2, rejected: [] });
    const idOf = async (source_id: string) => (await db.query<{ id: string; district_code: string }>(
      `select id::text as id, district_code from cases where source_system = 'twodistricts' and source_id = $1`, [source_id])).rows[0];
    const [ib, ia] = [await idOf('IB'), await idOf('IA')];
    expect([ib.district_code, ia.district_code]).toEqual([B, A]);
    const rb = await rowsOf(db, ib.id);
    expect([rb.case_trail.districts, rb.case_dispatches.districts, rb.case_steps.districts]).toEqual([[B], [B], [B]]);
    expect(rb.case_trail.n).toBe(2); // report, dispatch: still handling
    expect((await rowsOf(db, ia.id)).case_trail.districts).toEqual([A]);

    // Re-imported: IB closed by the source (its entries and facts again, in B); IA's point now in B: refused.
    const again = await importCases(db, csv([{ id: 'IB', at: b, text: 'in B' }, { id: 'IA', at: b, text: 'in A' }]), opts);
    expect(again).toMatchObject({ imported: 0, updated: 1 });
    expect(again.rejected).toEqual([expect.objectContaining({ code: 'history_changed', reason: expect.stringContaining(`in district ${A} in Gridline, in district ${B} by the file's point`) })]);
    const rb2 = await rowsOf(db, ib.id);
    expect(rb2.case_trail).toEqual({ districts: [B], n: 4 }); // + feedback, close
    expect([rb2.case_dispatches.districts, rb2.case_steps.districts]).toEqual([[B], [B]]);
    expect((await idOf('IA')).district_code).toBe(A);
  }));
});
