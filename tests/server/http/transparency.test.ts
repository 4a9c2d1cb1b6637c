// The transparency page's API over HTTP (政务公开, issue 11): a month's figures per street and community with the
// definitions spelled out here in SQL (received = reported in the month; closed = closed in the month; on time = not
// handled late; average handling = dispatch → feedback of those closed cases), the recent closed cases with their
// before/after photos only once approved where the district withholds them, served without EXIF; ETag and 304; bad
// input is 400; and no public answer of this page (nor the rating answers) carries the reporter's name, phone,
// contact, the description, or a staff member's username or name. Every engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { solveChallenge } from '../../../server/domain/public.js';
import { inspectImage } from '../../../server/domain/images.js';
import { sharedPglite, testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { loginHeaders, testConfig } from '../../helpers/app.js';
import { pointInGrid } from '../../helpers/cases.js';
import { gpsTags, jpeg, tiff } from '../../fixtures/images/build.js';

const dir = mkdtempSync(join(tmpdir(), 'gridline-transparency-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const USERS = ['inspector1', 'inspector2', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1', 'admin'] as const;
type U = (typeof USERS)[number];
type Ctx = {
  app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>>; clock: { advance(min: number): void; now(): Date };
  /** Every answer of a public endpoint (headers and body), for the privacy scan. */
  seen: string[];
  pub(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
};

function withApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    let now = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing
    const clock = { now: () => now, advance: (m: number) => { now = new Date(now.getTime() + m * 60_000); } };
    const app = await buildApp(testConfig({ GRIDLINE_PHOTO_DIR: dir }), { db, clock });
    const seen: string[] = [];
    try {
      return await fn({
        app, db, clock, seen, h: await loginHeaders(app, USERS),
        pub: async (url, headers = {}) => {
          const res = await app.inject({ url, headers });
          seen.push(JSON.stringify(res.headers) + res.rawPayload.toString('latin1'));
          return res;
        },
      });
    } finally {
      await app.close();
    }
  });
}

const REPORTER = { name: 'Zhao Xiaoyun', phone: '13987654321' };
const CALLER = { name: '钱多多', phone: '13711112222' };
const SECRET_TEXT = 'my flat 12B next to the red door';
/** A JPEG whose EXIF names the camera and a GPS position. */
const photoWithGps = (seed: number) => jpeg(16 + seed, 8, { exif: tiff(true, { ifd0: [{ tag: 0x010f, type: 2, value: 'JaneCam' }], gps: gpsTags(42.37, -71.1) }) });

async function act(ctx: Ctx, users: U[], id: string, action: string, fields: Record<string, unknown> = {}) {
  ctx.clock.advance(3);
  for (const u of users) {
    const cur = await ctx.app.inject({ url: `/api/cases/${id}`, headers: ctx.h[u] });
    if (cur.statusCode !== 200) continue;
    const res = await ctx.app.inject({ method: 'POST', url: `/api/cases/${id}/actions`, headers: ctx.h[u], payload: { action, version: cur.json().version, ...fields } });
    expect(res.statusCode, `${u} ${action}: ${res.body}`).toBe(200);
    return res.json();
  }
  throw new Error(`nobody may ${action}`);
}

/** A public report with a photo, through H3's public API; closed by the crew with an after-photo. */
async function closedPublicCase(ctx: Ctx): Promise<{ id: string; case_no: string; code: string; before: string; after: string; street: string; community: string }> {
  const remoteAddress = '198.51.100.33';
  const ch = (await ctx.app.inject({ url: '/api/public/challenge', remoteAddress })).json();
  const ticket = (await ctx.app.inject({ method: 'POST', url: '/api/public/tickets', remoteAddress, payload: { challenge: ch.challenge, nonce: solveChallenge(ch.challenge, ch.bits) } })).json().ticket;
  const up = await ctx.app.inject({ method: 'POST', url: '/api/public/photos', remoteAddress, headers: { 'content-type': 'image/jpeg', 'x-upload-ticket': ticket }, payload: photoWithGps(1) });
  expect(up.statusCode, up.body).toBe(201);
  const p = await pointInGrid(ctx.db, 6);
  const r = await ctx.app.inject({ method: 'POST', url: '/api/public/reports', remoteAddress, headers: { 'idempotency-key': `t-${Math.random()}` },
    payload: { ticket, class_code: '06010', lon: p.lon, lat: p.lat, description: SECRET_TEXT, photo_ids: [up.json().id], contact: REPORTER } });
  expect(r.statusCode, r.body).toBe(201);
  const { rows: [c] } = await ctx.db.query<{ id: string; street_code: string; community_code: string }>(
    'select id::text as id, street_code, community_code from cases where case_no = $1', [r.json().case_no]);
  const after = await ctx.app.inject({ method: 'POST', url: '/api/photos', headers: { ...ctx.h.crew1, 'content-type': 'image/jpeg' }, payload: photoWithGps(2) });
  expect(after.statusCode, after.body).toBe(201);
  await act(ctx, ['operator1'], c.id, 'send_verify');
  await act(ctx, ['inspector1', 'inspector2'], c.id, 'verify', { found: true });
  await act(ctx, ['operator1'], c.id, 'accept');
  await act(ctx, ['shiftlead1'], c.id, 'file');
  await act(ctx, ['dispatcher1'], c.id, 'dispatch');
  await act(ctx, ['crew1'], c.id, 'feedback', { note: 'cleared by crew1', photo_ids: [after.json().id] });
  await act(ctx, ['operator1'], c.id, 'send_check');
  await act(ctx, ['inspector1', 'inspector2'], c.id, 'check', { passed: true });
  await act(ctx, ['shiftlead1'], c.id, 'close');
  return { id: c.id, case_no: r.json().case_no, code: r.json().tracking_code, before: up.json().id, after: after.json().id, street: c.street_code, community: c.community_code };
}

/** The page's definitions, in SQL, for one region column and November 2026 in Beijing. */
async function expected(db: Queryable, col: 'street_code' | 'community_code', code: string) {
  const start = '2026-10-31T16:00:00Z';
  const end = '2026-11-30T16:00:00Z';
  const { rows: [r] } = await db.query<{ received: string; closed: string; on_time: string }>(
    `select count(*) filter (where created_at >= $2 and created_at < $3) as received,
            count(*) filter (where status = 'closed' and closed_at >= $2 and closed_at < $3) as closed,
            count(*) filter (where status = 'closed' and closed_at >= $2 and closed_at < $3 and not handled_late) as on_time
       from cases where ${col} = $1`, [code, start, end]);
  const { rows: [h] } = await db.query<{ w: number | null; n: string }>(
    `select avg(d.working_hours) as w, count(*) as n from case_dispatches d join cases c on c.id = d.case_id and c.district_code = d.district_code
      where c.${col} = $1 and c.status = 'closed' and c.closed_at >= $2 and c.closed_at < $3 and d.outcome = 'feedback'`, [code, start, end]);
  return { received: Number(r.received), closed: Number(r.closed), closed_on_time: Number(r.on_time), handled: Number(h.n), avg: h.w === null ? null : Math.round(Number(h.w) * 10) / 10 };
}

// The shared PGlite starts once per worker; on a busy machine that alone can outlast a test's timeout.
beforeAll(async () => { if (testBackends().includes('pglite')) await sharedPglite(); }, 600_000);

describe.each(testBackends())('transparency page API ($name)', (backend) => {
  test('figures per street and community for a month, recent closed cases with approved photos without EXIF, ETag; nothing personal anywhere', () => withApp(backend, async (ctx) => {
    const c = await closedPublicCase(ctx);
    // a hotline call with the caller's name and phone, closed too
    const p = await pointInGrid(ctx.db, 6);
    const hot = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.operator1,
      payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, source: 'hotline', description: SECRET_TEXT, reporter_name: CALLER.name, reporter_phone: CALLER.phone } });
    expect(hot.statusCode, hot.body).toBe(201);
    const hotId = hot.json().id;
    await act(ctx, ['operator1'], hotId, 'send_verify');
    await act(ctx, ['inspector1', 'inspector2'], hotId, 'verify', { found: true });
    await act(ctx, ['operator1'], hotId, 'accept');
    await act(ctx, ['shiftlead1'], hotId, 'file');
    await act(ctx, ['dispatcher1'], hotId, 'dispatch');
    await act(ctx, ['crew1'], hotId, 'feedback', { photo_ids: [c.after] });
    await act(ctx, ['operator1'], hotId, 'send_check');
    await act(ctx, ['inspector1', 'inspector2'], hotId, 'check', { passed: true });
    await act(ctx, ['shiftlead1'], hotId, 'close');

    for (const [level, col, code] of [['street', 'street_code', c.street], ['community', 'community_code', c.community]] as const) {
      const res = await ctx.pub(`/api/public/transparency?month=2026-11&level=${level}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ month: '2026-11', from: '2026-11-01', to: '2026-11-30', level });
      const row = body.items.find((r: { code: string }) => r.code === code);
      const want = await expected(ctx.db, col, code);
      expect(want.closed).toBeGreaterThanOrEqual(2);
      expect(row).toMatchObject({ received: want.received, closed: want.closed, closed_on_time: want.closed_on_time, handled: want.handled, avg_handling_hours: want.avg });
      expect(row.on_time_rate).toBeCloseTo(want.closed_on_time / want.closed, 4);
      expect(body.items.every((r: { name: string }) => typeof r.name === 'string' && r.name.length > 0)).toBe(true);
      expect(body.total.received).toBe(body.items.reduce((s: number, r: { received: number }) => s + r.received, 0));
    }
    // a month with no closings: counts 0 and "no data" (null), not 0 hours
    const old = (await ctx.pub('/api/public/transparency?month=2001-01')).json();
    expect(old.total).toMatchObject({ received: 0, closed: 0, on_time_rate: null, avg_handling_hours: null });

    // recent closed: newest first; the district withholds photos until an operator approves them (H3's setting)
    let recent = (await ctx.pub('/api/public/recent-closed?limit=50')).json();
    const closedAts = recent.items.map((i: { closed_at: string }) => i.closed_at);
    expect(closedAts).toEqual([...closedAts].sort().reverse());
    let mine = recent.items.find((i: { case_no: string }) => i.case_no === c.case_no);
    expect(mine).toMatchObject({ class_code: '06010', street_code: c.street, community_code: c.community, on_time: true, before_photos: [], after_photos: [] });
    expect(mine.department_name).toEqual(expect.any(String));
    const refused = await ctx.pub(`/api/public/transparency/photos/${c.case_no}/${c.before}`);
    expect(refused.statusCode).toBe(404);
    for (const pid of [c.before, c.after]) {
      const ok = await ctx.app.inject({ method: 'PUT', url: `/api/cases/${c.id}/public-photos/${pid}`, headers: ctx.h.operator1 });
      expect(ok.statusCode, ok.body).toBe(200);
    }
    recent = (await ctx.pub('/api/public/recent-closed?limit=50')).json();
    mine = recent.items.find((i: { case_no: string }) => i.case_no === c.case_no);
    expect(mine.before_photos).toHaveLength(1);
    expect(mine.after_photos).toHaveLength(1);
    const img = await ctx.pub(mine.before_photos[0].url);
    expect(img.statusCode, img.body).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');
    const info = inspectImage(new Uint8Array(img.rawPayload), { maxPixels: 1e6 });
    expect(info.exif).toBeNull();
    expect(img.rawPayload.includes('JaneCam')).toBe(false);
    expect((await ctx.pub(mine.before_photos[0].url, { 'if-none-match': img.headers.etag as string })).statusCode).toBe(304);
    // the same photo is not public through the hotline case (not approved there), nor an unknown one
    const hotNo = (await ctx.db.query<{ case_no: string }>('select case_no from cases where id = $1', [hotId])).rows[0].case_no;
    expect((await ctx.pub(`/api/public/transparency/photos/${hotNo}/${c.after}`)).statusCode).toBe(404);
    expect((await ctx.pub(`/api/public/transparency/photos/${c.case_no}/${'0'.repeat(64)}`)).statusCode).toBe(404);

    // ETag: 304 while nothing changed, a new one once something did
    const first = await ctx.pub('/api/public/recent-closed?limit=5');
    expect(first.headers.etag).toMatch(/^"/);
    expect(first.headers['cache-control']).toMatch(/public/);
    expect((await ctx.pub('/api/public/recent-closed?limit=5', { 'if-none-match': first.headers.etag as string })).statusCode).toBe(304);
    const month = await ctx.pub('/api/public/transparency?month=2026-11');
    expect((await ctx.pub('/api/public/transparency?month=2026-11', { 'if-none-match': month.headers.etag as string })).statusCode).toBe(304);
    const beforeRevoke = await ctx.pub('/api/public/recent-closed?limit=50');
    const revoke = await ctx.app.inject({ method: 'DELETE', url: `/api/cases/${c.id}/public-photos/${c.after}`, headers: ctx.h.operator1 });
    expect(revoke.statusCode, revoke.body).toBe(200);
    const changed = await ctx.pub('/api/public/recent-closed?limit=50', { 'if-none-match': beforeRevoke.headers.etag as string });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(beforeRevoke.headers.etag);
    expect(changed.json().items.find((i: { case_no: string }) => i.case_no === c.case_no).after_photos).toEqual([]);
    expect((await ctx.pub(mine.after_photos[0].url)).statusCode).toBe(404); // withdrawn: no longer public

    // the rating answers are public answers too
    const rate = await ctx.app.inject({ method: 'POST', url: `/api/public/cases/${c.case_no}/rating`, remoteAddress: '203.0.113.9', payload: { code: c.code, rating: 'satisfied', comment: 'thanks' } });
    expect(rate.statusCode, rate.body).toBe(201);
    ctx.seen.push(JSON.stringify(rate.headers) + rate.body);

    // the privacy scan
    const { rows: staff } = await ctx.db.query<{ username: string; display_name: string }>('select username, display_name from users');
    const secrets = [REPORTER.name, REPORTER.phone, CALLER.name, CALLER.phone, SECRET_TEXT, 'cleared by crew1', '138****', '139****',
      ...staff.map((u) => u.username), ...staff.map((u) => u.display_name).filter((n) => n && n.length >= 2)];
    expect(ctx.seen.length).toBeGreaterThan(10);
    for (const s of secrets) {
      for (const answer of ctx.seen) expect(answer.includes(s), `a public answer contains "${s}"`).toBe(false);
    }
  }));

  test('bad input is 400 with our error shape; the month may not be in the future', () => withApp(backend, async (ctx) => {
    for (const url of [
      '/api/public/transparency?month=2026-13', '/api/public/transparency?month=26-11', '/api/public/transparency?month=2027-01',
      '/api/public/transparency?level=grid', '/api/public/transparency?month=2026-11&extra=1',
      '/api/public/recent-closed?limit=0', '/api/public/recent-closed?limit=51', '/api/public/recent-closed?limit=x',
      '/api/public/transparency/photos/ABC/notahash',
    ]) {
      const res = await ctx.pub(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error, url).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    const def = await ctx.pub('/api/public/transparency');
    expect(def.statusCode).toBe(200);
    expect(def.json()).toMatchObject({ month: '2026-11', level: 'street' });
  }));
});
