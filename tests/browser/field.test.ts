// The inspector in the field (issue 9) on a 390×844 phone: the picked point's nearest street address and grid; a point
// outside the district refused on the spot in the UI's language with submit disabled; the components within 30 m,
// one chosen (from the list, or by tapping its marker on the map) sets the report's component and class; the class picker found by pinyin initials; the own
// responsibility grids on the map; a failed check takes an after-photo, and before/after photos side by side.
// Screenshots go to tests/browser/screenshots/ (field-*.png).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { loginApi, photoPng, type Api } from './case-fixtures.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

let server: Awaited<ReturnType<typeof startDemoServer>>;
let browser: Browser;
let ctx: BrowserContext;
let phone: Page;
let api: Record<'inspector' | 'operator' | 'shiftlead' | 'dispatcher' | 'crew', Api>;
/** A point 8 m from a component inside one of inspector1's unit grids, and that component. */
let here: { lon: number; lat: number; grid: string };
let component: { id: string; class_code: string; lon: number; lat: number };
let outside: { lon: number; lat: number };
const problems: string[] = [];

async function shot(p: Page, name: string): Promise<void> {
  await p.waitForTimeout(300);
  // scrollIntoViewIfNeeded also scrolls the document; the phone's own view keeps it at the top (the panel scrolls)
  await p.evaluate(() => window.scrollTo(0, 0));
  await p.screenshot({ path: `${SHOTS}${name}.png` });
}

type Patrol = { features: { geometry: { coordinates: unknown } | null; properties: { kind: string; code: string } }[] };
type Comp = { features: { id: string; geometry: { type: string; coordinates: number[] }; properties: { class_code: string; grid_code: string | null } }[] };

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer();
  const [inspector, operator, shiftlead, dispatcher, crew] = await Promise.all(
    ['inspector1', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1'].map((u) => loginApi(server.url, u)));
  api = { inspector, operator, shiftlead, dispatcher, crew };
  // A point component inside the inspector's own unit grids, and a point 8 m east of it.
  const mine = await inspector.get<Patrol>('/api/grids/mine');
  const units = mine.features.filter((f) => f.properties.kind === 'unit');
  expect(units.length).toBeGreaterThan(0);
  const codes = new Set(units.map((f) => f.properties.code));
  const coords = units.flatMap((f) => (JSON.stringify(f.geometry!.coordinates).match(/-?\d+\.\d+/g) ?? []).map(Number));
  const xs = coords.filter((_, i) => i % 2 === 0), ys = coords.filter((_, i) => i % 2 === 1);
  const bbox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  const comps = await inspector.get<Comp>(`/api/components?bbox=${bbox.join(',')}&limit=2000`);
  const candidates = comps.features.filter((f) => f.geometry.type === 'Point' && f.properties.grid_code && codes.has(f.properties.grid_code));
  const matters = new Set((await inspector.get<{ code: string }[]>('/api/classes?kind=matter')).map((k) => k.code));
  for (const c of candidates) {
    if (!matters.has(c.properties.class_code)) continue; // its anomaly is a matter class (same code)
    const [lon0, lat0] = c.geometry.coordinates;
    const lon = lon0 + 8 / (111_320 * Math.cos((lat0 * Math.PI) / 180));
    const loc = await fetch(`${server.url}/api/grids/locate?lon=${lon}&lat=${lat0}`);
    if (!loc.ok) continue;
    here = { lon, lat: lat0, grid: ((await loc.json()) as { grid: { code: string } }).grid.code };
    component = { id: c.id, class_code: c.properties.class_code, lon: lon0, lat: lat0 };
    break;
  }
  expect(here).toBeDefined();
  const cfg = (await (await fetch(`${server.url}/api/config`)).json()) as { district: { bbox: number[] } };
  outside = { lon: cfg.district.bbox[0] - 0.003, lat: (cfg.district.bbox[1] + cfg.district.bbox[3]) / 2 };

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  ctx = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true,
    geolocation: { longitude: here.lon, latitude: here.lat, accuracy: 8 }, permissions: ['geolocation'],
  });
  phone = await ctx.newPage();
  phone.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  phone.on('response', (r) => {
    // outside the district the grid look-up answers 404 by design (the form says so in its own words)
    if (r.status() >= 400 && !(r.status() === 404 && r.url().includes('/api/grids/locate'))) problems.push(`${r.status()} ${r.url()}`);
  });
  await phone.goto(`${server.url}/login`, { waitUntil: 'load' });
  await phone.getByTestId('login-username').fill('inspector1');
  await phone.getByTestId('login-password').fill('demo');
  await phone.getByTestId('login-submit').click();
  await phone.waitForURL(/\/inspector$/, { timeout: 30_000 });
  await phone.waitForFunction(() => window.__gridline?.map !== undefined && window.__gridline.map.loaded(), null, { timeout: 60_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Centres the phone's map on a lon/lat and taps there (a point picked on the map). */
async function clickMap(lon: number, lat: number): Promise<void> {
  const at = await phone.evaluate(([lo, la]) => {
    const map = window.__gridline!.map;
    map.jumpTo({ center: [lo, la], zoom: 17 });
    const r = map.getCanvas().getBoundingClientRect();
    const q = map.project([lo, la]);
    return { x: r.left + q.x, y: r.top + q.y };
  }, [lon, lat] as const);
  await phone.waitForTimeout(300);
  await phone.mouse.click(at.x, at.y);
}

/** The ids of the deck.gl layers drawn over the map now. */
const overlayIds = (p: Page) => p.evaluate(() => {
  const o = window.__gridline?.overlay as unknown as { _props?: { layers?: { id: string }[] }; props?: { layers?: { id: string }[] } } | undefined;
  return ((o?._props ?? o?.props)?.layers ?? []).map((l) => l.id);
});

describe('the inspector in the field (390×844)', () => {
  test('the position picks the point: the nearest street address and the grid are shown before submitting', async () => {
    await phone.getByRole('button', { name: /使用当前定位/ }).click();
    await expect.poll(() => phone.getByTestId('report-point').textContent(), { timeout: 10_000 }).toContain(here.grid);
    const place = await api.inspector.get<{ road: { name: string; distance_m: number } | null; grid: { code: string; street_name: string } }>(
      `/api/places/nearest?lon=${here.lon}&lat=${here.lat}`);
    expect(place.road).not.toBeNull();
    await expect.poll(() => phone.getByTestId('report-road').textContent(), { timeout: 10_000 }).toBe(place.road!.name);
    await expect(phone.getByTestId('report-address').textContent()).resolves.toContain(place.grid.street_name);
    await expect.poll(() => overlayIds(phone)).toEqual(expect.arrayContaining(['my-grids', 'my-grids-units', 'my-position', 'nearby-components']));
    await phone.getByTestId('report-address').scrollIntoViewIfNeeded();
    await shot(phone, 'field-1-address');
  });

  test('the components within 30 m are listed with distances; choosing one sets the component and its class', async () => {
    const item = phone.locator(`[data-testid="nearby-component"][data-id="${component.id}"]`);
    await item.waitFor({ timeout: 10_000 });
    expect(await item.locator('.fd-nearby-dist').textContent()).toMatch(/^[0-9]{1,2} m$/);
    await item.click();
    await expect.poll(() => phone.getByTestId('class-chosen').getAttribute('data-code')).toBe(component.class_code);
    await expect(item.getAttribute('aria-pressed')).resolves.toBe('true');
    await phone.getByTestId('nearby-components').scrollIntoViewIfNeeded();
    await shot(phone, 'field-2-nearby-chosen');
  });

  test('tapping a nearby component\'s marker on the map chooses it as the list does, marked on the map and in the list', async () => {
    const item = phone.locator(`[data-testid="nearby-component"][data-id="${component.id}"]`);
    await item.click(); // unchosen from the list first
    await expect.poll(() => item.getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => overlayIds(phone)).not.toContain('nearby-components-ring');
    const point = await phone.getByTestId('report-point').textContent();
    await clickMap(component.lon, component.lat);
    await expect.poll(() => item.getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true');
    await expect.poll(() => phone.getByTestId('class-chosen').getAttribute('data-code')).toBe(component.class_code);
    await expect.poll(() => overlayIds(phone)).toContain('nearby-components-ring'); // the chosen marker ringed
    await expect(phone.getByTestId('report-point').textContent()).resolves.toBe(point); // the tap did not move the point
    await phone.getByTestId('nearby-components').scrollIntoViewIfNeeded();
    await shot(phone, 'field-2b-nearby-tapped');
  });

  test('the class picker: suggested, recent, majors at first sight; "lj" finds 垃圾 by pinyin initials', async () => {
    await phone.getByTestId('class-chosen').getByRole('button').click();
    await expect(phone.locator(`[data-testid="class-suggested-chip"][data-code="${component.class_code}"]`).count()).resolves.toBe(1);
    await expect(phone.locator(`[data-testid="class-recent-chip"][data-code="${component.class_code}"]`).count()).resolves.toBe(0); // suggested already
    await expect(phone.getByTestId('class-major').count()).resolves.toBe(10);
    await expect(phone.getByTestId('class-option').count()).resolves.toBe(0); // no flat list of 250
    await phone.getByTestId('class-search').scrollIntoViewIfNeeded();
    await shot(phone, 'field-3-picker');
    await phone.getByTestId('class-search').fill('lj');
    const options = phone.getByTestId('class-option');
    await expect.poll(() => options.count()).toBeGreaterThan(3);
    const names = await options.allTextContents();
    expect(names.filter((n) => n.includes('垃圾')).length).toBeGreaterThanOrEqual(4);
    await shot(phone, 'field-4-pinyin-lj');
    await phone.locator('[data-testid="class-option"][data-code="06041"]').click();
    await expect.poll(() => phone.getByTestId('class-chosen').getAttribute('data-code')).toBe('06041');
    await expect(phone.getByTestId('report-submit').isDisabled()).resolves.toBe(false);
    // the class used last comes first next time, remembered on the device
    await phone.getByTestId('class-chosen').getByRole('button').click();
    await expect(phone.getByTestId('class-recent-chip').first().getAttribute('data-code')).resolves.toBe('06041');
    expect(await phone.evaluate(() => JSON.parse(localStorage.getItem('gridline.class-usage') ?? '{}').recent)).toEqual(['06041', component.class_code]);
    await phone.locator('[data-testid="class-recent-chip"][data-code="06041"]').click();
    await expect.poll(() => phone.getByTestId('class-chosen').getAttribute('data-code')).toBe('06041');
  });

  test('a point outside the district: an immediate message in Chinese, submit disabled; English after switching', async () => {
    await clickMap(outside.lon, outside.lat);
    const msg = phone.getByTestId('report-outside');
    await msg.waitFor({ timeout: 10_000 });
    await expect(msg.textContent()).resolves.toBe('该位置不在本辖区网格内，请在辖区内重新选点');
    await expect(phone.getByTestId('report-submit').isDisabled()).resolves.toBe(true);
    await expect(phone.getByTestId('nearby-components').count()).resolves.toBe(0);
    await msg.scrollIntoViewIfNeeded();
    await shot(phone, 'field-5-outside');
    await phone.locator('.lang-toggle').click();
    await expect.poll(() => msg.textContent()).toMatch(/outside the district/);
    await shot(phone, 'field-6-outside-en');
    await phone.locator('.lang-toggle').click();
    // back inside, picked on the map this time: the message goes, submit comes back
    await clickMap(here.lon + 0.0002, here.lat - 0.0002);
    await expect.poll(() => phone.getByTestId('report-point').textContent(), { timeout: 10_000 }).toContain('地图选点');
    await expect.poll(() => phone.getByTestId('report-outside').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => phone.getByTestId('report-submit').isDisabled()).toBe(false);
  });

  test('a failed check needs an after-photo; before and after side by side, large, labelled', async () => {
    const before = await api.inspector.photo(photoPng(320, 240, 1));
    const c = await api.inspector.post<{ id: string; case_no: string }>('/api/cases', { kind: 'event', class_code: '06010', lon: here.lon, lat: here.lat, photo_ids: [before.id], description: '核查测试' });
    await api.operator.act(c.id, 'accept');
    await api.shiftlead.act(c.id, 'file');
    await api.dispatcher.act(c.id, 'dispatch');
    await api.crew.act(c.id, 'feedback', { photo_ids: [(await api.crew.photo(photoPng(320, 240, 5))).id] });
    await api.operator.act(c.id, 'send_check');
    await phone.getByTestId('tab-tasks').click();
    const card = phone.locator(`[data-testid="case-card"][data-case-no="${c.case_no}"]`);
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    await card.click();
    await phone.getByTestId('check-control').waitFor();
    await expect(phone.getByTestId('action-check-failed').isDisabled()).resolves.toBe(true);
    await expect(phone.getByTestId('check-photo-needed').textContent()).resolves.toBe('核查未通过须拍摄现场照片');
    await phone.getByTestId('check-control').scrollIntoViewIfNeeded();
    await shot(phone, 'field-7-check-needs-photo');
    await phone.getByTestId('check-control').getByTestId('action-photo-input').setInputFiles({ name: 'still.png', mimeType: 'image/png', buffer: photoPng(320, 240, 9) });
    await expect.poll(() => phone.getByTestId('action-check-failed').isDisabled(), { timeout: 10_000 }).toBe(false);
    await phone.getByTestId('action-check-failed').click();
    const detail = phone.getByTestId('case-detail');
    await expect.poll(() => detail.getByTestId('case-status').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('pending_dispatch');
    const server = await api.inspector.get<{ trail: { action: string; photo_ids: string[] | null }[] }>(`/api/cases/${c.id}`);
    expect(server.trail.find((e) => e.action === 'check')?.photo_ids).toHaveLength(1);
    await expect.poll(() => detail.getByTestId('photos-before').locator('img').count()).toBe(1);
    await expect.poll(() => detail.getByTestId('photos-after').locator('img').count()).toBe(2);
    await expect(detail.getByTestId('photos-before').textContent()).resolves.toContain('前');
    await expect(detail.getByTestId('photos-after').textContent()).resolves.toContain('后');
    const width = await detail.getByTestId('photos-before').locator('img').first().evaluate((el) => el.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(140); // large: half the panel, not a thumbnail
    await detail.getByTestId('before-after').scrollIntoViewIfNeeded();
    await shot(phone, 'field-8-before-after');
    await detail.getByTestId('photos-after').locator('button').first().click();
    await phone.getByTestId('photo-full').waitFor();
    await shot(phone, 'field-9-photo-full');
    await phone.getByTestId('photo-full').click();
    await expect(phone.getByTestId('photo-full').count()).resolves.toBe(0);
  });

  test('no page errors and no failed requests', () => {
    expect(problems).toEqual([]);
  });
});
