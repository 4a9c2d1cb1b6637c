// The printable monthly report end to end: cases moved through the workflow on the real server, then
// GET /api/reports/monthly.pdf rendered by headless Chromium (the server's own); the PDF checked with poppler
// (pdfinfo pages, pdftotext words) and its first page rendered to PNG for the eye; the /report page itself shot at
// 1920×1080 and 1366×768. Screenshots go to tests/browser/screenshots/ (git-ignored).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

let server: Awaited<ReturnType<typeof startDemoServer>>;
let browser: Browser;
const tokens: Record<string, string> = {};
const users: Record<string, unknown> = {};
/** The month the cases are reported in: today in the district's zone. */
const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);

async function api<T>(method: string, path: string, who: string | null, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method, headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const pdftotext = (pdf: string) => execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
const pdfPages = (pdf: string) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer();
  for (const u of ['inspector1', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1']) {
    const r = await api<{ token: string; user: unknown }>('POST', '/api/auth/login', null, { username: u, password: 'demo' });
    tokens[u] = r.token;
    users[u] = r.user;
  }
  // A few cases through the workflow this month: closed, handling, refused, and reported only.
  const cfg = await api<{ district: { bbox: number[] } }>('GET', '/api/config', null);
  const grids = await api<{ features: { geometry: { coordinates: number[][][] } }[] }>('GET', `/api/grids?bbox=${cfg.district.bbox.join(',')}`, null);
  const at = (i: number) => {
    const flat = (grids.features[(i * 37) % grids.features.length].geometry.coordinates as unknown[]).flat(Infinity) as number[];
    const ring = flat.reduce<number[][]>((acc, v, k) => (k % 2 ? acc : [...acc, [v, flat[k + 1]]]), []);
    const xs = ring.map((p) => p[0]);
    const ys = ring.map((p) => p[1]);
    return { lon: (Math.min(...xs) + Math.max(...xs)) / 2, lat: (Math.min(...ys) + Math.max(...ys)) / 2 };
  };
  const photo = await fetch(`${server.url}/api/photos`, {
    method: 'POST', headers: { authorization: `Bearer ${tokens.crew1}`, 'content-type': 'image/png' },
    body: execFileSync('node', ['-e', "process.stdout.write(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==','base64'))"]),
  }).then((r) => r.json() as Promise<{ id: string }>);
  for (let i = 0; i < 8; i++) {
    let c = await api<{ id: string; version: number }>('POST', '/api/cases', 'inspector1', { kind: 'event', class_code: i % 2 ? '06010' : '06001', ...at(i), description: `report test ${i}` }).catch(() => null);
    if (!c) continue;
    const steps: [string, string, Record<string, unknown>?][] = i % 4 === 3 ? [['operator1', 'accept'], ['shiftlead1', 'refuse', { reason: 'not ours' }]]
      : i % 4 === 2 ? [] : [['operator1', 'accept'], ['shiftlead1', 'file'], ['dispatcher1', 'dispatch'],
        ...(i % 4 === 0 ? [['crew1', 'feedback', { photo_ids: [photo.id] }], ['operator1', 'send_check'], ['inspector1', 'check', { passed: true }], ['shiftlead1', 'close']] as [string, string, Record<string, unknown>?][] : [])];
    for (const [who, action, fields] of steps) {
      c = await api<{ id: string; version: number }>('POST', `/api/cases/${c.id}/actions`, who, { action, version: c.version, ...fields }).catch(() => c!);
    }
  }
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the monthly report', () => {
  test('GET /api/reports/monthly.pdf is a valid A4 PDF with the headline, map, charts and ranked tables, in Chinese and English', async () => {
    for (const lang of ['zh', 'en'] as const) {
      const res = await fetch(`${server.url}/api/reports/monthly.pdf?month=${month}&lang=${lang}`, { headers: { authorization: `Bearer ${tokens.leader1}` } });
      expect(res.status, await res.clone().text().then((t) => t.slice(0, 300))).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toContain(`report_${month}.pdf`);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(bytes.subarray(-8).toString('latin1')).toContain('%%EOF');
      const file = `${SHOTS}report-${lang}.pdf`;
      writeFileSync(file, bytes);
      const pages = pdfPages(file);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(pages).toBeLessThanOrEqual(8);
      const text = pdftotext(file).replace(/\s+/g, ' ');
      if (lang === 'zh') {
        for (const w of ['数字化城市管理月度报告', month, '核心指标', '问题发现率', '派遣准确率', '平均处置时长', '结案率', '案件空间分布', '案件趋势', '高发问题类别', '区域评价', '专业部门评价', '综合得分', '等级']) {
          expect(text, w).toContain(w);
        }
      } else {
        for (const w of ['City management monthly report', 'Headline indicators', 'Problem discovery rate', 'Dispatch accuracy', 'Where the cases were', 'Evaluation of departments', 'Composite', 'Grade']) {
          expect(text, w).toContain(w);
        }
      }
      expect(text).toMatch(new RegExp(`1 ?/ ?${pages}`)); // the page-number footer
      execFileSync('pdftoppm', ['-r', '70', '-png', '-f', '1', '-l', '2', file, `${SHOTS}report-${lang}-page`]);
    }
  });

  test('the report needs a role that sees every case, and a real month and region', async () => {
    const crew = await fetch(`${server.url}/api/reports/monthly.pdf?month=${month}`, { headers: { authorization: `Bearer ${tokens.crew1}` } });
    expect(crew.status).toBe(403);
    const bad = await fetch(`${server.url}/api/reports/monthly.pdf?month=${month}&region=999999999`, { headers: { authorization: `Bearer ${tokens.leader1}` } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details).toHaveProperty('region');
  });

  test.each([[1920, 1080], [1366, 768]])('the /report page looks finished at %i×%i', async (width, height) => {
    const context = await browser.newContext({ viewport: { width, height } });
    await context.addInitScript(([key, value]) => { window.localStorage.setItem(key, value); },
      ['gridline.session', JSON.stringify({ token: tokens.leader1, user: users.leader1 })] as const);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/report?month=${month}`);
    await page.waitForSelector('html[data-report-state="ready"]', { timeout: 90_000 });
    await expect(page.locator('[data-testid="report-headline"]').count()).resolves.toBe(1);
    await expect(page.locator('[data-testid="report-map-image"]').count()).resolves.toBe(1);
    await expect(page.locator('[data-testid="report-table-departments"] tbody tr').count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}report-screen-${width}x${height}.png` });
    expect(errors).toEqual([]);
    await context.close();
  });
});
