// The case screens in a real browser (playwright-core + /usr/bin/chromium) against the real server with the demo
// district and users: dispatcher1 watches the wall map while inspector1 reports from a phone-sized screen; the report
// reaches the wall live (no reload), the centre's steps go through the API, the dispatcher dispatches with one click,
// the crew feeds back with an after-photo and the inspector checks the fix. Screenshots go to tests/browser/screenshots/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { gridPoints, loginApi, photoPng, seedCases, type Api } from './case-fixtures.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

type RunningServer = Awaited<ReturnType<typeof startDemoServer>>;

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
/** How long a change may take to reach another screen through /api/live. */
const LIVE_MS = 5_000;

let server: RunningServer;
let browser: Browser;
let wallCtx: BrowserContext, phoneCtx: BrowserContext;
let wall: Page, phone: Page;
let api: Record<'operator' | 'shiftlead' | 'dispatcher' | 'leader' | 'crew' | 'inspector', Api>;
let seeded: Record<string, string[]>;
let phoneGrid = '';
let departments: { id: number; name: string }[];
const problems: string[] = [];
const foreign: string[] = [];
/** The case the inspector reports in this run. */
const reported = { id: '', case_no: '' };

/** The decoded width of an <img> (0 until it has loaded, or when it failed). */
const naturalWidth = (img: import('playwright-core').Locator) => img.evaluate((el) => ((el as HTMLImageElement).complete ? (el as HTMLImageElement).naturalWidth : 0));
const zhName = (name: string) => name.split(/\s+/).filter((w) => /[\u4e00-\u9fff]/.test(w)).join(' ') || name;

function watch(page: Page, who: string): void {
  const origin = new URL(server.url).origin;
  page.on("pageerror", (e) => problems.push(`${who} pageerror: ${e.message} ${e.stack}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('status of 409')) problems.push(`${who} console: ${m.text()}`);
  });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol !== 'data:' && u.protocol !== 'blob:' && u.origin !== origin) foreign.push(r.url());
  });
  page.on('response', (r) => {
    // 409 is the stale-version test's own doing; everything else must succeed.
    if (r.status() >= 400 && !(r.status() === 409 && r.url().includes('/actions'))) problems.push(`${who} ${r.status()} ${r.url()}`);
  });
}

async function shot(p: Page, name: string): Promise<void> {
  await p.waitForTimeout(250);
  await p.screenshot({ path: `${SHOTS}${name}.png` });
}

async function signIn(p: Page, username: string, path: RegExp): Promise<void> {
  await p.goto(`${server.url}/login`, { waitUntil: 'load' });
  await p.getByTestId('login-username').fill(username);
  await p.getByTestId('login-password').fill('demo');
  await p.getByTestId('login-submit').click();
  await p.waitForURL(path, { timeout: 30_000 });
  await p.waitForFunction(() => window.__gridline?.map !== undefined && window.__gridline.map.loaded(), null, { timeout: 60_000 });
}

/** Screen position (page coordinates) of a lon/lat on the page's map. */
async function screenPoint(p: Page, lon: number, lat: number): Promise<{ x: number; y: number }> {
  return p.evaluate(([lo, la]) => {
    const map = window.__gridline!.map;
    const r = map.getCanvas().getBoundingClientRect();
    const q = map.project([lo, la]);
    return { x: r.left + q.x, y: r.top + q.y };
  }, [lon, lat] as const);
}

/** The cases drawn on the map at a lon/lat (deck.gl picking on the `cases` layer, within `radius` pixels). */
async function casesOnMap(p: Page, lon: number, lat: number, radius = 4): Promise<{ id: string; case_no: string; light: string }[]> {
  return p.evaluate(([lo, la, r]) => {
    const g = window.__gridline!;
    const q = g.map.project([lo, la]);
    // The field screens draw cases one by one ('cases'); the wall draws spots ('case-spots': one or several cases).
    const infos = g.overlay?.pickObjects({ x: q.x - r, y: q.y - r, width: 2 * r, height: 2 * r, layerIds: ['cases', 'case-spots'] }) ?? [];
    type C = { id: string; case_no: string; light: string };
    const cases = infos.flatMap((i) => (i.layer?.id === 'case-spots' ? window.__gridlineWall!.casesOf(i.object) as C[] : [i.object as C]));
    return cases.map((o) => ({ id: o.id, case_no: o.case_no, light: o.light }));
  }, [lon, lat, radius] as const);
}

const card = (p: Page, caseNo: string) => p.locator(`[data-testid="case-card"][data-case-no="${caseNo}"]`);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // The helper builds dist/client only when it is missing; these screens are new, so build now.
  server = await startDemoServer();
  seeded = await seedCases(server.url, 36);
  const [operator, shiftlead, dispatcher, leader, crew, inspector] = await Promise.all(
    ['operator1', 'shiftlead1', 'dispatcher1', 'leader1', 'crew1', 'inspector1'].map((u) => loginApi(server.url, u)));
  api = { operator, shiftlead, dispatcher, leader, crew, inspector };
  departments = await dispatcher.get('/api/departments');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  wallCtx = await browser.newContext({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
  // The phone's position (for "use my location"): the middle of a unit grid.
  const here = (await gridPoints(server.url))[40];
  phoneCtx = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true,
    geolocation: { longitude: here.lon, latitude: here.lat, accuracy: 12 }, permissions: ['geolocation'],
  });
  phoneGrid = here.code;
  wall = await wallCtx.newPage();
  phone = await phoneCtx.newPage();
  watch(wall, 'dispatcher');
  watch(phone, 'inspector');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('case screens', () => {
  test('signed out, the login screen; dispatcher1 signs in and lands on the wall map with every open case', async () => {
    await wall.goto(`${server.url}/login`, { waitUntil: 'load' });
    await shot(wall, '10-login');
    await signIn(wall, 'dispatcher1', /\/wall$/);
    const open = Object.entries(seeded).filter(([k]) => k !== 'urged').reduce((n, [, ids]) => n + ids.length, 0);
    await expect.poll(() => wall.getByTestId('case-card').count(), { timeout: 15_000 }).toBe(open);
    await expect(wall.getByTestId('count-total').textContent()).resolves.toBe(String(open));
    await expect(wall.getByTestId('live-state').getAttribute('data-live')).resolves.toBe('open');
    // Red first: the list is sorted red → yellow → green (right after seeding all are green: the order is by deadline).
    const lights = await wall.getByTestId('case-card').evaluateAll((els) => els.map((e) => /light-(\w+)/.exec(e.className)?.[1]));
    const rank = (l?: string) => ['red', 'yellow', 'green', 'none'].indexOf(l ?? 'none');
    expect(lights.map(rank)).toEqual([...lights.map(rank)].sort((a, b) => a - b));
    await wall.evaluate(() => { (window as unknown as { __noReload: boolean }).__noReload = true; });
    await shot(wall, '11-wall');
  });

  test('inspector1 reports from a phone; the case appears on the wall list and map within seconds, without reloading', async () => {
    await signIn(phone, 'inspector1', /\/inspector$/);
    // A point in the first unit grid by code: one of inspector1's responsibility grids (check tasks come back to them),
    // a quarter of the way in from its corner, away from the seeded cases (which sit near grid centres).
    const grid = (await gridPoints(server.url)).sort((a, b) => a.code.localeCompare(b.code))[0];
    const target = { lon: grid.bbox[0] + (grid.bbox[2] - grid.bbox[0]) * 0.25, lat: grid.bbox[1] + (grid.bbox[3] - grid.bbox[1]) * 0.25 };
    await phone.evaluate(([lon, lat]) => new Promise<void>((resolve) => {
      const map = window.__gridline!.map;
      map.once('idle', () => resolve());
      map.jumpTo({ center: [lon, lat], zoom: 17 });
    }), [target.lon, target.lat] as const);
    expect(await casesOnMap(phone, target.lon, target.lat, 10)).toEqual([]);
    await phone.getByTestId('class-search').fill('垃圾');
    await phone.locator('[data-testid="class-option"][data-code="06010"]').click();
    await expect(phone.getByTestId('class-chosen').textContent()).resolves.toContain('暴露垃圾');
    const at = await screenPoint(phone, target.lon, target.lat);
    await phone.mouse.click(at.x, at.y);
    await expect.poll(() => phone.getByTestId('report-point').textContent(), { timeout: 10_000 }).toContain(grid.code);
    await phone.getByTestId('report-description').fill('人行道旁垃圾堆放，约两平方米，影响通行');
    await phone.getByTestId('report-photo-input').setInputFiles({ name: 'before.png', mimeType: 'image/png', buffer: photoPng(320, 240, 1) });
    await phone.locator('.report-form .photo-thumb img').waitFor({ timeout: 10_000 });
    await expect.poll(() => naturalWidth(phone.locator('.report-form .photo-thumb img').first()), { timeout: 10_000 }).toBe(320); // the upload's signed link
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390); // no sideways scrolling
    await shot(phone, '20-inspector-report-form');

    const posted = phone.waitForRequest((r) => r.url().endsWith('/api/cases') && r.method() === 'POST');
    await phone.getByTestId('report-submit').click();
    const request = await posted;
    expect(request.headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    await phone.getByTestId('report-done').waitFor({ timeout: 15_000 });
    reported.case_no = (await phone.getByTestId('report-case-no').textContent())!.trim();
    expect(reported.case_no).toMatch(/^[0-9]{20}$/);
    await shot(phone, '21-inspector-reported');

    // The wall hears of it through /api/live: a new card, flashing, and a point on the map.
    const newCard = card(wall, reported.case_no);
    await newCard.waitFor({ timeout: LIVE_MS });
    await expect(newCard.getAttribute('class')).resolves.toContain('fresh');
    reported.id = (await newCard.getAttribute('data-id'))!;
    await expect.poll(async () => (await casesOnMap(wall, target.lon, target.lat)).map((c) => c.case_no), { timeout: LIVE_MS }).toContain(reported.case_no);
    expect(await wall.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await shot(wall, '12-wall-new-report');
  });

  test('operator accepts and the shift leader files (API); the wall follows live to pending dispatch', async () => {
    await api.operator.act(reported.id, 'accept');
    await api.shiftlead.act(reported.id, 'file');
    await expect.poll(() => card(wall, reported.case_no).getByTestId('case-status').getAttribute('data-status'), { timeout: LIVE_MS }).toBe('pending_dispatch');
  });

  test('a stale version (someone acted first) is refused with a message and the case reloaded', async () => {
    const other = seeded.pending_dispatch[1];
    const c = await api.dispatcher.get<{ case_no: string }>(`/api/cases/${other}`);
    await card(wall, c.case_no).click();
    await wall.getByTestId('case-detail').waitFor();
    await expect(wall.getByTestId('action-dispatch').textContent()).resolves.toMatch(/^派遣至 /);
    // The leader urges the case between the panel's read and the dispatcher's click: the click carries an old version.
    await wall.route('**/api/cases/*/actions', async (route) => {
      await api.leader.act(other, 'urge', { note: '抓紧派遣' });
      await route.continue();
    });
    await wall.getByTestId('action-dispatch').click();
    await expect(wall.getByTestId('panel-message').textContent()).resolves.toContain('已被他人更新');
    await wall.unroute('**/api/cases/*/actions');
    await expect(wall.getByTestId('case-detail').locator('.case-hero .tag-urged').count()).resolves.toBe(1); // reloaded
    await expect(wall.getByTestId('case-detail').getByTestId('case-status').first().getAttribute('data-status')).resolves.toBe('pending_dispatch');
    await shot(wall, '13-wall-stale-version');
  });

  test('the dispatcher dispatches with ONE click to the suggested department; status handling and the department shown', async () => {
    const c = await api.dispatcher.get<{ suggested_department_id: number }>(`/api/cases/${reported.id}`);
    const dept = zhName(departments.find((d) => d.id === c.suggested_department_id)!.name);
    await card(wall, reported.case_no).click();
    const panel = wall.getByTestId('case-detail');
    await expect.poll(() => panel.getByTestId('case-no').textContent()).toBe(reported.case_no);
    const button = wall.getByTestId('action-dispatch');
    await expect(button.textContent()).resolves.toBe(`派遣至 ${dept}`);
    await shot(wall, '14-wall-case-detail');
    await button.click();
    await expect.poll(() => panel.getByTestId('case-status').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('handling');
    await expect(panel.getByTestId('case-department').textContent()).resolves.toBe(dept);
    await expect(panel.locator('[data-testid="trail-entry"][data-action="dispatch"]').count()).resolves.toBe(1);
    // The report's photo, shown through the signed link the case detail carries for this user (an <img> sends no token).
    const strip = panel.locator('[data-testid="before-after"] [data-testid="case-photo"]');
    await expect.poll(() => strip.count()).toBe(1);
    await expect.poll(() => naturalWidth(strip.first()), { timeout: 10_000 }).toBe(320);
    expect(await strip.first().getAttribute('src')).toMatch(/^\/api\/photos\/[0-9a-f]{64}\?u=[0-9]+&exp=[0-9]+&sig=/);
    await expect.poll(() => card(wall, reported.case_no).getByTestId('case-status').getAttribute('data-status')).toBe('handling');
    const after = await api.dispatcher.get<{ status: string; department_id: number; suggestion_taken: boolean }>(`/api/cases/${reported.id}`);
    expect(after).toMatchObject({ status: 'handling', department_id: c.suggested_department_id, suggestion_taken: true });
    await shot(wall, '15-wall-dispatched');
  });

  test('the crew of that department feeds back with an after-photo', async () => {
    const crew = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    watch(crew, 'crew');
    await signIn(crew, 'crew1', /\/crew$/);
    await card(crew, reported.case_no).click();
    await crew.getByTestId('action-feedback').click();
    await crew.getByTestId('action-photo-input').setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: photoPng(320, 240, 4) });
    await crew.locator('.action-form .photo-thumb img').waitFor({ timeout: 10_000 });
    await crew.getByTestId('field-note').fill('垃圾已清运，现场已清扫');
    await shot(crew, '30-crew-feedback');
    await crew.getByTestId('form-submit').click();
    await expect.poll(() => crew.getByTestId('case-detail').getByTestId('case-status').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('pending_check');
    await shot(crew, '31-crew-fed-back');
    await expect.poll(() => card(wall, reported.case_no).getByTestId('case-status').getAttribute('data-status'), { timeout: LIVE_MS }).toBe('pending_check');
    await crew.close();
  });

  test('the operator sends a check task (API); the inspector checks the fix on the phone', async () => {
    await api.operator.act(reported.id, 'send_check');
    await phone.getByTestId('report-another').click();
    await expect.poll(() => phone.getByTestId('tab-tasks').textContent(), { timeout: LIVE_MS }).toMatch(/[1-9]/);
    await phone.getByTestId('tab-tasks').click();
    await card(phone, reported.case_no).click();
    await phone.getByTestId('action-check-passed').waitFor();
    await shot(phone, '22-inspector-check-task');
    await phone.getByTestId('action-check-passed').click();
    await expect.poll(() => phone.getByTestId('case-detail').getByTestId('case-status').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('pending_closing');
    await expect(phone.getByTestId('trail').textContent()).resolves.toContain('核查');
    const photos = phone.getByTestId('case-detail').locator('[data-testid="before-after"] [data-testid="case-photo"]'); // before and after
    await expect.poll(() => photos.count()).toBe(2);
    for (const i of [0, 1]) await expect.poll(() => naturalWidth(photos.nth(i)), { timeout: 10_000 }).toBe(320);
    await shot(phone, '23-inspector-checked');
  });

  test('the phone\'s position can be the report\'s location', async () => {
    await phone.getByTestId('case-detail').getByRole('button', { name: '关闭' }).click();
    await phone.getByTestId('tab-report').click();
    await phone.getByRole('button', { name: /使用当前定位/ }).click();
    await expect.poll(() => phone.getByTestId('report-point').textContent(), { timeout: 10_000 }).toContain(phoneGrid);
    await expect(phone.getByTestId('report-point').textContent()).resolves.toContain('卫星定位');
  });

  test('lights turn yellow and red by the clock alone, with no server event', async () => {
    // A second wall whose clock the test holds (Playwright's clock: Date only; timers and animation run as usual).
    // Its own context: the session lives in localStorage, shared by the tabs of one context.
    const clockCtx = await browser.newContext({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
    const clockPage = await clockCtx.newPage();
    watch(clockPage, 'wall-clock');
    const now = Date.now();
    await clockPage.clock.setFixedTime(now);
    await signIn(clockPage, 'dispatcher1', /\/wall$/);
    await expect.poll(() => clockPage.getByTestId('case-card').count(), { timeout: 15_000 }).toBeGreaterThan(30);
    const red = () => clockPage.getByTestId('count-red').locator('.light-count-n').textContent().then(Number);
    const yellow = () => clockPage.getByTestId('count-yellow').locator('.light-count-n').textContent().then(Number);
    expect(await red()).toBe(0);
    const requests: string[] = [];
    clockPage.on('request', (r) => { if (r.url().includes('/api/cases')) requests.push(r.url()); });
    // 26 minutes on: the 15-minute steps (accept, dispatch) are overdue, the 30-minute ones past 80 %.
    await clockPage.clock.setFixedTime(now + 26 * 60_000);
    await expect.poll(red, { timeout: 12_000 }).toBeGreaterThan(0);
    expect(await yellow()).toBeGreaterThan(0);
    expect(requests).toEqual([]); // nothing asked of the server: the clock alone
    const first = clockPage.getByTestId('case-card').first();
    await expect(first.getAttribute('class')).resolves.toContain('light-red');
    await shot(clockPage, '16-wall-lights');
    await first.click();
    await clockPage.getByTestId('case-detail').waitFor();
    await expect(clockPage.getByTestId('case-detail').getByTestId('light-badge').getAttribute('data-light')).resolves.toBe('red');
    await clockPage.waitForTimeout(800);
    await shot(clockPage, '17-wall-red-case');
    await clockPage.getByRole('button', { name: 'EN' }).click();
    await expect(clockPage.getByTestId('case-detail').textContent()).resolves.toContain('Trail');
    await shot(clockPage, '18-wall-english');
    await clockPage.getByRole('button', { name: '中文' }).click();
    await clockCtx.close();
  });

  test('a session ended elsewhere (logout from another client) closes the live stream: the wall goes to the login screen', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 }); // its own localStorage
    const page = await ctx.newPage();
    page.on('pageerror', (e) => problems.push(`ended-session pageerror: ${e.message}`));
    await signIn(page, 'dispatcher1', /\/wall$/);
    await expect.poll(() => page.getByTestId('live-state').getAttribute('data-live'), { timeout: 15_000 }).toBe('open');
    const token = await page.evaluate(() => (JSON.parse(localStorage.getItem('gridline.session') ?? '{}') as { token?: string }).token);
    expect(token).toBeTruthy();
    const res = await fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBeLessThan(300);
    // No request of the page's own: `event: closed` on the stream ends the session in the client at once.
    await page.waitForURL(/\/login/, { timeout: 10_000 });
    await expect(page.getByText('登录已失效，请重新登录').count()).resolves.toBe(1);
    await shot(page, '19-session-ended');
    await ctx.close();
  });

  test('no page errors, no failed requests, nothing from any other host', () => {
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
