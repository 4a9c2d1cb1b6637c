// Case search in a real browser (playwright-core + /usr/bin/chromium) against the real server with the demo district:
// dispatcher1 on a 1920×1080 wall screen and a 1366×768 laptop searches by text, status chips (closed cases too) and
// dates, opens a case with its trail and photos; crew1 on a 390×844 phone finds only its own department's cases,
// even when it searches for another department's text. Screenshots go to /tmp/gridline-search-shots/.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { gridPoints, loginApi, seedCases, type Api } from './case-fixtures.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

type RunningServer = Awaited<ReturnType<typeof startDemoServer>>;
type Item = { id: string; case_no: string; status: string; department_id: number | null; description: string | null; origin?: string };

const SHOTS = '/tmp/gridline-search-shots/';

let server: RunningServer;
let browser: Browser;
let api: Record<'dispatcher' | 'crew' | 'operator' | 'shiftlead' | 'inspector1' | 'inspector2', Api>;
/** Cases closed and voided by the set-up, through the real workflow. */
const closed: string[] = [];
const voided: string[] = [];
/** A case of another department than crew1's, with a description no other case has. */
const foreign = { id: '', case_no: '', text: '' };
const problems: string[] = [];

function watch(page: Page, who: string): void {
  page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${who} console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${who} ${r.status()} ${r.url()}`); });
}

async function shot(p: Page, name: string): Promise<void> {
  await p.waitForTimeout(300);
  await p.screenshot({ path: `${SHOTS}${name}.png` });
}

async function signIn(p: Page, username: string): Promise<void> {
  await p.goto(`${server.url}/login`, { waitUntil: 'load' });
  await p.getByTestId('login-username').fill(username);
  await p.getByTestId('login-password').fill('demo');
  await p.getByTestId('login-submit').click();
  await p.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
}

/** Opens the search screen (the session is kept in the tab, so a load is enough; the header links to it too). */
async function openSearch(p: Page): Promise<void> {
  await p.locator('a.nav-link[href="/search"]').waitFor();
  await p.goto(`${server.url}/search`, { waitUntil: 'load' });
  await p.getByTestId('search-results').waitFor();
}

/** The case numbers the table shows, once it has settled. */
async function rows(p: Page): Promise<{ case_no: string; status: string; origin: string }[]> {
  await p.waitForFunction(() => document.querySelector('[data-testid="search-results"]')?.getAttribute('aria-busy') === 'false');
  return p.getByTestId('case-row').evaluateAll((els) => els.map((e) => ({
    case_no: e.getAttribute('data-case-no') ?? '', status: e.getAttribute('data-status') ?? '', origin: e.getAttribute('data-origin') ?? '',
  })));
}

const total = async (p: Page) => Number(await p.getByTestId('search-results').getAttribute('data-total'));

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer();
  const seeded = await seedCases(server.url, 36);
  const [dispatcher, crew, operator, shiftlead, inspector1, inspector2] = await Promise.all(
    ['dispatcher1', 'crew1', 'operator1', 'shiftlead1', 'inspector1', 'inspector2'].map((u) => loginApi(server.url, u)));
  api = { dispatcher, crew, operator, shiftlead, inspector1, inspector2 };
  // Close the cases waiting for their check (the responsible inspector checks, the shift leader closes) and void one.
  for (const id of seeded.checking) {
    try { await inspector1.act(id, 'check', { passed: true, note: '已核查，整改到位' }); } catch { await inspector2.act(id, 'check', { passed: true, note: '已核查，整改到位' }); }
    await shiftlead.act(id, 'close');
    closed.push(id);
  }
  await shiftlead.act(seeded.pending_acceptance[0], 'void', { reason: '重复上报' });
  voided.push(seeded.pending_acceptance[0]);
  // A case for another department, with a description only it has.
  const deps = await dispatcher.get<{ id: number }[]>('/api/departments');
  const other = deps.find((d) => d.id !== crew.user.department_id)!;
  const p = (await gridPoints(server.url))[7];
  foreign.text = `占道堆物${Date.now() % 100000}`;
  const c = await inspector1.post<{ id: string; case_no: string }>('/api/cases', { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: foreign.text },
    { 'idempotency-key': `search-foreign-${Date.now()}` });
  await operator.act(c.id, 'accept');
  await shiftlead.act(c.id, 'file');
  await dispatcher.act(c.id, 'dispatch', { department_id: other.id });
  Object.assign(foreign, { id: c.id, case_no: c.case_no });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('case search', () => {
  test('dispatcher1 at 1920×1080: text, status chips and dates; closed and void cases found; a case opens with trail and photos', async () => {
    expect(closed.length).toBeGreaterThan(0);
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    watch(page, 'dispatcher');
    await signIn(page, 'dispatcher1');
    await openSearch(page);
    const everything = await api.dispatcher.get<{ total: number }>('/api/cases?limit=1');
    await expect.poll(() => total(page)).toBe(everything.total);
    expect((await rows(page)).length).toBe(Math.min(25, everything.total));
    await shot(page, '01-dispatcher-1920-all');

    // text: the description of the seeded manhole-cover cases
    await page.getByTestId('search-q').fill('井盖');
    await page.getByTestId('search-submit').click();
    await expect.poll(async () => (await rows(page)).length).toBeGreaterThan(0);
    const byText = await api.dispatcher.get<{ items: Item[]; total: number }>(`/api/cases?q=${encodeURIComponent('井盖')}&limit=1000&sort=newest`);
    expect(byText.items.every((c) => c.description?.includes('井盖'))).toBe(true);
    expect((await rows(page)).map((r) => r.case_no)).toEqual(byText.items.slice(0, 25).map((c) => c.case_no));
    expect(page.url()).toContain('q=');

    // closed + void chips: exactly the cases the set-up closed and voided
    await page.getByTestId('search-reset').click();
    await page.getByTestId('chip-closed').click();
    await page.getByTestId('chip-void').click();
    await expect.poll(async () => (await rows(page)).map((r) => r.status).sort()).toEqual([...closed.map(() => 'closed'), ...voided.map(() => 'void')].sort());

    // open a closed case: its trail ends with the close, with the crew's after-photo
    const closedNo = (await rows(page)).find((r) => r.status === 'closed')!.case_no;
    await page.locator(`[data-testid="case-row"][data-case-no="${closedNo}"]`).click();
    await page.getByTestId('case-detail').waitFor();
    await expect.poll(() => page.getByTestId('case-no').textContent()).toBe(closedNo);
    const actions = await page.getByTestId('trail-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
    expect(actions[0]).toBe('close');
    expect(actions).toEqual(expect.arrayContaining(['report', 'dispatch', 'feedback', 'check', 'close']));
    expect(await page.locator('.case-detail .photo-thumb img').count()).toBeGreaterThan(0);
    await shot(page, '02-dispatcher-1920-closed-case');

    // dates: today's range keeps them, a range in the past finds nothing
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    await page.getByTestId('search-from').fill(today);
    await page.getByTestId('search-to').fill(today);
    await expect.poll(async () => (await rows(page)).length).toBe(closed.length + voided.length);
    await page.getByTestId('search-from').fill('2020-01-01');
    await page.getByTestId('search-to').fill('2020-01-31');
    await expect.poll(async () => page.getByTestId('case-table-empty').count()).toBe(1);
    // from after to: the form says so in the UI's language and sends nothing
    await page.getByTestId('search-from').fill('2020-02-10');
    await expect(page.getByTestId('search-date-error').textContent()).resolves.toMatch(/开始日期晚于结束日期/);
    expect(await page.getByTestId('search-submit').isDisabled()).toBe(true);
    await shot(page, '03-dispatcher-1920-date-error');

    // English
    await page.getByTestId('search-reset').click();
    await page.locator('.lang-toggle').click();
    await expect.poll(() => page.getByTestId('search-submit').textContent()).toBe('Search');
    await page.getByTestId('chip-handling').click();
    await expect.poll(async () => (await rows(page)).length).toBeGreaterThan(0);
    expect((await rows(page)).every((r) => r.status === 'handling' || r.status === 'suspended')).toBe(true);
    await page.getByTestId('case-row').first().click();
    await page.getByTestId('case-detail').waitFor();
    await shot(page, '04-dispatcher-1920-en');
    await ctx.close();
  });

  test('dispatcher1 on a 1366×768 laptop: filters fold away, the table pages, the open case floats beside it', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    watch(page, 'laptop');
    await signIn(page, 'dispatcher1');
    await openSearch(page);
    await expect.poll(async () => (await rows(page)).length).toBeGreaterThan(0);
    await shot(page, '05-laptop-1366-list');
    const n = await total(page);
    if (n > 25) {
      await page.getByTestId('page-next').click();
      await expect.poll(() => page.getByTestId('page-at').textContent()).toMatch(/第 2 \//);
      expect((await rows(page)).length).toBe(Math.min(25, n - 25));
    }
    await page.getByTestId('search-more').click();
    await page.getByTestId('search-source').selectOption('inspector');
    await expect.poll(async () => (await rows(page)).length).toBeGreaterThan(0);
    await shot(page, '06-laptop-1366-filters');
    await page.getByTestId('search-more').click();
    await page.getByTestId('case-row').first().click();
    await page.getByTestId('case-detail').waitFor();
    await expect.poll(() => page.getByTestId('trail-entry').count()).toBeGreaterThan(0);
    await shot(page, '07-laptop-1366-case');
    await ctx.close();
  });

  test('crew1 on a 390×844 phone finds only its department\'s cases, never another department\'s by its text', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true });
    const page = await ctx.newPage();
    watch(page, 'crew');
    await signIn(page, 'crew1');
    await openSearch(page);
    const mine = await api.crew.get<{ items: Item[]; total: number }>('/api/cases?limit=1000&sort=newest');
    expect(mine.total).toBeGreaterThan(0);
    expect(mine.items.every((c) => c.department_id === api.crew.user.department_id)).toBe(true);
    await expect.poll(() => total(page)).toBe(mine.total);
    expect((await rows(page)).map((r) => r.case_no)).toEqual(mine.items.slice(0, 25).map((c) => c.case_no));
    await shot(page, '08-crew-phone-list');

    // the other department's case exists (the dispatcher finds it by its text) but the crew never sees it
    const theirs = await api.dispatcher.get<{ items: Item[] }>(`/api/cases?q=${encodeURIComponent(foreign.text)}`);
    expect(theirs.items.map((c) => c.case_no)).toEqual([foreign.case_no]);
    await page.getByTestId('search-q').fill(foreign.text);
    await page.getByTestId('search-q').press('Enter');
    await expect.poll(async () => page.getByTestId('case-table-empty').count()).toBe(1);
    await page.getByTestId('search-q').fill(foreign.case_no);
    await page.getByTestId('search-q').press('Enter');
    await expect.poll(async () => page.getByTestId('case-table-empty').count()).toBe(1);
    await shot(page, '09-crew-phone-not-found');

    await page.getByTestId('search-reset').click();
    await page.getByTestId('search-more').click();
    await shot(page, '10-crew-phone-filters');
    await page.getByTestId('search-more').click();
    await page.getByTestId('case-row').first().click();
    await page.getByTestId('case-detail').waitFor();
    await expect.poll(() => page.getByTestId('trail-entry').count()).toBeGreaterThan(0);
    await shot(page, '11-crew-phone-case');
    await ctx.close();
  });

  test('no page error, console error or failed request on any screen', () => {
    expect(problems).toEqual([]);
  });
});

