// Patrol over HTTP on the fixture district (issue 9): the duty switch, idempotent position batches, refusal outside
// duty, who may see what, coverage of a hand-made track across known grids (checked against the domain's own
// distance and SQL written here), and the retention purge.
import { describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { trackDistance_m } from '../../../server/domain/patrol.js';
import { purgeTracks } from '../../../server/services/patrol.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';

const USERS = ['inspector1', 'inspector2', 'leader1', 'dispatcher1', 'crew1'] as const;
type U = (typeof USERS)[number];
type Clock = { t: Date; now(): Date };
type Ctx = { app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>>; ids: Record<U, number>; clock: Clock };

// 2026-03-02 in Beijing runs from 2026-03-01T16:00Z to 2026-03-02T16:00Z.
const DUTY_START = new Date('2026-03-02T01:00:00Z'); // 09:00 local
const LATER = new Date('2026-03-02T05:00:00Z');      // 13:00 local

function withPatrolApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    const clock: Clock = { t: DUTY_START, now() { return this.t; } };
    const app = await buildApp(testConfig(), { db, clock });
    try {
      const h = {} as Ctx['h'];
      const ids = {} as Ctx['ids'];
      for (const u of USERS) {
        const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 'demo' } });
        h[u] = { authorization: `Bearer ${res.json().token}` };
        ids[u] = res.json().user.id;
      }
      return await fn({ app, db, h, ids, clock });
    } finally {
      await app.close();
    }
  });
}

const post = (c: Ctx, who: U, url: string, payload: unknown, key?: string) =>
  c.app.inject({ method: 'POST', url, payload: payload as object, headers: { ...c.h[who], ...(key ? { 'idempotency-key': key } : {}) } });
const get = (c: Ctx, who: U | null, url: string) => c.app.inject({ method: 'GET', url, headers: who ? c.h[who] : {} });

/** A point inside each of the first `n` unit grids of an inspector's responsibility grids (by code). */
async function gridsOf(db: Queryable, user_id: number, n: number) {
  const { rows } = await db.query<{ code: string; lon: number; lat: number }>(
    `select g.code, st_x(st_pointonsurface(g.geom)) as lon, st_y(st_pointonsurface(g.geom)) as lat
       from responsibility_grids rg join responsibility_grid_members m on m.responsibility_code = rg.code
       join grids g on g.code = m.grid_code and g.valid_to is null
      where rg.inspector_id = $1 order by g.code limit $2`, [user_id, n]);
  return rows;
}

async function storedFixes(db: Queryable, user_id: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from patrol_positions where user_id = $1', [user_id]);
  return rows[0].n;
}

describe.each(testBackends())('patrol on %s', (backend) => {
  test('the duty switch: on, on again (no-op), state with the interval, off; replayed with the same key', () => withPatrolApp(backend, async (c) => {
    const off = await get(c, 'inspector1', '/api/patrol/duty');
    expect(off.statusCode).toBe(200);
    expect(off.json()).toEqual({ on_duty: false, started_at: null, interval_seconds: 60, stale_after_seconds: 180 });
    const on = await post(c, 'inspector1', '/api/patrol/duty', { on_duty: true }, 'k-on');
    expect(on.statusCode).toBe(200);
    expect(on.json()).toMatchObject({ on_duty: true, started_at: DUTY_START.toISOString() });
    c.clock.t = new Date(DUTY_START.getTime() + 60_000);
    const again = await post(c, 'inspector1', '/api/patrol/duty', { on_duty: true });
    expect(again.json().started_at).toBe(DUTY_START.toISOString()); // still the first period
    const replay = await post(c, 'inspector1', '/api/patrol/duty', { on_duty: true }, 'k-on');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((await post(c, 'inspector1', '/api/patrol/duty', { on_duty: false }, 'k-on')).statusCode).toBe(422);
    const { rows } = await c.db.query<{ n: number }>('select count(*)::int as n from patrol_duties where user_id = $1', [c.ids.inspector1]);
    expect(rows[0].n).toBe(1);
    expect((await post(c, 'inspector1', '/api/patrol/duty', { on_duty: false })).json()).toMatchObject({ on_duty: false, started_at: null });
  }));

  test('a phone whose clock is 10 minutes behind: its fixes land on the server\'s clock, inside the duty; a retry with a later sent_at is the same request', () => withPatrolApp(backend, async (c) => {
    await post(c, 'inspector1', '/api/patrol/duty', { on_duty: true });
    c.clock.t = new Date(DUTY_START.getTime() + 5 * 60_000);
    const behind = (ms: number) => new Date(ms - 10 * 60_000).toISOString(); // what the phone's clock reads
    const fixes = [2, 4].map((m) => ({ at: behind(DUTY_START.getTime() + m * 60_000), lon: 116.4, lat: 39.9 + m * 0.0005 }));
    // without sent_at the fixes seem taken before the duty began
    const raw = await post(c, 'inspector1', '/api/patrol/positions', { fixes });
    expect(raw.json()).toMatchObject({ accepted: 0, rejected: 2 });
    const sent = await post(c, 'inspector1', '/api/patrol/positions', { fixes, sent_at: behind(c.clock.t.getTime()) }, 'skew-1');
    expect(sent.json()).toMatchObject({ accepted: 2, rejected: 0 });
    const { rows } = await c.db.query<{ at: Date }>('select at from patrol_positions where user_id = $1 order by at', [c.ids.inspector1]);
    expect(rows.map((r) => r.at.toISOString())).toEqual([2, 4].map((m) => new Date(DUTY_START.getTime() + m * 60_000).toISOString()));
    c.clock.t = new Date(c.clock.t.getTime() + 30_000);
    const retry = await post(c, 'inspector1', '/api/patrol/positions', { fixes, sent_at: behind(c.clock.t.getTime()) }, 'skew-1');
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(sent.json());
    expect((await post(c, 'inspector1', '/api/patrol/positions', { fixes, sent_at: 'soon' })).statusCode).toBe(400);
  }));

  test('a batch re-sent is stored once; fixes outside duty are refused and never stored', () => withPatrolApp(backend, async (c) => {
    const before = { at: new Date(DUTY_START.getTime() - 60_000).toISOString(), lon: 116.4, lat: 39.9 };
    // not on duty yet: everything is refused
    const early = await post(c, 'inspector1', '/api/patrol/positions', { fixes: [before] }, 'b0');
    expect(early.statusCode).toBe(200);
    expect(early.json()).toMatchObject({ accepted: 0, duplicate: 0, rejected: 1, rejections: [{ index: 0, id: null, reason: 'outside_duty' }] });

    await post(c, 'inspector1', '/api/patrol/duty', { on_duty: true });
    c.clock.t = new Date(DUTY_START.getTime() + 10 * 60_000);
    const fixes = [
      before, // still before the duty period
      ...[1, 2, 3].map((i) => ({ id: `f${i}`, at: new Date(DUTY_START.getTime() + i * 60_000).toISOString(), lon: 116.4, lat: 39.9 + i * 0.0005, accuracy_m: 5 })),
      { at: new Date(DUTY_START.getTime() + 4 * 60_000).toISOString(), lon: 116.4, lat: 39.902 },
    ];
    const first = await post(c, 'inspector1', '/api/patrol/positions', { fixes }, 'b1');
    expect(first.json()).toEqual({ accepted: 4, duplicate: 0, rejected: 1, rejections: [{ index: 0, id: null, reason: 'outside_duty' }] });
    // the phone did not hear the answer and retries with the same key: the same answer, nothing new
    const retry = await post(c, 'inspector1', '/api/patrol/positions', { fixes }, 'b1');
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    // the same fixes in a new batch (a new key): all duplicates
    const again = await post(c, 'inspector1', '/api/patrol/positions', { fixes: fixes.slice(1) }, 'b2');
    expect(again.json()).toMatchObject({ accepted: 0, duplicate: 4, rejected: 0 });
    expect(await storedFixes(c.db, c.ids.inspector1)).toBe(4);
    // off duty: later fixes are refused
    await post(c, 'inspector1', '/api/patrol/duty', { on_duty: false });
    c.clock.t = new Date(DUTY_START.getTime() + 12 * 60_000);
    const late = await post(c, 'inspector1', '/api/patrol/positions', { fixes: [{ id: 'late', at: c.clock.t.toISOString(), lon: 116.4, lat: 39.9 }] });
    expect(late.json()).toMatchObject({ accepted: 0, rejected: 1, rejections: [{ id: 'late', reason: 'outside_duty' }] });
    expect(await storedFixes(c.db, c.ids.inspector1)).toBe(4);
    // the same key with another batch is 422
    expect((await post(c, 'inspector1', '/api/patrol/positions', { fixes: [] }, 'b1')).statusCode).toBe(422);
  }));

  test('coverage, track and last positions of a hand-made track across known grids', () => withPatrolApp(backend, async (c) => {
    const grids = await gridsOf(c.db, c.ids.inspector1, 3);
    expect(grids).toHaveLength(3);
    const { rows: [unit] } = await c.db.query<{ n: number }>(
      `select count(*)::int as n from responsibility_grids rg join responsibility_grid_members m on m.responsibility_code = rg.code
        where rg.inspector_id = $1`, [c.ids.inspector1]);
    const { rows: [resp] } = await c.db.query<{ n: number }>('select count(*)::int as n from responsibility_grids where inspector_id = $1', [c.ids.inspector1]);
    const { rows: [other] } = await c.db.query<{ lon: number; lat: number }>(
      `select st_x(st_pointonsurface(g.geom)) as lon, st_y(st_pointonsurface(g.geom)) as lat from grids g
        where g.valid_to is null and g.code not in (select m.grid_code from responsibility_grid_members m
          join responsibility_grids rg on rg.code = m.responsibility_code where rg.inspector_id = $1)
        order by g.code limit 1`, [c.ids.inspector1]);

    await post(c, 'inspector1', '/api/patrol/duty', { on_duty: true });
    const t = (min: number) => new Date(DUTY_START.getTime() + min * 60_000).toISOString();
    // grid A twice, a spike 10 s later, grid B, grid C, a grid that is not its own; 10 minutes apart (walkable)
    const fixes = [
      { id: 'a', at: t(10), lon: grids[0].lon, lat: grids[0].lat },
      { id: 'a2', at: t(20), lon: grids[0].lon + 0.00001, lat: grids[0].lat },
      { id: 'spike', at: new Date(DUTY_START.getTime() + 20 * 60_000 + 10_000).toISOString(), lon: grids[0].lon + 0.1, lat: grids[0].lat },
      { id: 'b', at: t(40), lon: grids[1].lon, lat: grids[1].lat },
      { id: 'c', at: t(60), lon: grids[2].lon, lat: grids[2].lat },
      { id: 'x', at: t(80), lon: other.lon, lat: other.lat },
    ];
    c.clock.t = new Date(DUTY_START.getTime() + 90 * 60_000);
    expect((await post(c, 'inspector1', '/api/patrol/positions', { fixes })).json()).toMatchObject({ accepted: 6 });
    await post(c, 'inspector1', '/api/patrol/duty', { on_duty: false }); // 90 minutes on duty
    c.clock.t = LATER;

    const points = fixes.map((f) => ({ at: new Date(f.at), lon: f.lon, lat: f.lat }));
    const expected_m = trackDistance_m(points);
    // the spike's two segments are left out: the rest is A→A2, B→C, C→X (A2→spike→B are both impossible)
    expect(expected_m).toBeGreaterThan(0);

    const cov = await get(c, 'leader1', '/api/patrol/coverage?date=2026-03-02');
    expect(cov.statusCode).toBe(200);
    expect(cov.json().date).toBe('2026-03-02');
    const mine = cov.json().items.find((i: { username: string }) => i.username === 'inspector1');
    expect(mine).toMatchObject({
      responsibility_grids: resp.n, unit_grids: unit.n, visited_grids: 3, fix_count: 6, duty_seconds: 90 * 60,
      share: Math.round((3 / unit.n) * 1000) / 1000,
    });
    expect(mine.distance_km).toBeCloseTo(expected_m / 1000, 3); // the SQL and the domain agree
    expect(cov.json().items.find((i: { username: string }) => i.username === 'inspector2'))
      .toMatchObject({ visited_grids: 0, fix_count: 0, duty_seconds: 0, distance_km: 0 });
    // another day: nothing
    const dayBefore = (await get(c, 'dispatcher1', '/api/patrol/coverage?date=2026-03-01')).json();
    expect(dayBefore.items.find((i: { username: string }) => i.username === 'inspector1')).toMatchObject({ visited_grids: 0, duty_seconds: 0 });

    const track = await get(c, 'leader1', `/api/patrol/tracks?user_id=${c.ids.inspector1}&date=2026-03-02`);
    expect(track.statusCode).toBe(200);
    expect(track.json().geometry.type).toBe('LineString');
    expect(track.json().geometry.coordinates).toEqual(fixes.map((f) => [f.lon, f.lat]));
    expect(track.json().properties).toMatchObject({ fix_count: 6, distance_m: Math.round(expected_m), duty_seconds: 90 * 60 });
    // the inspector reads its own (default user and date: itself, today)
    const own = await get(c, 'inspector1', '/api/patrol/tracks');
    expect(own.json().properties).toMatchObject({ user_id: c.ids.inspector1, date: '2026-03-02', fix_count: 6 });

    const last = await get(c, 'dispatcher1', '/api/patrol/last-positions');
    expect(last.statusCode).toBe(200);
    const l1 = last.json().items.find((i: { username: string }) => i.username === 'inspector1');
    expect(l1).toMatchObject({ on_duty: false, at: t(80), lon: other.lon, lat: other.lat, freshness: 'stale' });
    expect(last.json().items.find((i: { username: string }) => i.username === 'inspector2')).toMatchObject({ at: null, freshness: 'stale' });
    // a fresh fix: within 3 intervals of now
    await post(c, 'inspector1', '/api/patrol/duty', { on_duty: true });
    await post(c, 'inspector1', '/api/patrol/positions', { fixes: [{ at: new Date(LATER.getTime() - 30_000).toISOString(), lon: 116.4, lat: 39.9 }] });
    await post(c, 'inspector1', '/api/patrol/positions', { fixes: [{ at: LATER.toISOString(), lon: 116.4, lat: 39.9 }] });
    const fresh = (await get(c, 'leader1', '/api/patrol/last-positions')).json().items.find((i: { username: string }) => i.username === 'inspector1');
    expect(fresh).toMatchObject({ on_duty: true, at: LATER.toISOString(), freshness: 'fresh' });
  }));

  test('an offline stretch sent late slots into the track: distance as if sent in order', () => withPatrolApp(backend, async (c) => {
    await post(c, 'inspector1', '/api/patrol/duty', { on_duty: true });
    const t = (min: number) => new Date(DUTY_START.getTime() + min * 60_000).toISOString();
    const fixes = [0, 1, 2, 3, 4, 5].map((i) => ({ id: `w${i}`, at: t(10 + i), lon: 116.4 + i * 0.0004, lat: 39.9 + (i % 2) * 0.0003 }));
    c.clock.t = new Date(DUTY_START.getTime() + 30 * 60_000);
    // the phone sent 0 and 4–5 at once, 1–3 came back from an offline stretch afterwards, then 2 again
    await post(c, 'inspector1', '/api/patrol/positions', { fixes: [fixes[0], fixes[4], fixes[5]] });
    await post(c, 'inspector1', '/api/patrol/positions', { fixes: [fixes[1], fixes[2], fixes[3]] });
    expect((await post(c, 'inspector1', '/api/patrol/positions', { fixes: [fixes[2]] })).json()).toMatchObject({ duplicate: 1 });
    const expected_m = trackDistance_m(fixes.map((f) => ({ at: new Date(f.at), lon: f.lon, lat: f.lat })));
    const track = (await get(c, 'inspector1', '/api/patrol/tracks?date=2026-03-02')).json();
    expect(track.properties).toMatchObject({ fix_count: 6, distance_m: Math.round(expected_m) });
    const cov = (await get(c, 'leader1', '/api/patrol/coverage?date=2026-03-02')).json();
    expect(cov.items.find((i: { username: string }) => i.username === 'inspector1').distance_km).toBeCloseTo(expected_m / 1000, 3);
  }));

  test('who may: crews and other inspectors 403, anonymous 401', () => withPatrolApp(backend, async (c) => {
    expect((await get(c, null, '/api/patrol/last-positions')).statusCode).toBe(401);
    expect((await get(c, null, '/api/patrol/coverage')).statusCode).toBe(401);
    expect((await get(c, null, '/api/patrol/tracks')).statusCode).toBe(401);
    expect((await c.app.inject({ method: 'POST', url: '/api/patrol/positions', payload: { fixes: [] } })).statusCode).toBe(401);
    expect((await get(c, 'crew1', '/api/patrol/last-positions')).statusCode).toBe(403);
    expect((await get(c, 'crew1', '/api/patrol/coverage')).statusCode).toBe(403);
    expect((await get(c, 'crew1', `/api/patrol/tracks?user_id=${c.ids.inspector1}`)).statusCode).toBe(403);
    expect((await get(c, 'crew1', '/api/patrol/tracks')).statusCode).toBe(403);
    expect((await post(c, 'crew1', '/api/patrol/duty', { on_duty: true })).statusCode).toBe(403);
    expect((await post(c, 'leader1', '/api/patrol/positions', { fixes: [] })).statusCode).toBe(403);
    expect((await get(c, 'inspector1', '/api/patrol/last-positions')).statusCode).toBe(403);
    expect((await get(c, 'inspector1', '/api/patrol/coverage')).statusCode).toBe(403);
    expect((await get(c, 'inspector2', `/api/patrol/tracks?user_id=${c.ids.inspector1}`)).statusCode).toBe(403);
    expect((await get(c, 'inspector1', `/api/patrol/tracks?user_id=${c.ids.inspector1}`)).statusCode).toBe(200);
    expect((await get(c, 'leader1', `/api/patrol/tracks?user_id=${c.ids.leader1}`)).statusCode).toBe(404); // not an inspector
  }));

  test('bad input: 400 naming what is wrong', () => withPatrolApp(backend, async (c) => {
    const fix = { at: DUTY_START.toISOString(), lon: 116.4, lat: 39.9 };
    const bad = [
      { fixes: Array.from({ length: 501 }, () => fix) },
      { fixes: [{ ...fix, lon: 200 }] },
      { fixes: [{ ...fix, at: 'yesterday' }] },
      { fixes: [{ ...fix, lon: '116.4' }] },
      { fixes: [{ ...fix, accuracy_m: -1 }] },
      { fixes: [{ ...fix, altitude: 3 }] },
      { fixs: [] },
    ];
    for (const body of bad) {
      const res = await post(c, 'inspector1', '/api/patrol/positions', body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
    }
    expect((await post(c, 'inspector1', '/api/patrol/duty', { on_duty: 'yes' })).statusCode).toBe(400);
    expect((await post(c, 'inspector1', '/api/patrol/duty', {})).statusCode).toBe(400);
    const me = `user_id=${c.ids.inspector1}`;
    for (const q of [`${me}&date=2026-02-30`, `${me}&date=today`, 'user_id=abc', 'user_id=0', 'user_id=99999999999', 'date=2026-03-01']) {
      const res = await get(c, 'leader1', `/api/patrol/tracks?${q}`);
      expect(res.statusCode, q).toBe(400); // the last: a leader must say whose track
    }
    expect((await get(c, 'leader1', '/api/patrol/coverage?date=2026-13-01')).statusCode).toBe(400);
    expect((await get(c, 'leader1', '/api/patrol/coverage?day=2026-03-01')).statusCode).toBe(400);
    // per fix: in the future, too old, too inaccurate are rejected with their reason, not stored
    await post(c, 'inspector1', '/api/patrol/duty', { on_duty: true });
    const r = await post(c, 'inspector1', '/api/patrol/positions', { fixes: [
      { ...fix, id: 'future', at: new Date(DUTY_START.getTime() + 3600_000).toISOString() },
      { ...fix, id: 'old', at: '2025-01-01T00:00:00Z' },
      { ...fix, id: 'fuzzy', accuracy_m: 5000 },
    ] });
    expect(r.json().rejections.map((x: { reason: string }) => x.reason)).toEqual(['in_future', 'too_old', 'inaccurate']);
    expect(await storedFixes(c.db, c.ids.inspector1)).toBe(0);
  }));

  test('the purge deletes fixes older than the retention and keeps the rest', () => withPatrolApp(backend, async (c) => {
    await post(c, 'inspector1', '/api/patrol/duty', { on_duty: true });
    c.clock.t = LATER;
    await post(c, 'inspector1', '/api/patrol/positions', { fixes: [
      { id: 'early', at: new Date(DUTY_START.getTime() + 60_000).toISOString(), lon: 116.4, lat: 39.9 },
      { id: 'late', at: new Date(LATER.getTime() - 60_000).toISOString(), lon: 116.4, lat: 39.9 },
    ] }, 'p1');
    // 90 days after the first fix, and 3 hours: the first is out of the retention, the second not yet
    const now = new Date(DUTY_START.getTime() + 90 * 86_400_000 + 3 * 3600_000);
    const r = await purgeTracks({ db: c.db, clock: { now: () => now }, retention_days: 90 });
    expect(r).toMatchObject({ positions: 1, keys: 1 });
    const { rows } = await c.db.query<{ fix_key: string }>('select fix_key from patrol_positions where user_id = $1', [c.ids.inspector1]);
    expect(rows.map((x) => x.fix_key)).toEqual(['late']);
    expect((await purgeTracks({ db: c.db, clock: { now: () => now }, retention_days: 90 })).positions).toBe(0);
  }));
});
