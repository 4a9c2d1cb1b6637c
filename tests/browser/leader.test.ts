// The leader screen in a real browser (playwright-core + /usr/bin/chromium) against the real server with the demo
// district: leader1 signs in and lands on /leader; the headline shows the server's figures with numerator and
// denominator; the regions table ranks with grades; a figure opens exactly the cases behind it (numerator and
// denominator), a case opens with its trail; a bad custom period is refused in the UI's language; a table exports as
// CSV. Screenshots at 1920×1080 and 1366×768 (zh-CN and en, map metrics, drill-down) go to /tmp/leader-shots.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { loginApi, type Api } from './case-fixtures.js';
import { seedLeaderCases } from './leader-fixtures.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

type RunningServer = Awaited<ReturnType<typeof startDemoServer>>;
type Ratio = { numerator: number; denominator: number; rate: number | null };
type EvalRow = { key: string; composite: number | null; grade: string | null; indicators: Record<string, { numerator: number; denominator: number | null; score: number | null }> };

const SHOTS = '/tmp/leader-shots/';

let server: RunningServer;
let browser: Browser;
let leader: Api;
let seeded: { closed: string[]; all: string[] };
const problems: string[] = [];

const count = (n: number) => n.toLocaleString('en-US');

function watch(page: Page): void {
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  // The monthly report needs Chromium on the server side; every other request must succeed.
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().includes('/api/reports/')) problems.push(`${r.status()} ${r.url()}`); });
}

async function openLeader(width: number, height: number): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  const page = await ctx.newPage();
  watch(page);
  await page.goto(`${server.url}/login`, { waitUntil: 'load' });
  await page.getByTestId('login-username').fill('leader1');
  await page.getByTestId('login-password').fill('demo');
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/leader$/, { timeout: 30_000 });
  await page.waitForFunction(() => window.__gridline?.map !== undefined && window.__gridline.map.loaded(), null, { timeout: 60_000 });
  await page.locator('[data-testid="ld-map"][data-status="ready"]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="ev-row"]').first().waitFor({ timeout: 60_000 });
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${SHOTS}${name}.png`, timeout: 120_000 });
}

/** The period the screen shows ("from — to (n days)"). */
async function shownPeriod(page: Page): Promise<{ from: string; to: string }> {
  const text = await page.getByTestId('ld-period').innerText();
  const m = /(\d{4}-\d{2}-\d{2})\s*—\s*(\d{4}-\d{2}-\d{2})/.exec(text);
  if (!m) throw new Error(`no period in "${text}"`);
  return { from: m[1], to: m[2] };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // This client, built now (a dist/client left from an older build would test an older screen).
  const clientDir = mkdtempSync(join(tmpdir(), 'gridline-leader-client-'));
  execFileSync('npx', ['vite', 'build', '--outDir', clientDir, '--emptyOutDir'], { stdio: 'ignore' });
  server = await startDemoServer({ GRIDLINE_CLIENT_DIR: clientDir });
  seeded = await seedLeaderCases(server.url, 30);
  leader = await loginApi(server.url, 'leader1');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('leader screen', () => {
  test('the seed closed cases, so every figure below has something behind it', () => {
    expect(seeded.closed.length).toBeGreaterThan(5);
  });

  test('at 1920×1080: headline, graded table, drill-down to a case and its trail, export, bad period', async () => {
    const page = await openLeader(1920, 1080);
    const period = await shownPeriod(page);

    // Headline: the server's numerator and denominator, the rate, the Dongcheng reference.
    const h = await leader.get<Record<string, Ratio> & { reference: Record<string, number> }>(`/api/evaluation/headline?from=${period.from}&to=${period.to}`);
    expect(h.closing_rate.denominator).toBeGreaterThan(0);
    for (const k of ['discovery_rate', 'dispatch_accuracy', 'closing_rate'] as const) {
      const card = page.getByTestId(`hl-${k}`);
      await expect(card.getByTestId('hl-fraction').innerText()).resolves.toBe(`${count(h[k].numerator)} / ${count(h[k].denominator)}`);
      await expect(card.getByTestId('hl-value').innerText()).resolves.toBe(`${((h[k].rate ?? 0) * 100).toFixed(1)}%`);
    }
    await expect(page.getByTestId('hl-closing_rate').getByTestId('hl-ref').innerText()).resolves.toContain('95%');

    // Regions table: a grade A–E on each row with data, composites as the API gives them.
    // The table hides rows with no case behind any figure (a count of 0, or rates over 0), as its checkbox says.
    const ev = await leader.get<{ rows: EvalRow[]; indicators: { key: string; kind: string }[] }>(`/api/evaluation/regions?from=${period.from}&to=${period.to}&level=street`);
    const withCases = ev.rows.filter((r) => ev.indicators.some((m) => (m.kind === 'count_band' ? r.indicators[m.key].numerator > 0 : (r.indicators[m.key].denominator ?? 0) > 0)));
    expect(withCases.length).toBeGreaterThan(0);
    const rows = page.locator('[data-testid="ev-row"]');
    await expect(rows.count()).resolves.toBe(withCases.length);
    const busiest = [...withCases].sort((a, b) => (b.indicators.closing_rate?.denominator ?? 0) - (a.indicators.closing_rate?.denominator ?? 0))[0];
    const row = page.locator(`[data-testid="ev-row"][data-key="${busiest.key}"]`);
    await expect(row.getByTestId('grade').getAttribute('data-grade')).resolves.toBe(busiest.grade);
    expect(busiest.grade).toMatch(/^[A-E]$/);
    await expect(row.getByTestId('ev-composite').innerText()).resolves.toBe(busiest.composite!.toFixed(1));
    await shot(page, 'leader-1920');

    // Drill-down: the closing rate of that street, numerator then denominator, exactly the API's cases.
    const cell = busiest.indicators.closing_rate;
    await row.locator('[data-testid="ev-cell"][data-indicator="closing_rate"] button').click();
    const drill = page.getByTestId('drill');
    await page.locator('[data-testid="drill"][data-status="ready"]').waitFor();
    await expect(drill.getByTestId('drill-total').getAttribute('data-total')).resolves.toBe(String(cell.numerator));
    const numList = await leader.get<{ items: { id: string }[] }>(`/api/evaluation/regions/cases?from=${period.from}&to=${period.to}&level=street&key=${busiest.key}&indicator=closing_rate&part=numerator&limit=50`);
    const shownIds = await drill.locator('[data-testid="case-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(shownIds.sort()).toEqual(numList.items.map((c) => c.id).sort());
    await drill.getByTestId('drill-denominator').click();
    await page.locator('[data-testid="drill"][data-part="denominator"][data-status="ready"]').waitFor();
    await expect(drill.getByTestId('drill-total').getAttribute('data-total')).resolves.toBe(String(cell.denominator));

    // A case from the list opens with its whole trail.
    const first = drill.locator('[data-testid="case-row"]').first();
    const id = await first.getAttribute('data-id');
    await first.click();
    const detail = page.getByTestId('case-detail');
    await detail.getByTestId('trail-entry').first().waitFor();
    const full = await leader.get<{ trail: unknown[]; case_no: string }>(`/api/cases/${id}`);
    await expect(detail.getByTestId('trail-entry').count()).resolves.toBe(full.trail.length);
    await expect(detail.getByTestId('case-no').innerText()).resolves.toBe(full.case_no);
    await shot(page, 'leader-1920-drill');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('drill').count()).resolves.toBe(0);

    // A headline figure drills down too: the closed cases behind the closing rate.
    await page.getByTestId('hl-open-closing_rate').click();
    await page.locator('[data-testid="drill"][data-indicator="closing_rate"][data-status="ready"]').waitFor();
    await expect(page.getByTestId('drill-total').getAttribute('data-total')).resolves.toBe(String(h.closing_rate.numerator));
    await page.getByTestId('drill-close').click();

    // Hot spots: the method is stated beside the classes.
    await page.locator('[data-testid="ld-metric"] button[data-value="hotspot"]').click();
    await expect(page.getByTestId('ld-hot-method').innerText()).resolves.toContain('Getis–Ord Gi*');
    await shot(page, 'leader-1920-hotspot');
    await page.locator('[data-testid="ld-metric"] button[data-value="change"]').click();
    await page.locator('[data-testid="ld-level"] button[data-value="community"]').click();
    await page.locator('[data-testid="ld-map"][data-status="ready"]').waitFor();

    // Export: the regions table as CSV, saved under the server's file name.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('ev-export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);

    // A custom period that ends before it starts is refused in the UI's language, naming the field; nothing is asked.
    const before = problems.length;
    await page.getByTestId('ld-preset-custom').click();
    await page.getByTestId('ld-from').fill('2026-05-02');
    await page.getByTestId('ld-to').fill('2026-05-01');
    await page.getByTestId('ld-apply').click();
    await expect(page.getByTestId('ld-period-error').innerText()).resolves.toContain('开始日期晚于结束日期');
    await expect(page.getByTestId('ld-from').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(problems.length).toBe(before);

    // English, the departments table.
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByTestId('ld-preset-last_12_months').click();
    await page.getByTestId('ev-tab-departments').click();
    await page.locator('[data-testid="ev-table"][data-object="departments"]').waitFor();
    await expect(page.getByTestId('hl-discovery_rate').innerText()).resolves.toContain('Discovery rate');
    await shot(page, 'leader-1920-en');
    await page.context().close();
    expect(problems).toEqual([]);
  });

  test('at 1366×768: the whole screen fits and the drill-down opens a case', async () => {
    const page = await openLeader(1366, 768);
    const overflow = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'leader-1366');
    await page.getByTestId('hl-open-dispatch_accuracy').click();
    await page.locator('[data-testid="drill"][data-status="ready"]').waitFor();
    await page.locator('[data-testid="case-row"]').first().click();
    await page.getByTestId('case-detail').getByTestId('trail-entry').first().waitFor();
    await shot(page, 'leader-1366-drill');
    await page.context().close();
    expect(problems).toEqual([]);
  });
});
