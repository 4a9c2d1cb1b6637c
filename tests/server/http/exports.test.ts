// Exports over HTTP: cases moved through the real workflow, then every file read back (CSV parsed, XLSX opened with
// exceljs, GeoJSON parsed) and compared with the JSON the API answers for the same query; formulas neutralised,
// reporters only for the roles that see them, visibility as the search, bad queries refused naming the field.
import { afterAll, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../../server/db/types.js';
import { parseCsv } from '../../../server/domain/csv.js';
import { testBackends, type Backend } from '../../helpers/backends.js';
import { closeSharedTestApps, withSharedTestApp } from '../../helpers/shared-app.js';
import { newPhotos } from '../../helpers/cases.js';

const USERS = ['inspector1', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1', 'admin'] as const;
type U = (typeof USERS)[number];
type Ctx = { app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>>; clock: { advance(m: number): void } };

const FORMULA = '=HYPERLINK("http://evil.example","click")';
// A month no other test file commits cases in (PostgreSQL runs test files side by side on one database).
const Q = 'from=2027-03-01&to=2027-03-31';

/** The clock every test's app reads: reset to the same Monday at the start of each test. */
const START = new Date('2027-03-22T02:00:00Z'); // Monday 10:00 in Beijing
let now = START;
const clock = { now: () => now, advance: (m: number) => { now = new Date(now.getTime() + m * 60_000); } };

/**
 * One app per engine for the file (its clock set back per test; nothing else of it is kept between tests but the
 * anonymous intake throttle's count: five public reports per engine in all, within its burst of ten).
 */
function withApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withSharedTestApp(backend, async ({ app, db }) => {
    now = START;
    const h = {} as Record<U, Record<string, string>>;
    for (const u of USERS) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 'demo' } });
      h[u] = { authorization: `Bearer ${res.json().token}` };
    }
    return await fn({ app, db, h, clock });
  }, {}, { clock });
}

async function point(db: Queryable): Promise<{ lon: number; lat: number }> {
  const { rows } = await db.query<{ lon: number; lat: number }>(
    `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(g.geom) as p from grids g
       join responsibility_grid_members m on m.grid_code = g.code join responsibility_grids r on r.code = m.responsibility_code
       join users u on u.id = r.inspector_id where u.username = 'inspector1' order by g.code limit 1) s`);
  return rows[0];
}

async function newCase(ctx: Ctx, steps: [U, string, Record<string, unknown>?][], report: Record<string, unknown> = {}, who: U | null = 'inspector1') {
  const res = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: who ? ctx.h[who] : {},
    payload: { kind: 'event', class_code: '06010', ...(await point(ctx.db)), ...report } });
  expect(res.statusCode, res.body).toBe(201);
  let c = res.json();
  for (const [actor, action, fields] of steps) {
    ctx.clock.advance(3);
    const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h[actor], payload: { action, version: c.version, ...fields } });
    expect(r.statusCode, `${actor} ${action}: ${r.body}`).toBe(200);
    c = r.json();
  }
  return c as { id: string; case_no: string };
}

/** Five cases: closed, rework, handling, refused, a public report with the reporter's name and phone and a formula. */
async function history(ctx: Ctx) {
  const photos = await newPhotos(ctx.db, 1);
  const dispatched: [U, string, Record<string, unknown>?][] = [['operator1', 'accept'], ['shiftlead1', 'file'], ['dispatcher1', 'dispatch']];
  const fixed: [U, string, Record<string, unknown>?][] = [...dispatched, ['crew1', 'feedback', { photo_ids: photos }], ['operator1', 'send_check']];
  await newCase(ctx, [...fixed, ['inspector1', 'check', { passed: true }], ['shiftlead1', 'close']], { description: 'overflowing bin, "north" side' });
  await newCase(ctx, [...fixed, ['inspector1', 'check', { passed: false, photo_ids: photos }]]);
  await newCase(ctx, dispatched, { description: FORMULA });
  await newCase(ctx, [['operator1', 'accept'], ['shiftlead1', 'refuse', { reason: 'not ours' }]]);
  await newCase(ctx, [], { source: 'public', reporter_name: '王小明', reporter_phone: '13812345678', description: '@SUM(1,2) 垃圾' }, null);
}

const csvOf = (body: string) => {
  expect(body.charCodeAt(0)).toBe(0xfeff);
  const rows = parseCsv(body.slice(1));
  const [header, ...data] = rows;
  return { header, data, col: (name: string) => { const i = header.indexOf(name); expect(i, `column ${name} in ${header.join('|')}`).toBeGreaterThanOrEqual(0); return i; } };
};
const num = (s: string) => (s === '' ? null : Number(s));

async function workbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  return wb;
}
const sheetRows = (ws: ExcelJS.Worksheet) => {
  const out: ExcelJS.CellValue[][] = [];
  ws.eachRow({ includeEmpty: false }, (r) => { out.push((r.values as ExcelJS.CellValue[]).slice(1)); });
  return out;
};

afterAll(closeSharedTestApps);

describe.each(testBackends())('exports on %s', (backend) => {
  test('evaluation CSV and XLSX hold every indicator of every row exactly as the API answers, and the settings used', () => withApp(backend, async (ctx) => {
    await history(ctx);
    const api = await ctx.app.inject({ url: `/api/evaluation/departments?${Q}`, headers: ctx.h.leader1 });
    expect(api.statusCode, api.body).toBe(200);
    const json = api.json();
    expect(json.rows.length).toBeGreaterThan(0);

    const res = await ctx.app.inject({ url: `/api/exports/evaluation/departments.csv?${Q}&lang=en`, headers: ctx.h.leader1 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toContain('filename="evaluation_departments_2027-03.csv"');
    const csv = csvOf(res.body);
    expect(csv.data).toHaveLength(json.rows.length);
    const busy = json.rows.find((r: { indicators: Record<string, { denominator: number | null }> }) => (r.indicators.closing_rate?.denominator ?? 0) > 0);
    expect(busy, 'a department with cases due to close').toBeTruthy();
    json.rows.forEach((row: { key: string; composite: number | null; grade: string | null; indicators: Record<string, { numerator: number; denominator: number | null; rate: number | null; score: number | null; used_weight: number }> }, i: number) => {
      const cells = csv.data[i];
      expect(cells[csv.col('Key')]).toBe(row.key);
      for (const ind of json.indicators as { key: string; label_en: string }[]) {
        const f = row.indicators[ind.key];
        expect(num(cells[csv.col(`${ind.label_en} numerator`)])).toBe(f.numerator);
        expect(num(cells[csv.col(`${ind.label_en} denominator`)])).toBe(f.denominator);
        const rate = cells[csv.col(`${ind.label_en} rate`)];
        if (f.denominator === 0) expect(rate).toBe('no data'); else expect(num(rate)).toBe(f.rate);
        expect(num(cells[csv.col(`${ind.label_en} used weight`)])).toBe(f.used_weight);
      }
      const composite = cells[csv.col('Composite')];
      expect(row.composite === null ? composite : Number(composite)).toBe(row.composite === null ? 'no data' : row.composite);
      expect(cells[csv.col('Grade')]).toBe(row.grade ?? 'no data');
      expect(Number(cells[csv.col('Settings version')])).toBe(json.settings.version);
    });

    const x = await ctx.app.inject({ url: `/api/exports/evaluation/departments.xlsx?${Q}&lang=zh`, headers: ctx.h.leader1 });
    expect(x.statusCode, x.body).toBe(200);
    expect(x.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = await workbook(x.rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['评价', 'settings']);
    const [header, ...data] = sheetRows(wb.worksheets[0]);
    expect(data).toHaveLength(json.rows.length);
    const at = (name: string) => header.indexOf(name);
    const i = json.rows.indexOf(busy);
    expect(data[i][at('编码')]).toBe(busy.key);
    expect(data[i][at('结案率分子')]).toBe(busy.indicators.closing_rate.numerator);
    expect(data[i][at('结案率分母')]).toBe(busy.indicators.closing_rate.denominator);
    expect(data[i][at('结案率比率')]).toBe(busy.indicators.closing_rate.rate);
    expect(data[i][at('结案率得分')]).toBe(busy.indicators.closing_rate.score);
    expect(data[i][at('综合得分')]).toBe(busy.composite);
    expect(data[i][at('等级')]).toBe(busy.grade);
    const settings = Object.fromEntries(sheetRows(wb.getWorksheet('settings')!).slice(1).map((r) => [r[1], r[2]]));
    expect(settings.version).toBe(json.settings.version);
    for (const [k, w] of Object.entries(json.settings.weights)) expect(settings[`weights.${k}`]).toBe(w);
    expect(settings['grades.0.grade']).toBe('A');
    expect(settings['bands.department_count.0.score']).toBe(100);
  }), 300_000); // three evaluations on PGlite: slow when the machine is shared

  test('headline CSV and XLSX equal the headline API', () => withApp(backend, async (ctx) => {
    await history(ctx);
    const json = (await ctx.app.inject({ url: `/api/evaluation/headline?${Q}`, headers: ctx.h.leader1 })).json();
    const res = await ctx.app.inject({ url: `/api/exports/headline.csv?${Q}&lang=en`, headers: ctx.h.dispatcher1 });
    expect(res.statusCode, res.body).toBe(200);
    const csv = csvOf(res.body);
    const byKey = Object.fromEntries(csv.data.map((r) => [r[0], r]));
    for (const k of ['discovery_rate', 'dispatch_accuracy', 'closing_rate', 'on_time_closing_rate']) {
      expect(num(byKey[k][csv.col('numerator')])).toBe(json[k].numerator);
      expect(num(byKey[k][csv.col('denominator')])).toBe(json[k].denominator);
      expect(byKey[k][csv.col('Value')]).toBe(json[k].rate === null ? 'no data' : String(json[k].rate));
    }
    expect(json.closing_rate.denominator).toBeGreaterThan(0);
    expect(num(byKey.closing_rate[csv.col('Reference (Dongcheng)')])).toBe(0.95);

    const x = await ctx.app.inject({ url: `/api/exports/headline.xlsx?${Q}`, headers: ctx.h.leader1 });
    const [header, ...rows] = sheetRows((await workbook(x.rawPayload)).worksheets[0]);
    const closing = rows.find((r) => r[0] === 'closing_rate')!;
    expect(closing[header.indexOf('分子')]).toBe(json.closing_rate.numerator);
    expect(closing[header.indexOf('数值')]).toBe(json.closing_rate.rate);
  }));

  test('case CSV, XLSX and GeoJSON list exactly the cases the search finds, formulas neutralised, reporters hidden from the leader', () => withApp(backend, async (ctx) => {
    await history(ctx);
    const search = (await ctx.app.inject({ url: `/api/cases?${Q}&limit=1000`, headers: ctx.h.leader1 })).json();
    expect(search.total).toBe(5);
    const numbers = search.items.map((c: { case_no: string }) => c.case_no).sort();

    const res = await ctx.app.inject({ url: `/api/exports/cases.csv?${Q}&lang=en`, headers: ctx.h.leader1 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['x-total-count']).toBe('5');
    expect(res.headers['content-disposition']).toContain('filename="cases_2027-03.csv"');
    const csv = csvOf(res.body);
    expect(csv.data.map((r) => r[csv.col('Case number')]).sort()).toEqual(numbers);
    expect(csv.header).not.toContain('Reporter phone');
    expect(res.body).not.toContain('13812345678');
    const descriptions = csv.data.map((r) => r[csv.col('Description')]);
    expect(descriptions).toContain(`'${FORMULA}`);
    expect(descriptions).toContain("'@SUM(1,2) 垃圾");
    expect(descriptions).toContain('overflowing bin, "north" side');
    expect(descriptions.some((d) => d.startsWith('='))).toBe(false);
    const closed = csv.data.find((r) => r[csv.col('Status')] === 'Closed')!;
    expect(closed[csv.col('Closed at')]).toMatch(/^2027-03-22 \d{2}:\d{2}:\d{2}\+08:00$/);
    expect(closed[csv.col('Origin')]).toBe('live');

    // the operator calls reporters back: the columns are there, unmasked
    const op = csvOf((await ctx.app.inject({ url: `/api/exports/cases.csv?${Q}&lang=en`, headers: ctx.h.operator1 })).body);
    expect(op.data.map((r) => r[op.col('Reporter phone')])).toContain('13812345678');

    const x = await ctx.app.inject({ url: `/api/exports/cases.xlsx?${Q}`, headers: ctx.h.leader1 });
    expect(x.statusCode, x.body).toBe(200);
    const [header, ...rows] = sheetRows((await workbook(x.rawPayload)).worksheets[0]);
    expect(rows.map((r) => r[header.indexOf('案卷号')]).sort()).toEqual(numbers);
    expect(rows.map((r) => r[header.indexOf('问题描述')])).toContain(`'${FORMULA}`);
    expect(header).not.toContain('举报人电话');

    const g = await ctx.app.inject({ url: `/api/exports/cases.geojson?${Q}`, headers: ctx.h.leader1 });
    expect(g.headers['content-type']).toMatch(/^application\/geo\+json/);
    const fc = g.json();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f: { properties: { case_no: string } }) => f.properties.case_no).sort()).toEqual(numbers);
    expect(fc.features[0].geometry.type).toBe('Point');
    expect(g.body).not.toContain('13812345678');
    expect(fc.features.every((f: { properties: Record<string, unknown> }) => !('reporter_phone' in f.properties))).toBe(true);
  }));

  test('a case export follows the search filters and the caller\'s visibility', () => withApp(backend, async (ctx) => {
    await history(ctx);
    const closed = csvOf((await ctx.app.inject({ url: `/api/exports/cases.csv?${Q}&status=closed,void&lang=en`, headers: ctx.h.leader1 })).body);
    expect(closed.data.map((r) => r[closed.col('Status')]).sort()).toEqual(['Closed', 'Void']);
    const text = csvOf((await ctx.app.inject({ url: `/api/exports/cases.csv?q=north&lang=en`, headers: ctx.h.leader1 })).body);
    expect(text.data).toHaveLength(1);
    // the crew sees its department's dispatched cases only, as in the search
    const crewSearch = (await ctx.app.inject({ url: `/api/cases?${Q}&limit=1000`, headers: ctx.h.crew1 })).json();
    const crew = csvOf((await ctx.app.inject({ url: `/api/exports/cases.csv?${Q}&lang=en`, headers: ctx.h.crew1 })).body);
    expect(crew.data).toHaveLength(crewSearch.total);
    expect(crewSearch.total).toBe(3);
    const none = csvOf((await ctx.app.inject({ url: '/api/exports/cases.csv?from=2020-01-01&to=2020-01-31', headers: ctx.h.leader1 })).body);
    expect(none.data).toHaveLength(0);
    expect(none.header.length).toBeGreaterThan(10);
  }));

  test('the choropleth download is the statistics choropleth of the same query', () => withApp(backend, async (ctx) => {
    await history(ctx);
    const api = await ctx.app.inject({ url: `/api/stats/choropleth?${Q}&level=community`, headers: ctx.h.leader1 });
    expect(api.statusCode, api.body).toBe(200);
    const res = await ctx.app.inject({ url: `/api/exports/choropleth.geojson?${Q}&level=community`, headers: ctx.h.leader1 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/geo\+json/);
    expect(res.headers['content-disposition']).toContain('filename="choropleth_community_2027-03.geojson"');
    expect(res.json()).toEqual(api.json());
    expect(res.json().total).toBe(5);
    const bad = await ctx.app.inject({ url: `/api/exports/choropleth.geojson?${Q}&level=county`, headers: ctx.h.leader1 });
    expect(bad.statusCode).toBe(400);
    expect((await ctx.app.inject({ url: `/api/exports/choropleth.geojson?${Q}`, headers: ctx.h.crew1 })).statusCode).toBe(403);
  }));

  test.each([
    ['/api/exports/evaluation/departments.csv?from=2026-12-01&to=2026-11-01', 'from'],
    ['/api/exports/evaluation/departments.csv?from=2026-02-30&to=2026-03-01', 'from'],
    ['/api/exports/evaluation/regions.xlsx?from=2020-01-01&to=2026-01-01', 'to'],
    ['/api/exports/evaluation/regions.csv?from=2026-01-01&to=2026-01-31&level=planet', 'level'],
    ['/api/exports/evaluation/posts.csv?from=2026-01-01&to=2026-01-31&post=mayor', 'post'],
    ['/api/exports/evaluation/departments.csv?from=2026-01-01&to=2026-01-31&lang=fr', 'lang'],
    ['/api/exports/headline.csv?from=2026-01-01&to=2026-01-31&region=999999999', 'region'],
    ['/api/exports/cases.csv?from=2026-03-01&to=2026-02-01', 'from'],
    ['/api/exports/cases.geojson?status=lost', 'status'],
    ['/api/exports/cases.xlsx?class=12', 'class'],
    ['/api/reports/monthly.pdf?month=2026-13', 'month'],
  ])('%s is refused with 400 naming %s', (url, field) => withApp(backend, async (ctx) => {
    const res = await ctx.app.inject({ url, headers: ctx.h.leader1 });
    expect(res.statusCode, res.body).toBe(400);
    const err = res.json().error;
    expect(err.message.length).toBeGreaterThan(20);
    expect(Object.keys(err.details ?? {})).toContain(field);
  }));

  test('an unknown export object or format is a 400, a crew may not export the evaluation, nobody anonymous anything', () => withApp(backend, async (ctx) => {
    expect((await ctx.app.inject({ url: `/api/exports/evaluation/streets.csv?${Q}`, headers: ctx.h.leader1 })).statusCode).toBe(400);
    expect((await ctx.app.inject({ url: `/api/exports/evaluation/regions.pdf?${Q}`, headers: ctx.h.leader1 })).statusCode).toBe(400);
    expect((await ctx.app.inject({ url: `/api/exports/evaluation/regions.csv?${Q}`, headers: ctx.h.crew1 })).statusCode).toBe(403);
    expect((await ctx.app.inject({ url: `/api/exports/headline.xlsx?${Q}`, headers: ctx.h.inspector1 })).statusCode).toBe(403);
    expect((await ctx.app.inject({ url: `/api/exports/cases.csv?${Q}` })).statusCode).toBe(401);
    expect((await ctx.app.inject({ url: '/api/reports/monthly.pdf?month=2026-11', headers: ctx.h.crew1 })).statusCode).toBe(403);
  }));

  test('the PDF needs a listening server: through inject it answers 503 saying what to use instead', () => withApp(backend, async (ctx) => {
    const res = await ctx.app.inject({ url: '/api/reports/monthly.pdf?month=2026-11', headers: ctx.h.leader1 });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.message).toContain('npm run report');
  }));
});
