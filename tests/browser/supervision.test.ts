// Electronic supervision in a real browser (playwright-core + /usr/bin/chromium) against the real server with the
// demo district (and its simulated history where the demo has one): leader1 at 1920×1080 reads the counts, the
// department × step table and a list, opens a case from it and saves a threshold; operator1 on a 3840×2160 wall reads
// the same screen with the thresholds read-only, and the wall shows the alert banner. Screenshots go to
// /tmp/gridline-supervision-shots/.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { loginApi, seedCases, type Api } from './case-fixtures.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

type RunningServer = Awaited<ReturnType<typeof startDemoServer>>;
const SHOTS = '/tmp/gridline-supervision-shots/';

let server: RunningServer;
let browser: Browser;
let leader: Api;
const problems: string[] = [];

function watch(page: Page, who: string): void {
  page.on('pageerror', (e) => problems.push(`${who} pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${who} console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${who} ${r.status()} ${r.url()}`); });
}

async function signedIn(username: string, width: number, height: number): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height } });
  const p = await ctx.newPage();
  watch(p, username);
  await p.goto(`${server.url}/login`, { waitUntil: 'load' });
  await p.getByTestId('login-username').fill(username);
  await p.getByTestId('login-password').fill('demo');
  await p.getByTestId('login-submit').click();
  await p.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
  return p;
}

async function shot(p: Page, name: string): Promise<void> {
  await p.waitForTimeout(400);
  await p.screenshot({ path: `${SHOTS}${name}.png` });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer({ GRIDLINE_DEMO_HISTORY_DAYS: '14' });
  // the simulated history loads in the background: wait for it, so overdue and stockpiled cases exist
  for (let i = 0; i < 240; i++) {
    const cfg = (await (await fetch(`${server.url}/api/config`)).json()) as { history?: { state: string } };
    if (!cfg.history || cfg.history.state === 'done' || cfg.history.state === 'none') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const seeded = await seedCases(server.url, 24);
  leader = await loginApi(server.url, 'leader1');
  const [crew, dispatcher] = await Promise.all([loginApi(server.url, 'crew1'), loginApi(server.url, 'dispatcher1')]);
  // an extension granted today, on a case of crew1's department
  const mine = [];
  for (const id of seeded.handling) {
    const c = await crew.get<{ department_id: number | null }>(`/api/cases/${id}`).catch(() => null);
    if (c && c.department_id === crew.user.department_id) mine.push(id);
  }
  if (mine[0]) {
    await crew.act(mine[0], 'apply_extension', { hours: 4, reason: '需要协调交通管制' });
    await dispatcher.act(mine[0], 'approve_extension');
  }
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('supervision screen', () => {
  test('a leader at 1920×1080 reads the counts and lists, opens a case and saves a threshold', async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const summary = await leader.get<{ counts: Record<string, number>; departments: unknown[]; alerts: unknown[] }>('/api/supervision/summary');
    expect(summary.counts.urged).toBeGreaterThanOrEqual(3); // seedCases urges three
    const p = await signedIn('leader1', 1920, 1080);
    await p.locator('a.nav-link[href="/supervision"]').waitFor({ state: 'attached' });
    await p.goto(`${server.url}/supervision`, { waitUntil: 'load' });
    await p.getByTestId('supervision-screen').waitFor();
    await p.getByTestId('sv-tile-overdue').waitFor();
    expect(await p.getByTestId('sv-tile-urged').locator('.sv-tile-n').textContent()).toBe(String(summary.counts.urged));
    if (summary.departments.length) await p.getByTestId('sv-overdue-table').waitFor();
    await shot(p, 'leader-1920-overdue');

    await p.getByTestId('sv-tile-urged').click();
    await p.locator('[data-testid="sv-list"][data-category="urged"] tbody tr').first().waitFor();
    await p.locator('[data-testid="sv-list"] tbody tr').first().click();
    await p.locator('.sv-detail').waitFor();
    await p.locator('.sv-detail .trail, .sv-detail [data-testid="trail"], .sv-detail ol').first().waitFor({ timeout: 15_000 }).catch(() => {});
    await shot(p, 'leader-1920-urged-case');
    await p.keyboard.press('Escape');

    await p.getByTestId('sv-tile-extensions').click();
    await p.locator('[data-testid="sv-list"][data-category="extensions"]').waitFor();

    // a bad value is caught in the form, in the UI's language; a good one is saved and shown as a new version
    const field = p.locator('.sv-th-field input[name="department_overdue"]');
    await field.fill('0');
    await p.getByTestId('sv-th-save').click();
    await expect.poll(() => p.getByTestId('sv-th-status').textContent()).toMatch(/标红|marked in red/);
    await field.fill('2');
    await p.getByTestId('sv-th-save').click();
    await expect.poll(() => p.getByTestId('sv-th-status').textContent()).toMatch(/已保存|saved/);
    expect((await leader.get<{ department_overdue: number }>('/api/supervision/thresholds')).department_overdue).toBe(2);
    await shot(p, 'leader-1920-thresholds-saved');
    await p.context().close();
  }, 240_000);

  test('an operator on a 3840×2160 wall reads it with thresholds read-only; the wall shows the alerts', async () => {
    const p = await signedIn('operator1', 3840, 2160);
    await p.goto(`${server.url}/supervision`, { waitUntil: 'load' });
    await p.getByTestId('sv-tile-overdue').waitFor();
    expect(await p.locator('.sv-th-field input').first().isDisabled()).toBe(true);
    expect(await p.getByTestId('sv-th-save').count()).toBe(0);
    await shot(p, 'operator-3840-supervision');

    const alerts = (await leader.get<{ alerts: unknown[] }>('/api/supervision/alerts')).alerts;
    if (!alerts.length) {
      // A fresh demo district has nothing overdue yet (the clock is real): the banner is checked on the server's empty
      // answer first (it hides), then shown with one alert of each kind answered for this page alone, to be seen.
      await p.goto(`${server.url}/wall`, { waitUntil: 'load' });
      await p.getByTestId('wall').waitFor({ timeout: 60_000 }).catch(async (e) => { await shot(p, 'operator-3840-wall-failed'); throw new Error(`${e}\n${problems.join('\n')}`); });
      await p.waitForTimeout(2000);
      expect(await p.getByTestId('supervision-alerts').count()).toBe(0);
      await p.route('**/api/supervision/alerts', (route) => route.fulfill({ json: { now: new Date().toISOString(), alerts: [
        { kind: 'department_overdue', key: 'department_overdue:1', count: 7, threshold: 5, department_id: 1, department_name: '市政管理委员会', step: null, category: 'overdue' },
        { kind: 'step_overdue', key: 'step_overdue:dispatch', count: 12, threshold: 10, department_id: null, department_name: null, step: 'dispatch', category: 'overdue' },
        { kind: 'unanswered_urges', key: 'unanswered_urges', count: 2, threshold: 24, department_id: null, department_name: null, step: null, category: 'urged' },
        { kind: 'stockpiled', key: 'stockpiled', count: 1, threshold: 1, department_id: null, department_name: null, step: null, category: 'stockpiled' },
      ] } }));
    }
    await p.goto(`${server.url}/wall`, { waitUntil: 'load' });
    await p.getByTestId('wall').waitFor({ timeout: 60_000 });
    await p.getByTestId('supervision-alerts').waitFor({ timeout: 20_000 });
    expect(await p.getByTestId('supervision-alerts').textContent()).toMatch(/监察预警/);
    await shot(p, 'operator-3840-wall');
    await p.getByTestId('supervision-alerts').locator('a').click();
    await p.getByTestId('supervision-screen').waitFor();
    await p.context().close();
    expect(problems).toEqual([]);
  }, 240_000);
});
