// Each district's reads on its own calendar (issue 12): the local dates of stats (today's ticker, choropleth, trend, top
// classes, a grid's card), of patrol days (tracks, coverage), of a case search by region and of the transparency page
// are those of the district asked about, and GET /api/config's time zone is the rule book's, re-read when the versions
// in the database changed. tests/helpers/two-districts.ts loads the second district (110102) beside the fixture's
// Dongcheng (110101); the second is put on New York time here. The clock stands at 2027-06-16T02:00Z: Wednesday 10:00
// in Beijing, still Tuesday (22:00) in New York, so the two districts' "today" and "2027-06-15" differ.
import { describe, expect, test } from 'vitest';
import { testBackends } from '../../helpers/backends.js';
import { A, B, B_COMMUNITY, report, withTwoDistricts, type Ctx } from '../../helpers/two-districts.js';
import { recountDays } from '../../../server/db/grid-counts.js';
import { seedDistrictCalendar } from '../../../server/services/district-rules.js';
import { US_EAST_CALENDAR } from '../../../server/domain/district-rules.js';

const NY = 'America/New_York';
const BJ = 'Asia/Shanghai';
/** Tuesday 06:00 in New York, Tuesday 18:00 in Beijing: 2027-06-15 in both. */
const T1 = '2027-06-15T10:00:00Z';
/** Tuesday 16:00 in New York, already Wednesday 04:00 in Beijing. */
const T2 = '2027-06-15T20:00:00Z';
const DAY = 'from=2027-06-15&to=2027-06-15';

async function onNewYork(ctx: Ctx): Promise<void> {
  const put = await ctx.app.inject({ method: 'PUT', url: `/api/admin/calendar?district=${B}`, headers: ctx.h.admin, payload: { ...US_EAST_CALENDAR, note: 'the second district on New York time' } });
  expect(put.statusCode, put.body).toBe(200);
}

async function ok(ctx: Ctx, who: string | null, url: string) {
  const r = await ctx.app.inject({ url, headers: who ? ctx.h[who] : {} });
  expect(r.statusCode, `${who} ${url}: ${r.body}`).toBe(200);
  return r.json();
}

/**
 * A case of the second district (or at `where` of `district`) reported at each instant: reported now, then its report
 * time set (after every report: a case number counts the day's cases) and the rollup recounted.
 */
async function reportedAt(ctx: Ctx, at: string[], where: { lon: number; lat: number } = ctx.b, district = B): Promise<string[]> {
  const ids: string[] = [];
  for (const _ of at) {
    const r = await report(ctx, where === ctx.b ? 'inspector_b' : 'inspector1', where);
    expect(r.statusCode, r.body).toBe(201);
    ids.push(r.json().id);
  }
  for (const [i, t] of at.entries()) await ctx.db.query('update cases set created_at = $2 where id = $1', [ids[i], t]);
  await recountDays(ctx.db, district);
  return ids;
}

describe.each(testBackends())('each district\'s reads on its own calendar, on %s', (backend) => {
  test('stats count the second district\'s cases in its own local day; a read with no region is on the first district\'s, named', () => withTwoDistricts(backend, async (ctx) => {
    await onNewYork(ctx);
    await reportedAt(ctx, [T1, T2]); // both on Tuesday 2027-06-15 in New York; only T1 on it in Beijing
    await report(ctx, 'inspector1', ctx.a); // Dongcheng's, now: Wednesday in Beijing

    // the wall's ticker: New York's today began at 04:00Z on the 15th, Beijing's at 16:00Z
    expect(await ok(ctx, 'dispatcher_b', '/api/stats/today')).toMatchObject({ date: '2027-06-15', time_zone: NY, reported: 2 });
    expect(await ok(ctx, 'dispatcher1', '/api/stats/today')).toMatchObject({ date: '2027-06-16', time_zone: BJ, reported: 1 });
    expect(await ok(ctx, 'leader1', '/api/stats/today')).toMatchObject({ date: '2027-06-16', time_zone: BJ, reported: 2 }); // T2 and Dongcheng's

    const reported = (t: { points: { reported: number }[] }) => t.points.reduce((s, p) => s + p.reported, 0);
    const trendB = await ok(ctx, 'dispatcher_b', `/api/stats/trend?${DAY}`);
    expect(trendB).toMatchObject({ time_zone: NY, points: [{ start: '2027-06-15', reported: 2 }] });
    expect(await ok(ctx, 'leader1', `/api/stats/trend?${DAY}&region=${B}001`)).toEqual(trendB); // a region of the second district: its day
    const province = await ok(ctx, 'leader1', `/api/stats/trend?${DAY}`); // no region: the first district's day
    expect(province.time_zone).toBe(BJ);
    expect(reported(province)).toBe(1);

    const map = await ok(ctx, 'dispatcher_b', `/api/stats/choropleth?${DAY}`);
    expect(map.total).toBe(2);
    expect(map.method.counted).toContain(NY);
    expect((await ok(ctx, 'leader1', `/api/stats/choropleth?${DAY}&region=${B}&level=community`)).total).toBe(2);
    expect(await ok(ctx, 'dispatcher_b', `/api/stats/top-classes?${DAY}`)).toMatchObject([{ class_code: '06010', count: 2 }]);
    const card = await ok(ctx, 'leader1', `/api/stats/grids/${ctx.b.grid}?${DAY}`); // a grid's card: its district's day
    expect(card.count).toBe(2);
  }));

  test('a case search (and its export) with a region filter reads its dates in the region\'s district', () => withTwoDistricts(backend, async (ctx) => {
    await onNewYork(ctx);
    const [c1, c2] = await reportedAt(ctx, [T1, T2]);
    for (const filter of [`street=${B}001`, `community=${B_COMMUNITY}`, `grid=${ctx.b.grid}`]) {
      const list = await ok(ctx, 'leader1', `/api/cases?${filter}&${DAY}&limit=50`);
      expect(list.items.map((c: { id: string }) => c.id).sort(), filter).toEqual([c1, c2].sort());
    }
    const csv = await ctx.app.inject({ url: `/api/exports/cases.csv?street=${B}001&${DAY}`, headers: ctx.h.leader1 });
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.body).toContain('2027-06-15 16:00'); // T2 written in New York's time
    expect(csv.body.trim().split('\n').length).toBe(3); // the header and both cases
    // no region: the first district's day (Beijing's 2027-06-15 ends at 16:00Z: T1 only)
    const all = await ok(ctx, 'leader1', `/api/cases?${DAY}&limit=50`);
    expect(all.items.map((c: { id: string }) => c.id)).toEqual([c1]);
  }));

  test('a patrol day is the inspector\'s district\'s: tracks and coverage on New York\'s 2027-06-15', () => withTwoDistricts(backend, async (ctx) => {
    await onNewYork(ctx);
    const { rows: [u] } = await ctx.db.query<{ id: number }>(`select id::int as id from users where username = 'inspector_b'`);
    await ctx.db.query(`insert into patrol_duties (user_id, started_at) values ($1, '2027-06-15T09:00:00Z')`, [u.id]);
    const fix = (at: string, i: number) => ({ id: `f${i}`, at, lon: ctx.b.lon, lat: ctx.b.lat, accuracy_m: 5 });
    const sent = await ctx.app.inject({ method: 'POST', url: '/api/patrol/positions', headers: ctx.h.inspector_b, payload: { fixes: [fix(T1, 1), fix(T2, 2)] } });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json().accepted).toBe(2);

    const own = await ok(ctx, 'inspector_b', '/api/patrol/tracks'); // today: still Tuesday in New York
    expect(own.properties).toMatchObject({ date: '2027-06-15', fix_count: 2 });
    for (const who of ['dispatcher_b', 'leader1']) {
      expect((await ok(ctx, who, `/api/patrol/tracks?user_id=${u.id}&date=2027-06-15`)).properties.fix_count, who).toBe(2);
    }
    const coverageOf = (body: { items: { username: string; fix_count: number }[] }) => body.items.find((x) => x.username === 'inspector_b')?.fix_count;
    const mine = await ok(ctx, 'dispatcher_b', '/api/patrol/coverage?date=2027-06-15');
    expect(mine.time_zone).toBe(NY);
    expect(coverageOf(mine)).toBe(2);
    const asked = await ok(ctx, 'leader1', `/api/patrol/coverage?date=2027-06-15&district=${B}`);
    expect(asked.time_zone).toBe(NY);
    expect(coverageOf(asked)).toBe(2);
    expect(asked.items.map((x: { username: string }) => x.username)).not.toContain('inspector1');
    const province = await ok(ctx, 'leader1', '/api/patrol/coverage?date=2027-06-15'); // every inspector, the first district's day
    expect(province.time_zone).toBe(BJ);
    expect(coverageOf(province)).toBe(1);
    const other = await ctx.app.inject({ url: `/api/patrol/coverage?district=${B}`, headers: ctx.h.dispatcher1 });
    expect(other.statusCode, other.body).toBe(403);
    expect(other.json().error.message).toMatch(new RegExp(`${B}.*${A}`));
  }));

  test('the transparency page counts each district\'s streets in its own local month', () => withTwoDistricts(backend, async (ctx) => {
    await onNewYork(ctx);
    const at = '2027-06-01T02:00:00Z'; // still May 31 (22:00) in New York, June 1 (10:00) in Beijing
    await reportedAt(ctx, [at]);
    const { rows: [a] } = await ctx.db.query<{ street_code: string }>(
      'select street_code from grids where valid_to is null and st_covers(geom, st_setsrid(st_point($1, $2), 4326))', [ctx.a.lon, ctx.a.lat]);
    await reportedAt(ctx, [at], ctx.a, A);
    const received = (body: { items: { code: string; received: number }[] }, code: string) => body.items.find((r) => r.code === code)?.received;
    const may = await ok(ctx, null, '/api/public/transparency?month=2027-05');
    expect(received(may, `${B}001`)).toBe(1);
    expect(received(may, a.street_code)).toBe(0);
    expect(may.time_zone).toBe(BJ); // two zones: the first district's named
    const june = await ok(ctx, null, '/api/public/transparency?month=2027-06');
    expect(received(june, `${B}001`)).toBe(0);
    expect(received(june, a.street_code)).toBe(1);
  }));

  test('/api/config takes the time zone from the rule book, re-read when another process saved a version', () => withTwoDistricts(backend, async (ctx) => {
    expect((await ok(ctx, null, '/api/config')).time_zone).toBe(BJ);
    // the first district moved to New York time by another server process (or a loader): not through this app
    await seedDistrictCalendar(ctx.db, A, US_EAST_CALENDAR, new Date('2027-06-01T00:00:00Z'));
    expect((await ok(ctx, null, '/api/config')).time_zone).toBe(NY);
    expect((await ok(ctx, 'leader1', '/api/config')).time_zone).toBe(NY);
    expect((await ok(ctx, 'dispatcher_b', '/api/config')).time_zone).toBe(BJ); // the second district: its own (the defaults)
    // the book itself was re-read: Dongcheng's ticker is on New York's day now too
    expect(await ok(ctx, 'dispatcher1', '/api/stats/today')).toMatchObject({ date: '2027-06-15', time_zone: NY });
  }));
});
