// Two districts in one database (issue 12, "Many districts"): the fixture's Dongcheng (110101) and a small second
// district (110102: one street, one community, three unit grids, two components) loaded beside it, users scoped to
// each (users.region_code, 0047), and the hot paths kept apart: the case list, the wall feed, a case by id and an
// action on it, the live stream, intake, evaluation and stats by region, locate and a grid's components. Photos,
// exports, tiles, OGC and Open311: multi-district-outputs.test.ts (tests/helpers/two-districts.ts loads both).
import { describe, expect, test } from 'vitest';
import { testBackends } from '../../helpers/backends.js';
import { A, B, B_COMMUNITY, filedCase, ids, report, withTwoDistricts } from '../../helpers/two-districts.js';
import { liveScopeOf } from '../../../server/services/cases.js';
import { visible } from '../../../server/live/hub.js';

describe.each(testBackends())('two districts in one database on %s', (backend) => {
  test('locate and a grid find the second district; its inspector reports there, Dongcheng\'s inspector is refused there with a 422', () => withTwoDistricts(backend, async (ctx) => {
    const loc = await ctx.app.inject({ url: `/api/grids/locate?lon=${ctx.b.lon}&lat=${ctx.b.lat}` });
    expect(loc.statusCode, loc.body).toBe(200);
    expect(loc.json().grid).toMatchObject({ code: ctx.b.grid, district_code: B, street_code: `${B}001`, community_code: B_COMMUNITY });
    const grid = await ctx.app.inject({ url: `/api/grids/${ctx.b.grid}`, headers: ctx.h.leader1 });
    expect(grid.statusCode, grid.body).toBe(200);
    expect(grid.json().component_count).toBe(2);

    const refused = await report(ctx, 'inspector1', ctx.b);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().error).toMatchObject({ code: 'unprocessable', details: { reason: 'outside_user_district', district_code: B } });
    expect(refused.json().error.message).toMatch(/district 110102, outside your district 110101/);
    const none = await ctx.db.query<{ n: number }>(`select count(*)::int as n from cases where district_code = $1`, [B]);
    expect(none.rows[0].n).toBe(0);

    const ok = await report(ctx, 'inspector_b', ctx.b);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ district_code: B, grid_code: ctx.b.grid });
    expect(ok.json().case_no).toMatch(/^110102/);
  }));

  test('a Dongcheng dispatcher never sees the second district\'s cases: list, wall feed, by id, an action, a merge; a user of every district sees both', () => withTwoDistricts(backend, async (ctx) => {
    const inA = await filedCase(ctx, 'inspector1', ctx.a);
    const inB = await filedCase(ctx, 'inspector_b', ctx.b);
    expect([inA.district_code, inB.district_code]).toEqual([A, B]);

    const list = async (who: string) => {
      const r = await ctx.app.inject({ url: '/api/cases?limit=200', headers: ctx.h[who] });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as { items: { id: string; district_code: string }[]; total: number };
    };
    const a = await list('dispatcher1');
    expect(a.items.every((c) => c.district_code === A)).toBe(true);
    const b = await list('dispatcher_b');
    expect(ids(b)).toEqual([inB.id]);
    expect(b.total).toBe(1);
    const all = await list('leader1');
    expect(all.total).toBe(a.total + b.total);
    // by grid (the database may hold more than a page of cases others committed): each case where it belongs
    const inGrid = async (who: string, grid: string) => ids((await ctx.app.inject({ url: `/api/cases?limit=200&grid=${grid}`, headers: ctx.h[who] })).json());
    expect(await inGrid('dispatcher1', inA.grid_code)).toContain(inA.id);
    expect(await inGrid('dispatcher1', inB.grid_code)).toEqual([]);
    expect(await inGrid('leader1', inA.grid_code)).toContain(inA.id);
    expect(await inGrid('leader1', inB.grid_code)).toEqual([inB.id]);

    // the live stream: each event carries its district; a scoped user's stream keeps to its district
    const scopeOf = async (username: string) => {
      const { rows } = await ctx.db.query<{ id: number; roles: string[]; department_id: number | null }>(
        'select id, roles, department_id from users where username = $1', [username]);
      return liveScopeOf(ctx.db, rows[0] as never);
    };
    const { rows: events } = await ctx.db.query<{ case_id: string; payload: Record<string, unknown> }>(
      'select case_id::text as case_id, payload from case_events where case_id = any($1) order by id', [[inA.id, inB.id]]);
    const last = (id: string) => events.filter((e) => e.case_id === id).at(-1)!.payload;
    expect([last(inA.id).district_code, last(inB.id).district_code]).toEqual([A, B]);
    const [scopeA, scopeB, scopeAll] = [await scopeOf('dispatcher1'), await scopeOf('dispatcher_b'), await scopeOf('leader1')];
    expect([visible(scopeA, last(inA.id)), visible(scopeA, last(inB.id))]).toEqual([true, false]);
    expect([visible(scopeB, last(inA.id)), visible(scopeB, last(inB.id))]).toEqual([false, true]);
    expect([visible(scopeAll, last(inA.id)), visible(scopeAll, last(inB.id))]).toEqual([true, true]);

    const wall = async (who: string) => {
      const r = await ctx.app.inject({ url: '/api/cases/wall', headers: ctx.h[who] });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().columns.id as string[];
    };
    const wallA = await wall('dispatcher1');
    expect(wallA).toContain(inA.id);
    expect(wallA).not.toContain(inB.id);
    expect(await wall('dispatcher_b')).toEqual([inB.id]);
    expect(await wall('leader1')).toEqual(expect.arrayContaining([inA.id, inB.id]));

    const byId = await ctx.app.inject({ url: `/api/cases/${inB.id}`, headers: ctx.h.dispatcher1 });
    expect(byId.statusCode, byId.body).toBe(404);
    expect((await ctx.app.inject({ url: `/api/cases/${inB.id}`, headers: ctx.h.dispatcher_b })).statusCode).toBe(200);
    expect((await ctx.app.inject({ url: `/api/cases/${inA.id}`, headers: ctx.h.dispatcher_b })).statusCode).toBe(404);
    const { version, status } = (await ctx.app.inject({ url: `/api/cases/${inB.id}`, headers: ctx.h.leader1 })).json();
    const act = await ctx.app.inject({ method: 'POST', url: `/api/cases/${inB.id}/actions`, headers: ctx.h.dispatcher1,
      payload: { action: 'dispatch', version } });
    expect(act.statusCode, act.body).toBe(404);
    const after = await ctx.db.query<{ version: number; status: string }>('select version, status from cases where id = $1', [inB.id]);
    expect(after.rows[0]).toMatchObject({ version, status });
    // a merge across districts is refused even by a user of every district; a scoped user does not find the other case
    const aVersion = (await ctx.app.inject({ url: `/api/cases/${inA.id}`, headers: ctx.h.leader1 })).json().version;
    const across = await ctx.app.inject({ method: 'POST', url: `/api/cases/${inB.id}/merge`, headers: ctx.h.operator1, payload: { into: inA.id, version } });
    expect(across.statusCode, across.body).toBe(422);
    expect(across.json().error.message).toMatch(/only cases of one district can be merged/);
    await ctx.db.query(`update users set region_code = $1 where username = 'operator1'`, [A]);
    const scoped = await ctx.app.inject({ method: 'POST', url: `/api/cases/${inA.id}/merge`, headers: ctx.h.operator1, payload: { into: inB.id, version: aVersion } });
    expect(scoped.statusCode, scoped.body).toBe(404);
  }));

  test('the admin keeps a user to a district or street through the users API; an unknown or malformed code is refused and changes nothing', () => withTwoDistricts(backend, async (ctx) => {
    const users = (await ctx.app.inject({ url: '/api/users', headers: ctx.h.admin })).json().items as { id: number; username: string; region_code: string | null }[];
    const leader = users.find((u) => u.username === 'leader1')!;
    expect(leader.region_code).toBeNull();
    expect(users.find((u) => u.username === 'dispatcher_b')!.region_code).toBe(B);
    const patch = (region_code: unknown) => ctx.app.inject({ method: 'PATCH', url: `/api/users/${leader.id}`, headers: ctx.h.admin, payload: { region_code } });
    const unknown = await patch('110199');
    expect(unknown.statusCode, unknown.body).toBe(422);
    expect(unknown.json().error.message).toMatch(/No district, street or community with code 110199/);
    expect((await patch('11010')).statusCode).toBe(400);
    expect((await ctx.db.query('select region_code from users where id = $1', [leader.id])).rows[0].region_code).toBeNull();
    const kept = await patch(`${B}001`);
    expect(kept.statusCode, kept.body).toBe(200);
    expect(kept.json().region_code).toBe(`${B}001`);
    // from now on the leader's case list holds only the second district's cases
    await filedCase(ctx, 'inspector1', ctx.a);
    const inB = await filedCase(ctx, 'inspector_b', ctx.b);
    const list = await ctx.app.inject({ url: '/api/cases?limit=200', headers: ctx.h.leader1 });
    expect(ids(list.json())).toEqual([inB.id]);
    const created = await ctx.app.inject({ method: 'POST', url: '/api/users', headers: ctx.h.admin,
      payload: { username: 'operator_b', password: 'a long enough passphrase 7', roles: ['operator'], region_code: B } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().region_code).toBe(B);
    const audit = await ctx.db.query<{ detail: { before: unknown; after: unknown } }>(
      `select detail from audit_log where action = 'user_updated' and target = $1 order by id desc limit 1`, [`user:${leader.id}`]);
    expect(audit.rows[0].detail).toMatchObject({ before: { region_code: null }, after: { region_code: `${B}001` } });
  }));

  test('evaluation and statistics of one district count only its cases', () => withTwoDistricts(backend, async (ctx) => {
    await filedCase(ctx, 'inspector1', ctx.a);
    await filedCase(ctx, 'inspector1', ctx.a);
    await filedCase(ctx, 'inspector_b', ctx.b);
    const Q = 'from=2027-06-01&to=2027-06-30';
    const head = async (region: string) => {
      const r = await ctx.app.inject({ url: `/api/evaluation/headline?${Q}${region ? `&region=${region}` : ''}`, headers: ctx.h.leader1 });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().discovery_rate as { numerator: number; denominator: number };
    };
    const filedIn = async (district: string) => (await ctx.db.query<{ n: number }>(
      `select count(*)::int as n from cases where district_code = $1 and status <> 'void' and filed_at >= '2027-05-31T16:00:00Z' and filed_at < '2027-06-30T16:00:00Z'`,
      [district])).rows[0].n;
    const [nA, nB] = [await filedIn(A), await filedIn(B)];
    expect(nA).toBeGreaterThanOrEqual(2);
    expect(nB).toBe(1);
    expect(await head(A)).toMatchObject({ denominator: nA });
    expect(await head(B)).toEqual({ numerator: 1, denominator: 1, rate: 1 });
    expect((await head(`${B}001`)).denominator).toBe(1);
    expect((await head('')).denominator).toBe(nA + nB);
    // the regions' ranking by district: one row each, each its own cases
    const regions = await ctx.app.inject({ url: `/api/evaluation/regions?${Q}&level=district`, headers: ctx.h.leader1 });
    expect(regions.statusCode, regions.body).toBe(200);
    const rowOf = (code: string) => regions.json().rows.find((r: { key: string }) => r.key === code);
    expect(regions.json().rows.map((r: { key: string }) => r.key)).toEqual(expect.arrayContaining([A, B]));
    expect(rowOf(B).indicators.closing_rate).toMatchObject({ numerator: 0, denominator: 1 });
    expect(rowOf(A).indicators.closing_rate).toMatchObject({ denominator: nA });
    // a grid's card: the second district's grid counts its own case
    const card = await ctx.app.inject({ url: `/api/stats/grids/${ctx.b.grid}?${Q}`, headers: ctx.h.leader1 });
    expect(card.statusCode, card.body).toBe(200);
    expect(card.json()).toMatchObject({ code: ctx.b.grid, count: 1, by_status: [{ status: 'pending_dispatch', count: 1 }] });
    expect(card.json().recent_cases.length).toBe(1);
    expect(card.json().components).toMatchObject([{ class_code: '01037', count: 2 }]);
  }));
});
