// The transparency page and the satisfaction call-back in a real browser (playwright-core + /usr/bin/chromium) against
// the real server with the demo district and a short simulated history: the public page at 390×844 (phone) and
// 1366×768 (laptop), zh and en, streets and communities, a month picked back, recent closed cases with an approved
// before/after pair, and no personal data on screen; then operator1 records a dissatisfied call-back in a closed
// case's panel, and shiftlead1 reopens the case from the supervision centre's review list. Screenshots go to
// /tmp/gridline-transparency-shots/.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { loginApi, photoPng, gridPoints, type Api } from './case-fixtures.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

type RunningServer = Awaited<ReturnType<typeof startDemoServer>>;
const SHOTS = '/tmp/gridline-transparency-shots/';
const CALLER = { name: '孙悟净', phone: '13566667777' };
const RUN = Math.random().toString(36).slice(2, 8);
const MARKER = `回访测试${RUN}`;

let server: RunningServer;
let browser: Browser;
let closed: { id: string; case_no: string };
const problems: string[] = [];

function watch(page: Page, who: string): void {
  page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${who} console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${who} ${r.status()} ${r.url()}`); });
}

async function page(width: number, height: number, who: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height } });
  const p = await ctx.newPage();
  watch(p, who);
  return p;
}

async function signedIn(username: string, width: number, height: number): Promise<Page> {
  const p = await page(width, height, username);
  await p.goto(`${server.url}/login`, { waitUntil: 'load' });
  await p.getByTestId('login-username').fill(username);
  await p.getByTestId('login-password').fill('demo');
  await p.getByTestId('login-submit').click();
  await p.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
  return p;
}

async function shot(p: Page, name: string, fullPage = false): Promise<void> {
  await p.waitForTimeout(400);
  await p.screenshot({ path: `${SHOTS}${name}.png`, fullPage });
}

/** The action by the first of `apis` that may see the case. */
async function act(apis: Api[], id: string, action: string, fields: Record<string, unknown> = {}) {
  let last: unknown = null;
  for (const a of apis) {
    try { return await a.act(id, action, fields); } catch (e) { last = e; }
  }
  throw last;
}

/** A hotline call with the caller's contact and photos, closed by the crew; the photos approved for the public. */
async function closedHotlineCase(): Promise<{ id: string; case_no: string }> {
  const [operator, shiftLead, dispatcher, crew, i1, i2] = await Promise.all(
    ['operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'inspector1', 'inspector2'].map((u) => loginApi(server.url, u)));
  // a unit grid inspector1 patrols, so it can verify and check the report
  const mine = await i1.get<{ features: { properties: { kind: string; code: string } }[] }>('/api/grids/mine');
  const units = new Set(mine.features.filter((f) => f.properties.kind === 'unit').map((f) => f.properties.code));
  const p = (await gridPoints(server.url)).find((g) => units.has(g.code))!;
  expect(p).toBeDefined();
  const before = await operator.photo(photoPng(320, 240, 3));
  const c = await operator.post<{ id: string; case_no: string }>('/api/cases', {
    kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, source: 'hotline', description: `${MARKER} 垃圾满溢`,
    reporter_name: CALLER.name, reporter_phone: CALLER.phone, photo_ids: [before.id],
  }, { 'idempotency-key': `tp-${RUN}` });
  await act([operator], c.id, 'send_verify');
  await act([i1, i2], c.id, 'verify', { found: true });
  await act([operator], c.id, 'accept');
  await act([shiftLead], c.id, 'file');
  const d = await act([dispatcher], c.id, 'dispatch', { department_id: crew.user.department_id });
  expect(d.status).toBe('handling');
  const after = await crew.photo(photoPng(320, 240, 9));
  await act([crew], c.id, 'feedback', { note: '已清运', photo_ids: [after.id] });
  await act([operator], c.id, 'send_check');
  await act([i1, i2], c.id, 'check', { passed: true });
  await act([shiftLead], c.id, 'close');
  for (const pid of [before.id, after.id]) {
    const r = await fetch(`${server.url}/api/cases/${c.id}/public-photos/${pid}`, { method: 'PUT', headers: { authorization: `Bearer ${operator.token}` } });
    expect(r.status, await r.text()).toBe(200);
  }
  return c;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer({ GRIDLINE_DEMO_HISTORY_DAYS: '45' });
  for (let i = 0; i < 480; i++) {
    const cfg = (await (await fetch(`${server.url}/api/config`)).json()) as { history?: { state: string } };
    if (!cfg.history || cfg.history.state === 'done' || cfg.history.state === 'none') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  closed = await closedHotlineCase();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Nothing personal on the page: not the caller, not the description, not a staff member. */
async function assertNothingPersonal(p: Page) {
  const text = await p.locator('body').innerText();
  for (const s of [CALLER.name, CALLER.phone, MARKER, '已清运', 'operator1', 'crew1', 'shiftlead1', 'inspector1']) expect(text.includes(s), s).toBe(false);
}

describe('transparency page', () => {
  test('a phone (390×844): the month\'s figures per street, zh and en, communities, an earlier month, recent solved cases with photos', async () => {
    const p = await page(390, 844, 'public-phone');
    await p.goto(`${server.url}/public/transparency`, { waitUntil: 'load' });
    await p.getByTestId('tp-table').waitFor();
    const streets = await p.locator('[data-testid="tp-table"] tbody tr').count();
    const api = await (await fetch(`${server.url}/api/public/transparency?level=street`)).json() as { items: unknown[]; total: { received: number; closed: number } };
    expect(streets).toBe(api.items.length);
    expect(await p.getByTestId('tp-total-received').innerText()).toContain(String(api.total.received));
    expect(api.total.closed).toBeGreaterThan(0);
    await p.getByTestId('tp-recent').waitFor();
    const mine = p.locator('.tp-case').filter({ has: p.locator('.tp-photo img') }).first();
    await mine.locator('.tp-photo img').first().waitFor({ state: 'attached' });
    await mine.scrollIntoViewIfNeeded(); // the photos load lazily, when they come into view
    await expect.poll(() => mine.locator('.tp-photo img').evaluateAll((els) => els.every((e) => (e as HTMLImageElement).naturalWidth > 0))).toBe(true);
    await assertNothingPersonal(p);
    await shot(p, 'phone-zh-street');
    await shot(p, 'phone-zh-street-full', true);
    // no horizontal scrolling on a phone
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await p.getByTestId('tp-lang').click();
    await p.getByTestId('tp-level-community').click();
    await expect.poll(() => p.locator('[data-testid="tp-table"] tbody tr').count()).toBeGreaterThan(streets);
    expect(await p.locator('h1').innerText()).toBe('City management in figures');
    await shot(p, 'phone-en-community');
    await p.getByTestId('tp-prev').click();
    const prev = await p.getByTestId('tp-month').inputValue();
    const res = await (await fetch(`${server.url}/api/public/transparency?level=community&month=${prev}`)).json() as { total: { received: number } };
    await expect.poll(async () => p.getByTestId('tp-total-received').innerText()).toContain(String(res.total.received));
    expect(await p.getByTestId('tp-next').isEnabled()).toBe(true);
    await assertNothingPersonal(p);
    await shot(p, 'phone-en-community-prev-month');
    expect(problems).toEqual([]);
  });

  test('a laptop (1366×768) and a wall (3840×2160): the table and the recent cases side by side', async () => {
    const p = await page(1366, 768, 'public-laptop');
    await p.goto(`${server.url}/public/transparency`, { waitUntil: 'load' });
    await p.getByTestId('tp-table').waitFor();
    await p.getByTestId('tp-recent').waitFor();
    expect(await p.locator('[data-testid="tp-table"] thead th').count()).toBe(5);
    await assertNothingPersonal(p);
    await shot(p, 'laptop-zh');
    await shot(p, 'laptop-zh-full', true);
    const w = await page(3840, 2160, 'public-wall');
    await w.goto(`${server.url}/public/transparency`, { waitUntil: 'load' });
    await w.getByTestId('tp-recent').waitFor();
    await shot(w, 'wall-zh');
    expect(problems).toEqual([]);
  });
});

describe('satisfaction call-back', () => {
  test('operator1 (1366×768) records a dissatisfied call-back; shiftlead1 (1920×1080) reopens the case from the review list', async () => {
    const p = await signedIn('operator1', 1366, 768);
    await p.locator('a.nav-link[href="/search"]').waitFor();
    await p.goto(`${server.url}/search`, { waitUntil: 'load' });
    await p.getByTestId('search-q').fill(MARKER);
    await p.getByTestId('search-submit').click();
    await p.locator(`[data-testid="case-row"][data-case-no="${closed.case_no}"]`).click();
    await p.getByTestId('callback-form').waitFor();
    await p.getByTestId('callback-save').click();
    await expect.poll(() => p.locator('[data-testid="callback-form"] [role="alert"]').innerText()).toContain('请选择');
    await p.getByTestId('callback-dissatisfied').click();
    await p.getByTestId('callback-comment').fill('来电人称垃圾仍未清理干净');
    await shot(p, 'operator-callback-form');
    await p.getByTestId('callback-save').click();
    await p.getByTestId('case-rating').waitFor();
    expect(await p.getByTestId('case-rating').innerText()).toContain('不满意');
    await expect.poll(() => p.getByTestId('trail-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))).toContain('callback');
    await shot(p, 'operator-callback-saved');

    const s = await signedIn('shiftlead1', 1920, 1080);
    await s.locator('a.nav-link[href="/supervision"]').waitFor();
    await s.goto(`${server.url}/supervision`, { waitUntil: 'load' });
    const item = s.locator(`[data-testid="sat-review-item"][data-case="${closed.case_no}"]`);
    await item.waitFor();
    expect(await item.innerText()).toContain('来电人称垃圾仍未清理干净');
    await shot(s, 'shiftlead-review-list');
    await item.getByTestId('sat-reopen').click();
    await expect.poll(() => item.locator('[role="alert"]').innerText()).toContain('理由');
    await item.getByTestId('sat-reason').fill('回访不满意，退回原部门返工');
    await item.getByTestId('sat-reopen').click();
    await expect.poll(() => s.locator(`[data-testid="sat-review-item"][data-case="${closed.case_no}"]`).count()).toBe(0);
    const api = await loginApi(server.url, 'shiftlead1');
    const c = await api.get<{ status: string; rework_count: number }>(`/api/cases/${closed.id}`);
    expect(c).toMatchObject({ status: 'pending_dispatch', rework_count: 1 });
    await s.getByTestId('sat-tab-reopened').click();
    await s.locator(`[data-testid="sat-review-item"][data-case="${closed.case_no}"]`).waitFor();
    await shot(s, 'shiftlead-review-reopened');
    expect(problems.filter((x) => !/ 4(09|22) /.test(x))).toEqual([]);
  });
});
