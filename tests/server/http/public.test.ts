// The public report and "track my report" API (issue 11 §Public web): proof of work → ticket → photos → report (case
// number + tracking code, retry-safe) → track (public steps, reply, approved photos without EXIF, rating); quotas with
// 429 + Retry-After; wrong, expired and reused solutions; the same 404 for a wrong code and an unknown case; and no
// public answer carries the reporter's contact or a staff member's name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { findCaseByTracking } from '../../../server/db/public.js';
import { PUBLIC_QUOTAS, solveChallenge, solves } from '../../../server/domain/public.js';
import { inspectImage } from '../../../server/domain/images.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';
import { pointInGrid } from '../../helpers/cases.js';
import { gpsTags, jpeg, tiff } from '../../fixtures/images/build.js';

const dir = mkdtempSync(join(tmpdir(), 'gridline-public-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const USERS = ['inspector1', 'inspector2', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1'] as const;
type U = (typeof USERS)[number];

type Ctx = {
  app: FastifyInstance; db: Queryable; as(u: U): Promise<Record<string, string>>;
  clock: { now(): Date; advance(seconds: number): void };
  /** Every answer of a public endpoint, for the privacy scan. */
  seen: string[];
  pub(opts: InjectOptions): Promise<LightMyRequestResponse>;
};

function withPublicApp<T>(backend: Backend, fn: (c: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    let now = new Date('2026-11-23T15:00:00Z');
    const clock = { now: () => now, advance: (s: number) => { now = new Date(now.getTime() + s * 1000); } };
    const app = await buildApp(testConfig({ GRIDLINE_PHOTO_DIR: dir }), { db, clock });
    const tokens = new Map<U, Record<string, string>>();
    const seen: string[] = [];
    try {
      return await fn({
        app, db, clock, seen,
        as: async (u) => {
          if (!tokens.has(u)) {
            const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 'demo' } });
            expect(login.statusCode, login.body).toBe(200);
            tokens.set(u, { authorization: `Bearer ${login.json().token}` });
          }
          return tokens.get(u)!;
        },
        pub: async (opts) => {
          const res = await app.inject(opts);
          seen.push(JSON.stringify(res.headers) + res.body);
          return res;
        },
      });
    } finally {
      await app.close();
    }
  });
}

const ip = () => `198.51.100.${1 + Math.floor(Math.random() * 250)}`;

/** GET a challenge, solve it, POST it: an upload ticket. */
async function ticket(c: Ctx, remoteAddress = '203.0.113.10'): Promise<string> {
  const ch = await c.pub({ method: 'GET', url: '/api/public/challenge', remoteAddress });
  expect(ch.statusCode, ch.body).toBe(200);
  const { challenge, bits } = ch.json();
  const t = await c.pub({ method: 'POST', url: '/api/public/tickets', remoteAddress, payload: { challenge, nonce: solveChallenge(challenge, bits) } });
  expect(t.statusCode, t.body).toBe(201);
  return t.json().ticket;
}

/** A 16×8 JPEG whose EXIF has the camera's make, an orientation and a GPS position. */
const photoWithGps = (seed: number) => jpeg(16 + seed, 8, { exif: tiff(true, { ifd0: [{ tag: 0x010f, type: 2, value: 'JaneCam' }, { tag: 0x0112, type: 3, value: [6] }], gps: gpsTags(42.37, -71.1) }) });

async function upload(c: Ctx, t: string, bytes: Buffer, remoteAddress = '203.0.113.10') {
  return c.pub({ method: 'POST', url: '/api/public/photos', remoteAddress, headers: { 'content-type': 'image/jpeg', 'x-upload-ticket': t }, payload: bytes });
}

const CONTACT = { name: 'Zhang Sanfeng', phone: '13812345678', email: 'zsf@example.org', notify: true };

async function act(c: Ctx, users: U[], id: string, action: string, fields: Record<string, unknown> = {}) {
  let last = '';
  for (const u of users) {
    const h = await c.as(u);
    const cur = await c.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: h });
    if (cur.statusCode !== 200) { last = cur.body; continue; }
    const res = await c.app.inject({ method: 'POST', url: `/api/cases/${id}/actions`, headers: h, payload: { action, version: cur.json().version, ...fields } });
    if (res.statusCode === 200) return res.json();
    last = res.body;
  }
  throw new Error(`${action}: ${last}`);
}

describe.each(testBackends())('public report and tracking on %s', (backend) => {
  // PGlite opens in the first test that asks for it (a minute or more on a loaded machine): open it here instead
  beforeAll(() => withTestDb(backend, async () => {}), 900_000);

  test('report with a photo → case number and code; a retry creates nothing; track shows the steps; the contact is stored', () => withPublicApp(backend, async (c) => {
    const p = await pointInGrid(c.db);
    const t = await ticket(c);
    const ph = await upload(c, t, photoWithGps(0));
    expect(ph.statusCode, ph.body).toBe(201);
    const marker = `public-report-${Math.random()}`;
    const body = { ticket: t, class_code: '06010', lon: p.lon, lat: p.lat, description: marker, photo_ids: [ph.json().id], contact: CONTACT, lang: 'en' };
    const key = { 'idempotency-key': `k-${marker}` };
    const first = await c.pub({ method: 'POST', url: '/api/public/reports', remoteAddress: '203.0.113.10', headers: key, payload: body });
    expect(first.statusCode, first.body).toBe(201);
    const r = first.json();
    expect(r).toMatchObject({ status: 'received' });
    expect(r.case_no).toMatch(/\S/);
    expect(r.tracking_code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    const rows = (await c.db.query<{ id: string; district_code: string; source: string; kind: string; reporter_name: string; reporter_phone: string }>(
      'select id::text as id, district_code, source, kind, reporter_name, reporter_phone from cases where description = $1', [marker])).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'public', kind: 'event', reporter_name: CONTACT.name, reporter_phone: CONTACT.phone });
    const contact = (await c.db.query('select name, phone, email, notify, lang from case_contacts where case_id = $1', [rows[0].id])).rows[0];
    expect(contact).toEqual({ name: CONTACT.name, phone: CONTACT.phone, email: CONTACT.email, notify: true, lang: 'en' });
    const stored = (await c.db.query<{ code_hash: string }>('select code_hash from case_tracking where case_id = $1', [rows[0].id])).rows[0];
    expect(stored.code_hash).not.toContain(r.tracking_code.replace(/-/g, ''));
    expect(await findCaseByTracking(c.db, r.case_no, r.tracking_code)).toEqual({ case_id: rows[0].id, district_code: rows[0].district_code });
    expect(await findCaseByTracking(c.db, r.case_no, r.tracking_code.toLowerCase().replace(/-/g, ' '))).toEqual({ case_id: rows[0].id, district_code: rows[0].district_code });
    expect(await findCaseByTracking(c.db, r.case_no, 'AAAA-AAAA-AAAA')).toBeNull();

    // the answer was lost: the retry with the same key and ticket gives the same case and a fresh code, creates nothing
    const again = await c.pub({ method: 'POST', url: '/api/public/reports', remoteAddress: '203.0.113.10', headers: key, payload: body });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().case_no).toBe(r.case_no);
    expect((await c.db.query('select 1 from cases where description = $1', [marker])).rows).toHaveLength(1);
    const code = again.json().tracking_code;
    expect(await findCaseByTracking(c.db, r.case_no, r.tracking_code)).toBeNull();

    const tr = await c.pub({ method: 'POST', url: '/api/public/track', remoteAddress: '203.0.113.11', payload: { case_no: r.case_no, code } });
    expect(tr.statusCode, tr.body).toBe(200);
    expect(tr.json()).toMatchObject({
      case_no: r.case_no, stage: 'received', class_code: '06010', description: marker, steps: [{ step: 'received' }],
      reply: null, photos: [], photos_withheld: 1, rating: null, can_rate: false,
    });
    expect(tr.headers['cache-control']).toBe('no-store');

    // the same ticket cannot make a second report; no key at all is refused
    const other = await c.pub({ method: 'POST', url: '/api/public/reports', remoteAddress: '203.0.113.30', headers: { 'idempotency-key': 'other' }, payload: body });
    expect(other.statusCode).toBe(409);
    expect(other.json().error).toMatchObject({ code: 'conflict' });
    const t2 = await ticket(c);
    const noKey = await c.pub({ method: 'POST', url: '/api/public/reports', remoteAddress: '203.0.113.31', payload: { ...body, ticket: t2, photo_ids: [] } });
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().error.code).toBe('bad_request');
    // a photo not uploaded with this ticket cannot be cited
    const foreign = await c.pub({ method: 'POST', url: '/api/public/reports', remoteAddress: '203.0.113.32', headers: { 'idempotency-key': 'f' }, payload: { ...body, ticket: t2 } });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().error.details.unknown_photo_ids).toEqual([ph.json().id]);
    // notify without a way to reach the reporter; a phone that is none
    const bad1 = await c.pub({ method: 'POST', url: '/api/public/reports', remoteAddress: '203.0.113.33', headers: { 'idempotency-key': 'b1' }, payload: { ...body, ticket: t2, photo_ids: [], contact: { notify: true } } });
    expect(bad1.statusCode).toBe(422);
    const bad2 = await c.pub({ method: 'POST', url: '/api/public/reports', remoteAddress: '203.0.113.12', headers: { 'idempotency-key': 'b2' }, payload: { ...body, ticket: t2, photo_ids: [], contact: { phone: '12' } } });
    expect(bad2.statusCode).toBe(422);
    expect(bad2.json().error.details).toHaveProperty(['contact.phone']);
  }));

  test('proof of work: a wrong, expired, altered or reused solution is a 4xx in our error shape; ticket limits', () => withPublicApp(backend, async (c) => {
    const at = ip();
    const get = async () => (await c.pub({ method: 'GET', url: '/api/public/challenge', remoteAddress: at })).json() as { challenge: string; bits: number };
    const post = (payload: Record<string, unknown>) => c.pub({ method: 'POST', url: '/api/public/tickets', remoteAddress: at, payload });

    const a = await get();
    const nonce = solveChallenge(a.challenge, a.bits);
    let wrong = 0;
    while (solves(a.challenge, String(wrong), a.bits)) wrong++; // a nonce that does not solve it
    const w = await post({ challenge: a.challenge, nonce: String(wrong) });
    expect(w.statusCode).toBe(400);
    expect(w.json().error).toMatchObject({ code: 'bad_request', details: { nonce: 'not a solution' } });
    const altered = await post({ challenge: a.challenge.replace(/\.(\d+)\./, (_m, s) => `.${Number(s) + 1}.`), nonce });
    expect(altered.statusCode).toBe(400);
    expect(altered.json().error.details).toEqual({ challenge: 'not issued here' });

    const ok = await post({ challenge: a.challenge, nonce });
    expect(ok.statusCode).toBe(201);
    const reused = await post({ challenge: a.challenge, nonce });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error).toMatchObject({ code: 'conflict', details: { challenge: 'used' } });

    const b = await get();
    const bn = solveChallenge(b.challenge, b.bits);
    c.clock.advance(301);
    const expired = await post({ challenge: b.challenge, nonce: bn });
    expect(expired.statusCode).toBe(400);
    expect(expired.json().error).toMatchObject({ code: 'bad_request', details: { challenge: 'expired' } });

    // a ticket carries 3 photos; an unknown ticket is 403; an expired one too
    const t = ok.json().ticket as string;
    for (let i = 0; i < 3; i++) expect((await upload(c, t, photoWithGps(i + 1), at)).statusCode).toBe(201);
    const fourth = await upload(c, t, photoWithGps(9), at);
    expect(fourth.statusCode).toBe(422);
    expect(fourth.json().error.code).toBe('unprocessable');
    expect((await upload(c, t, photoWithGps(1), at)).statusCode).toBe(201); // the same photo again: still one of the three
    const unknown = await upload(c, 'x'.repeat(32), photoWithGps(1), at);
    expect(unknown.statusCode).toBe(403);
    expect(unknown.json().error).toMatchObject({ code: 'forbidden' });
    const html = await upload(c, t, Buffer.from('<html>hi</html>'), at);
    expect(html.statusCode).toBe(415);
    c.clock.advance(3600);
    const late = await upload(c, t, photoWithGps(1), at);
    expect(late.statusCode).toBe(403);
    expect(late.json().error.details).toEqual({ ticket: 'expired' });
  }));

  test('quotas per address: 429 with Retry-After past the limit, other addresses unaffected', () => withPublicApp(backend, async (c) => {
    const p = await pointInGrid(c.db);
    const at = ip();
    const report = (remoteAddress: string) => c.pub({
      method: 'POST', url: '/api/public/reports', remoteAddress, headers: { 'idempotency-key': `q-${Math.random()}` },
      payload: { ticket: 'y'.repeat(32), class_code: '06010', lon: p.lon, lat: p.lat },
    });
    for (let i = 0; i < PUBLIC_QUOTAS.report.limit; i++) expect((await report(at)).statusCode).toBe(403); // counted, though refused
    const refused = await report(at);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(PUBLIC_QUOTAS.report.window_s);
    expect(refused.json().error).toMatchObject({ code: 'too_many_requests' });
    expect(refused.json().error.message).toMatch(/try again in/);
    expect((await report(ip() === at ? '192.0.2.1' : '192.0.2.2')).statusCode).toBe(403); // another address
    c.clock.advance(PUBLIC_QUOTAS.report.window_s + 1);
    expect((await report(at)).statusCode).toBe(403); // the window has passed

    for (let i = 0; i < PUBLIC_QUOTAS.photo.limit; i++) expect((await upload(c, 'z'.repeat(32), photoWithGps(0), at)).statusCode).toBe(403);
    const ph = await upload(c, 'z'.repeat(32), photoWithGps(0), at);
    expect(ph.statusCode).toBe(429);
    expect(ph.headers['retry-after']).toBeDefined();

    const track = () => c.pub({ method: 'POST', url: '/api/public/track', remoteAddress: at, payload: { case_no: 'nope', code: 'AAAA-AAAA-AAAA' } });
    for (let i = 0; i < PUBLIC_QUOTAS.track.limit; i++) expect((await track()).statusCode).toBe(404);
    const tr = await track();
    expect(tr.statusCode).toBe(429);
    expect(tr.headers['retry-after']).toBeDefined();
  }));

  test('a closed case: steps, public reply, photos after approval (audited) without EXIF, rating; no contact or staff name in any public answer', () => withPublicApp(backend, async (c) => {
    const { rows: [g] } = await c.db.query<{ lon: number; lat: number }>(
      `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from grids order by code offset 5 limit 1) s`);
    const t = await ticket(c);
    const before = (await upload(c, t, photoWithGps(0))).json();
    const r = (await c.pub({
      method: 'POST', url: '/api/public/reports', remoteAddress: '203.0.113.10', headers: { 'idempotency-key': `k-${Math.random()}` },
      payload: { ticket: t, class_code: '06010', lon: g.lon, lat: g.lat, description: 'Rubbish by the bus stop', photo_ids: [before.id], contact: CONTACT },
    })).json();
    const id = (await c.db.query<{ id: string }>('select id::text as id from cases where case_no = $1', [r.case_no])).rows[0].id;
    const crewDept = (await c.db.query<{ d: number }>(`select department_id::int as d from users where username = 'crew1'`)).rows[0].d;
    const after = await c.app.inject({ method: 'POST', url: '/api/photos', headers: { ...(await c.as('crew1')), 'content-type': 'image/jpeg' }, payload: photoWithGps(5) });
    expect(after.statusCode).toBe(201);

    await act(c, ['operator1'], id, 'send_verify');
    await act(c, ['inspector1', 'inspector2'], id, 'verify', { found: true });
    await act(c, ['operator1'], id, 'accept');
    await act(c, ['shiftlead1'], id, 'file');
    await act(c, ['dispatcher1'], id, 'dispatch', { department_id: crewDept });
    await act(c, ['crew1'], id, 'feedback', { note: 'Cleared by crew1', photo_ids: [after.json().id] });
    await act(c, ['operator1'], id, 'send_check');
    await act(c, ['inspector1', 'inspector2'], id, 'check', { passed: true });
    await act(c, ['shiftlead1'], id, 'close');

    const track = async () => {
      const res = await c.pub({ method: 'POST', url: '/api/public/track', remoteAddress: '203.0.113.20', payload: { case_no: r.case_no, code: r.tracking_code } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    let tr = await track();
    expect(tr.stage).toBe('closed');
    expect(tr.steps.map((s: { step: string }) => s.step)).toEqual(['received', 'verifying', 'verified', 'accepted', 'filed', 'dispatched', 'handled', 'checking', 'checked', 'closed']);
    expect(tr).toMatchObject({ photos: [], photos_withheld: 2, can_rate: true, rating: null, reply: null });

    // the crew writes the public reply; an inspector may not approve photos; the operator approves both
    const crew = await c.app.inject({ method: 'PUT', url: `/api/cases/${id}/public-reply`, headers: await c.as('crew1'), payload: { reply: 'The rubbish was removed on Monday.' } });
    expect(crew.statusCode, crew.body).toBe(200);
    const insp = await c.app.inject({ method: 'PUT', url: `/api/cases/${id}/public-photos/${before.id}`, headers: await c.as('inspector1') });
    expect(insp.statusCode).toBe(403);
    for (const pid of [before.id, after.json().id]) {
      const ok = await c.app.inject({ method: 'PUT', url: `/api/cases/${id}/public-photos/${pid}`, headers: await c.as('operator1') });
      expect(ok.statusCode, ok.body).toBe(200);
    }
    const notHis = await c.app.inject({ method: 'PUT', url: `/api/cases/${id}/public-photos/${'0'.repeat(64)}`, headers: await c.as('operator1') });
    expect(notHis.statusCode).toBe(404);
    const side = await c.app.inject({ method: 'GET', url: `/api/cases/${id}/public`, headers: await c.as('operator1') });
    expect(side.json()).toMatchObject({ withhold_photos: true, can_approve: true, reply: { text: 'The rubbish was removed on Monday.' } });
    expect(side.json().approved_photo_ids.sort()).toEqual([before.id, after.json().id].sort());
    const audits = (await c.db.query<{ action: string }>(`select action from audit_log where target = $1 and action like 'case.p%' order by id`, [`case:${id}`])).rows.map((x) => x.action);
    expect(audits).toEqual(['case.public_reply', 'case.photo_public_approve', 'case.photo_public_approve']);

    tr = await track();
    expect(tr.reply).toMatchObject({ text: 'The rubbish was removed on Monday.' });
    expect(tr.photos_withheld).toBe(0);
    expect(tr.photos.map((x: { side: string }) => x.side)).toEqual(['before', 'after']);
    const img = await c.pub({ method: 'GET', url: tr.photos[0].url });
    expect(img.statusCode, img.body).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');
    const bytes = img.rawPayload;
    expect(bytes.includes(Buffer.from('JaneCam'))).toBe(false);
    const info = inspectImage(bytes, { maxPixels: 1e6 });
    expect(info).toMatchObject({ width: 16, height: 8 });
    expect(info.exif ?? { lat: null, lon: null, taken_local: null, gps_time: null }).toMatchObject({ lat: null, lon: null, taken_local: null, gps_time: null }); // only the orientation is left
    // an altered link, or one of another case: 404
    expect((await c.pub({ method: 'GET', url: tr.photos[0].url.replace(/sig=(.)/, (_m: string, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`) })).statusCode).toBe(404);
    // withdrawn: gone from the page and from the link
    await c.app.inject({ method: 'DELETE', url: `/api/cases/${id}/public-photos/${before.id}`, headers: await c.as('operator1') });
    expect((await c.pub({ method: 'GET', url: tr.photos[0].url })).statusCode).toBe(404);

    // the rating given (table case_ratings of migration 0036) is shown; no second one offered
    await c.db.query(`insert into case_ratings (case_id, rating, score, comment, channel, rated_at, district_code) select id, 'satisfied', 100, 'Quick, thanks', 'public', $2, district_code from cases where id = $1`, [id, c.clock.now()]);
    tr = await track();
    expect(tr).toMatchObject({ rating: { rating: 'satisfied', comment: 'Quick, thanks' }, can_rate: false, photos_withheld: 1 });

    // the same 404 for a wrong code and an unknown case number
    const wrong = await c.pub({ method: 'POST', url: '/api/public/track', remoteAddress: '203.0.113.21', payload: { case_no: r.case_no, code: 'AAAA-AAAA-AAAA' } });
    const none = await c.pub({ method: 'POST', url: '/api/public/track', remoteAddress: '203.0.113.21', payload: { case_no: '900001-29991231-9999', code: r.tracking_code } });
    expect(wrong.statusCode).toBe(404);
    expect(none.statusCode).toBe(404);
    expect(wrong.body).toBe(none.body);

    // privacy: no public answer names the reporter, their phone or e-mail, or a staff member
    const staff = (await c.db.query<{ username: string; display_name: string | null }>(`select username, display_name from users where username = any($1)`, [[...USERS]])).rows;
    const needles = [CONTACT.name, CONTACT.phone, CONTACT.email, ...staff.flatMap((s) => [s.username, s.display_name ?? '']).filter((s) => s.length > 2)];
    expect(c.seen.length).toBeGreaterThan(10);
    for (const body of c.seen) for (const n of needles) expect(body.includes(n), `${n} in ${body.slice(0, 200)}`).toBe(false);
  }));
});
