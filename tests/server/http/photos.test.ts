import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { assertPhotosExist, getPhotos } from '../../../server/services/photos.js';
import { jpeg, png, pngHeaderOnly } from '../../fixtures/images/build.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/images/${name}`, import.meta.url));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gridline-photos-test-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under the test's photo_dir (relative paths). */
function storedFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p); else out.push(p.slice(dir.length + 1));
    }
  };
  walk(dir);
  return out;
}

async function countRows(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from photos');
  return rows[0].n;
}

const USERS = ['inspector1', 'inspector2', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1'] as const;
type U = (typeof USERS)[number];

type Ctx = {
  app: FastifyInstance; db: Queryable; headers: Record<string, string>;
  /** Authorization headers of the demo users (logged in on first use). */
  as(u: U): Promise<Record<string, string>>;
  clock: { now(): Date; advance(minutes: number): void };
};

/** The real app (buildApp, auth on) on a rolled-back transaction, a temporary photo_dir and a settable clock; `headers` are inspector1's. */
function withPhotoApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  return withTestDb(backend, async (db) => {
    let now = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing
    const clock = { now: () => now, advance: (m: number) => { now = new Date(now.getTime() + m * 60_000); } };
    const app = await buildApp(testConfig({ GRIDLINE_PHOTO_DIR: dir, ...env }), { db, clock });
    try {
      const tokens = new Map<U, Record<string, string>>();
      const as = async (u: U) => {
        if (!tokens.has(u)) {
          const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 'demo' } });
          expect(login.statusCode, login.body).toBe(200);
          tokens.set(u, { authorization: `Bearer ${login.json().token}` });
        }
        return tokens.get(u)!;
      };
      return await fn({ app, db, headers: await as('inspector1'), as, clock });
    } finally {
      await app.close();
    }
  });
}

/** A signed link as the server hands it out: /api/photos/{id}?u=…&exp=…&sig=… */
const SIGNED = /^\/api\/photos\/([0-9a-f]{64})\?u=([0-9]+)&exp=([0-9]+)&sig=([A-Za-z0-9_-]{43})$/;

/** A case reported by inspector1 in one of its responsibility grids, citing `photo_ids`. */
async function reportWith(c: Ctx, photo_ids: string[]) {
  const { rows } = await c.db.query<{ lon: number; lat: number }>(
    `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(g.geom) as p from grids g
       join responsibility_grid_members m on m.grid_code = g.code join responsibility_grids r on r.code = m.responsibility_code
       join users u on u.id = r.inspector_id where u.username = 'inspector1' order by g.code limit 1) s`);
  const res = await c.app.inject({ method: 'POST', url: '/api/cases', headers: c.headers,
    payload: { kind: 'event', class_code: '06010', lon: rows[0].lon, lat: rows[0].lat, description: 'photo visibility', photo_ids } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number };
}

const get = (c: Ctx, url: string, headers: Record<string, string> = {}) => c.app.inject({ method: 'GET', url, headers });

const upload = (c: Ctx, body: Buffer | string, contentType = 'image/png') =>
  c.app.inject({ method: 'POST', url: '/api/photos', headers: { ...c.headers, 'content-type': contentType }, payload: body });

describe.each(testBackends())('photos over HTTP on %s', (backend) => {
  test('a PNG upload is 201, stored by hash, and GET returns the same bytes with its type', () => withPhotoApp(backend, async (c) => {
    const bytes = fixture('gradient-3x2.png');
    const id = sha256(bytes);
    const res = await upload(c, bytes);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id, mime: 'image/png', bytes: bytes.length, width: 3, height: 2, exif: null, url: expect.stringMatching(SIGNED) });
    expect(res.headers.location).toBe(`/api/photos/${id}`);
    expect(storedFiles()).toEqual([join(id.slice(0, 2), id.slice(2, 4), `${id}.png`)]);

    // The uploader, by its token: checked at each request, revalidated with the ETag.
    const byToken = await get(c, `/api/photos/${id}`, c.headers);
    expect(byToken.statusCode).toBe(200);
    expect(byToken.headers['content-type']).toBe('image/png');
    expect(byToken.headers['cache-control']).toBe('private, no-cache');
    expect(byToken.headers.etag).toBe(`"${id}"`);
    expect(byToken.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(byToken.rawPayload, bytes)).toBe(0);

    // The signed link of the answer: no token; cached until the link expires (at least the configured 60 minutes).
    const link = await get(c, res.json().url);
    expect(link.statusCode).toBe(200);
    expect(Buffer.compare(link.rawPayload, bytes)).toBe(0);
    const maxAge = Number(/^private, max-age=([0-9]+), immutable$/.exec(link.headers['cache-control'] as string)?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(3600);
    expect(maxAge).toBeLessThanOrEqual(3600 + 900);

    const again = await get(c, `/api/photos/${id}`, { ...c.headers, 'if-none-match': `"${id}"` });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    // No 304 (nor anything else) for a caller who may not read it, even naming the right ETag.
    expect((await get(c, `/api/photos/${id}`, { 'if-none-match': `"${id}"` })).statusCode).toBe(404);
  }));

  test('the same bytes again are 201 with the same answer: one row, one file; nobody learns the photo existed', () => withPhotoApp(backend, async (c) => {
    const bytes = fixture('gradient-3x2.png');
    const before = await countRows(c.db);
    const first = await upload(c, bytes);
    const second = await upload(c, bytes, 'application/octet-stream');
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.json()).toEqual(first.json()); // the same link too: expiries are rounded, so caches hit
    expect(await countRows(c.db)).toBe(before + 1);
    expect(storedFiles()).toHaveLength(1);

    // Another user sending the same bytes gets the same answer and may then read the photo: it uploaded it.
    const other = await c.as('inspector2');
    expect((await get(c, `/api/photos/${first.json().id}`, other)).statusCode).toBe(404); // before: not inspector2's
    const third = await c.app.inject({ method: 'POST', url: '/api/photos', headers: { ...other, 'content-type': 'image/png' }, payload: bytes });
    expect(third.statusCode).toBe(201);
    const { url: url3, ...rest3 } = third.json();
    const { url: url1, ...rest1 } = first.json();
    expect(rest3).toEqual(rest1);
    expect(url3).not.toBe(url1); // signed for inspector2
    expect((await get(c, `/api/photos/${first.json().id}`, other)).statusCode).toBe(200);
    expect((await get(c, url3)).statusCode).toBe(200);
    expect(await countRows(c.db)).toBe(before + 1);
  }));

  test('the format comes from the bytes: a WebP sent as image/jpeg, a PNG named .jpg', () => withPhotoApp(backend, async (c) => {
    const webp = await upload(c, fixture('lossless-1x1.webp'), 'image/jpeg');
    expect(webp.statusCode).toBe(201);
    expect(webp.json()).toMatchObject({ mime: 'image/webp', width: 1, height: 1 });
    const renamed = await upload(c, fixture('png-named.jpg'), 'image/jpeg');
    expect(renamed.json()).toMatchObject({ mime: 'image/png', width: 5, height: 4 });
    expect(storedFiles().map((f) => f.split('.').pop()).sort()).toEqual(['png', 'webp']);
    const get = await c.app.inject({ method: 'GET', url: webp.json().url, headers: c.headers });
    expect(get.headers['content-type']).toBe('image/webp');
  }));

  test('EXIF time and GPS of a JPEG are returned and recorded', () => withPhotoApp(backend, async (c) => {
    const res = await upload(c, fixture('gps-le-16x8.jpg'), 'image/jpeg');
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ mime: 'image/jpeg', width: 16, height: 8, exif: { taken_at: '2024-05-01T02:20:30.000Z' } });
    expect(body.exif.lat).toBeCloseTo(39.9087, 6);
    expect(body.exif.lon).toBeCloseTo(116.3975, 6);
    const [row] = await getPhotos(c.db, [body.id]);
    expect(row).toMatchObject({ id: body.id, mime: 'image/jpeg', width: 16, height: 8 });
    if (c.headers.authorization) expect(row.uploaded_by).toEqual(expect.any(Number)); // the logged-in inspector
    else expect(row.uploaded_by).toBeNull();
    expect(new Date(row.exif_taken_at!).toISOString()).toBe('2024-05-01T02:20:30.000Z');
    expect(row.uploaded_at).toBeInstanceOf(Date);
  }));

  test('a 60000×60000 PNG header (a tiny file) is 422 naming its size; nothing stored', () => withPhotoApp(backend, async (c) => {
    const before = await countRows(c.db);
    const bomb = pngHeaderOnly(60000, 60000);
    expect(bomb.length).toBeLessThan(200);
    const res = await upload(c, bomb);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'unprocessable', message: expect.stringContaining('60000×60000') });
    expect(await countRows(c.db)).toBe(before);
    expect(storedFiles()).toEqual([]);
  }));

  test('HTML sent as image/jpeg is 415 saying it is HTML; nothing stored', () => withPhotoApp(backend, async (c) => {
    const before = await countRows(c.db);
    const res = await upload(c, '<!doctype html><html><body><img src=x onerror=alert(1)></body></html>', 'image/jpeg');
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toMatchObject({ code: 'unsupported_media_type', message: expect.stringContaining('HTML') });
    expect(await countRows(c.db)).toBe(before);
    expect(storedFiles()).toEqual([]);
  }));

  test('a truncated JPEG is 422; an unaccepted Content-Type is 415; an empty body is 400', () => withPhotoApp(backend, async (c) => {
    const before = await countRows(c.db);
    const jpg = jpeg(16, 16);
    expect((await upload(c, jpg.subarray(0, jpg.length - 5), 'image/jpeg')).statusCode).toBe(422);
    const html = await upload(c, fixture('gradient-3x2.png'), 'text/html');
    expect(html.statusCode).toBe(415);
    expect(html.json().error.code).toBe('unsupported_media_type');
    const empty = await upload(c, Buffer.alloc(0), 'image/png');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('bad_request');
    expect(await countRows(c.db)).toBe(before);
    expect(storedFiles()).toEqual([]);
  }));

  test('a body over photo_max_bytes is 413 with the error body; nothing stored', () => withPhotoApp(backend, async (c) => {
    const before = await countRows(c.db);
    const big = png(128, 128); // about 16 KB of gradient, over the 4 KB limit below
    expect(big.length).toBeGreaterThan(4096);
    const res = await upload(c, big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'payload_too_large', message: expect.stringContaining('limit is 4 KB') });
    expect(await countRows(c.db)).toBe(before);
    expect(storedFiles()).toEqual([]);
    expect((await upload(c, fixture('gradient-3x2.png'))).statusCode).toBe(201); // small ones still pass
  }, { GRIDLINE_PHOTO_MAX_BYTES: '4096' }));

  test('an upload without a token is 401 and stores nothing', () => withPhotoApp(backend, async (c) => {
    const before = await countRows(c.db);
    const res = await c.app.inject({ method: 'POST', url: '/api/photos', headers: { 'content-type': 'image/png' }, payload: fixture('gradient-3x2.png') });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthorized');
    expect(await countRows(c.db)).toBe(before);
    expect(storedFiles()).toEqual([]);
  }));

  test('GET: an unknown id is 404, a malformed one 400', () => withPhotoApp(backend, async (c) => {
    const r404 = await c.app.inject({ method: 'GET', url: `/api/photos/${'0'.repeat(64)}`, headers: c.headers });
    expect(r404.statusCode).toBe(404);
    expect(r404.json().error.code).toBe('not_found');
    expect((await c.app.inject({ method: 'GET', url: '/api/photos/abc', headers: c.headers })).statusCode).toBe(400);
    expect((await c.app.inject({ method: 'GET', url: `/api/photos/${'A'.repeat(64)}`, headers: c.headers })).statusCode).toBe(400);
    expect((await c.app.inject({ method: 'GET', url: '/api/photos/..%2F..%2Fetc%2Fpasswd', headers: c.headers })).statusCode).toBe(400);
  }));

  test('a photo a case shows is read by who may read the case: 404 for the others, as for an unknown id', () => withPhotoApp(backend, async (c) => {
    const bytes = fixture('gradient-3x2.png');
    const id = (await upload(c, bytes)).json().id as string;
    const kase = await reportWith(c, [id]);
    const unknown = `/api/photos/${'0'.repeat(64)}`;
    const refusal = (await get(c, unknown)).json().error.message.replace('0'.repeat(64), '<id>');

    // Not readers of the case (404 on it), not uploaders: 404 on the photo, with the very answer of an unknown id.
    const inspector2 = await c.as('inspector2');
    const crew1 = await c.as('crew1'); // not dispatched yet: not the crew's case
    for (const [who, h] of [['anonymous', {}], ['inspector2', inspector2], ['crew1', crew1]] as const) {
      expect((await get(c, `/api/cases/${kase.id}`, h)).statusCode, who).toBe(who === 'anonymous' ? 401 : 404);
      const r = await get(c, `/api/photos/${id}`, h);
      expect(r.statusCode, who).toBe(404);
      expect(r.json().error).toEqual({ code: 'not_found', message: refusal.replace('<id>', id) });
      expect(r.rawPayload.includes(bytes), who).toBe(false);
    }

    // Readers of the case: the reporter (also the uploader), the centre's posts.
    for (const who of ['inspector1', 'operator1', 'dispatcher1'] as const) {
      const r = await get(c, `/api/photos/${id}`, await c.as(who));
      expect(r.statusCode, who).toBe(200);
      expect(Buffer.compare(r.rawPayload, bytes), who).toBe(0);
    }

    // The case detail carries a signed link per stored photo, for its reader; the link needs no token.
    const detail = (await get(c, `/api/cases/${kase.id}`, await c.as('operator1'))).json();
    expect(detail.photos).toEqual([{ id, mime: 'image/png', width: 3, height: 2, url: expect.stringMatching(SIGNED) }]);
    const [, linkId, u] = SIGNED.exec(detail.photos[0].url)!;
    expect(linkId).toBe(id);
    const { rows: [op] } = await c.db.query<{ id: number }>(`select id::float8 as id from users where username = 'operator1'`);
    expect(Number(u)).toBe(op.id);
    const viaLink = await get(c, detail.photos[0].url);
    expect(viaLink.statusCode).toBe(200);
    expect(Buffer.compare(viaLink.rawPayload, bytes)).toBe(0);

    // Dispatched to crew1's department, the case and its photos become the crew's; its after-photo is the reporter's.
    let v = kase.version;
    for (const [who, action] of [['operator1', 'accept'], ['shiftlead1', 'file'], ['dispatcher1', 'dispatch']] as const) {
      c.clock.advance(3);
      const r = await c.app.inject({ method: 'POST', url: `/api/cases/${kase.id}/actions`, headers: await c.as(who), payload: { action, version: v } });
      expect(r.statusCode, `${who} ${action}: ${r.body}`).toBe(200);
      v = r.json().version;
    }
    expect((await get(c, `/api/photos/${id}`, crew1)).statusCode).toBe(200);
    const after = await c.app.inject({ method: 'POST', url: '/api/photos', headers: { ...crew1, 'content-type': 'image/jpeg' }, payload: fixture('plain-8x8.jpg') });
    expect(after.statusCode).toBe(201);
    expect((await get(c, `/api/photos/${after.json().id}`, c.headers)).statusCode).toBe(404); // not attached yet: the crew's alone
    c.clock.advance(3);
    const fb = await c.app.inject({ method: 'POST', url: `/api/cases/${kase.id}/actions`, headers: crew1, payload: { action: 'feedback', version: v, photo_ids: [after.json().id] } });
    expect(fb.statusCode, fb.body).toBe(200);
    expect((await get(c, `/api/photos/${after.json().id}`, c.headers)).statusCode).toBe(200);
    expect((await get(c, `/api/photos/${after.json().id}`, inspector2)).statusCode).toBe(404);
    const photos = (await get(c, `/api/cases/${kase.id}`, c.headers)).json().photos as { id: string }[];
    expect(photos.map((p) => p.id)).toEqual([id, after.json().id]);
  }));

  test('a signed link works for its photo until it expires; an altered one is 404, an incomplete one 400', () => withPhotoApp(backend, async (c) => {
    const a = (await upload(c, fixture('gradient-3x2.png'))).json();
    const b = (await upload(c, fixture('plain-8x8.jpg'), 'image/jpeg')).json();
    const [, , u, exp, sig] = SIGNED.exec(a.url)!;
    expect((await get(c, a.url)).statusCode).toBe(200);
    const other = sig.startsWith('A') ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
    for (const url of [
      `/api/photos/${b.id}?u=${u}&exp=${exp}&sig=${sig}`, // another photo's id under a's signature
      `/api/photos/${a.id}?u=${Number(u) + 1}&exp=${exp}&sig=${sig}`, // another user
      `/api/photos/${a.id}?u=${u}&exp=${Number(exp) + 3600}&sig=${sig}`, // a later expiry
      `/api/photos/${a.id}?u=${u}&exp=${exp}&sig=${other}`,
    ]) {
      const r = await get(c, url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error.code).toBe('not_found');
    }
    expect((await get(c, `/api/photos/${a.id}?u=${u}&sig=${sig}`)).statusCode).toBe(400);
    expect((await get(c, `/api/photos/${a.id}?u=${u}&exp=${exp}&sig=short`)).statusCode).toBe(400);
    c.clock.advance(60 + 15 + 1); // past the longest a 60-minute link can live (rounded up to 15 minutes)
    const late = await get(c, a.url);
    expect(late.statusCode).toBe(404);
    expect(late.json().error.message).toMatch(/reload the case/);
    expect((await get(c, `/api/photos/${a.id}`, c.headers)).statusCode).toBe(200); // the uploader's token still reads it
  }));

  test('getPhotos and assertPhotosExist for the case engine', () => withPhotoApp(backend, async (c) => {
    const a = (await upload(c, fixture('gradient-3x2.png'))).json().id;
    const b = (await upload(c, fixture('plain-8x8.jpg'), 'image/jpeg')).json().id;
    const unknown = 'f'.repeat(64);
    expect((await getPhotos(c.db, [b, a, unknown, a])).map((r) => r.id)).toEqual([b, a]);
    expect(await getPhotos(c.db, [])).toEqual([]);
    await expect(assertPhotosExist(c.db, [a, b])).resolves.toBeUndefined();
    await expect(assertPhotosExist(c.db, [])).resolves.toBeUndefined();
    const e = await assertPhotosExist(c.db, [a, unknown, 'after-1']).catch((x) => x);
    expect(e).toMatchObject({ code: 'unprocessable', details: { unknown_photo_ids: [unknown, 'after-1'] } });
    expect(e.message).toContain(unknown);
  }));

  test('assertPhotosExist for a viewer: only photos it may see count, refused exactly like unknown ids', () => withPhotoApp(backend, async (c) => {
    const mine = (await upload(c, fixture('gradient-3x2.png'))).json().id as string; // inspector1's, not attached
    const shown = (await upload(c, fixture('plain-8x8.jpg'), 'image/jpeg')).json().id as string;
    await reportWith(c, [shown]);
    const { rows } = await c.db.query<{ id: number; username: string; roles: string[]; department_id: number | null }>(
      `select id::float8 as id, username, roles, department_id::float8 as department_id from users where username in ('inspector1', 'inspector2', 'operator1')`);
    const user = (name: string) => { const u = rows.find((r) => r.username === name)!; return { id: u.id, roles: u.roles, department_id: u.department_id }; };
    await expect(assertPhotosExist(c.db, [mine, shown], user('inspector1'))).resolves.toBeUndefined();
    await expect(assertPhotosExist(c.db, [shown], user('operator1'))).resolves.toBeUndefined(); // the case shows it
    const unknown = 'e'.repeat(64);
    for (const [who, ids, refused] of [['operator1', [mine, shown], [mine]], ['inspector2', [mine, shown, unknown], [mine, shown, unknown]]] as const) {
      const e = await assertPhotosExist(c.db, ids, user(who)).catch((x) => x);
      expect(e, who).toMatchObject({ code: 'unprocessable', details: { unknown_photo_ids: refused } });
    }
    await expect(assertPhotosExist(c.db, [shown], null)).rejects.toMatchObject({ details: { unknown_photo_ids: [shown] } });
  }));

  test('citing a photo one may not see (report or action) is 422 like an unknown id: nobody reads another\'s photo through their own case', () => withPhotoApp(backend, async (c) => {
    const secret = (await upload(c, fixture('gradient-3x2.png'))).json().id as string; // inspector1's, cited nowhere
    const crew = await c.as('crew1');
    // inspector2 reports citing it: refused, nothing stored.
    const before = (await c.db.query<{ n: number }>('select count(*)::int as n from cases')).rows[0].n;
    const { rows } = await c.db.query<{ lon: number; lat: number }>('select st_x(st_pointonsurface(geom)) as lon, st_y(st_pointonsurface(geom)) as lat from grids order by code limit 1');
    const r = await c.app.inject({ method: 'POST', url: '/api/cases', headers: await c.as('inspector2'),
      payload: { kind: 'event', class_code: '06010', lon: rows[0].lon, lat: rows[0].lat, photo_ids: [secret] } });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error.details).toEqual({ unknown_photo_ids: [secret] });
    expect((await c.db.query<{ n: number }>('select count(*)::int as n from cases')).rows[0].n).toBe(before);
    // A crew's feedback citing it on a case of its department: refused; with its own upload: accepted.
    const mine = await reportWith(c, []);
    const ops = await c.as('operator1');
    const dept = (await c.db.query<{ department_id: number }>(`select department_id::float8 as department_id from users where username = 'crew1'`)).rows[0].department_id;
    let v = mine.version;
    for (const [who, body] of [[ops, { action: 'accept' }], [await c.as('shiftlead1'), { action: 'file' }], [await c.as('dispatcher1'), { action: 'dispatch', department_id: dept }]] as const) {
      const res = await c.app.inject({ method: 'POST', url: `/api/cases/${mine.id}/actions`, headers: who, payload: { ...body, version: v } });
      expect(res.statusCode, res.body).toBe(200);
      v = res.json().version;
    }
    const refused = await c.app.inject({ method: 'POST', url: `/api/cases/${mine.id}/actions`, headers: crew, payload: { action: 'feedback', version: v, photo_ids: [secret] } });
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().error.details).toEqual({ unknown_photo_ids: [secret] });
    expect((await get(c, `/api/photos/${secret}`, crew)).statusCode).toBe(404); // still unreadable to the crew
    const own = (await c.app.inject({ method: 'POST', url: '/api/photos', headers: { ...crew, 'content-type': 'image/jpeg' }, payload: fixture('plain-8x8.jpg') })).json().id as string;
    const ok = await c.app.inject({ method: 'POST', url: `/api/cases/${mine.id}/actions`, headers: crew, payload: { action: 'feedback', version: v, photo_ids: [own] } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().status).toBe('pending_check');
  }));
});
