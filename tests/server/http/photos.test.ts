import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { testBackends, type Backend } from '../../helpers/backends.js';
import { testConfig, withTestApp } from '../../helpers/app.js';
import type { Queryable } from '../../../server/db/types.js';
import type { Deps } from '../../../server/http/deps.js';
import photoRoutes from '../../../server/http/routes/photos.js';
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

type Ctx = { app: FastifyInstance; db: Queryable; headers: Record<string, string> };

/** withTestApp with a temporary photo_dir; registers the photo routes when app.ts does not (yet), logs in when auth is on. */
function withPhotoApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  const allEnv = { GRIDLINE_PHOTO_DIR: dir, ...env };
  return withTestApp(backend, async ({ app, db }) => {
    if (!app.hasRoute({ method: 'POST', url: '/api/photos' })) {
      await app.register(photoRoutes, { deps: { db, config: testConfig(allEnv) } as Deps });
    }
    let headers: Record<string, string> = {};
    if (app.hasDecorator('authenticate')) {
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'inspector1', password: 'demo' } });
      headers = { authorization: `Bearer ${login.json().token}` };
    }
    return fn({ app, db, headers });
  }, allEnv);
}

const upload = (c: Ctx, body: Buffer | string, contentType = 'image/png') =>
  c.app.inject({ method: 'POST', url: '/api/photos', headers: { ...c.headers, 'content-type': contentType }, payload: body });

describe.each(testBackends())('photos over HTTP on %s', (backend) => {
  test('a PNG upload is 201, stored by hash, and GET returns the same bytes with its type', () => withPhotoApp(backend, async (c) => {
    const bytes = fixture('gradient-3x2.png');
    const id = sha256(bytes);
    const res = await upload(c, bytes);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id, mime: 'image/png', bytes: bytes.length, width: 3, height: 2, exif: null, url: `/api/photos/${id}` });
    expect(res.headers.location).toBe(`/api/photos/${id}`);
    expect(storedFiles()).toEqual([join(id.slice(0, 2), id.slice(2, 4), `${id}.png`)]);

    const get = await c.app.inject({ method: 'GET', url: `/api/photos/${id}`, headers: c.headers });
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toBe('image/png');
    expect(get.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(get.headers.etag).toBe(`"${id}"`);
    expect(get.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(get.rawPayload, bytes)).toBe(0);

    const again = await c.app.inject({ method: 'GET', url: `/api/photos/${id}`, headers: { ...c.headers, 'if-none-match': `"${id}"` } });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  }));

  test('the same bytes again are 200 with the same id: one row, one file', () => withPhotoApp(backend, async (c) => {
    const bytes = fixture('gradient-3x2.png');
    const before = await countRows(c.db);
    const first = await upload(c, bytes);
    const second = await upload(c, bytes, 'application/octet-stream');
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(await countRows(c.db)).toBe(before + 1);
    expect(storedFiles()).toHaveLength(1);
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

  test('with the auth plugin on, an upload without a token is 401 and stores nothing', () => withPhotoApp(backend, async (c) => {
    if (!c.app.hasDecorator('authenticate')) return; // open until app.ts registers the auth plugin before the photo routes
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
});
