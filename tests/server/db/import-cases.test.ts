// Historical case import on real engines: the real Boston 311 sample (2015) imported into a district drawn over
// Boston, its per-department figures checked against the CSV computed here independently; re-imports; rejections;
// departments; GeoJSON; and the HTTP route.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { beforeAll, describe, expect, test } from 'vitest';
import { sharedPglite, testBackends, withTestDb } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';
import { expectCountsExact } from '../../helpers/grid-counts.js';
import type { Queryable } from '../../../server/db/types.js';
import { createLatticeDistrict } from '../../../server/db/lattice.js';
import { importCases, readMapping, type CaseImportOptions } from '../../../server/services/import-cases.js';
import { loadWorkRules } from '../../../server/services/work-rules.js';
import { channelValues, parseCaseFieldMap } from '../../../server/domain/case-import.js';
import { parseCsvObjects } from '../../../server/domain/csv.js';
import { verifyChain, type ChainedEntry } from '../../../server/domain/trail.js';
import { DomainError } from '../../../server/domain/errors.js';
import { registerErrorHandler } from '../../../server/http/errors.js';
import importCasesRoutes from '../../../server/http/routes/import-cases.js';
import { buildApp } from '../../../server/app.js';

const SAMPLE = readFileSync(new URL('../../fixtures/boston311/boston311_2015_citymgmt_sample2000.csv', import.meta.url), 'utf8');
const WORK = loadWorkRules();
const NOW = new Date('2026-03-01T04:00:00Z');

const BOSTON: CaseImportOptions = {
  work: WORK,
  source_system: 'boston311',
  map: parseCaseFieldMap('source_id=CASE_ENQUIRY_ID,type=TYPE,opened=OPEN_DT,target=TARGET_DT,closed=CLOSED_DT,status=CASE_STATUS,'
    + 'department=Department,channel=Source,description=CASE_TITLE,address=Location,closure=CLOSURE_REASON,lon=LONGITUDE,lat=LATITUDE'),
  type_map: readMapping('boston311-types', 'type_map'),
  channel_values: channelValues(readMapping('boston311-channels', 'channel_values')),
  time_zone: 'America/New_York',
  now: () => NOW,
  batch_size: 700, // several batches
};

/** A district of ~100 m square grids over Boston (42.23..42.40 N, 71.19..70.99 W). */
async function bostonDistrict(db: Queryable) {
  return createLatticeDistrict(db, { district_code: '990001', name: 'Boston', bbox: [-71.19, 42.23, -70.99, 42.40] });
}

// ---------------------------------------------------------------------------------------------------------------
// The CSV, computed directly (its own parser, its own time-zone rule), for the oracle.

/** US daylight saving (since 2007): from the second Sunday of March 02:00 to the first Sunday of November 02:00, local. */
function nthSunday(year: number, month: number, n: number): number {
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((7 - first) % 7) + 7 * (n - 1);
}

/** `MM/DD/YYYY hh:mm:ss AM/PM` in Boston → epoch ms. The repeated hour of November is read as daylight time. */
function bostonMs(s: string): number {
  const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d) (AM|PM)$/.exec(s);
  if (!m) throw new Error(`not a Boston time: ${s}`);
  const [y, mo, d] = [Number(m[3]), Number(m[1]) - 1, Number(m[2])];
  const h = (Number(m[4]) % 12) + (m[7] === 'PM' ? 12 : 0);
  const wall = Date.UTC(y, mo, d, h, Number(m[5]), Number(m[6]));
  const dst = wall >= Date.UTC(y, 2, nthSunday(y, 2, 2), 2) && wall < Date.UTC(y, 10, nthSunday(y, 10, 1), 2);
  return wall + (dst ? 4 : 5) * 3_600_000;
}

type Expected = { cases: number; closed: number; on_time: number; judged: number; hours_sum: number; open_overdue: number };

/**
 * Per Department of the CSV. Definitions (the same as Gridline's, stated here once):
 * - a row is imported unless it closes before it opens (the sample's only impossible rows);
 * - closing rate = closed rows ÷ imported rows;
 * - on-time rate = rows closed no later than TARGET_DT ÷ closed rows that have a TARGET_DT (open rows and rows
 *   without a target are not judged);
 * - average handling hours = mean of CLOSED_DT − OPEN_DT over closed rows, in clock hours (the sample has no
 *   separate dispatch time, so handling runs from opening).
 */
function expectedFromCsv(text: string) {
  const rows = parseCsvObjects(text);
  const rejected: number[] = [];
  const byDept = new Map<string, Expected>();
  let ontimeFlag = 0;
  rows.forEach((r, i) => {
    const opened = bostonMs(r.OPEN_DT);
    const closed = r.CLOSED_DT ? bostonMs(r.CLOSED_DT) : null;
    if (closed !== null && closed < opened) { rejected.push(i + 1); return; }
    let e = byDept.get(r.Department);
    if (!e) byDept.set(r.Department, (e = { cases: 0, closed: 0, on_time: 0, judged: 0, hours_sum: 0, open_overdue: 0 }));
    e.cases++;
    if (closed === null) {
      // due while open: its target passed before the evaluated period's end (2016-01-31, the calendar's midnight) and now
      if (r.TARGET_DT && bostonMs(r.TARGET_DT) < Math.min(NOW.getTime(), Date.parse('2016-01-31T16:00:00Z'))) e.open_overdue++;
      return;
    }
    e.closed++;
    e.hours_sum += (closed - opened) / 3_600_000;
    if (r.TARGET_DT) {
      e.judged++;
      if (closed <= bostonMs(r.TARGET_DT)) e.on_time++;
      if (r.OnTime_Status === 'ONTIME') ontimeFlag++;
    }
  });
  const cityHall = rows.filter((r, i) => r.LATITUDE === '42.3594' && r.LONGITUDE === '-71.0587' && !rejected.includes(i + 1)).length;
  return { rows, rejected, byDept, ontimeFlag, cityHall };
}

/** Gridline's figures per department, read from the tables the evaluation reads. */
async function gridlineByDepartment(db: Queryable) {
  const { rows } = await db.query<{ department: string; cases: number; closed: number; on_time: number; judged: number; avg_hours: number | null }>(
    `select d.name as department, count(*)::int as cases, count(*) filter (where c.status = 'closed')::int as closed,
            count(*) filter (where x.on_time)::int as on_time, count(x.on_time)::int as judged,
            avg(x.natural_hours) filter (where x.outcome = 'feedback') as avg_hours
       from cases c
       join case_dispatches x on x.case_id = c.id and x.district_code = c.district_code
       left join departments d on d.id = c.department_id
      where c.source_system = 'boston311'
      group by d.name`,
  );
  return new Map(rows.map((r) => [r.department, r]));
}

async function count(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, params);
  return rows[0].n;
}

/** Days of a source's imported cases whose numbers are not 000001…n of the district and day, or whose counter
 *  (migrations/0063) is not at the last: the import takes a block per district and day (no case of those days before). */
async function numberedWithoutGaps(db: Queryable, source_system: string): Promise<{ wrong: number }> {
  const { rows } = await db.query<{ wrong: number }>(
    `select count(*) filter (where d.lo <> 1 or d.hi <> d.n or k.last_no is distinct from d.hi)::int as wrong
       from (select left(case_no, 6) as district_code, to_date(substr(case_no, 7, 8), 'YYYYMMDD') as local_date, count(*) as n,
                    min(substr(case_no, 15)::int) as lo, max(substr(case_no, 15)::int) as hi
               from cases where source_system = $1 group by 1, 2) d
       left join case_no_counters k using (district_code, local_date)`, [source_system]);
  return rows[0];
}

/** Imported cases whose trail does not verify against its head (one query: a statement per case is slow on PGlite). */
async function brokenChains(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<ChainedEntry & { head: string }>(
    `select t.case_id::text as case_id, t.seq, t.at, t.actor, t.role, t.action, t.from_status, t.to_status, t.note, t.photo_ids,
            t.deadline_at, t.data, t.prev_hash, t.hash, c.trail_head as head
       from case_trail t join cases c on c.id = t.case_id and c.district_code = t.district_code where c.origin = 'imported' order by t.case_id, t.seq`);
  const byCase = new Map<string, (ChainedEntry & { head: string })[]>();
  for (const r of rows) {
    const list = byCase.get(r.case_id) ?? [];
    list.push(r);
    byCase.set(r.case_id, list);
  }
  return [...byCase].filter(([, list]) => !verifyChain(list, { head: list[0].head }).ok).map(([id]) => id);
}

function csvLine(fields: string[]): string {
  return fields.map((f) => (/[",\n\r]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}

// The shared PGlite boots (and seeds the fixture) here, so its minutes on a busy machine do not count against the first test.
beforeAll(async () => { await sharedPglite(); }, 600_000);

describe.each(testBackends())('historical case import on %s', (backend) => {
  test('the Boston 311 sample: rejected rows, per-department on-time, closing rate and handling hours equal the CSV; re-imports update, never duplicate', () => withTestDb(backend, async (db) => {
    const lattice = await bostonDistrict(db);
    expect(lattice.grids).toBeGreaterThan(30_000); // ~100 m × 100 m each
    const want = expectedFromCsv(SAMPLE);
    expect(want.rejected).toHaveLength(5);

    const report = await importCases(db, SAMPLE, BOSTON);
    expect(report).toMatchObject({ format: 'csv', rows: 2000, imported: 1995, updated: 0, unchanged: 0, rejected_total: 5 });
    expect(report.rejected.map((r) => r.row)).toEqual(want.rejected);
    expect(new Set(report.rejected.map((r) => r.code))).toEqual(new Set(['closed_before_opened']));
    expect(report.batches).toBe(3);
    expect(await numberedWithoutGaps(db, BOSTON.source_system)).toEqual({ wrong: 0 }); // a block per district and day in each batch

    const got = await gridlineByDepartment(db);
    expect([...got.keys()].sort()).toEqual([...want.byDept.keys()].sort());
    for (const [dept, e] of want.byDept) {
      const g = got.get(dept)!;
      expect({ dept, cases: g.cases, closed: g.closed, on_time: g.on_time, judged: g.judged }).toEqual({ dept, cases: e.cases, closed: e.closed, on_time: e.on_time, judged: e.judged });
      // The rates, as the evaluation states them.
      expect(g.closed / g.cases).toBe(e.closed / e.cases);
      if (e.judged) expect(g.on_time / g.judged).toBe(e.on_time / e.judged);
      if (e.closed) expect(Number(g.avg_hours)).toBeCloseTo(e.hours_sum / e.closed, 9);
      else expect(g.avg_hours).toBeNull();
    }
    // The city's own on-time flag agrees with closed ≤ target on every judged row.
    const judged = [...got.values()].reduce((s, g) => s + g.on_time, 0);
    expect(judged).toBe(want.ontimeFlag);

    // The same figures through the evaluation API (GET /api/evaluation/departments): closing rate, on-time handling
    // (due = a target that was met, missed, or passed while open) and average handling hours per department.
    const app = await buildApp(testConfig(), { db, clock: { now: () => NOW } });
    try {
      const admin = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'leader1', password: 'demo' } });
      const ev = await app.inject({ url: '/api/evaluation/departments?from=2014-12-01&to=2016-01-31', headers: { authorization: `Bearer ${admin.json().token}` } });
      expect(ev.statusCode, ev.body).toBe(200);
      const rows = new Map<string, { indicators: Record<string, { numerator: number; denominator: number; rate: number | null }>; extra: Record<string, number | null> }>(
        ev.json().rows.map((r: { name: string }) => [r.name, r]));
      for (const [dept, e] of want.byDept) {
        const r = rows.get(dept)!;
        expect(r, dept).toBeDefined();
        expect(r.indicators.closing_rate, dept).toMatchObject({ numerator: e.closed, denominator: e.cases, rate: e.closed / e.cases });
        expect(r.indicators.on_time_handling_rate, dept).toMatchObject({ numerator: e.on_time, denominator: e.judged + e.open_overdue });
        if (e.closed) expect(r.extra.avg_natural_hours!, dept).toBeCloseTo(e.hours_sum / e.closed, 9);
      }
    } finally {
      await app.close();
    }

    // City Hall's "not geocoded" point lies inside Boston: those rows are imported like the others.
    expect(want.cityHall).toBeGreaterThan(0);
    expect(await count(db, `select count(*)::int as n from cases where source_system = 'boston311' and st_x(geom) = -71.0587 and st_y(geom) = 42.3594`)).toBe(want.cityHall);

    // Channels through the mapping; every imported case marked, in the district, with a chained trail.
    const bySource = await db.query<{ source: string; n: number }>(`select source, count(*)::int as n from cases where source_system = 'boston311' group by 1`);
    const channel: Record<string, string> = { 'City Worker App': 'inspector', 'Constituent Call': 'hotline', 'Citizens Connect App': 'public', 'Self Service': 'public', Twitter: 'public', 'Employee Generated': 'other', 'Maximo Integration': 'other' };
    const wantSource: Record<string, number> = {};
    want.rows.forEach((r, i) => { if (!want.rejected.includes(i + 1)) wantSource[channel[r.Source]] = (wantSource[channel[r.Source]] ?? 0) + 1; });
    expect(Object.fromEntries(bySource.rows.map((r) => [r.source, r.n]))).toEqual(wantSource);
    expect(await count(db, `select count(*)::int as n from cases where source_system = 'boston311' and (origin <> 'imported' or district_code <> '990001' or source_type is null)`)).toBe(0);
    expect(await count(db, `select count(*)::int as n from case_trail t join cases c on c.id = t.case_id and c.district_code = t.district_code where c.source_system = 'boston311' and (t.data->>'imported')::boolean is not true`)).toBe(0);
    const closedRows = want.rows.filter((r, i) => r.CLOSED_DT && !want.rejected.includes(i + 1)).length;
    expect(await count(db, `select count(*)::int as n from case_trail t join cases c on c.id = t.case_id and c.district_code = t.district_code where c.source_system = 'boston311'`)).toBe(1995 * 2 + closedRows * 2);
    expect(await brokenChains(db)).toEqual([]);

    // An open case keeps the source's target as its deadline.
    const open = want.rows.find((r) => r.CASE_STATUS === 'Open' && r.TARGET_DT)!;
    const { rows: [oc] } = await db.query<{ status: string; handling_deadline_at: Date; red_at: Date; step: string }>(
      `select status, handling_deadline_at, red_at, step from cases where source_system = 'boston311' and source_id = $1`, [open.CASE_ENQUIRY_ID]);
    expect(oc).toMatchObject({ status: 'handling', step: 'handling' });
    expect(oc.handling_deadline_at.getTime()).toBe(bostonMs(open.TARGET_DT));
    expect(oc.red_at.getTime()).toBe(bostonMs(open.TARGET_DT));

    // The same file again: nothing new, nothing written.
    const cases = await count(db, `select count(*)::int as n from cases`);
    const trail = await count(db, `select count(*)::int as n from case_trail`);
    const again = await importCases(db, SAMPLE, BOSTON);
    expect(again).toMatchObject({ rows: 2000, imported: 0, updated: 1995, unchanged: 1995, rejected_total: 5 });
    expect(await count(db, `select count(*)::int as n from cases`)).toBe(cases);
    expect(await count(db, `select count(*)::int as n from case_trail`)).toBe(trail);

    // A later export: an open case is now closed (at its target: on time); another row rewrote its opening time;
    // a third is as before.
    const header = Object.keys(want.rows[0]);
    const file = (list: Record<string, string>[]) => [csvLine(header), ...list.map((r) => csvLine(header.map((h) => r[h])))].join('\n');
    const imported = want.rows.filter((_, i) => !want.rejected.includes(i + 1));
    const openRow = imported.find((r) => r.CASE_STATUS === 'Open' && r.TARGET_DT)!;
    const closedRow = imported.find((r) => r.CASE_STATUS === 'Closed')!;
    const plainRow = imported.find((r) => r !== closedRow && r.CASE_STATUS === 'Closed')!;
    const later = { ...openRow, CASE_STATUS: 'Closed', CLOSED_DT: openRow.TARGET_DT };
    const rewritten = { ...closedRow, OPEN_DT: plainRow.OPEN_DT };
    expect(rewritten.OPEN_DT).not.toBe(closedRow.OPEN_DT);
    const next = await importCases(db, file([later, rewritten, plainRow]), BOSTON);
    expect(next).toMatchObject({ imported: 0, updated: 2, unchanged: 1, rejected_total: 1 });
    expect(next.rejected[0]).toMatchObject({ row: 2, code: 'history_changed', reason: expect.stringMatching(/^source id \d+ is case history already imported: opened/) });

    const { rows: [c] } = await db.query<{ id: string; status: string; closed_at: Date; trail_head: string; version: number }>(
      `select id::text as id, status, closed_at, trail_head, version from cases where source_system = 'boston311' and source_id = $1`, [openRow.CASE_ENQUIRY_ID]);
    expect(c).toMatchObject({ status: 'closed', version: 2 });
    expect(c.closed_at.getTime()).toBe(bostonMs(later.CLOSED_DT));
    const { rows: entries } = await db.query<ChainedEntry>(
      `select case_id::text as case_id, seq, at, actor, role, action, from_status, to_status, note, photo_ids, deadline_at, data, prev_hash, hash
         from case_trail where case_id = $1 order by seq`, [c.id]);
    expect(entries.map((e) => e.action)).toEqual(['report', 'dispatch', 'feedback', 'close']);
    expect(verifyChain(entries, { head: c.trail_head })).toEqual({ ok: true });
    const { rows: [d] } = await db.query<{ outcome: string; on_time: boolean; natural_hours: number }>(
      'select outcome, on_time, natural_hours from case_dispatches where case_id = $1', [c.id]);
    expect(d).toMatchObject({ outcome: 'feedback', on_time: true }); // closed exactly at its target
    expect(d.natural_hours).toBeCloseTo((bostonMs(later.CLOSED_DT) - bostonMs(openRow.OPEN_DT)) / 3_600_000, 9);
    // The rejected row's case kept its history.
    const { rows: [kept] } = await db.query<{ created_at: Date; n: number }>(
      `select c.created_at, (select count(*)::int from case_trail t where t.case_id = c.id and t.district_code = c.district_code) as n from cases c where source_system = 'boston311' and source_id = $1`,
      [closedRow.CASE_ENQUIRY_ID]);
    expect(kept.created_at.getTime()).toBe(bostonMs(closedRow.OPEN_DT));
    expect(kept.n).toBe(4);
    expect(await brokenChains(db)).toEqual([]);
  }), 600_000);
});

// ---------------------------------------------------------------------------------------------------------------
// On the fixture district (synthetic Dongcheng, 110101).

type GridPoint = { code: string; x: number; y: number };

async function gridPoints(db: Queryable, n: number): Promise<GridPoint[]> {
  const { rows } = await db.query<GridPoint>(
    `select code, st_x(p) as x, st_y(p) as y
       from (select code, st_pointonsurface(geom) as p from grids where valid_to is null order by code limit $1) g`, [n]);
  return rows;
}

const SMALL: CaseImportOptions = {
  work: WORK,
  source_system: 'oldsys',
  map: parseCaseFieldMap('source_id=id,type=type,opened=opened,dispatched=dispatched,target=target,closed=closed,department=dept,channel=channel,description=text'),
  type_map: { 道路破损: '06013', 暴露垃圾: '06010', 路灯: '01037' },
  time_zone: 'Asia/Shanghai',
  now: () => NOW,
};

function smallCsv(points: GridPoint[], rows: Partial<Record<string, string>>[]): string {
  const header = ['id', 'type', 'opened', 'dispatched', 'target', 'closed', 'dept', 'channel', 'text', 'lon', 'lat'];
  return [header.join(','), ...rows.map((r, i) => {
    const p = points[i % points.length];
    const v: Record<string, string> = {
      id: `S${i + 1}`, type: '道路破损', opened: '2025-06-04 09:00', dispatched: '2025-06-04 10:00', target: '2025-06-06 18:00',
      closed: '2025-06-05 12:00', dept: '市政管理委员会', channel: '监督员', text: `case ${i + 1}`, lon: String(p.x), lat: String(p.y), ...r,
    };
    return csvLine(header.map((h) => v[h]));
  })].join('\n');
}

describe.each(testBackends())('case import details on %s', (backend) => {
  test('bad rows are rejected with reasons, the good rows of the same file kept; departments matched ignoring case or created once', () => withTestDb(backend, async (db) => {
    const points = await gridPoints(db, 5);
    const before = await count(db, 'select count(*)::int as n from departments');
    const text = smallCsv(points, [
      {},
      { dept: 'Roads Unit 7' },
      { dept: 'ROADS UNIT 7', channel: '热线' },
      { lon: '0.5', lat: '0.5' },
      { type: '乱停车' },
      { opened: '2025-13-02 09:00' },
      { target: '2025-06-01 09:00' },
      { closed: '2025-06-04 09:30' },
      { id: 'S1' },
      { closed: '', channel: '公众' },
    ]);
    const r = await importCases(db, text, SMALL);
    expect(r).toMatchObject({ rows: 10, imported: 4, updated: 0, rejected_total: 6, departments_created: 2 });
    expect(r.rejected.map((x) => [x.row, x.code])).toEqual([
      [4, 'outside_grids'], [5, 'unknown_type'], [6, 'invalid_date'], [7, 'target_before_opened'], [8, 'closed_before_dispatched'], [9, 'duplicate_source_id'],
    ]);
    expect(r.rejected[0].reason).toBe('outside the district: no current unit grid covers (0.5, 0.5)');
    await expectCountsExact(db); // case_grid_days kept by the import's COPY (db/grid-counts.ts)
    expect(await count(db, 'select count(*)::int as n from departments')).toBe(before + 2);
    expect(await count(db, `select count(distinct department_id)::int as n from cases where source_system = 'oldsys' and source_id in ('S2', 'S3')`)).toBe(1);
    const { rows } = await db.query<{ source_id: string; source: string; status: string; grid_code: string; case_no: string }>(
      `select source_id, source, status, grid_code, case_no from cases where source_system = 'oldsys' order by source_id`);
    expect(rows.map((x) => [x.source_id, x.source, x.status])).toEqual([
      ['S1', 'inspector', 'closed'], ['S10', 'public', 'handling'], ['S2', 'inspector', 'closed'], ['S3', 'hotline', 'closed'],
    ]);
    expect(rows[0].grid_code).toBe(points[0].code);
    // Case numbers like live ones: district, the report's local date, a sequence number.
    expect(rows[0].case_no).toMatch(/^11010120250604\d{6}$/);
    expect(await numberedWithoutGaps(db, 'oldsys')).toEqual({ wrong: 0 });
    // Handling runs from dispatch (10:00) to feedback (next day 12:00): 26 clock hours, working hours on the calendar.
    const { rows: [f] } = await db.query<{ natural_hours: number; working_hours: number; on_time: boolean }>(
      `select natural_hours, working_hours, on_time from case_dispatches x join cases c on c.id = x.case_id and c.district_code = x.district_code where c.source_system = 'oldsys' and c.source_id = 'S1'`);
    expect(f).toMatchObject({ natural_hours: 26, working_hours: 10, on_time: true });
  }));

  test('GeoJSON input gives the same cases; a descriptive change on re-import is recorded in the trail', () => withTestDb(backend, async (db) => {
    const [p, q] = await gridPoints(db, 2);
    const fc = (text: string, at = p) => JSON.stringify({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [at.x, at.y] },
        properties: { id: 'G1', type: '暴露垃圾', opened: '2025-06-02T01:00:00Z', target: '2025-06-02T09:00:00Z', closed: '2025-06-02T03:00:00Z', dept: '环卫', channel: 'public', text } }],
    });
    expect(await importCases(db, fc('garbage'), SMALL)).toMatchObject({ format: 'geojson', imported: 1, rejected: [] });
    const moved = await importCases(db, fc('garbage by the gate', q), SMALL);
    expect(moved).toMatchObject({ imported: 0, updated: 1, unchanged: 0 });
    const { rows: [c] } = await db.query<{ id: string; description: string; grid_code: string; trail_head: string }>(
      `select id::text as id, description, grid_code, trail_head from cases where source_system = 'oldsys' and source_id = 'G1'`);
    expect(c).toMatchObject({ description: 'garbage by the gate', grid_code: q.code });
    await expectCountsExact(db); // the re-import moved it in case_grid_days
    const { rows: trail } = await db.query<ChainedEntry>(
      `select case_id::text as case_id, seq, at, actor, role, action, from_status, to_status, note, photo_ids, deadline_at, data, prev_hash, hash
         from case_trail where case_id = $1 order by seq`, [c.id]);
    expect(trail.map((e) => e.action)).toEqual(['report', 'dispatch', 'feedback', 'close', 'import_update']);
    expect(trail[4].data).toMatchObject({ imported: true, changes: { description: ['garbage', 'garbage by the gate'], grid_code: [p.code, q.code] } });
    expect(verifyChain(trail, { head: c.trail_head })).toEqual({ ok: true });
    expect(await importCases(db, fc('garbage by the gate', q), SMALL)).toMatchObject({ updated: 1, unchanged: 1 });
  }));

  test('a mapping to a class that does not exist stops the import before any row', () => withTestDb(backend, async (db) => {
    await expect(importCases(db, 'id,type\n1,x\n', { ...SMALL, type_map: { x: '99999' } })).rejects.toMatchObject({ code: 'unknown_class' });
    await expect(importCases(db, '', SMALL)).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/empty/) });
  }));
});

describe.each(testBackends())('POST /api/admin/import/cases on %s', (backend) => {
  /** The route plugin on a bare app, with a stand-in requireRole that trusts an x-role header. */
  async function withApp<T>(fn: (app: ReturnType<typeof Fastify>, db: Queryable) => Promise<T>) {
    return withTestDb(backend, async (db) => {
      const app = Fastify();
      registerErrorHandler(app);
      app.decorate('requireRole', (...roles: string[]) => async (req: { headers: Record<string, unknown> }) => {
        if (!roles.includes(String(req.headers['x-role']))) throw new DomainError('forbidden', `needs ${roles.join(' or ')}`);
      });
      await app.register(importCasesRoutes, { deps: { db, config: testConfig(), work: WORK }, bodyLimit: 50_000 });
      try {
        return await fn(app, db);
      } finally {
        await app.close();
      }
    });
  }
  const URL_ = '/api/admin/import/cases?source_system=oldsys&time_zone=Asia/Shanghai'
    + `&map=${encodeURIComponent('source_id=id,type=type,opened=opened,dispatched=dispatched,target=target,closed=closed,department=dept,channel=channel')}`;

  test('an admin imports CSV with a mapping file and gets the report; the same body again is unchanged', () => withApp(async (app, db) => {
    const points = await gridPoints(db, 3);
    const payload = smallCsv(points, [{ type: 'Street Light Outages', channel: 'Constituent Call' }, { type: 'Graffiti Removal', channel: 'Twitter' }, { type: 'Potholes?' }]);
    const post = () => app.inject({
      method: 'POST', url: `${URL_}&type_map=boston311-types&channel_values=boston311-channels`,
      headers: { 'content-type': 'text/csv', 'x-role': 'admin' }, payload,
    });
    const res = await post();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: 3, imported: 2, updated: 0, unchanged: 0, rejected_total: 1, rejected: [{ row: 3, code: 'unknown_type' }] });
    const { rows } = await db.query<{ class_code: string; source: string }>(`select class_code, source from cases where source_system = 'oldsys' order by source_id`);
    expect(rows).toEqual([{ class_code: '01037', source: 'hotline' }, { class_code: '07001', source: 'public' }]);
    expect((await post()).json()).toMatchObject({ imported: 0, updated: 2, unchanged: 2 });
  }));

  test('rows with a NUL character or deep nesting are rejected one by one, not a 500 (defect 5)', () => withApp(async (app, db) => {
    const points = await gridPoints(db, 3);
    const csv = smallCsv(points, [{ type: 'Street Light Outages', text: 'light\u0000out' }, { type: 'Street Light Outages' }]);
    const res = await app.inject({
      method: 'POST', url: `${URL_}&type_map=boston311-types`, headers: { 'content-type': 'text/csv', 'x-role': 'admin' }, payload: csv,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ rows: 2, imported: 1, rejected: [{ row: 1, code: 'malformed_row', reason: expect.stringMatching(/NUL character/) }] });
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const props = (id: string) => `"id":"${id}","type":"Street Light Outages","opened":"2025-06-04 09:00"`;
    const geo = `{"type":"FeatureCollection","features":[`
      + `{"type":"Feature","geometry":{"type":"Point","coordinates":${deep}},"properties":{${props('D1')}}},`
      + `{"type":"Feature","geometry":{"type":"Point","coordinates":[${points[0].x},${points[0].y}]},"properties":{${props('D2')},"x":${deep}}},`
      + `{"type":"Feature","geometry":{"type":"Point","coordinates":[${points[1].x},${points[1].y}]},"properties":{${props('D3')}}}]}`;
    const res2 = await app.inject({
      method: 'POST', url: `${URL_.replace('oldsys', 'deepsys')}&type_map=boston311-types`, headers: { 'content-type': 'application/geo+json', 'x-role': 'admin' }, payload: geo,
    });
    expect(res2.statusCode, res2.body).toBe(200);
    expect(res2.json()).toMatchObject({ rows: 3, imported: 1, rejected_total: 2 });
    expect(res2.json().rejected.map((r: { reason: string }) => r.reason)).toEqual([
      expect.stringMatching(/geometry\.coordinates.* nested deeper than 32 levels/), expect.stringMatching(/properties\.x.* nested deeper than 32 levels/),
    ]);
  }));

  test('only an admin may import; bad options are 4xx naming the field', () => withApp(async (app) => {
    const post = (url: string, headers: Record<string, string> = {}) => app.inject({
      method: 'POST', url, headers: { 'content-type': 'text/csv', 'x-role': 'admin', ...headers }, payload: 'id,type,opened\n',
    });
    expect((await post(`${URL_}&type_map=boston311-types`, { 'x-role': 'dispatcher' })).statusCode).toBe(403);
    const noFile = await post(`${URL_}&type_map=no-such-mapping`);
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json().error).toMatchObject({ code: 'bad_request', details: { field: 'type_map' } });
    const badMap = await post(`/api/admin/import/cases?source_system=oldsys&type_map=boston311-types&map=${encodeURIComponent('source_id=id,when=x')}`);
    expect(badMap.statusCode).toBe(400);
    expect(badMap.json().error.message).toMatch(/unknown field "when"/);
    const badZone = await post(`${URL_}&type_map=boston311-types`.replace('Asia/Shanghai', 'Moon/Base'));
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json().error.details).toMatchObject({ field: 'time_zone' });
    const text = await post(`${URL_}&type_map=boston311-types`, { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(415);
  }));
});
