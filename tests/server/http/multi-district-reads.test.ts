// Two districts in one database (issue 12): the leaders' and the centre's reads keep a user kept to a district within
// it. Evaluation, statistics (choropleth, trend, top classes, the wall's ticker, a grid's card), supervision (电子监察,
// and its satisfaction review), patrol and the live stream: with no region a scoped user reads its district, a
// region of another district is a 403 naming both, a region inside it works; a user of every district (region_code
// null) reads both districts, as before. tests/helpers/two-districts.ts loads the second district.
import { describe, expect, test } from 'vitest';
import { testBackends } from '../../helpers/backends.js';
import { A, B, B_COMMUNITY, filedCase, withTwoDistricts, type Ctx } from '../../helpers/two-districts.js';
import { liveScopeOf } from '../../../server/services/cases.js';
import { LiveHub, type LiveSink } from '../../../server/live/hub.js';

const Q = 'from=2027-06-01&to=2027-06-30';

async function get(ctx: Ctx, who: string, url: string) {
  return ctx.app.inject({ url, headers: ctx.h[who] });
}

async function ok(ctx: Ctx, who: string, url: string) {
  const r = await get(ctx, who, url);
  expect(r.statusCode, `${who} ${url}: ${r.body}`).toBe(200);
  return r.json();
}

/** A 403 that names the region asked for and the user's district. */
async function refused(ctx: Ctx, who: string, url: string, asked: string, district: string) {
  const r = await get(ctx, who, url);
  expect(r.statusCode, `${who} ${url}: ${r.body}`).toBe(403);
  expect(r.json().error.message).toContain(`${asked} lies outside your district ${district}`);
}

/** A case in each district (filed), and how many cases each district holds in June 2027 (other files may add some). */
async function twoCases(ctx: Ctx) {
  const inA = await filedCase(ctx, 'inspector1', ctx.a);
  const inB = await filedCase(ctx, 'inspector_b', ctx.b);
  const n = async (d: string) => (await ctx.db.query<{ n: number }>(
    `select count(*)::int as n from cases where district_code = $1 and created_at >= '2027-05-31T16:00:00Z' and created_at < '2027-06-30T16:00:00Z'`, [d])).rows[0].n;
  return { inA, inB, nA: await n(A), nB: await n(B) };
}

describe.each(testBackends())('two districts in one database, leaders\' and centre\'s reads, on %s', (backend) => {
  test('evaluation: headline, regions, posts and the cases behind a figure default to the scoped user\'s district; another district\'s region is a 403; a user of every district reads both', () => withTwoDistricts(backend, async (ctx) => {
    const { inA, inB, nA, nB } = await twoCases(ctx);
    expect(nB).toBe(1);
    // headline: the district by default, a street of it, another district refused
    const head = await ok(ctx, 'dispatcher_b', `/api/evaluation/headline?${Q}`);
    expect(head.region).toBe(B);
    expect(head.discovery_rate).toEqual({ numerator: 1, denominator: 1, rate: 1 });
    expect((await ok(ctx, 'dispatcher_b', `/api/evaluation/headline?${Q}&region=${B}001`)).discovery_rate.denominator).toBe(1);
    await refused(ctx, 'dispatcher_b', `/api/evaluation/headline?${Q}&region=${A}`, A, B);
    await refused(ctx, 'dispatcher1', `/api/evaluation/headline?${Q}&region=${B}001`, `${B}001`, A);
    const all = await ok(ctx, 'leader1', `/api/evaluation/headline?${Q}`);
    expect(all.region).toBeNull();
    expect((await ok(ctx, 'dispatcher1', `/api/evaluation/headline?${Q}`)).discovery_rate.denominator).toBe(all.discovery_rate.denominator - 1);
    // the cases behind a headline figure
    const drill = await ok(ctx, 'dispatcher_b', `/api/evaluation/headline/cases?${Q}&indicator=discovery_rate&part=denominator`);
    expect(drill.items.map((c: { id: string }) => c.id)).toEqual([inB.id]);
    const drillA = await ok(ctx, 'dispatcher1', `/api/evaluation/headline/cases?${Q}&indicator=discovery_rate&part=denominator&limit=500`);
    expect(drillA.items.map((c: { id: string }) => c.id)).toContain(inA.id);
    expect(drillA.items.map((c: { id: string }) => c.id)).not.toContain(inB.id);
    // regions: the district's own rows; a parent or a row of another district refused
    const districts = await ok(ctx, 'dispatcher_b', `/api/evaluation/regions?${Q}&level=district`);
    expect(districts.parent).toBe(B);
    expect(districts.rows.map((r: { key: string }) => r.key)).toEqual([B]);
    expect((await ok(ctx, 'dispatcher_b', `/api/evaluation/regions?${Q}&level=community&parent=${B}001`)).rows.map((r: { key: string }) => r.key)).toEqual([B_COMMUNITY]);
    await refused(ctx, 'dispatcher_b', `/api/evaluation/regions?${Q}&level=street&parent=${A}`, A, B);
    await refused(ctx, 'dispatcher_b', `/api/evaluation/regions/cases?${Q}&level=district&key=${A}&indicator=closing_rate`, A, B);
    const rowCases = await ok(ctx, 'dispatcher_b', `/api/evaluation/regions/cases?${Q}&level=district&key=${B}&indicator=closing_rate`);
    expect(rowCases.items.map((c: { id: string }) => c.id)).toEqual([inB.id]);
    expect((await ok(ctx, 'leader1', `/api/evaluation/regions?${Q}&level=district`)).rows.map((r: { key: string }) => r.key)).toEqual(expect.arrayContaining([A, B]));
    // posts: the district's inspectors (and those of every district), never another district's
    const posts = async (who: string) => (await ok(ctx, who, `/api/evaluation/posts?${Q}&post=inspector`)).rows.map((r: { name: string }) => r.name) as string[];
    const [postsA, postsB, postsAll] = [await posts('dispatcher1'), await posts('dispatcher_b'), await posts('leader1')];
    expect(postsB.some((n) => n.includes('inspector_b'))).toBe(true);
    expect(postsB.some((n) => n.includes('inspector1'))).toBe(false);
    expect(postsA.some((n) => n.includes('inspector_b'))).toBe(false);
    expect(postsAll.some((n) => n.includes('inspector_b')) && postsAll.some((n) => n.includes('inspector1'))).toBe(true);
  }));

  test('statistics: choropleth, trend, top classes, the wall\'s ticker and a grid\'s card keep a scoped user to its district; a user of every district reads both', () => withTwoDistricts(backend, async (ctx) => {
    const { nA, nB } = await twoCases(ctx);
    // choropleth: the district's units only, its own count; a street of it; another district's region refused
    const mapB = await ok(ctx, 'dispatcher_b', `/api/stats/choropleth?${Q}`);
    expect(mapB.filters.region).toBe(B);
    expect(mapB.features.length).toBeGreaterThan(0);
    expect(mapB.features.every((f: { properties: { code: string } }) => f.properties.code.startsWith(B))).toBe(true);
    expect(mapB.total).toBe(nB);
    expect((await ok(ctx, 'dispatcher_b', `/api/stats/choropleth?${Q}&region=${B}001`)).total).toBe(nB);
    await refused(ctx, 'dispatcher_b', `/api/stats/choropleth?${Q}&region=${A}`, A, B);
    const mapA = await ok(ctx, 'dispatcher1', `/api/stats/choropleth?${Q}&level=street`);
    expect(mapA.features.every((f: { properties: { code: string } }) => f.properties.code.startsWith(A))).toBe(true);
    expect(mapA.total).toBe(nA);
    const mapAll = await ok(ctx, 'leader1', `/api/stats/choropleth?${Q}`);
    expect(mapAll.total).toBe(nA + nB);
    expect(mapAll.features.some((f: { properties: { code: string } }) => f.properties.code.startsWith(B))).toBe(true);
    // trend and top classes
    const reported = (t: { points: { reported: number }[] }) => t.points.reduce((s, p) => s + p.reported, 0);
    expect(reported(await ok(ctx, 'dispatcher_b', `/api/stats/trend?${Q}`))).toBe(nB);
    expect(reported(await ok(ctx, 'dispatcher1', `/api/stats/trend?${Q}`))).toBe(nA);
    expect(reported(await ok(ctx, 'leader1', `/api/stats/trend?${Q}`))).toBe(nA + nB);
    await refused(ctx, 'dispatcher1', `/api/stats/trend?${Q}&region=${B}`, B, A);
    expect(await ok(ctx, 'dispatcher_b', `/api/stats/top-classes?${Q}`)).toMatchObject([{ class_code: '06010', count: 1 }]);
    await refused(ctx, 'dispatcher_b', `/api/stats/top-classes?${Q}&region=${A}001`, `${A}001`, B);
    // the wall's ticker: today's reports of the district
    const today = async (who: string) => (await ok(ctx, who, '/api/stats/today')).reported as number;
    const [tA, tB, tAll] = [await today('dispatcher1'), await today('dispatcher_b'), await today('leader1')];
    expect(tB).toBe(1);
    expect(tA).toBeGreaterThanOrEqual(1);
    expect(tAll).toBe(tA + tB);
    // a grid's card: another district's grid is a 403 naming both
    expect((await ok(ctx, 'dispatcher_b', `/api/stats/grids/${ctx.b.grid}?${Q}`)).count).toBe(1);
    await refused(ctx, 'dispatcher1', `/api/stats/grids/${ctx.b.grid}?${Q}`, ctx.b.grid, A);
    expect((await ok(ctx, 'leader1', `/api/stats/grids/${ctx.b.grid}?${Q}`)).count).toBe(1);
  }));

  test('supervision: overdue cases, counts, alerts and the satisfaction review list of a scoped user are its district\'s; another district\'s review is not found', () => withTwoDistricts(backend, async (ctx) => {
    const { inA, inB } = await twoCases(ctx);
    // both cases overdue on the dispatch step, and rated dissatisfied (waiting for review)
    await ctx.db.query(`update cases set red_at = '2027-06-15T00:00:00Z' where id = any($1)`, [[inA.id, inB.id]]);
    await ctx.db.query(`insert into case_ratings (case_id, rating, score, channel, rated_at, district_code, review_status)
      select id, 'dissatisfied', 0, 'public', '2027-06-16T01:00:00Z', district_code, 'pending' from cases where id = any($1)`, [[inA.id, inB.id]]);
    await ctx.db.query(`update users set region_code = $1 where username in ('leader1', 'shiftlead1')`, [A]);
    const overdue = async (who: string) => ((await ok(ctx, who, '/api/supervision/cases/overdue?limit=500')).items as { id: string }[]).map((c) => c.id);
    const [oA, oAll] = [await overdue('leader1'), await overdue('admin')];
    expect(oA).toContain(inA.id);
    expect(oA).not.toContain(inB.id);
    expect(oAll).toEqual(expect.arrayContaining([inA.id, inB.id]));
    const summary = async (who: string) => (await ok(ctx, who, '/api/supervision/summary')).counts.overdue as number;
    expect(await summary('admin')).toBe((await summary('leader1')) + 1);
    expect((await ok(ctx, 'leader1', '/api/supervision/alerts')).alerts).toBeInstanceOf(Array);
    // the satisfaction review: the district's ratings only; confirming another district's is a 404
    const reviews = async (who: string) => ((await ok(ctx, who, '/api/supervision/satisfaction?limit=100')).items as { case_id: string }[]).map((r) => r.case_id);
    const [rA, rAll] = [await reviews('leader1'), await reviews('admin')];
    expect(rA).toContain(inA.id);
    expect(rA).not.toContain(inB.id);
    expect(rAll).toEqual(expect.arrayContaining([inA.id, inB.id]));
    const confirm = await ctx.app.inject({ method: 'POST', url: `/api/supervision/satisfaction/${inB.id}/confirm`, headers: ctx.h.shiftlead1, payload: {} });
    expect(confirm.statusCode, confirm.body).toBe(404);
    const rating = await get(ctx, 'leader1', `/api/cases/${inB.id}/rating`);
    expect(rating.statusCode, rating.body).toBe(404);
  }));

  test('patrol: last positions, coverage and tracks show a scoped user its district\'s inspectors (and those of every district); another district\'s track is not found', () => withTwoDistricts(backend, async (ctx) => {
    const id = async (u: string) => (await ctx.db.query<{ id: number }>('select id::int as id from users where username = $1', [u])).rows[0].id;
    const [i1, ib] = [await id('inspector1'), await id('inspector_b')];
    const names = (items: { username: string }[]) => items.map((x) => x.username);
    const last = async (who: string) => names((await ok(ctx, who, '/api/patrol/last-positions')).items);
    const [lA, lB, lAll] = [await last('dispatcher1'), await last('dispatcher_b'), await last('leader1')];
    expect(lA).toContain('inspector1');
    expect(lA).not.toContain('inspector_b');
    expect(lB).toContain('inspector_b');
    expect(lB).not.toContain('inspector1');
    expect(lAll).toEqual(expect.arrayContaining(['inspector1', 'inspector_b']));
    const unscoped = (await ctx.db.query<{ username: string }>(`select username from users where 'inspector' = any (roles) and region_code is null and not disabled`)).rows.map((r) => r.username);
    for (const u of unscoped) expect(lB).toContain(u); // an inspector of every district works in each
    const cover = async (who: string) => names((await ok(ctx, who, '/api/patrol/coverage?date=2027-06-16')).items);
    expect(await cover('dispatcher_b')).toContain('inspector_b');
    expect(await cover('dispatcher_b')).not.toContain('inspector1');
    expect(await cover('leader1')).toEqual(expect.arrayContaining(['inspector1', 'inspector_b']));
    const track = (who: string, user: number) => get(ctx, who, `/api/patrol/tracks?user_id=${user}&date=2027-06-16`);
    const foreign = await track('dispatcher1', ib);
    expect(foreign.statusCode, foreign.body).toBe(404);
    expect(foreign.json().error.message).toMatch(/in your district 110101/);
    expect((await track('dispatcher_b', ib)).statusCode).toBe(200);
    expect((await track('leader1', ib)).statusCode).toBe(200);
    expect((await track('leader1', i1)).statusCode).toBe(200);
  }));

  test('the live stream: a scoped dispatcher hears only its district\'s case events, a user of every district both', () => withTwoDistricts(backend, async (ctx) => {
    const hub = new LiveHub(ctx.db); // inside the test transaction NOTIFY never fires: settle() pokes the hub
    await hub.start();
    try {
      const heard: Record<string, string[]> = {};
      for (const who of ['dispatcher1', 'dispatcher_b', 'leader1']) {
        const { rows } = await ctx.db.query<{ id: number; username: string; roles: string[]; department_id: number | null; region_code: string | null }>(
          'select id::int as id, username, roles, department_id, region_code from users where username = $1', [who]);
        const frames: string[] = (heard[who] = []);
        const sink: LiveSink = { write: (f) => { if (f.startsWith('id: ')) frames.push(JSON.parse(f.split('\n')[2].slice(6)).id); return true; }, end: () => {} };
        await hub.add(sink, await liveScopeOf(ctx.db, rows[0]), null);
      }
      const inA = await filedCase(ctx, 'inspector1', ctx.a);
      const inB = await filedCase(ctx, 'inspector_b', ctx.b);
      await hub.settle();
      const mine = (who: string) => heard[who].filter((id) => id === inA.id || id === inB.id);
      expect(new Set(mine('dispatcher1'))).toEqual(new Set([inA.id]));
      expect(new Set(mine('dispatcher_b'))).toEqual(new Set([inB.id]));
      expect(new Set(mine('leader1'))).toEqual(new Set([inA.id, inB.id]));
      expect(mine('dispatcher_b').length).toBe(3); // reported, accepted, filed
    } finally {
      await hub.stop();
    }
  }));
});
