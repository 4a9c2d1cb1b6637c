// Two districts in one database (issue 12): what leaves the server besides the case API keeps a user kept to a
// district within it too: photos, exports (cases, evaluation, headline, choropleth, the monthly report's region),
// the cases tile layer and its cache, the OGC `cases` collection and Open311 (keys bound to a district,
// jurisdiction_id). A user of every district (region_code null) sees both districts, as before.
import { describe, expect, test } from 'vitest';
import { testBackends } from '../../helpers/backends.js';
import { A, B, filedCase, withTwoDistricts, type Ctx } from '../../helpers/two-districts.js';
import { encodePng } from '../../helpers/png.js';
import { decodeTile, tileOf } from '../../helpers/tiles.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (f: Record<string, string | number>) => new URLSearchParams(Object.entries(f).map(([k, v]) => [k, String(v)])).toString();

/** Every case number in a CSV export (the first column). */
const caseNos = (csv: string) => csv.replace(/^\uFEFF/, '').trim().split('\n').slice(1).map((l) => l.split(',')[0].replace(/"/g, ''));

/** Filed cases in each district: Dongcheng's by inspector1, the second district's by inspector_b. */
async function twoCases(ctx: Ctx) {
  const inA = await filedCase(ctx, 'inspector1', ctx.a);
  const inB = await filedCase(ctx, 'inspector_b', ctx.b);
  const no = async (id: string) => (await ctx.db.query<{ case_no: string }>('select case_no from cases where id = $1', [id])).rows[0].case_no;
  return { inA: { ...inA, case_no: await no(inA.id) }, inB: { ...inB, case_no: await no(inB.id) } };
}

describe.each(testBackends())('two districts in one database, outputs, on %s', (backend) => {
  test('a photo of the second district\'s case is a 404 to Dongcheng\'s dispatcher, as the case is; its own district and a user of every district read it', () => withTwoDistricts(backend, async (ctx) => {
    const png = encodePng(8, 8, (x, y) => [x * 30, y * 30, 128]);
    const up = await ctx.app.inject({ method: 'POST', url: '/api/photos', headers: { ...ctx.h.inspector_b, 'content-type': 'image/png' }, payload: png });
    expect(up.statusCode, up.body).toBe(201);
    const photo = up.json().id as string;
    const r = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.inspector_b,
      payload: { kind: 'event', class_code: '06010', lon: ctx.b.lon, lat: ctx.b.lat, photo_ids: [photo] } });
    expect(r.statusCode, r.body).toBe(201);
    const read = async (who: string) => (await ctx.app.inject({ url: `/api/photos/${photo}`, headers: ctx.h[who] })).statusCode;
    expect(await read('dispatcher1')).toBe(404);
    expect(await read('dispatcher_b')).toBe(200);
    expect(await read('leader1')).toBe(200);
    expect(await read('operator1')).toBe(200);
    // the case detail lists it with a link for its district's reader only
    const detail = await ctx.app.inject({ url: `/api/cases/${r.json().id}`, headers: ctx.h.dispatcher_b });
    expect(detail.json().photos.map((p: { id: string }) => p.id)).toEqual([photo]);
    expect((await ctx.app.inject({ url: `/api/cases/${r.json().id}`, headers: ctx.h.dispatcher1 })).statusCode).toBe(404);
    // Dongcheng's inspector cannot pass the photo on through a case of its own either
    const cite = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.inspector1,
      payload: { kind: 'event', class_code: '06010', lon: ctx.a.lon, lat: ctx.a.lat, photo_ids: [photo] } });
    expect(cite.statusCode, cite.body).toBe(422);
    expect(cite.json().error.details.unknown_photo_ids).toEqual([photo]);
  }));

  test('case exports (CSV, GeoJSON) hold only the user\'s district; evaluation, headline and choropleth exports keep to it; another district\'s region is a 403', () => withTwoDistricts(backend, async (ctx) => {
    const { inA, inB } = await twoCases(ctx);
    const csv = async (who: string) => {
      const res = await ctx.app.inject({ url: '/api/exports/cases.csv?from=2027-06-16&to=2027-06-16&lang=en', headers: ctx.h[who] });
      expect(res.statusCode, res.body).toBe(200);
      return caseNos(res.body);
    };
    expect(await csv('dispatcher_b')).toEqual([inB.case_no]);
    const a = await csv('dispatcher1');
    expect(a).toContain(inA.case_no);
    expect(a).not.toContain(inB.case_no);
    expect(await csv('leader1')).toEqual(expect.arrayContaining([inA.case_no, inB.case_no]));
    const geo = await ctx.app.inject({ url: '/api/exports/cases.geojson?from=2027-06-16&to=2027-06-16', headers: ctx.h.dispatcher_b });
    expect(geo.statusCode, geo.body).toBe(200);
    expect(JSON.parse(geo.body).features.map((f: { properties: { case_no: string } }) => f.properties.case_no)).toEqual([inB.case_no]);

    const Q = 'from=2027-06-01&to=2027-06-30&lang=en';
    // regions by district: a scoped user gets its own district's row alone; a user of every district both
    const rows = async (who: string) => {
      const res = await ctx.app.inject({ url: `/api/exports/evaluation/regions.csv?${Q}&level=district`, headers: ctx.h[who] });
      expect(res.statusCode, res.body).toBe(200);
      return res.body.replace(/^\uFEFF/, '').trim().split('\n').slice(1).map((l) => l.split(',')[0].replace(/"/g, ''));
    };
    expect(await rows('dispatcher_b')).toEqual([B]);
    expect(await rows('dispatcher1')).toEqual([A]);
    expect(await rows('leader1')).toEqual(expect.arrayContaining([A, B]));
    const other = await ctx.app.inject({ url: `/api/exports/evaluation/regions.csv?${Q}&level=street&parent=${A}`, headers: ctx.h.dispatcher_b });
    expect(other.statusCode, other.body).toBe(403);
    expect(other.json().error.message).toMatch(/parent 110101 lies outside your district 110102/);
    // departments and posts: counted over the user's district's cases (the statement runs with the district's scope)
    for (const object of ['departments', 'posts']) {
      const res = await ctx.app.inject({ url: `/api/exports/evaluation/${object}.csv?${Q}`, headers: ctx.h.dispatcher_b });
      expect(res.statusCode, `${object}: ${res.body}`).toBe(200);
    }
    // the headline: the user's district when no region is given (the file says so), another's refused
    const head = await ctx.app.inject({ url: `/api/exports/headline.csv?${Q}`, headers: ctx.h.dispatcher_b });
    expect(head.statusCode, head.body).toBe(200);
    expect(head.headers['content-disposition']).toContain(B);
    const headA = await ctx.app.inject({ url: `/api/exports/headline.csv?${Q}&region=${A}`, headers: ctx.h.dispatcher_b });
    expect(headA.statusCode, headA.body).toBe(403);
    expect(headA.json().error.details).toMatchObject({ region: 'outside your district 110102', district_code: B });
    expect((await ctx.app.inject({ url: `/api/exports/headline.csv?${Q}&region=${B}`, headers: ctx.h.leader1 })).statusCode).toBe(200);
    // the choropleth of the second district's unit grids, and the monthly report of another district refused up front
    const choro = await ctx.app.inject({ url: '/api/exports/choropleth.geojson?from=2027-06-01&to=2027-06-30&level=grid', headers: ctx.h.dispatcher_b });
    expect(choro.statusCode, choro.body).toBe(200);
    const codes = JSON.parse(choro.body).features.map((f: { properties: { code: string } }) => f.properties.code) as string[];
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((c) => c.startsWith(B))).toBe(true);
    const pdf = await ctx.app.inject({ url: `/api/reports/monthly.pdf?month=2027-06&region=${A}001`, headers: ctx.h.dispatcher_b });
    expect(pdf.statusCode, pdf.body).toBe(403);
  }));

  test('the cases tile layer shows a scoped user its district\'s cases only, and a tile cached for one district is never served to the other', () => withTwoDistricts(backend, async (ctx) => {
    const { inA, inB } = await twoCases(ctx);
    const tileUrl = (at: { lon: number; lat: number }) => { const t = tileOf(at.lon, at.lat, 16); return `/api/tiles/cases/16/${t.x}/${t.y}.mvt`; };
    const get = async (who: string, url: string) => {
      const res = await ctx.app.inject({ url, headers: ctx.h[who] });
      expect([200, 204], `${who} ${url}: ${res.body}`).toContain(res.statusCode);
      const ids = res.statusCode === 204 ? [] : (decodeTile(res.rawPayload).cases ?? []).map((f) => String(f.properties.id));
      return { ids, cache: res.headers['x-cache'] };
    };
    const urlB = tileUrl(ctx.b);
    // drawn first for the second district's dispatcher, then asked for by Dongcheng's: a miss, without the case
    const first = await get('dispatcher_b', urlB);
    expect(first).toEqual({ ids: [inB.id], cache: 'miss' });
    const forA = await get('dispatcher1', urlB);
    expect(forA.ids).toEqual([]);
    expect(forA.cache).toBe('miss');
    expect(await get('dispatcher_b', urlB)).toEqual({ ids: [inB.id], cache: 'hit' });
    expect(await get('dispatcher1', urlB)).toEqual({ ids: [], cache: 'hit' });
    // a user of every district has its own entry, with the case
    expect((await get('leader1', urlB)).ids).toEqual([inB.id]);
    // and the other way round on Dongcheng's tile
    const urlA = tileUrl(ctx.a);
    expect((await get('dispatcher1', urlA)).ids).toContain(inA.id);
    expect((await get('dispatcher_b', urlA)).ids).toEqual([]);
    expect((await get('leader1', urlA)).ids).toContain(inA.id);
    // the clusters at z14 too
    const t14 = tileOf(ctx.b.lon, ctx.b.lat, 14);
    const cl = await ctx.app.inject({ url: `/api/tiles/cases/14/${t14.x}/${t14.y}.mvt`, headers: ctx.h.dispatcher1 });
    expect(cl.statusCode === 204 || !(decodeTile(cl.rawPayload).cases ?? []).some((f) => String(f.properties.grid_code).startsWith(B))).toBe(true);
    const clB = await ctx.app.inject({ url: `/api/tiles/cases/14/${t14.x}/${t14.y}.mvt`, headers: ctx.h.dispatcher_b });
    expect(decodeTile(clB.rawPayload).cases.map((f) => f.properties.grid_code)).toEqual([ctx.b.grid]);
    // the public sets are the same for every caller: the second district's grids are drawn for Dongcheng's dispatcher too
    const g = tileOf(ctx.b.lon, ctx.b.lat, 15);
    const grids = await ctx.app.inject({ url: `/api/tiles/grids/15/${g.x}/${g.y}.mvt`, headers: ctx.h.dispatcher1 });
    expect(decodeTile(grids.rawPayload).grids.map((f) => f.properties.code)).toContain(ctx.b.grid);
  }));

  test('the OGC cases collection: a scoped user\'s items and features are its district\'s; another district\'s feature is a 404', () => withTwoDistricts(backend, async (ctx) => {
    const { inA, inB } = await twoCases(ctx);
    const items = async (who: string, q = '') => {
      const res = await ctx.app.inject({ url: `/ogc/collections/cases/items?limit=1000&datetime=2027-06-16T00:00:00Z/..${q}`, headers: ctx.h[who] });
      expect(res.statusCode, res.body).toBe(200);
      const body = JSON.parse(res.body) as { numberMatched: number; features: { id: string }[] };
      return { n: body.numberMatched, ids: body.features.map((f) => f.id) };
    };
    expect(await items('dispatcher_b')).toEqual({ n: 1, ids: [inB.id] });
    const a = await items('dispatcher1');
    expect(a.ids).toContain(inA.id);
    expect(a.ids).not.toContain(inB.id);
    const all = await items('leader1');
    expect(all.ids).toEqual(expect.arrayContaining([inA.id, inB.id]));
    expect(all.n).toBe(a.n + 1);
    const bbox = `&bbox=${ctx.b.lon - 0.01},${ctx.b.lat - 0.01},${ctx.b.lon + 0.01},${ctx.b.lat + 0.01}`;
    expect((await items('dispatcher1', bbox)).ids).toEqual([]);
    expect((await items('leader1', bbox)).ids).toEqual([inB.id]);
    const one = async (who: string, id: string) => (await ctx.app.inject({ url: `/ogc/collections/cases/items/${id}`, headers: ctx.h[who] })).statusCode;
    expect(await one('dispatcher1', inB.id)).toBe(404);
    expect(await one('dispatcher_b', inA.id)).toBe(404);
    expect(await one('dispatcher_b', inB.id)).toBe(200);
    expect(await one('leader1', inA.id)).toBe(200);
    expect(await one('leader1', inB.id)).toBe(200);
  }));

  test('Open311: a key bound to a district posts there only (another district\'s point is a 400 naming it) and reads that district; jurisdiction_id picks a district; without either, both', () => withTwoDistricts(backend, async (ctx) => {
    const { inA, inB } = await twoCases(ctx);
    const issue = async (payload: Record<string, unknown>) => ctx.app.inject({ method: 'POST', url: '/api/admin/open311-keys', headers: ctx.h.admin, payload });
    const unknown = await issue({ name: 'nowhere', district_code: '110199' });
    expect(unknown.statusCode, unknown.body).toBe(422);
    expect(unknown.json().error.message).toMatch(/No district with code 110199/);
    const keyB = await issue({ name: '西城 12345', district_code: B });
    expect(keyB.statusCode, keyB.body).toBe(201);
    expect(keyB.json().district_code).toBe(B);
    const keyAll = (await issue({ name: 'city app' })).json();
    expect(keyAll.district_code).toBeNull();

    const post = (key: string, at: { lon: number; lat: number }, extra: Record<string, string> = {}) => ctx.app.inject({
      method: 'POST', url: '/open311/v2/requests.json', headers: FORM,
      payload: form({ api_key: key, service_code: '06010', lat: at.lat, long: at.lon, ...extra }) });
    const before = (await ctx.db.query<{ n: number }>('select count(*)::int as n from cases')).rows[0].n;
    const outside = await post(keyB.json().api_key, ctx.a);
    expect(outside.statusCode, outside.body).toBe(400);
    expect(outside.json()[0].description).toMatch(/lies in district 110101, outside the district 110102 of this API key/);
    const wrongJurisdiction = await post(keyB.json().api_key, ctx.b, { jurisdiction_id: A });
    expect(wrongJurisdiction.statusCode, wrongJurisdiction.body).toBe(400);
    expect(wrongJurisdiction.json()[0].description).toMatch(/not the district of this API key \(110102\)/);
    const outsideJurisdiction = await post(keyAll.api_key, ctx.b, { jurisdiction_id: A });
    expect(outsideJurisdiction.statusCode, outsideJurisdiction.body).toBe(400);
    expect(outsideJurisdiction.json()[0].description).toMatch(/lies in district 110102, outside jurisdiction_id 110101/);
    expect((await ctx.db.query<{ n: number }>('select count(*)::int as n from cases')).rows[0].n).toBe(before);
    const ok = await post(keyB.json().api_key, ctx.b);
    expect(ok.statusCode, ok.body).toBe(201);
    const posted = ok.json()[0].service_request_id as string;
    expect(posted).toMatch(/^110102/);

    const list = async (q: string) => {
      const res = await ctx.app.inject({ url: `/open311/v2/requests.json?${q}` });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as { service_request_id: string; jurisdiction_id: string }[]);
    };
    const boundB = await list(`api_key=${keyB.json().api_key}`);
    expect(boundB.map((r) => r.service_request_id).sort()).toEqual([inB.case_no, posted].sort());
    const byJurisdiction = await list(`jurisdiction_id=${A}`);
    expect(byJurisdiction.map((r) => r.service_request_id)).toContain(inA.case_no);
    expect(byJurisdiction.every((r) => r.jurisdiction_id === A)).toBe(true);
    const everyone = (await list('')).map((r) => r.service_request_id);
    expect(everyone).toEqual(expect.arrayContaining([inA.case_no, inB.case_no, posted]));
    expect((await list(`api_key=${keyAll.api_key}`)).length).toBe(everyone.length);
    const clash = await ctx.app.inject({ url: `/open311/v2/requests.json?api_key=${keyB.json().api_key}&jurisdiction_id=${A}` });
    expect(clash.statusCode, clash.body).toBe(400);
    // one request: another district's is not found through a key of this one
    const one = async (no: string, q: string) => (await ctx.app.inject({ url: `/open311/v2/requests/${no}.json?${q}` })).statusCode;
    expect(await one(inA.case_no, `api_key=${keyB.json().api_key}`)).toBe(404);
    expect(await one(inB.case_no, `api_key=${keyB.json().api_key}`)).toBe(200);
    expect(await one(inB.case_no, `jurisdiction_id=${A}`)).toBe(404);
    expect(await one(inA.case_no, '')).toBe(200);
    // the updates: each district's own
    const updates = async (q: string) => {
      const res = await ctx.app.inject({ url: `/open311/v2/servicerequestupdates.json?start_date=2027-06-15T00:00:00Z&end_date=2027-06-17T00:00:00Z&${q}` });
      expect(res.statusCode, res.body).toBe(200);
      return new Set((res.json() as { service_request_id: string }[]).map((u) => u.service_request_id));
    };
    expect([...await updates(`jurisdiction_id=${B}`)].sort()).toEqual([inB.case_no, posted].sort());
    const upA = await updates(`jurisdiction_id=${A}`);
    expect(upA.has(inA.case_no) && !upA.has(inB.case_no)).toBe(true);
  }));
});
