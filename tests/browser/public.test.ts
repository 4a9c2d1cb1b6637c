// The public report and "track my report" pages in a real browser (issue 11; playwright-core + /usr/bin/chromium, the
// demo district), signed out, on a 390×844 phone: a member of the public places the problem on the map, picks the
// class in plain words, adds a photo and a contact, sends it (the page solved its proof of work first) and gets the
// report number and tracking code; follows it on the tracking page (received); the city then handles and closes the
// case, approves the photos and writes a public reply; the reporter looks it up again by number and code, sees the
// steps, the reply and the before/after photos, and rates the result. A look at 1366×768 in English.
// Screenshots: /tmp/gridline-public-shots/.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { gridPoints, loginApi, photoPng, type Api } from './case-fixtures.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

type RunningServer = Awaited<ReturnType<typeof startDemoServer>>;

const SHOTS = '/tmp/gridline-public-shots/';
let server: RunningServer;
let browser: Browser;
let api: Record<'inspector1' | 'inspector2' | 'operator1' | 'shiftlead1' | 'dispatcher1' | 'crew1', Api>;
let spot = { lon: 0, lat: 0 };
const problems: string[] = [];

function watch(page: Page, who: string): void {
  page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 404/.test(m.text())) problems.push(`${who} console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().includes('/api/public/track')) problems.push(`${who} ${r.status()} ${r.url()}`); });
}

async function shot(p: Page, name: string, fullPage = false): Promise<void> {
  await p.waitForTimeout(400);
  await p.screenshot({ path: `${SHOTS}${name}.png`, fullPage });
}

async function clickMapAt(p: Page, lon: number, lat: number): Promise<void> {
  await p.waitForFunction(() => !!(window as unknown as { __gridline?: unknown }).__gridline, undefined, { timeout: 30_000 });
  const xy = await p.evaluate(async ([x, y]) => {
    const m = (window as unknown as { __gridline: { map: import('maplibre-gl').Map } }).__gridline.map;
    m.getContainer().scrollIntoView({ block: 'center' });
    m.jumpTo({ center: [x, y], zoom: 17 });
    await new Promise((r) => { if (m.loaded()) r(null); else m.once('idle', r); });
    const pt = m.project([x, y]);
    const box = m.getContainer().getBoundingClientRect();
    return [box.left + pt.x, box.top + pt.y];
  }, [lon, lat]);
  await p.mouse.click(xy[0], xy[1]);
}

async function tryAct(who: Api[], id: string, action: string, fields: Record<string, unknown> = {}): Promise<void> {
  let last: unknown = null;
  for (const a of who) {
    try { await a.act(id, action, fields); return; } catch (e) { last = e; }
  }
  throw last;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer();
  const names = ['inspector1', 'inspector2', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1'] as const;
  const apis = await Promise.all(names.map((u) => loginApi(server.url, u)));
  api = Object.fromEntries(names.map((n, i) => [n, apis[i]])) as typeof api;
  // the demo inspectors patrol the first unit grids in code order: a report there can be verified and checked
  const points = (await gridPoints(server.url)).sort((a, b) => a.code.localeCompare(b.code));
  spot = points[11];
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the public pages', () => {
  test('a member of the public reports with a photo on a phone, gets number and code, follows it to closing and rates it', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN', isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    watch(page, 'public');
    await page.goto(`${server.url}/public/report`, { waitUntil: 'load' });
    expect(new URL(page.url()).pathname).toBe('/public/report'); // no login asked for
    await page.getByTestId('public-report').waitFor();
    await expect.poll(() => page.getByTestId('pb-submit').isEnabled(), { timeout: 30_000 }).toBe(true); // proof of work done
    await shot(page, '01-report-390-empty');

    // nothing chosen yet: the page says what is missing
    await page.getByTestId('pb-submit').click();
    await page.getByTestId('pb-missing').waitFor();

    await clickMapAt(page, spot.lon, spot.lat);
    await expect.poll(() => page.getByTestId('pb-place').textContent()).toMatch(/位置：/);
    await page.getByTestId('pb-class-search').fill('垃圾');
    await page.locator('[data-testid="pb-class-option"][data-code="06010"]').first().click();
    await page.getByTestId('pb-class-chosen').waitFor();
    await page.getByTestId('pb-description').fill('公交站旁堆了很多垃圾袋，已经两天了');
    await page.getByTestId('pb-photo-input').setInputFiles({ name: 'rubbish.png', mimeType: 'image/png', buffer: photoPng(480, 360, 5) });
    await page.locator('.pb-thumb img').waitFor({ timeout: 30_000 });
    await page.getByTestId('pb-name').fill('李市民');
    await page.getByTestId('pb-phone').fill('139 0000 1234');
    await page.getByTestId('pb-notify').check();
    await shot(page, '02-report-390-filled', true);

    await page.getByTestId('pb-submit').click();
    const caseNo = (await page.getByTestId('pb-case-no').textContent({ timeout: 30_000 }))!.trim();
    const code = (await page.getByTestId('pb-tracking-code').textContent())!.trim();
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await shot(page, '03-report-390-done');

    // follow it: the tracking page looks it up at once
    await page.getByTestId('pb-track-now').click();
    await page.getByTestId('pb-steps').waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe('/public/track');
    expect(await page.locator('[data-testid="pb-steps"] li').evaluateAll((xs) => xs.map((x) => x.getAttribute('data-step')))).toEqual(['received']);
    expect(await page.getByTestId('pb-withheld').textContent()).toMatch(/1/);
    await shot(page, '04-track-390-received', true);

    // a wrong code: the same "not found" as an unknown number, in words
    await page.getByTestId('pb-track-code').fill('AAAA-AAAA-AAAA');
    await page.getByTestId('pb-track-submit').click();
    await page.getByTestId('pb-track-problem').waitFor();
    expect(await page.getByTestId('pb-track-problem').textContent()).toMatch(/核对案件编号和查询码/);

    // the city handles it: verified, accepted, filed, dispatched to crew1, fixed with an after photo, checked, closed
    const found = await api.operator1.get<{ items: { id: string; case_no: string }[] }>(`/api/cases?q=${encodeURIComponent(caseNo)}&limit=5`);
    const caseId = found.items.find((c) => c.case_no === caseNo)!.id;
    const after = await api.crew1.photo(photoPng(480, 360, 9));
    await api.operator1.act(caseId, 'send_verify');
    await tryAct([api.inspector1, api.inspector2], caseId, 'verify', { found: true });
    await api.operator1.act(caseId, 'accept');
    await api.shiftlead1.act(caseId, 'file');
    await api.dispatcher1.act(caseId, 'dispatch', { department_id: api.crew1.user.department_id });
    await api.crew1.act(caseId, 'feedback', { note: '已清运', photo_ids: [after.id] });
    await api.operator1.act(caseId, 'send_check');
    await tryAct([api.inspector1, api.inspector2], caseId, 'check', { passed: true });
    await api.shiftlead1.act(caseId, 'close');
    const detail = await api.operator1.get<{ photos: { id: string }[] }>(`/api/cases/${caseId}`);
    for (const p of detail.photos) {
      const r = await fetch(`${server.url}/api/cases/${caseId}/public-photos/${p.id}`, { method: 'PUT', headers: { authorization: `Bearer ${api.operator1.token}` } });
      expect(r.status).toBe(200);
    }
    const reply = await fetch(`${server.url}/api/cases/${caseId}/public-reply`, {
      method: 'PUT', headers: { authorization: `Bearer ${api.crew1.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ reply: '垃圾已于当日清运完毕，感谢您的反映。' }),
    });
    expect(reply.status).toBe(200);

    // the reporter looks it up again by number and code
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('pb-track-case').fill(caseNo);
    await page.getByTestId('pb-track-code').fill(code.toLowerCase());
    await page.getByTestId('pb-track-submit').click();
    await page.getByTestId('pb-rate').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('pb-stage').textContent()).toBe('已办结');
    expect(await page.locator('[data-testid="pb-steps"] li').evaluateAll((xs) => xs.map((x) => x.getAttribute('data-step'))))
      .toEqual(['received', 'verifying', 'verified', 'accepted', 'filed', 'dispatched', 'handled', 'checking', 'checked', 'closed']);
    expect(await page.getByTestId('pb-reply').textContent()).toMatch(/清运完毕/);
    await expect.poll(() => page.locator('[data-testid="pb-photo"]').evaluateAll((xs) => xs.filter((x) => (x as HTMLImageElement).naturalWidth > 0).length)).toBe(2);
    await shot(page, '05-track-390-closed', true);

    await page.getByTestId('pb-rate-satisfied').click();
    await page.getByTestId('pb-rate-comment').fill('处理很快');
    await page.getByTestId('pb-rate-send').click();
    await page.getByTestId('pb-rated').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('pb-rated').textContent()).toMatch(/满意/);
    await shot(page, '06-track-390-rated', true);
    await ctx.close();

    // a laptop, in English
    const wide = await browser.newContext({ viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1, locale: 'en-US' });
    const p2 = await wide.newPage();
    watch(p2, 'laptop');
    await p2.goto(`${server.url}/public/report`, { waitUntil: 'load' });
    await p2.getByTestId('pb-lang').click();
    await expect.poll(() => p2.getByTestId('pb-submit').textContent(), { timeout: 30_000 }).toBe('Send report');
    await shot(p2, '07-report-1366-en');
    await wide.close();

    expect(problems).toEqual([]);
  }, 600_000);
});
