// Patrol end to end (issue 9) in headless Chromium against the real server (interval 5 s): inspector1 goes on duty
// on the phone (390×844) with an emulated position, walks twice, and the dispatcher's wall (1920×1080) shows it at
// the last position, fresh; the leader (1366×768) sees the day's coverage and draws the track. Screenshots go to
// tests/browser/screenshots/ (git-ignored). Run under the lock: flock /tmp/gridline-browser.lock npx vitest run tests/browser/patrol.test.ts
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';
import { gridPoints } from './case-fixtures.js';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
let server: Awaited<ReturnType<typeof startDemoServer>>;
let browser: Browser;
let points: Awaited<ReturnType<typeof gridPoints>>;
const problems: string[] = [];

function watch(page: Page, who: string): void {
  page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400 && r.url().includes('/api/patrol')) problems.push(`${who} ${r.status()} ${r.url()}`); });
  page.on('response', (r) => {
    if (r.url().includes('/api/patrol/positions')) void r.text().then((t) => console.log(`${who} positions → ${r.status()} ${t.slice(0, 200)}`), () => {});
  });
}

async function signIn(p: Page, username: string, path: RegExp): Promise<void> {
  await p.goto(`${server.url}/login`, { waitUntil: 'load' });
  await p.getByTestId('login-username').fill(username);
  await p.getByTestId('login-password').fill('demo');
  await p.getByTestId('login-submit').click();
  await p.waitForURL(path, { timeout: 30_000 });
  await p.waitForFunction(() => window.__gridline?.map !== undefined && window.__gridline.map.loaded(), null, { timeout: 60_000 });
}

async function lastOf(username: string): Promise<{ lon: number | null; lat: number | null; freshness: string; on_duty: boolean } | undefined> {
  const login = await (await fetch(`${server.url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'dispatcher1', password: 'demo' }),
  })).json() as { token: string };
  const r = await (await fetch(`${server.url}/api/patrol/last-positions`, { headers: { authorization: `Bearer ${login.token}` } })).json() as {
    items: { username: string; lon: number | null; lat: number | null; freshness: string; on_duty: boolean }[];
  };
  return r.items.find((i) => i.username === username);
}

/** Inspectors drawn on the wall's map near a lon/lat (deck.gl picking on the `patrol-inspectors` layer). */
async function inspectorsOnMap(p: Page, lon: number, lat: number, radius = 6): Promise<{ username: string; freshness: string }[]> {
  return p.evaluate(([lo, la, r]) => {
    const g = window.__gridline!;
    const q = g.map.project([lo, la]);
    const infos = g.overlay?.pickObjects({ x: q.x - r, y: q.y - r, width: 2 * r, height: 2 * r, layerIds: ['patrol-inspectors'] }) ?? [];
    return infos.map((i) => i.object as { username: string; freshness: string }).map((o) => ({ username: o.username, freshness: o.freshness }));
  }, [lon, lat, radius] as const);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer({ GRIDLINE_PATROL_INTERVAL_SECONDS: '5' });
  points = await gridPoints(server.url);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('patrol', () => {
  test('on duty with a moving phone: the wall shows the inspector at its last position; the leader draws the track', async () => {
    const [a, b, c] = [points[40], points[41], points[60]];
    const phoneCtx = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true,
      geolocation: { longitude: a.lon, latitude: a.lat, accuracy: 10 }, permissions: ['geolocation'],
    });
    const phone = await phoneCtx.newPage();
    watch(phone, 'inspector');
    await signIn(phone, 'inspector1', /\/inspector$/);
    const sw = phone.getByTestId('duty-switch');
    await expect.poll(() => sw.getAttribute('data-on-duty'), { timeout: 15_000 }).toBe('false');
    await phone.screenshot({ path: `${SHOTS}60-patrol-phone-off.png` });
    await sw.locator('.pt-toggle').click();
    await expect.poll(() => sw.getAttribute('data-on-duty'), { timeout: 15_000 }).toBe('true');
    // A fresh fix where the phone stands (an emulated position keeps the time it was set: one from before the duty
    // started is refused, as it should be).
    await phoneCtx.setGeolocation({ longitude: a.lon, latitude: a.lat, accuracy: 10 });
    await expect.poll(async () => (await lastOf('inspector1'))?.lat, { timeout: 30_000 }).toBeCloseTo(a.lat, 6);
    await phone.screenshot({ path: `${SHOTS}61-patrol-phone-on.png` });

    // Walk: two moves, each sent within an interval (5 s here).
    await phoneCtx.setGeolocation({ longitude: b.lon, latitude: b.lat, accuracy: 10 });
    await expect.poll(async () => (await lastOf('inspector1'))?.lat, { timeout: 30_000 }).toBeCloseTo(b.lat, 6);
    await phoneCtx.setGeolocation({ longitude: c.lon, latitude: c.lat, accuracy: 10 });
    await expect.poll(async () => (await lastOf('inspector1'))?.lat, { timeout: 30_000 }).toBeCloseTo(c.lat, 6);
    expect(await lastOf('inspector1')).toMatchObject({ on_duty: true, freshness: 'fresh' });

    const wallCtx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
    const wall = await wallCtx.newPage();
    watch(wall, 'dispatcher');
    await signIn(wall, 'dispatcher1', /\/wall$/);
    await expect.poll(() => inspectorsOnMap(wall, c.lon, c.lat), { timeout: 30_000 }).toEqual([{ username: 'inspector1', freshness: 'fresh' }]);
    await wall.waitForTimeout(300);
    await wall.screenshot({ path: `${SHOTS}62-patrol-wall.png` });

    const leaderCtx = await browser.newContext({ viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 });
    const leader = await leaderCtx.newPage();
    watch(leader, 'leader');
    await signIn(leader, 'leader1', /\/leader$/);
    const row = leader.locator('[data-testid="pt-row"][data-user="inspector1"]');
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await expect.poll(() => row.getAttribute('aria-selected'), { timeout: 10_000 }).toBe('true');
    // the track's last fix (c) is drawn: its end marker is on the map there
    await expect.poll(() => leader.evaluate(([lo, la]) => {
      const g = window.__gridline!;
      const q = g.map.project([lo, la]);
      return (g.overlay?.pickObjects({ x: q.x - 6, y: q.y - 6, width: 12, height: 12, layerIds: ['patrol-track-ends'] }) ?? []).length;
    }, [c.lon, c.lat] as const), { timeout: 30_000 }).toBeGreaterThan(0);
    await leader.waitForTimeout(1000);
    // the whole track is in view: every fix projects inside the map's canvas
    const inView = await leader.evaluate((pts) => {
      const m = window.__gridline!.map;
      const w = m.getCanvas().clientWidth, h = m.getCanvas().clientHeight;
      return pts.map(([lo, la]) => { const q = m.project([lo, la]); return q.x >= 0 && q.x <= w && q.y >= 0 && q.y <= h; });
    }, [[a.lon, a.lat], [b.lon, b.lat], [c.lon, c.lat]] as [number, number][]);
    expect(inView).toEqual([true, true, true]);
    await leader.screenshot({ path: `${SHOTS}63-patrol-leader.png` });

    // Off duty: the switch says so, and the last position stays (stale later).
    await sw.locator('.pt-toggle').click();
    await expect.poll(() => sw.getAttribute('data-on-duty'), { timeout: 15_000 }).toBe('false');
    expect((await lastOf('inspector1'))?.on_duty).toBe(false);
    expect(problems).toEqual([]);
    await Promise.all([phoneCtx.close(), wallCtx.close(), leaderCtx.close()]);
  });
});
