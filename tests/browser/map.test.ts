// The map page in a real browser (playwright-core + /usr/bin/chromium) against the real server: it loads
// offline, draws grids, and a click on a grid or a component opens its details. Screenshots go to
// tests/browser/screenshots/ (git-ignored) to be checked by eye. The helper builds dist/client only when
// it is missing: after changing client code, run `npm run build:client` first.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { encodePng } from '../helpers/png.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

type RunningServer = Awaited<ReturnType<typeof startDemoServer>>;

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));


/** A 256 × 256 PNG: a light tile with a darker 32-px grid, so the raster is recognisable in screenshots. */
function testTilePng(): Buffer {
  return encodePng(256, 256, (x, y) => (x % 32 === 0 || y % 32 === 0 ? [150, 160, 170] : [225, 230, 222]));
}

let server: RunningServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
const foreignRequests: string[] = [];
const failedRequests: string[] = [];

/** Moves the camera and resolves once the map is idle and the labels have been rebuilt. */
async function view(p: Page, center: [number, number] | null, zoom: number | null): Promise<void> {
  await p.evaluate(([c, z]) => new Promise<void>((resolve) => {
    const map = window.__gridline!.map;
    map.once('idle', () => resolve());
    map.jumpTo({ ...(c ? { center: c } : {}), ...(z !== null ? { zoom: z } : {}) });
    map.triggerRepaint();
  }), [center, zoom] as const);
  await p.waitForTimeout(400); // labels are rebuilt 120 ms after the map settles
}

async function districtCenter(p: Page): Promise<[number, number]> {
  return p.evaluate(async () => {
    const cfg = (await (await fetch('/api/config')).json()) as { district: { bbox: number[] } };
    const b = cfg.district.bbox;
    return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] as [number, number];
  });
}

async function shot(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: `${SHOTS}${name}.png` });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer(); // the real server, in-memory database, small demo district
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const origin = new URL(server.url).origin;
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol === 'data:' || u.protocol === 'blob:') return;
    if (u.origin !== origin) foreignRequests.push(r.url());
  });
  page.on('requestfailed', (r) => failedRequests.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => { if (r.status() >= 400) failedRequests.push(`${r.status()} ${r.url()}`); });
  await page.goto(server.url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__gridline?.map !== undefined, null, { timeout: 60_000 });
  await view(page, null, null);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('map page', () => {
  test('the map loads with no page errors and requests nothing from any other host', async () => {
    await shot(page, '01-district');
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    expect(failedRequests).toEqual([]);
    await expect(page.getByTestId('district-name').textContent()).resolves.toMatch(/\S/);
  });

  test('grid polygons are rendered from the grids tiles, with 15-digit codes at grid zoom', async () => {
    const atDistrictZoom = await page.evaluate(() =>
      window.__gridline!.map.queryRenderedFeatures({ layers: ['grids-fill', 'grids-aggregated-fill'] }).length);
    expect(atDistrictZoom).toBeGreaterThan(0);

    await view(page, await districtCenter(page), 16.5);
    const codes = await page.evaluate(() =>
      window.__gridline!.map.queryRenderedFeatures({ layers: ['grids-fill'] }).map((f) => String(f.properties.code)));
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(code).toMatch(/^[0-9]{15}$/);
    await shot(page, '02-grids-z16');
  });

  test('clicking a grid shows its 15-digit code in the panel', async () => {
    await view(page, await districtCenter(page), 16.5);
    // A point over a grid with no component within reach, so the click means the grid.
    const hit = await page.evaluate(() => {
      const map = window.__gridline!.map;
      const canvas = map.getCanvas().getBoundingClientRect();
      for (let y = canvas.height * 0.3; y < canvas.height * 0.7; y += 9) {
        for (let x = canvas.width * 0.3; x < canvas.width * 0.7; x += 9) {
          const grid = map.queryRenderedFeatures([x, y], { layers: ['grids-fill'] })[0];
          if (!grid) continue;
          const near = map.queryRenderedFeatures([[x - 14, y - 14], [x + 14, y + 14]], { layers: ['components', 'component-clusters'] });
          if (near.length === 0) return { x: canvas.left + x, y: canvas.top + y, code: String(grid.properties.code) };
        }
      }
      return null;
    });
    expect(hit).not.toBeNull();
    await page.mouse.click(hit!.x, hit!.y);
    const code = page.getByTestId('detail-code');
    await code.waitFor({ timeout: 15_000 });
    await expect(code.textContent()).resolves.toBe(hit!.code);
    expect(hit!.code).toMatch(/^[0-9]{15}$/);
    await page.waitForTimeout(300);
    await shot(page, '03-grid-selected');
  });

  test('with the grids layer switched off, a click still finds the grid (GET /api/grids/locate)', async () => {
    await page.getByRole('button', { name: /关闭|Close/ }).first().click();
    await view(page, await districtCenter(page), 16.2);
    const gridsToggle = page.locator('.layer-toggles input').first();
    await gridsToggle.uncheck();
    await view(page, null, null);
    const hit = await page.evaluate(() => {
      const map = window.__gridline!.map;
      const canvas = map.getCanvas().getBoundingClientRect();
      const x = canvas.width / 2, y = canvas.height / 2;
      for (let dx = 0; dx < 200; dx += 7) {
        const near = map.queryRenderedFeatures([[x + dx - 14, y - 14], [x + dx + 14, y + 14]], { layers: ['components', 'component-clusters'] });
        if (near.length === 0) return { x: canvas.left + x + dx, y: canvas.top + y };
      }
      return null;
    });
    expect(hit).not.toBeNull();
    const located = page.waitForResponse((r) => r.url().includes('/api/grids/locate'));
    await page.mouse.click(hit!.x, hit!.y);
    expect((await located).status()).toBe(200);
    const code = page.getByTestId('detail-code');
    await code.waitFor({ timeout: 15_000 });
    await expect(code.textContent()).resolves.toMatch(/^[0-9]{15}$/);
    await gridsToggle.check();
  });

  test('clicking a component shows its 17-digit id in the panel', async () => {
    await view(page, await districtCenter(page), 17.5);
    const hit = await page.evaluate(() => {
      const map = window.__gridline!.map;
      const canvas = map.getCanvas().getBoundingClientRect();
      const inner = (p: { x: number; y: number }) => p.x > 80 && p.y > 80 && p.x < canvas.width - 80 && p.y < canvas.height - 80;
      for (const f of map.queryRenderedFeatures({ layers: ['components'] })) {
        if (f.geometry.type !== 'Point') continue;
        const p = map.project(f.geometry.coordinates as [number, number]);
        if (inner(p)) return { x: canvas.left + p.x, y: canvas.top + p.y, id: String(f.properties.id) };
      }
      return null;
    });
    expect(hit).not.toBeNull();
    await page.mouse.click(hit!.x, hit!.y);
    const id = page.getByTestId('detail-id');
    await id.waitFor({ timeout: 15_000 });
    const text = (await id.textContent()) ?? '';
    expect(text).toMatch(/^[0-9]{17}$/);
    expect(text).toBe(hit!.id);
    await page.waitForTimeout(300);
    await shot(page, '04-component-selected');
  });

  test('the language toggle puts English first', async () => {
    await page.getByRole('button', { name: 'EN' }).click();
    await expect(page.getByTestId('detail-panel').textContent()).resolves.toContain('Component ID');
    await shot(page, '05-english');
    await page.getByRole('button', { name: '中文' }).click();
  });

  test('zoomed out, communities are drawn aggregated and clusters replace components', async () => {
    await page.getByRole('button', { name: /关闭|Close/ }).first().click();
    await view(page, await districtCenter(page), 15.3);
    await shot(page, '06-z15-community-names');
    await view(page, await districtCenter(page), 14.2);
    await shot(page, '06-z14-streets');
    const clusters = await page.evaluate(() =>
      window.__gridline!.map.queryRenderedFeatures({ layers: ['component-clusters'] }).length);
    expect(clusters).toBeGreaterThan(0);
    await view(page, await districtCenter(page), 12.4);
    const aggregated = await page.evaluate(() =>
      window.__gridline!.map.queryRenderedFeatures({ layers: ['grids-aggregated-fill'] }).length);
    expect(aggregated).toBeGreaterThan(0);
    await shot(page, '07-z12-aggregated');
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  test('clicking a street in the overview brings it into view', async () => {
    const street = page.locator('.street-list button').nth(2);
    const code = (await street.locator('.mono').textContent())!.trim();
    const bbox = await page.evaluate(async (c) => {
      const streets = (await (await fetch('/api/regions?level=street')).json()) as { code: string; bbox: number[] }[];
      return streets.find((s) => s.code === c)!.bbox;
    }, code);
    await page.evaluate(() => window.__gridline!.map.jumpTo({ zoom: 12 }));
    const moved = page.evaluate(() => new Promise<void>((r) => window.__gridline!.map.once('moveend', () => r())));
    await street.click();
    await moved;
    const center = await page.evaluate(() => window.__gridline!.map.getCenter().toArray());
    expect(center[0]).toBeGreaterThan(bbox[0]);
    expect(center[0]).toBeLessThan(bbox[2]);
    expect(center[1]).toBeGreaterThan(bbox[1]);
    expect(center[1]).toBeLessThan(bbox[3]);
    await view(page, null, null);
    await shot(page, '08-street-fly-to');
  });

  test('a configured raster basemap is drawn under the project layers', async () => {
    // Same server; the page is told a basemap_url, and the raster host is answered locally (no network).
    const raster = await browser.newPage({ viewport: { width: 1440, height: 900 }, serviceWorkers: 'block' }); // page.route must see /api/config
    const errors: string[] = [];
    const tileRequests: string[] = [];
    raster.on('pageerror', (e) => errors.push(e.message));
    await raster.route('**/api/config', async (route) => {
      const res = await route.fetch();
      const json = { ...(await res.json()), basemap_url: 'https://tiles.raster.test/{z}/{x}/{y}.png' };
      await route.fulfill({ response: res, json });
    });
    const png = testTilePng();
    await raster.route('https://tiles.raster.test/**', (route) => {
      tileRequests.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'image/png', body: png });
    });
    await raster.goto(server.url, { waitUntil: 'load' });
    await raster.waitForFunction(() => window.__gridline?.map !== undefined, null, { timeout: 60_000 });
    await view(raster, null, null);
    const order = await raster.evaluate(() => window.__gridline!.map.getStyle().layers.map((l) => l.id));
    expect(order.indexOf('raster-basemap')).toBeGreaterThan(-1);
    expect(order.indexOf('raster-basemap')).toBeLessThan(order.indexOf('streets-fill'));
    expect(tileRequests.length).toBeGreaterThan(0);
    expect(tileRequests.every((u) => /^https:\/\/tiles\.raster\.test\/\d+\/\d+\/\d+\.png$/.test(u))).toBe(true);
    await shot(raster, '09-raster-basemap');
    expect(errors).toEqual([]);
    await raster.close();
  });
});

// Issue 10: a readable offline basemap at every zoom (the bundled world outline under the district's layers), and
// every clock in the district's time. Last: it moves the district to America/New_York.
describe('district time and the world outline', () => {
  test('zoom 2, 6, 10, 14 at 1920×1080: land and country lines when zoomed out, the district on top when zoomed in', async () => {
    const big = await browser.newPage({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
    await big.goto(server.url, { waitUntil: 'load' });
    await big.waitForFunction(() => window.__gridline?.map !== undefined, null, { timeout: 60_000 });
    const center = await districtCenter(big);
    for (const z of [2, 6, 10, 14]) {
      await view(big, center, z);
      const drawn = await big.evaluate(() => {
        const map = window.__gridline!.map;
        const n = (id: string) => map.queryRenderedFeatures(undefined, { layers: [id] }).length;
        return { land: n('world-land'), borders: n('world-borders'), streets: n('streets-fill') };
      });
      if (z <= 6) expect(drawn.land > (z === 2 ? 20 : 1) && drawn.borders > 0, `zoom ${z}: ${JSON.stringify(drawn)}`).toBe(true);
      else expect(drawn.streets, `zoom ${z}`).toBeGreaterThan(0);
      await shot(big, `10-world-zoom-${z}`);
    }
    await big.close();
  });

  test('after the admin moves the district to America/New_York, the header clock shows New York time whatever the browser\'s zone', async () => {
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo' }) });
    const { token } = (await login.json()) as { token: string };
    const put = await fetch(`${server.url}/api/admin/calendar`, {
      method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ time_zone: 'America/New_York', holiday_set: 'us', periods: [['08:30', '12:00'], ['13:00', '17:00']], weekend: [0, 6], working_day_hours: 7.5 }),
    });
    expect(put.status).toBe(200);
    const tokyo = await browser.newPage({ viewport: { width: 1440, height: 900 }, timezoneId: 'Asia/Tokyo' }); // neither zone: the browser's must not leak
    await tokyo.goto(server.url, { waitUntil: 'load' });
    const clock = tokyo.locator('.clock');
    await expect.poll(() => clock.getAttribute('data-zone'), { timeout: 30_000 }).toBe('America/New_York');
    const ny = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d).replace(',', '');
    const before = ny(new Date());
    const text = (await clock.textContent()) ?? '';
    expect([before, ny(new Date())]).toContain(text.slice(0, 16));
    expect(text).toMatch(/E[SD]T$/);
    await tokyo.close();
  });
});
