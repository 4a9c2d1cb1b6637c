// Grid-level statistics over HTTP on the fixture district: every figure checked against SQL written independently
// here (local dates by `at time zone`, queen contiguity by st_intersects), the Gi* z-scores against the domain
// function on the same densities, bad input naming its field, and who may ask.
import { describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { giStar, hotspotClass, neighbourLists } from '../../../server/domain/hotspots.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';
import { expectCountsExact } from '../../helpers/grid-counts.js';
import * as cases from '../../../server/db/cases.js';
import { applyDayDeltas, dayDeltasSql, recountDays, type DayDeltas } from '../../../server/db/grid-counts.js';

const ZONE = 'Asia/Shanghai'; // the calendar's zone (data/calendars, services/work-rules.ts)
const USERS = ['leader1', 'operator1', 'admin', 'dispatcher1', 'crew1', 'inspector1'] as const;
type U = (typeof USERS)[number];
type Ctx = { app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>>; classes: string[] };

/** Three matter classes of different major classes (all events, majors ≥ 06). */
async function eventClasses(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ code: string }>(
    `select min(code) as code from classes where kind = 'matter' and major_code >= '06' group by major_code order by 1 limit 3`);
  return rows.map((r) => r.code);
}

/**
 * 400 cases every 4.37 hours from 2026-02-14T16:00Z (Feb 15 00:00 in Beijing) to late April: half of them in the
 * first 30 grids (a cluster, so there are hot spots), the rest spread; channels and classes rotate; every third is
 * closed 30 h later, every second filed an hour later. Some fall minutes either side of local midnight.
 */
async function seedCases(db: Queryable, classes: string[]): Promise<void> {
  await db.query(
    // The current grids numbered by code first (a materialized CTE): Citus refuses a lateral subquery with a limit on
    // the distributed grids from generate_series.
    `with g as materialized (select row_number() over (order by code) - 1 as k, * from (select * from grids where valid_to is null) x)
     insert into cases (case_no, status, source, kind, class_code, geom, district_code, street_code, community_code, grid_code,
                        trail_head, created_at, updated_at, filed_at, closed_at)
     select g.district_code || 'STAT-' || i, case when i % 3 = 0 then 'closed' else 'handling' end, (array['inspector', 'public', 'hotline'])[1 + i % 3],
            'event', ($1::text[])[1 + (i * 7) % 3], st_pointonsurface(g.geom), g.district_code, g.street_code, g.community_code, g.code,
            repeat('0', 64), t, t, case when i % 2 = 0 then t + interval '1 hour' end, case when i % 3 = 0 then t + interval '30 hours' end
       from generate_series(1, 400) i
       cross join lateral (select timestamptz '2026-02-14 16:00:00+00' + (i * 4.37 || ' hours')::interval as t) tt
       join g on g.k = (case when i % 2 = 0 then (i * 7) % 30 else (i * i) % 250 end)`,
    [classes]);
  // Exactly on and around local midnight of 2026-03-01 (2026-02-28T16:00Z) and of 2026-04-01.
  await db.query(
    `insert into cases (case_no, status, source, kind, class_code, geom, district_code, street_code, community_code, grid_code,
                        trail_head, created_at, updated_at)
     select g.district_code || 'EDGE-' || n, 'handling', 'public', 'event', $1, st_pointonsurface(g.geom), g.district_code, g.street_code,
            g.community_code, g.code, repeat('0', 64), t, t
       from (values (1, timestamptz '2026-02-28 15:59:59.999+00'), (2, timestamptz '2026-02-28 16:00:00+00'),
                    (3, timestamptz '2026-03-31 15:59:59+00'), (4, timestamptz '2026-03-31 16:00:00+00')) v(n, t)
       cross join (select * from grids where valid_to is null order by code offset 5 limit 1) g`,
    [classes[0]]);
  // Cases written by this file's own SQL: their rollup rows recounted, as a bulk loader does (db/grid-counts.ts).
  const { rows } = await db.query<{ d: string }>(`select distinct district_code as d from cases where case_no like '______STAT-%' or case_no like '______EDGE-%'`);
  for (const r of rows) await recountDays(db, r.d);
}

function withStatsApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    const now = new Date('2026-05-10T02:00:00Z');
    const app = await buildApp(testConfig(), { db, clock: { now: () => now } });
    try {
      const h = {} as Record<U, Record<string, string>>;
      for (const u of USERS) {
        const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 'demo' } });
        h[u] = { authorization: `Bearer ${res.json().token}` };
      }
      const classes = await eventClasses(db);
      await seedCases(db, classes);
      return await fn({ app, db, h, classes });
    } finally {
      await app.close();
    }
  });
}

/** Cases per key reported on local dates from…to, counted by SQL that knows nothing of the service's instants. */
async function truth(db: Queryable, key: string, from: string, to: string, where = 'true', params: unknown[] = []): Promise<Map<string, number>> {
  const { rows } = await db.query<{ k: string; n: number }>(
    `select ${key} as k, count(*)::int as n from cases c
      where (c.created_at at time zone '${ZONE}')::date between $1::date and $2::date and ${where} group by 1`, [from, to, ...params]);
  return new Map(rows.map((r) => [r.k, r.n]));
}

const get = (ctx: Ctx, url: string, who: U = 'leader1') => ctx.app.inject({ method: 'GET', url, headers: ctx.h[who] });

describe.each(testBackends())('statistics over HTTP on %s', (backend) => {
  test('the grid choropleth counts every grid\'s cases of the period and of the previous period, to the local midnight', () =>
    withStatsApp(backend, async (ctx) => {
      const res = await get(ctx, '/api/stats/choropleth?from=2026-03-01&to=2026-03-31&level=grid');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
      const fc = res.json();
      expect(fc).toMatchObject({ type: 'FeatureCollection', from: '2026-03-01', to: '2026-03-31', prev_from: '2026-01-29', prev_to: '2026-02-28', level: 'grid' });
      const cur = await truth(ctx.db, 'c.grid_code', '2026-03-01', '2026-03-31');
      const prev = await truth(ctx.db, 'c.grid_code', '2026-01-29', '2026-02-28');
      const { rows: [{ n: grids }] } = await ctx.db.query<{ n: number }>('select count(*)::int as n from grids where valid_to is null');
      expect(fc.features).toHaveLength(grids);
      expect(fc.total).toBe([...cur.values()].reduce((s, n) => s + n, 0));
      expect(fc.prev_total).toBe([...prev.values()].reduce((s, n) => s + n, 0));
      expect(fc.total).toBeGreaterThan(100);
      expect(fc.prev_total).toBeGreaterThan(50);
      for (const f of fc.features) {
        const p = f.properties;
        expect(f.id).toBe(p.code);
        expect(f.geometry.type).toBe('MultiPolygon');
        expect(p.count, p.code).toBe(cur.get(p.code) ?? 0);
        expect(p.prev_count, p.code).toBe(prev.get(p.code) ?? 0);
        expect(p.change).toBe(p.count - p.prev_count);
        expect(p.change_rate).toBe(p.prev_count ? Math.round(((p.count - p.prev_count) / p.prev_count) * 1e4) / 1e4 : null);
      }
      // The edge cases: 15:59:59.999Z on Feb 28 is still February in Beijing, 16:00Z is March 1.
      const { rows: [e] } = await ctx.db.query<{ grid_code: string }>(`select grid_code from cases where substr(case_no, 7) = 'EDGE-2'`);
      const inMarch = (await ctx.db.query<{ n: number }>(
        `select count(*)::int as n from cases where grid_code = $1 and created_at >= '2026-02-28 16:00+00' and created_at < '2026-03-31 16:00+00'`, [e.grid_code])).rows[0].n;
      expect(fc.features.find((f: any) => f.properties.code === e.grid_code).properties.count).toBe(inMarch);
    }));

  test('area and density are geodesic; Gi* z-scores are the domain\'s over queen neighbours found by st_intersects', () =>
    withStatsApp(backend, async (ctx) => {
      const fc = (await get(ctx, '/api/stats/choropleth?from=2026-03-01&to=2026-03-31')).json();
      const { rows: areas } = await ctx.db.query<{ code: string; a: number }>(
        'select code, st_area(geom::geography) as a from grids where valid_to is null');
      const area = new Map(areas.map((r) => [r.code, Number(r.a)]));
      const { rows: pairs } = await ctx.db.query<{ a: string; b: string }>(
        `with b as materialized (select code, geom from grids where valid_to is null) -- read apart: Citus joins grids with
         select a.code as a, b.code as b from grids a join b on a.code < b.code and st_intersects(a.geom, b.geom) -- itself on district_code only
          where a.valid_to is null`);
      expect(pairs.length).toBeGreaterThan(250);
      const codes: string[] = fc.features.map((f: any) => f.properties.code);
      const density = fc.features.map((f: any) => (f.properties.count / area.get(f.properties.code)!) * 10_000);
      const z = giStar(density, neighbourLists(codes, pairs.map((p) => [p.a, p.b] as [string, string])));
      fc.features.forEach((f: any, i: number) => {
        const p = f.properties;
        expect(Math.abs(p.area_m2 - area.get(p.code)!)).toBeLessThanOrEqual(0.05);
        expect(p.per_10k_m2).toBeCloseTo(density[i], 3);
        expect(p.gi_z, p.code).toBeCloseTo(z[i]!, 3);
        expect(p.hotspot).toBe(hotspotClass(z[i]));
      });
      // The cluster of the first grids shows up as hot spots; the method is stated.
      expect(fc.features.filter((f: any) => f.properties.hotspot.startsWith('hot_')).length).toBeGreaterThan(0);
      expect(fc.method).toMatchObject({ statistic: 'getis_ord_gi_star', thresholds: { hot_90: 1.645, hot_95: 1.96, hot_99: 2.576 } });
      expect(fc.method.counted).toContain(ZONE);
    }));

  test('communities and streets add up their grids; filters by class, major class, channel and region count only those cases', () =>
    withStatsApp(backend, async (ctx) => {
      for (const [level, len] of [['community', 12], ['street', 9]] as const) {
        const fc = (await get(ctx, `/api/stats/choropleth?from=2026-03-01&to=2026-03-31&level=${level}`)).json();
        const t = await truth(ctx.db, `left(c.grid_code, ${len})`, '2026-03-01', '2026-03-31');
        const { rows: [{ n }] } = await ctx.db.query<{ n: number }>(`select count(*)::int as n from regions where level = $1 and geom is not null`, [level]);
        expect(fc.features).toHaveLength(n);
        for (const f of fc.features) expect(f.properties.count, f.properties.code).toBe(t.get(f.properties.code) ?? 0);
        expect(fc.features.every((f: any) => f.properties.level === level && f.properties.name.length > 0)).toBe(true);
      }
      const [cls] = ctx.classes;
      const filters: [string, string, unknown[]][] = [
        [`class=${cls}`, 'c.class_code = $3', [cls]],
        [`major=${cls.slice(0, 2)}`, 'left(c.class_code, 2) = $3', [cls.slice(0, 2)]],
        ['channel=hotline', `c.source = 'hotline'`, []],
        [`channel=public&class=${cls}`, `c.source = 'public' and c.class_code = $3`, [cls]],
      ];
      for (const [q, where, params] of filters) {
        const fc = (await get(ctx, `/api/stats/choropleth?from=2026-02-20&to=2026-03-20&${q}`)).json();
        const t = await truth(ctx.db, 'c.grid_code', '2026-02-20', '2026-03-20', where, params);
        const prev = await truth(ctx.db, 'c.grid_code', '2026-01-21', '2026-02-19', where, params);
        expect(fc.total, q).toBe([...t.values()].reduce((s, n) => s + n, 0));
        expect(fc.total, q).toBeGreaterThan(0);
        for (const f of fc.features) {
          expect(f.properties.count, `${q} ${f.properties.code}`).toBe(t.get(f.properties.code) ?? 0);
          expect(f.properties.prev_count, `${q} ${f.properties.code}`).toBe(prev.get(f.properties.code) ?? 0);
        }
      }
      const { rows: [{ code: street }] } = await ctx.db.query<{ code: string }>(
        `select left(grid_code, 9) as code from cases where case_no like '______STAT-%' group by 1 order by count(*) desc limit 1`);
      const fc = (await get(ctx, `/api/stats/choropleth?from=2026-03-01&to=2026-03-31&region=${street}`)).json();
      const t = await truth(ctx.db, 'c.grid_code', '2026-03-01', '2026-03-31', `c.street_code = $3`, [street]);
      expect(fc.features.length).toBeGreaterThan(0);
      expect(fc.features.every((f: any) => f.properties.code.startsWith(street))).toBe(true);
      expect(fc.total).toBe([...t.values()].reduce((s, n) => s + n, 0));
    }));

  test('the rollup (case_grid_days, kept by the case writers) follows moved, re-dated and deleted cases', () => withStatsApp(backend, async (ctx) => {
    const url = '/api/stats/choropleth?from=2026-03-01&to=2026-03-31';
    const now = new Date('2026-05-10T02:00:00Z');
    const { rows: [a] } = await ctx.db.query<{ id: string; grid_code: string; version: number }>(
      `select id, grid_code, version from cases where case_no like '______STAT-%' and created_at >= '2026-03-05' and created_at < '2026-03-20' order by case_no limit 1`);
    const { rows: [b] } = await ctx.db.query<{ code: string }>(`select code from grids where valid_to is null and code <> $1 order by code desc limit 1`, [a.grid_code]);
    expect(await cases.update(ctx.db, a.id, a.version, { grid_code: b.code, community_code: b.code.slice(0, 12), street_code: b.code.slice(0, 9) }, now)).not.toBeNull();
    const { rows: redated } = await ctx.db.query<{ id: string; version: number; created_at: Date }>(
      `select id, version, created_at from cases where substr(case_no, 7) in ('STAT-200', 'STAT-201', 'STAT-202')`);
    for (const c of redated) {
      expect(await cases.update(ctx.db, c.id, c.version, { created_at: new Date(c.created_at.getTime() - 60 * 86_400_000) }, now)).not.toBeNull();
    }
    // The application deletes no case; a deleting statement keeps the rollup the same way the writers do.
    const { rows: [gone] } = await ctx.db.query<DayDeltas>(`with gone as (delete from cases where substr(case_no, 7) in ('STAT-150', 'STAT-151')
      returning district_code, created_at, grid_code, -1 as n) ${dayDeltasSql('gone')}`);
    await applyDayDeltas(ctx.db, gone);
    const fc = (await get(ctx, url)).json();
    const cur = await truth(ctx.db, 'c.grid_code', '2026-03-01', '2026-03-31');
    const prev = await truth(ctx.db, 'c.grid_code', '2026-01-29', '2026-02-28');
    for (const f of fc.features) {
      expect(f.properties.count, f.properties.code).toBe(cur.get(f.properties.code) ?? 0);
      expect(f.properties.prev_count, f.properties.code).toBe(prev.get(f.properties.code) ?? 0);
    }
    await expectCountsExact(ctx.db);
  }));

  test('the trend counts reported, filed and closed cases per day, week and month in local dates', () => withStatsApp(backend, async (ctx) => {
    const day = (await get(ctx, '/api/stats/trend?from=2026-02-20&to=2026-04-10&bucket=day')).json();
    expect(day.points).toHaveLength(50);
    expect(day.points[0]).toMatchObject({ start: '2026-02-20', end: '2026-02-20' });
    const col = async (c: string) => {
      const { rows } = await ctx.db.query<{ d: string; n: number }>(
        `select to_char((${c} at time zone '${ZONE}')::date, 'YYYY-MM-DD') as d, count(*)::int as n from cases
          where ${c} is not null and (${c} at time zone '${ZONE}')::date between '2026-02-20' and '2026-04-10' group by 1`);
      return new Map(rows.map((r) => [r.d, r.n]));
    };
    const [rep, fil, clo] = [await col('created_at'), await col('filed_at'), await col('closed_at')];
    for (const p of day.points) {
      expect(p.reported, p.start).toBe(rep.get(p.start) ?? 0);
      expect(p.filed, p.start).toBe(fil.get(p.start) ?? 0);
      expect(p.closed, p.start).toBe(clo.get(p.start) ?? 0);
    }
    const sum = (pts: any[], k: string) => pts.reduce((s, p) => s + p[k], 0);
    for (const bucket of ['week', 'month']) {
      const t = (await get(ctx, `/api/stats/trend?from=2026-02-20&to=2026-04-10&bucket=${bucket}`)).json();
      for (const k of ['reported', 'filed', 'closed']) expect(sum(t.points, k), `${bucket} ${k}`).toBe(sum(day.points, k));
    }
    const month = (await get(ctx, '/api/stats/trend?from=2026-02-20&to=2026-04-10&bucket=month')).json();
    expect(month.points.map((p: any) => p.start)).toEqual(['2026-02-20', '2026-03-01', '2026-04-01']);
    const hot = (await get(ctx, '/api/stats/trend?from=2026-02-20&to=2026-04-10&bucket=month&channel=hotline')).json();
    expect(sum(hot.points, 'reported')).toBe([...(await truth(ctx.db, `'x'`, '2026-02-20', '2026-04-10', `c.source = 'hotline'`)).values()][0]);
  }));

  test('top classes rank the period\'s classes with their names; a grid\'s card shows its cases, classes and components', () =>
    withStatsApp(backend, async (ctx) => {
      const top = (await get(ctx, '/api/stats/top-classes?from=2026-03-01&to=2026-03-31&limit=2')).json();
      const t = await truth(ctx.db, 'c.class_code', '2026-03-01', '2026-03-31');
      const ranked = [...t.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 2);
      expect(top.map((r: any) => [r.class_code, r.count])).toEqual(ranked);
      expect(top[0]).toMatchObject({ name_zh: expect.any(String), name_en: expect.any(String), major_code: top[0].class_code.slice(0, 2) });

      const { rows: [g] } = await ctx.db.query<{ grid_code: string }>(
        `select grid_code from cases where case_no like '______STAT-%' group by 1 order by count(*) desc, 1 limit 1`);
      const res = await get(ctx, `/api/stats/grids/${g.grid_code}?from=2026-02-01&to=2026-04-30`);
      expect(res.statusCode, res.body).toBe(200);
      const card = res.json();
      const n = [...(await truth(ctx.db, `'x'`, '2026-02-01', '2026-04-30', 'c.grid_code = $3', [g.grid_code])).values()][0];
      expect(card).toMatchObject({ code: g.grid_code, current: true, count: n, community: { code: g.grid_code.slice(0, 12), name: expect.any(String) } });
      expect(card.street.code).toBe(g.grid_code.slice(0, 9));
      expect(card.by_status.reduce((s: number, r: any) => s + r.count, 0)).toBe(n);
      expect(card.by_class.reduce((s: number, r: any) => s + r.count, 0)).toBe(n);
      expect(card.recent_cases.length).toBe(Math.min(10, n));
      const { rows: comps } = await ctx.db.query<{ n: number }>('select count(*)::int as n from components where grid_code = $1', [g.grid_code]);
      expect(card.components.reduce((s: number, r: any) => s + r.count, 0)).toBe(comps[0].n);
      for (const c of card.recent_cases) {
        expect(Object.keys(c).sort()).toEqual(['case_no', 'class_code', 'closed_at', 'created_at', 'id', 'light', 'origin', 'source', 'status']);
      }
      expect(Date.parse(card.recent_cases[0].created_at)).toBeGreaterThanOrEqual(Date.parse(card.recent_cases.at(-1).created_at));
      expect((await get(ctx, '/api/stats/grids/110101999999999?from=2026-02-01&to=2026-04-30')).statusCode).toBe(404);
    }));

  test('bad input answers 400 naming the field', () => withStatsApp(backend, async (ctx) => {
    const cases: [string, string][] = [
      ['/api/stats/choropleth?to=2026-03-31', 'from'],
      ['/api/stats/choropleth?from=2026-3-1&to=2026-03-31', 'from'],
      ['/api/stats/choropleth?from=2026-02-30&to=2026-03-31', 'from'],
      ['/api/stats/choropleth?from=2026-04-01&to=2026-03-31', 'from'],
      ['/api/stats/choropleth?from=2020-01-01&to=2026-03-31', 'to'],
      ['/api/stats/choropleth?from=2026-03-01&to=2026-03-31&level=province', 'level'],
      ['/api/stats/choropleth?from=2026-03-01&to=2026-03-31&class=99999', 'class'],
      ['/api/stats/choropleth?from=2026-03-01&to=2026-03-31&class=garbage', 'class'],
      ['/api/stats/choropleth?from=2026-03-01&to=2026-03-31&major=99', 'major'],
      ['/api/stats/choropleth?from=2026-03-01&to=2026-03-31&channel=pigeon', 'channel'],
      ['/api/stats/choropleth?from=2026-03-01&to=2026-03-31&region=999999', 'region'],
      ['/api/stats/choropleth?from=2026-03-01&to=2026-03-31&region=12', 'region'],
      ['/api/stats/trend?from=2026-03-01&to=2026-03-31&bucket=hour', 'bucket'],
      ['/api/stats/top-classes?from=2026-03-01&to=2026-13-01', 'to'],
      ['/api/stats/grids/12345?from=2026-03-01&to=2026-03-31', 'code'],
    ];
    for (const [url, field] of cases) {
      const res = await get(ctx, url);
      expect(res.statusCode, url).toBe(400);
      const err = res.json().error;
      expect(err.details, url).toMatchObject({ field });
      expect(err.message, url).toContain(field);
    }
    // A community is below the street level; the caller is told to pick a larger region or a finer level.
    const { rows: [c] } = await ctx.db.query<{ code: string }>(`select code from regions where level = 'community' order by code limit 1`);
    const r = await get(ctx, `/api/stats/choropleth?from=2026-03-01&to=2026-03-31&level=street&region=${c.code}`);
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details).toEqual({ field: 'region' });
    for (const url of ['/api/stats/top-classes?from=2026-03-01&to=2026-03-31&limit=1000', '/api/stats/trend?from=2026-03-01&to=2026-03-31&colour=red']) {
      const res = await get(ctx, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message, url).toMatch(/limit|colour|additional/);
    }
  }));

  test('leaders, operators, dispatchers and admins may ask; a crew or an inspector gets 403, nobody logged in 401', () =>
    withStatsApp(backend, async (ctx) => {
      const urls = ['/api/stats/choropleth?from=2026-03-01&to=2026-03-31', '/api/stats/trend?from=2026-03-01&to=2026-03-31',
        '/api/stats/top-classes?from=2026-03-01&to=2026-03-31'];
      for (const url of urls) {
        for (const who of ['leader1', 'operator1', 'dispatcher1', 'admin'] as const) expect((await get(ctx, url, who)).statusCode, `${who} ${url}`).toBe(200);
        for (const who of ['crew1', 'inspector1'] as const) expect((await get(ctx, url, who)).statusCode, `${who} ${url}`).toBe(403);
        expect((await ctx.app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
      }
    }));

  test('the cases tile layer needs a role that sees every case and is never cached publicly', () => withStatsApp(backend, async (ctx) => {
    const { rows: [p] } = await ctx.db.query<{ lon: number; lat: number }>(
      `select st_x(geom) as lon, st_y(geom) as lat from cases where substr(case_no, 7) = 'STAT-2'`);
    const z = 14;
    const x = Math.floor(((p.lon + 180) / 360) * 2 ** z);
    const r = (p.lat * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
    const url = `/api/tiles/cases/${z}/${x}/${y}.mvt`;
    expect((await ctx.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    expect((await get(ctx, url, 'crew1')).statusCode).toBe(403);
    const ok = await get(ctx, url);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(ok.headers['cache-control']).toMatch(/^private/);
    expect((await get(ctx, `${url}?from=2026-03-01&to=2026-03-31&channel=hotline`)).statusCode).toBe(200);
    const bad = await get(ctx, `${url}?channel=pigeon`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual({ field: 'channel' });
    // The other layers stay public.
    expect((await ctx.app.inject({ method: 'GET', url: url.replace('/cases/', '/grids/') })).statusCode).toBe(200);
  }));
});
