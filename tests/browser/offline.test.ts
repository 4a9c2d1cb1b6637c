// The inspector's phone offline (issue 9), in a real browser (playwright-core + /usr/bin/chromium, 390×844) against
// the real server: the login survives closing the page; a draft with its photo survives a reload; reports submitted
// with Chromium's offline emulation wait in the outbox across closing and reopening the page (the service worker
// serves the app), and exactly that many cases, each with its photo, exist once the network is back; with the server
// killed in the middle of a sync (the case made, the answer lost) and started again, still exactly N, no duplicate.
// The inspector's task list and case details (with photos) kept on the phone: after a relaunch with no network they
// are shown as the offline copy, a check result is queued from it and applied once; another user signing in on the
// same phone sees none of it, and signing out drops it.
// The page talks to the server through a small proxy owned by the test: "killing the server" closes the proxy's
// port (connection refused, as for a dead server) without losing the in-memory database.
// Screenshots (outbox, offline indicator) go to tests/browser/screenshots/.
import { mkdirSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { gridPoints, loginApi, photoPng, type Api } from './case-fixtures.js';
import { bbox as turfBbox } from '@turf/turf';
import { offlineTiles, tilePath, type Bbox } from '../../client/src/state/offline-tiles.js';
import type { PatrolCollection } from '../../client/src/api/field.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** A pass-through HTTP proxy that can go down (port closed) and come back on the same port. */
function killableProxy(target: string) {
  const t = new URL(target);
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  let port = 0;
  /** The next POST /api/cases reaches the server, then the proxy dies before the answer gets back. */
  let dieAfterNextReport = false;
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      if (dieAfterNextReport && req.method === 'POST' && req.url === '/api/cases') {
        dieAfterNextReport = false;
        upRes.resume();
        upRes.on('end', () => void down());
        return;
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => { res.destroy(); });
    req.pipe(up);
  };
  async function up(): Promise<void> {
    server = createServer(handler);
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', () => resolve()));
    port = (server.address() as { port: number }).port;
  }
  async function down(): Promise<void> {
    const s = server;
    server = null;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    for (const sock of sockets) sock.destroy();
    await closed;
  }
  return {
    up, down, get url() { return `http://127.0.0.1:${port}`; }, get isUp() { return server !== null; },
    dieAfterNextReport() { dieAfterNextReport = true; },
  };
}

let server: Awaited<ReturnType<typeof startDemoServer>>;
let proxy: ReturnType<typeof killableProxy>;
let browser: Browser;
let ctx: BrowserContext;
let inspector: Api;
/** A case reported in (c), checked offline in (e). */
let checkCase: { id: string; case_no: string };
const problems: string[] = [];

async function shot(p: Page, name: string): Promise<void> {
  await p.waitForTimeout(250);
  await p.screenshot({ path: `${SHOTS}${name}${shotSuffix}.png` });
}

function watch(page: Page): void {
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
}

/** The inspector's cases as the server has them. */
async function myCases(): Promise<{ id: string; case_no: string }[]> {
  const list = await inspector.get<{ items: { id: string; case_no: string; reporter_id: number | null }[] }>('/api/cases?limit=500');
  return list.items.filter((c) => c.reporter_id === inspector.user.id);
}

/** The outbox as stored in the page's IndexedDB. */
function storedOutbox(p: Page): Promise<{ key: string; state: string; result?: { id: string; case_no: string } }[]> {
  return p.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('gridline-field');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const get = db.transaction('outbox').objectStore('outbox').getAll();
      get.onsuccess = () => { resolve(get.result); db.close(); };
      get.onerror = () => reject(get.error);
    };
  }));
}

/** The user ids of the offline case copies in the page's IndexedDB (state/offline-cases.ts), and the cases kept. */
function storedCopies(p: Page): Promise<{ lists: number[]; details: { user_id: number; case_id: string; photos: number }[] }> {
  return p.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('gridline-field');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['case_lists', 'case_details']);
      const lists = tx.objectStore('case_lists').getAll();
      const details = tx.objectStore('case_details').getAll();
      tx.oncomplete = () => {
        resolve({
          lists: (lists.result as { user_id: number }[]).map((l) => l.user_id),
          details: (details.result as { user_id: number; case_id: string; photos: unknown[] }[]).map((d) => ({ user_id: d.user_id, case_id: d.case_id, photos: d.photos.length })),
        });
        db.close();
      };
      tx.onerror = () => reject(tx.error);
    };
  }));
}

/** The case numbers listed in the inspector's tasks and own-reports tabs. */
async function listedCaseNos(p: Page): Promise<string[]> {
  const nos: string[] = [];
  for (const tab of ['tab-tasks', 'tab-mine']) {
    await p.getByTestId(tab).click();
    nos.push(...await p.locator('[data-testid="case-card"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-case-no') ?? '')));
  }
  return nos;
}

async function openApp(p: Page): Promise<void> {
  await p.goto(`${proxy.url}/`, { waitUntil: 'load' });
  await p.waitForURL(/\/inspector$/, { timeout: 30_000 });
  await p.getByTestId('report-form').waitFor({ timeout: 30_000 });
}

/** Fills the report form: class, the device's position, a description, one photo. */
async function fillDraft(p: Page, text: string, seed: number): Promise<void> {
  await p.getByTestId('class-search').fill('垃圾');
  await p.locator('[data-testid="class-option"][data-code="06010"]').first().click();
  await expect(p.getByTestId('class-chosen').textContent()).resolves.toContain('暴露垃圾');
  await p.getByRole('button', { name: '使用当前定位' }).click();
  await p.getByTestId('report-point').waitFor({ timeout: 15_000 });
  await p.getByTestId('report-description').fill(text);
  await p.getByTestId('report-photo-input').setInputFiles({ name: `p${seed}.png`, mimeType: 'image/png', buffer: photoPng(320, 240, seed) });
  await p.locator('.report-form .photo-thumb img').first().waitFor({ timeout: 10_000 });
}

const naturalWidth = (p: Page) => p.locator('.report-form .photo-thumb img').first()
  .evaluate((el) => ((el as HTMLImageElement).complete ? (el as HTMLImageElement).naturalWidth : 0));

beforeAll(() => {
  mkdirSync(SHOTS, { recursive: true });
}, 300_000);

/**
 * The engines the server runs on here: always the embedded one; PostgreSQL + PostGIS too when TEST_DATABASE_URL is
 * set, in a database of its own (created empty here, so the server migrates it and loads the demo as on first start).
 */
const ENGINES = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] as const : ['pglite'] as const;
const OFFLINE_DB = 'gridline_offline_test';

async function freshPostgres(): Promise<string> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${OFFLINE_DB} with (force)`);
    await admin.query(`create database ${OFFLINE_DB}`);
  } finally {
    await admin.end();
  }
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${OFFLINE_DB}`;
  return url.toString();
}

/** Screenshots of the embedded run keep their names; the PostgreSQL run's get a suffix. */
let shotSuffix = '';

async function startOn(engine: (typeof ENGINES)[number]): Promise<void> {
  shotSuffix = engine === 'pglite' ? '' : `-${engine}`;
  problems.length = 0;
  server = await startDemoServer(engine === 'postgres' ? { DATABASE_URL: await freshPostgres() } : {});
  proxy = killableProxy(server.url);
  await proxy.up();
  inspector = await loginApi(server.url, 'inspector1');
  const here = (await gridPoints(server.url))[40];
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  ctx = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true,
    geolocation: { longitude: here.lon, latitude: here.lat, accuracy: 12 }, permissions: ['geolocation'],
  });
}

/** At most `ms` for a clean-up step (a stuck one must not hold the suite). */
const bounded = (p: Promise<unknown> | undefined, ms = 15_000) => Promise.race([p, new Promise((r) => setTimeout(r, ms))]);

async function stop(): Promise<void> {
  await bounded(browser?.close());
  await bounded(proxy?.down());
  await bounded(server?.close());
}

describe.each(ENGINES)('the inspector offline, server on %s', (engine) => {
  beforeAll(() => startOn(engine), 300_000);
  afterAll(() => stop(), 60_000);

  // What the server's engine decides here is what the phone's sync writes: the login, the PWA, the draft, the outbox
  // reports and their replay after a lost answer ((d), (a), (b), (c)) run on every engine; this file is the browser
  // smoke on PostgreSQL. The kept tiles and the checks and offline copies of (e)-(g) are the phone's side; the
  // server's part of them (tiles, actions at a version, case reads) is covered on both engines by the http tests, so
  // they run against the embedded engine only.
  const phoneSide = (engine === 'pglite' ? test : () => {}) as typeof test;

  test('the app is an installable PWA: manifest, icons and a service worker that controls the page', async () => {
    const manifest = await fetch(`${server.url}/manifest.webmanifest`);
    expect(manifest.headers.get('content-type')).toContain('application/manifest+json');
    const m = (await manifest.json()) as { icons: { src: string; sizes: string }[]; display: string; start_url: string };
    expect(m.display).toBe('standalone');
    expect(m.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const i of m.icons) expect((await fetch(`${server.url}${i.src}`)).headers.get('content-type')).toBe('image/png');
    const sw = await fetch(`${server.url}/sw.js`);
    expect(sw.headers.get('content-type')).toMatch(/javascript/);
    expect(sw.headers.get('cache-control')).toBe('no-cache');

    const page = await ctx.newPage();
    watch(page);
    await page.goto(`${proxy.url}/login`, { waitUntil: 'load' });
    await page.getByTestId('login-username').fill('inspector1');
    await page.getByTestId('login-password').fill('demo');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/inspector$/, { timeout: 30_000 });
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 20_000 }).toBe(true);
    await page.close();
  });

  test('(d) the login survives closing the page and opening the app again', async () => {
    const page = await ctx.newPage();
    watch(page);
    await openApp(page); // no login screen on the way
    expect(page.url()).toMatch(/\/inspector$/);
    await page.close();
  });

  phoneSide('the map tiles of the inspector\'s own responsibility grids are kept: every one is served with the network cut', async () => {
    const mine = await inspector.get<PatrolCollection>('/api/grids/mine');
    const withGeometry = { type: 'FeatureCollection' as const, features: mine.features.filter((f) => f.geometry) };
    const wanted = offlineTiles(turfBbox(withGeometry as never) as Bbox).map(tilePath);
    expect(wanted.length).toBeGreaterThan(20);
    const page = await ctx.newPage();
    watch(page);
    await openApp(page); // signed in: the app fetches its grids' tiles, the service worker keeps them
    const cached = () => page.evaluate(async () => (await (await caches.open('gridline-tiles-v1')).keys()).map((r) => new URL(r.url).pathname));
    const missing = async () => { const have = new Set(await cached()); return wanted.filter((p) => !have.has(p)).length; };
    await expect.poll(missing, { timeout: 60_000 }).toBe(0);
    await ctx.setOffline(true);
    try {
      const statuses = await page.evaluate(async (paths) => Promise.all(paths.map(async (p) => (await fetch(p)).status)), wanted);
      expect(statuses.filter((x) => x !== 200 && x !== 204)).toEqual([]);
    } finally {
      await ctx.setOffline(false);
    }
    await page.close();
  });

  test('(a) a draft with its photo survives a reload', async () => {
    const page = await ctx.newPage();
    watch(page);
    await openApp(page);
    await fillDraft(page, '草稿：重新加载后仍在', 1);
    await page.waitForTimeout(300); // the IndexedDB write of the last change
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('report-form').waitFor();
    await expect.poll(() => page.getByTestId('report-description').inputValue(), { timeout: 10_000 }).toBe('草稿：重新加载后仍在');
    await expect(page.getByTestId('class-chosen').textContent()).resolves.toContain('暴露垃圾');
    await expect(page.getByTestId('report-point').count()).resolves.toBe(1);
    await expect.poll(() => naturalWidth(page), { timeout: 10_000 }).toBe(320); // the photo's bytes, from IndexedDB
    await shot(page, 'offline-01-draft-restored');
    await page.close();
  });

  test('(b) offline: 3 reports with photos wait in the outbox across closing the page; online, exactly 3 cases with their photos', async () => {
    const before = (await myCases()).length;
    let page = await ctx.newPage();
    watch(page);
    await openApp(page); // the draft of (a) is still there: it is the first of the three
    await ctx.setOffline(true);
    try {
    await page.getByTestId('offline-indicator').waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('offline-indicator').textContent()).resolves.toContain('离线');
    for (let i = 0; i < 3; i++) {
      if (i > 0) await fillDraft(page, `离线上报 ${i + 1}`, i + 1);
      await page.getByTestId('report-submit').click();
      await page.getByTestId('report-queued').waitFor({ timeout: 15_000 });
      if (i === 0) await shot(page, 'offline-02-queued-offline-indicator');
      await page.getByTestId('report-another').click();
    }
    await page.close();

    page = await ctx.newPage(); // the app opened again, still offline: the service worker serves it
    watch(page);
    await openApp(page);
    await page.getByTestId('tab-outbox').click();
    await expect.poll(() => page.locator('[data-testid="outbox-item"][data-state="queued"]').count(), { timeout: 10_000 }).toBe(3);
    await page.getByTestId('offline-indicator').waitFor();
    await shot(page, 'offline-03-outbox-queued');
    expect((await myCases()).length).toBe(before); // nothing has left the phone
    } finally {
      await ctx.setOffline(false); // the online event starts the sync
    }
    await expect.poll(() => page.locator('[data-testid="outbox-item"][data-state="sent"]').count(), { timeout: 30_000 }).toBe(3);
    await expect.poll(() => page.getByTestId('offline-indicator').count()).toBe(0);
    await shot(page, 'offline-04-outbox-sent');
    const sent = (await storedOutbox(page)).filter((i) => i.state === 'sent');
    expect(sent).toHaveLength(3);
    const mine = await myCases();
    expect(mine.length).toBe(before + 3);
    for (const s of sent) {
      expect(mine.map((c) => c.id)).toContain(s.result!.id);
      const c = await inspector.get<{ photos: unknown[]; description: string }>(`/api/cases/${s.result!.id}`);
      expect(c.photos).toHaveLength(1);
    }
    await page.getByRole('button', { name: '清除已发送' }).click();
    await expect.poll(() => page.getByTestId('outbox-item').count()).toBe(0);
    await expect.poll(async () => (await storedOutbox(page)).length).toBe(0);
    await page.close();
  });

  test('(c) the server killed in the middle of a sync (case made, answer lost) and started again: exactly N, no duplicate', async () => {
    const before = (await myCases()).length;
    const page = await ctx.newPage();
    watch(page);
    await openApp(page);
    await fillDraft(page, '服务器中断：第一条', 7);
    proxy.dieAfterNextReport();
    await page.getByTestId('report-submit').click();
    await page.getByTestId('report-queued').waitFor({ timeout: 15_000 });
    expect(proxy.isUp).toBe(false);
    expect((await myCases()).length).toBe(before + 1); // the server has it; the phone does not know
    await expect(page.getByTestId('offline-indicator').getAttribute('data-offline')).resolves.toBe('server');
    await page.getByTestId('report-another').click();
    await fillDraft(page, '服务器中断：第二条', 8);
    await page.getByTestId('report-submit').click();
    await page.getByTestId('report-queued').waitFor({ timeout: 15_000 });
    await page.reload({ waitUntil: 'load' }); // and the app reloaded while the server is down
    await page.getByTestId('tab-outbox').click();
    await expect.poll(() => page.locator('[data-testid="outbox-item"][data-state="queued"]').count(), { timeout: 10_000 }).toBe(2);
    await shot(page, 'offline-05-server-down');

    await proxy.up();
    await page.getByTestId('outbox-send-now').click();
    await expect.poll(() => page.locator('[data-testid="outbox-item"][data-state="sent"]').count(), { timeout: 30_000 }).toBe(2);
    const mine = await myCases();
    expect(mine.length).toBe(before + 2); // the first report's retry returned the case already made
    const sent = (await storedOutbox(page)).filter((i) => i.state === 'sent');
    expect(new Set(sent.map((s) => s.result!.id)).size).toBe(2);
    for (const s of sent) expect((await inspector.get<{ photos: unknown[] }>(`/api/cases/${s.result!.id}`)).photos).toHaveLength(1);
    checkCase = sent[0].result!;
    await page.getByRole('button', { name: '清除已发送' }).click();
    await expect.poll(() => page.getByTestId('outbox-item').count()).toBe(0);
    await expect.poll(async () => (await storedOutbox(page)).length).toBe(0);
    await page.close();
  });

  phoneSide('(e) a check (核查) done offline waits in the outbox at the version read and is applied exactly once online', async () => {
    const [operator, shiftlead, dispatcher, crew] = await Promise.all(['operator1', 'shiftlead1', 'dispatcher1', 'crew1'].map((u) => loginApi(server.url, u)));
    const id = checkCase.id;
    await operator.act(id, 'accept');
    await shiftlead.act(id, 'file');
    await dispatcher.act(id, 'dispatch');
    const after = await crew.photo(photoPng(320, 240, 9));
    await crew.act(id, 'feedback', { photo_ids: [after.id] });
    await operator.act(id, 'send_check');
    const page = await ctx.newPage();
    watch(page);
    await openApp(page);
    await page.getByTestId('tab-mine').click();
    await page.locator(`[data-testid="case-card"][data-case-no="${checkCase.case_no}"]`).click();
    await page.getByTestId('action-check-passed').waitFor({ timeout: 15_000 });
    await ctx.setOffline(true);
    try {
      await queueCheck(page, id, 'offline-06-check-queued');
    } finally {
      await ctx.setOffline(false);
    }
    await expectCheckedOnce(page, id);
    await page.close();
  });

  /** On the open case, with no network: "check passed" is kept in the outbox, no second result offered, the server unchanged. */
  async function queueCheck(page: Page, id: string, shotName?: string, failedWithPhoto = false): Promise<void> {
    if (failedWithPhoto) {
      // Not fixed: the after-photo is taken with no network; it waits on the phone with the result.
      await page.getByTestId('check-control').getByTestId('action-photo-input')
        .setInputFiles({ name: 'still-broken.png', mimeType: 'image/png', buffer: photoPng(320, 240, 33) });
      await page.getByTestId('check-photos-waiting').waitFor({ timeout: 10_000 });
      if (shotName) await shot(page, `${shotName}-photo-waiting`);
      await page.getByTestId('action-check-failed').click();
    } else {
      await page.getByTestId('action-check-passed').click();
    }
    await expect.poll(() => page.getByTestId('panel-message').textContent(), { timeout: 10_000 }).toContain('结果已保存');
    await expect(page.getByTestId('action-check-passed').count()).resolves.toBe(0); // no second result from here
    if (shotName) await shot(page, shotName);
    await page.getByTestId('case-detail').getByRole('button', { name: '关闭' }).click();
    await page.getByTestId('tab-outbox').click();
    await expect.poll(() => page.locator('[data-testid="outbox-item"][data-state="queued"]').count(), { timeout: 10_000 }).toBe(1);
    expect((await inspector.get<{ status: string }>(`/api/cases/${id}`)).status).toBe('checking');
  }

  /** Online again: the queued check is sent by itself and applied exactly once; the sent item is cleared. */
  async function expectCheckedOnce(page: Page, id: string, failedWithPhoto = false): Promise<void> {
    await expect.poll(() => page.locator('[data-testid="outbox-item"][data-state="sent"]').count(), { timeout: 30_000 }).toBe(1);
    const c = await inspector.get<{ status: string; trail: { action: string; photo_ids?: string[] }[] }>(`/api/cases/${id}`);
    expect(c.status).toBe(failedWithPhoto ? 'pending_dispatch' : 'pending_closing'); // a failed check: rework
    const checks = c.trail.filter((t) => t.action === 'check');
    expect(checks).toHaveLength(1);
    if (failedWithPhoto) expect(checks[0].photo_ids).toHaveLength(1); // the photo taken offline went up first, once
    await page.getByRole('button', { name: '清除已发送' }).click();
    await expect.poll(() => page.getByTestId('outbox-item').count()).toBe(0);
  }

  /** A case of inspector1's with a photo, waiting for its check (核查) with the crew's after-photo; done in (f). */
  let copyCase: { id: string; case_no: string };

  phoneSide('(f) a relaunch with no network: the tasks and a case with its photos from the offline copy; a check queued there is applied once online', async () => {
    const [operator, shiftlead, dispatcher, crew] = await Promise.all(['operator1', 'shiftlead1', 'dispatcher1', 'crew1'].map((u) => loginApi(server.url, u)));
    const here = (await gridPoints(server.url))[40];
    const before = await inspector.photo(photoPng(320, 240, 11));
    copyCase = await inspector.post<{ id: string; case_no: string }>('/api/cases',
      { kind: 'event', class_code: '06010', lon: here.lon, lat: here.lat, description: '离线副本：待核查', photo_ids: [before.id] },
      { 'idempotency-key': `offline-copy-${engine}` });
    const id = copyCase.id;
    await operator.act(id, 'accept');
    await shiftlead.act(id, 'file');
    await dispatcher.act(id, 'dispatch');
    await crew.act(id, 'feedback', { photo_ids: [(await crew.photo(photoPng(320, 240, 12))).id] });
    await operator.act(id, 'send_check');

    const page = await ctx.newPage();
    watch(page);
    await openApp(page); // online: the list is loaded and kept, the listed cases' details with their photos too
    await expect.poll(async () => (await storedCopies(page)).details.find((d) => d.case_id === id)?.photos, { timeout: 60_000 }).toBe(2);
    const card = page.locator(`[data-testid="case-card"][data-case-no="${copyCase.case_no}"]`);
    await ctx.setOffline(true);
    try {
      await page.reload({ waitUntil: 'load' }); // the app relaunched with no network: the service worker serves it
      await page.getByTestId('report-form').waitFor({ timeout: 30_000 });
      await page.getByTestId('tab-tasks').click();
      await expect.poll(() => page.getByTestId('list-offline-copy').textContent(), { timeout: 10_000 }).toMatch(/离线副本，更新于 \d\d:\d\d/);
      await card.waitFor({ timeout: 10_000 });
      await shot(page, 'offline-07-tasks-copy');
      await card.click();
      await page.getByTestId('case-offline-copy').waitFor({ timeout: 10_000 });
      await expect(page.getByTestId('case-no').textContent()).resolves.toBe(copyCase.case_no);
      await shot(page, 'offline-08-case-copy');
      const photos = page.getByTestId('case-photo');
      await expect.poll(() => photos.count()).toBeGreaterThanOrEqual(2);
      for (let i = (await photos.count()) - 1; i >= 0; i--) await photos.nth(i).scrollIntoViewIfNeeded(); // they load lazily
      const widths = () => photos.evaluateAll((els) => els.map((e) => ((e as HTMLImageElement).complete ? (e as HTMLImageElement).naturalWidth : 0)));
      await expect.poll(async () => (await widths()).every((w) => w === 320), { timeout: 10_000 }).toBe(true); // the kept bytes
      expect(await photos.evaluateAll((els) => els.every((e) => (e as HTMLImageElement).src.startsWith('blob:')))).toBe(true);
      await shot(page, 'offline-09-case-copy-photos');
      await page.getByTestId('action-check-passed').scrollIntoViewIfNeeded();
      await queueCheck(page, id, 'offline-10-check-failed', true);
    } finally {
      await ctx.setOffline(false);
    }
    await expectCheckedOnce(page, id, true);
    await page.getByTestId('tab-tasks').click();
    await expect.poll(() => page.getByTestId('list-offline-copy').count()).toBe(0); // back online: the list is live again
    await page.close();
  });

  phoneSide('(g) another user signing in on the same phone sees none of the first user\'s offline cases; signing out drops them', async () => {
    const page = await ctx.newPage();
    watch(page);
    await openApp(page); // inspector1 still signed in
    const first = await storedCopies(page);
    expect(first.lists).toEqual([inspector.user.id]);
    expect(first.details.length).toBeGreaterThan(0);
    await page.getByTestId('tab-mine').click();
    await page.locator(`[data-testid="case-card"][data-case-no="${copyCase.case_no}"]`).waitFor({ timeout: 15_000 }); // the list is in
    const firstNos = await listedCaseNos(page);
    expect(firstNos).toContain(copyCase.case_no);
    // inspector1's session ends without a logout (expired, revoked) and inspector2 signs in on the same phone
    const second = await loginApi(server.url, 'inspector2');
    const secondSees = new Set((await second.get<{ items: { case_no: string }[] }>('/api/cases?limit=1000')).items.map((c) => c.case_no));
    const notTheirs = firstNos.filter((no) => !secondSees.has(no));
    expect(notTheirs).toContain(copyCase.case_no);
    await page.evaluate(() => localStorage.removeItem('gridline.session'));
    await page.goto(`${proxy.url}/login`, { waitUntil: 'load' });
    await page.getByTestId('login-username').fill('inspector2');
    await page.getByTestId('login-password').fill('demo');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/inspector$/, { timeout: 30_000 });
    await expect.poll(async () => (await storedCopies(page)).lists, { timeout: 15_000 }).toEqual([second.user.id]);
    expect((await storedCopies(page)).details.every((d) => d.user_id === second.user.id)).toBe(true);
    await ctx.setOffline(true);
    try {
      await page.reload({ waitUntil: 'load' });
      await page.getByTestId('report-form').waitFor({ timeout: 30_000 });
      await page.getByTestId('tab-tasks').click();
      await page.getByTestId('list-offline-copy').waitFor({ timeout: 10_000 });
      const shown = await listedCaseNos(page);
      expect(shown.filter((no) => notTheirs.includes(no))).toEqual([]);
    } finally {
      await ctx.setOffline(false);
    }
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/login$/, { timeout: 15_000 });
    await expect.poll(() => storedCopies(page)).toEqual({ lists: [], details: [] });
    await page.close();
  });

  test('no page errors', () => {
    expect(problems).toEqual([]);
  });
});
