// The wall across the room (issue 10) in headless Chromium against the real server: six cases reported at one spot
// show as one cluster "6" drawn in the worst light (a red one among greens: red), a click lists them; a 2,000-character
// description scrolls inside its box with the action buttons in view; the trail names the actors; the ticker counts
// today; no text on the wall is smaller than the type scale's minimum at 1920×1080, and everything doubles at
// 3840×2160 with the inspectors' last positions on. Screenshots: tests/browser/screenshots/wall-*.png.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { gridPoints, loginApi, seedCases, tinyText, type Api } from './case-fixtures.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
/** The type scale's minimum at 1920 px wide (wall.css --wl-small). */
const MIN_PX = 15;

let server: Awaited<ReturnType<typeof startDemoServer>>;
let browser: Browser;
let inspector: Api;
const problems: string[] = [];
const spot = { lon: 0, lat: 0, ids: [] as string[] };
const LONG = '路面破损严重，'.repeat(286).slice(0, 2000);

function watch(page: Page): void {
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
}

async function openWall(width: number, height: number, user = 'dispatcher1'): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  watch(page);
  await page.goto(`${server.url}/login`, { waitUntil: 'load' });
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill('demo');
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/wall$/, { timeout: 30_000 });
  await page.waitForFunction(() => window.__gridline?.map?.loaded() && window.__gridlineWall !== undefined, null, { timeout: 60_000 });
  await expect.poll(() => page.evaluate(() => Object.keys(window.__gridlineWall!.cases.getState().byId).length), { timeout: 20_000 }).toBeGreaterThan(30);
  // Some cases late, as on a working day: one of the six at the spot turns red, a few others yellow or red (their
  // deadlines moved into the past in the page's store; the lights follow from the deadlines).
  await page.evaluate(([ids]) => {
    const store = window.__gridlineWall!.cases;
    const past = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const all = Object.values(store.getState().byId);
    const late = [ids[2], ...all.filter((c) => !ids.includes(c.id)).filter((_, i) => i % 4 === 0).map((c) => c.id)];
    late.forEach((id, i) => {
      const c = store.getState().byId[id];
      const red = i % 2 === 0;
      store.getState().applyCase({ ...c, version: c.version + 1, yellow_at: past(3), red_at: red ? past(1) : new Date(Date.now() + 3_600_000).toISOString() });
    });
  }, [spot.ids] as const);
  return page;
}

/** Moves the map so the spot is at the map's centre at `zoom`, and waits for it to settle. */
async function centreOnSpot(page: Page, zoom: number): Promise<{ x: number; y: number }> {
  return page.evaluate(([lon, lat, z]) => new Promise<{ x: number; y: number }>((resolve) => {
    const map = window.__gridline!.map;
    map.once('idle', () => { const q = map.project([lon, lat]); setTimeout(() => resolve({ x: q.x, y: q.y }), 400); });
    map.jumpTo({ center: [lon, lat], zoom: z });
  }), [spot.lon, spot.lat, zoom] as const);
}

/** The spots picked at a map point: count and worst light. */
async function spotsAt(page: Page, x: number, y: number) {
  return page.evaluate(([px, py]) => {
    const infos = window.__gridline!.overlay?.pickObjects({ x: px - 3, y: py - 3, width: 6, height: 6, layerIds: ['case-spots'] }) ?? [];
    return infos.map((i) => { const o = i.object as { count: number; worst: string | null }; return { count: o.count, worst: o.worst }; });
  }, [x, y] as const);
}

/** The colour the map's overlay draws at a canvas point, read right after deck.gl's next frame. */
async function overlayPixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(([px, py]) => new Promise<number[]>((resolve) => {
    const overlay = window.__gridline!.overlay! as unknown as { setProps(p: object): void; _deck: { redraw(reason: string): void } };
    overlay.setProps({
      onAfterRender: ({ gl }: { gl: WebGL2RenderingContext }) => {
        overlay.setProps({ onAfterRender: () => {} });
        const out = new Uint8Array(4);
        gl.readPixels(px, gl.drawingBufferHeight - py - 1, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, out);
        resolve([...out]);
      },
    });
    overlay._deck.redraw('test');
  }), [x, y] as const);
}


beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer();
  await seedCases(server.url, 30);
  inspector = await loginApi(server.url, 'inspector1');
  const p = (await gridPoints(server.url))[17];
  Object.assign(spot, { lon: p.lon + 0.0002, lat: p.lat + 0.0001 });
  for (let i = 0; i < 6; i++) {
    const c = await inspector.post<{ id: string }>('/api/cases', {
      kind: 'event', class_code: '06013', lon: spot.lon, lat: spot.lat, description: i === 0 ? LONG : `人行道砖破损 ${i + 1}`,
    }, { 'idempotency-key': `wall-spot-${i}-${Date.now()}` });
    spot.ids.push(c.id);
  }
  // Inspectors on patrol: their last positions show on the wall.
  const pts = await gridPoints(server.url);
  for (const [k, u] of ['inspector1', 'inspector2'].entries()) {
    const api = await loginApi(server.url, u);
    await api.post('/api/patrol/duty', { on_duty: true }, { 'idempotency-key': `wall-duty-${u}-${Date.now()}` });
    const at = pts[60 + k * 90];
    await api.post('/api/patrol/positions', { fixes: [{ at: new Date().toISOString(), lon: at.lon, lat: at.lat, accuracy_m: 8 }], sent_at: new Date().toISOString() },
      { 'idempotency-key': `wall-pos-${u}-${Date.now()}` });
  }
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the wall', () => {
  test('1920×1080: six cases at one spot are one cluster "6" in red; a click lists them; a long description keeps the actions in view; the trail names the actors', async () => {
    const page = await openWall(1920, 1080, 'operator1'); // the operator accepts these reports: the case shows actions
    await page.waitForTimeout(800);
    await page.screenshot({ path: `${SHOTS}wall-1920-district.png` });
    expect(await tinyText(page, MIN_PX)).toEqual([]);

    await centreOnSpot(page, 17);
    // A cluster stands at its cell's centre (up to half a cell from its cases' place): find where it is drawn.
    await expect.poll(() => page.evaluate(() => window.__gridlineWall!.spots.spots.some((s) => s.count === 6)), { timeout: 10_000 }).toBe(true);
    const at = await page.evaluate(() => {
      const s = window.__gridlineWall!.spots.spots.find((x) => x.count === 6)!;
      const q = window.__gridline!.map.project([s.lon, s.lat]);
      return { x: q.x, y: q.y };
    });
    await expect.poll(() => spotsAt(page, at.x, at.y), { timeout: 10_000 }).toEqual([{ count: 6, worst: 'red' }]);
    // Drawn red: a point of the disc off its centre (the centre carries the white "6").
    const spotRadiusPx = await page.evaluate(() => 12 + Math.log2(6));
    const px = await overlayPixel(page, Math.round(at.x + spotRadiusPx - 4), Math.round(at.y));
    expect(px[0]).toBeGreaterThan(180);
    expect(px[1]).toBeLessThan(120);
    // The count label is drawn from the clusters' data
    expect(await page.evaluate(() => window.__gridlineWall!.spots.spots.filter((s) => s.count > 1).map((s) => s.count))).toContain(6);
    await page.screenshot({ path: `${SHOTS}wall-1920-cluster.png` });

    const canvas = await page.locator('.map-view canvas').first().boundingBox();
    await page.mouse.click(canvas!.x + at.x, canvas!.y + at.y);
    const listed = page.getByTestId('spot-cases');
    await listed.waitFor({ timeout: 5_000 });
    await expect(listed.getByTestId('case-card').count()).resolves.toBe(6);
    await expect(listed.getByTestId('case-card').first().getAttribute('class')).resolves.toContain('light-red'); // worst first

    await listed.locator(`[data-testid="case-card"][data-id="${spot.ids[0]}"]`).click();
    const panel = page.getByTestId('case-detail');
    await panel.getByTestId('case-description').waitFor({ timeout: 10_000 });
    const desc = await panel.getByTestId('case-description').evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
    expect(desc.scroll).toBeGreaterThan(desc.client); // scrolls inside its box
    const action = panel.locator('.action-bar button').first();
    await action.waitFor();
    const [box, drawer] = [await action.boundingBox(), await panel.boundingBox()];
    expect(box!.y + box!.height).toBeLessThanOrEqual(Math.min(drawer!.y + drawer!.height, 1080));
    await expect(action.isVisible()).resolves.toBe(true);
    const actors = await panel.getByTestId('trail-actor').allTextContents();
    expect(actors.join(' ')).toContain('监督员一');
    expect(actors.join(' ')).not.toMatch(/#\d/);
    await expect.poll(async () => Number(await page.getByTestId('today-reported').locator('.wall-ticker-n').textContent())).toBeGreaterThanOrEqual(36);
    expect(await tinyText(page, MIN_PX)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}wall-1920-long-description.png` });
    await page.context().close();
  });

  test('3840×2160: the type scale doubles, the markers with it; the patrol layer shows the inspectors', async () => {
    const page = await openWall(3840, 2160);
    await expect.poll(() => page.evaluate(() => {
      const g = window.__gridline!;
      return (g.overlay?.pickObjects({ x: 0, y: 0, width: g.map.getCanvas().clientWidth, height: g.map.getCanvas().clientHeight, layerIds: ['patrol-inspectors'] }) ?? []).length;
    }), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const size = (sel: string) => page.locator(sel).first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(await size('.light-count-n')).toBeGreaterThanOrEqual(66);
    expect(await size('.stage-label')).toBeGreaterThanOrEqual(29);
    expect(await size('.case-card-class')).toBeGreaterThanOrEqual(37);
    expect(await tinyText(page, 2 * MIN_PX - 1)).toEqual([]);
    await page.waitForTimeout(800);
    await page.screenshot({ path: `${SHOTS}wall-3840-district-patrol.png` });
    await page.context().close();
    expect(problems).toEqual([]);
  });
});
