// The admin console in a real browser (playwright-core + /usr/bin/chromium) against the real server with the demo
// district, at 1366×768 and 1920×1080: the admin lands on /admin, creates a user with a role and a department,
// resets their password (generated, shown once), assigns them responsibility grids, runs a small component import
// with one bad row and sees the rejected row, finds the changes in the audit log; the new user then signs in with
// the reset password. Screenshots go to /tmp/gridline-admin-shots/.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

type RunningServer = Awaited<ReturnType<typeof startDemoServer>>;

const SHOTS = '/tmp/gridline-admin-shots/';
const USERNAME = 'fieldtest1';

let server: RunningServer;
let browser: Browser;
let password = '';
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

async function signIn(p: Page, username: string, pw: string): Promise<void> {
  await p.goto(`${server.url}/login`, { waitUntil: 'load' });
  await p.getByTestId('login-username').fill(username);
  await p.getByTestId('login-password').fill(pw);
  await p.getByTestId('login-submit').click();
  await p.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
}

/** A point inside a unit grid: the middle of a responsibility grid's outline, checked with /api/grids/locate. */
async function insidePoint(token: string): Promise<[number, number]> {
  const fc = await (await fetch(`${server.url}/api/admin/responsibility-grids/outlines`, { headers: { authorization: `Bearer ${token}` } })).json();
  for (const f of fc.features) {
    if (!f.geometry) continue;
    const ring: number[][] = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
    const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
    const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
    if ((await fetch(`${server.url}/api/grids/locate?lon=${lon}&lat=${lat}`)).status === 200) return [lon, lat];
  }
  throw new Error('no point inside the district');
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('admin console', () => {
  test('at 1366×768 the admin creates a user, resets the password, assigns grids, imports with a rejected row and reads the audit log', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    watch(page, 'admin');
    await signIn(page, 'admin', 'demo');
    await page.waitForURL((u) => u.pathname === '/admin');
    await page.getByTestId('admin-users').waitFor();
    // the wall stays reachable from the header
    await expect(page.locator('a.nav-link[href="/wall"]').count()).resolves.toBe(1);

    // Create a user with a role and a department; the generated password is shown once.
    const form = page.getByTestId('admin-new-user');
    await form.locator('input[name="username"]').fill(USERNAME);
    await form.locator('input[name="display_name"]').fill('Field Test 测试');
    await form.locator('input[name="new-role-inspector"]').check();
    const dep = await form.locator('select[name="department"] option').nth(1).getAttribute('value');
    await form.locator('select[name="department"]').selectOption(dep!);
    await form.locator('button[type="submit"]').click();
    const first = await page.getByTestId('admin-secret-value').textContent();
    expect(first).toMatch(/^[a-zA-Z2-9]{4}(-[a-zA-Z2-9]{4}){3}$/);
    const row = page.locator(`tr[data-username="${USERNAME}"]`);
    await row.waitFor();
    await shot(page, 'users-1366');

    // Reset the password: a new generated one.
    await row.getByTestId('admin-reset').click();
    await row.getByTestId('admin-reset-generate').click();
    await page.waitForFunction((old) => {
      const el = document.querySelector('[data-testid="admin-secret-value"]');
      return el && el.textContent !== old;
    }, first);
    password = (await page.getByTestId('admin-secret-value').textContent())!;
    expect(password).not.toBe(first);

    // Assign two responsibility grids.
    await page.locator('[data-tab="grids"]').click();
    await page.getByTestId('admin-grids').waitFor();
    await page.locator('select[name="inspector"] option', { hasText: USERNAME }).waitFor({ state: 'attached' });
    const value = await page.locator('select[name="inspector"] option', { hasText: USERNAME }).getAttribute('value');
    await page.locator('select[name="inspector"]').selectOption(value!);
    const boxes = page.getByTestId('admin-grid-table').locator('input[type="checkbox"]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await expect(page.getByTestId('admin-grids-count').textContent()).resolves.toBe('2');
    await page.locator('.adm-panel button.primary').click();
    await page.locator('.adm-ok').waitFor();
    await page.getByTestId('admin-grid-table').locator(`td:text-is("${USERNAME}")`).nth(1).waitFor(); // the list reloaded after the save
    await expect(page.getByTestId('admin-grid-table').locator(`td:text-is("${USERNAME}")`).count()).resolves.toBe(2);
    await expect(page.locator('.adm-map path.mine').count()).resolves.toBe(2);
    await shot(page, 'grids-1366');

    // A small component import with one bad row (a longitude outside the world).
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('gridline.session') ?? 'null')?.token ?? null)
      ?? (await (await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo' }) })).json()).token;
    const [lon, lat] = await insidePoint(token);
    const csv = `ID,lon,lat\nB1,${lon},${lat}\nB2,${lon},${lat}\nB3,200,${lat}\n`;
    await page.locator('[data-tab="imports"]').click();
    await page.getByTestId('admin-imports').waitFor();
    await page.locator('input[name="import-file"]').setInputFiles({ name: 'hydrants.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.locator('select[name="class_code"] option').nth(1).waitFor({ state: 'attached' });
    await page.locator('select[name="class_code"]').selectOption({ index: 1 });
    await page.locator('input[name="id_field"]').fill('ID');
    await page.locator('input[name="source"]').fill('test:browser');
    await page.getByTestId('admin-import-start').click();
    await page.locator('[data-testid="admin-import-job"][data-status="done"]').waitFor({ timeout: 60_000 });
    await expect(page.locator('[data-count="imported"]').textContent()).resolves.toBe('2');
    await expect(page.locator('[data-count="rejected"]').textContent()).resolves.toBe('1');
    const rejected = page.getByTestId('admin-import-rejected').locator('tbody tr');
    await expect(rejected.count()).resolves.toBe(1);
    await expect(rejected.first().locator('td').first().textContent()).resolves.toBe('3');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('admin-import-download').click()]);
    expect(download.suggestedFilename()).toMatch(/^rejected-.*\.csv$/);
    await shot(page, 'imports-1366');

    await page.locator('[data-tab="departments"]').click();
    await page.getByTestId('admin-class-defaults').locator('tbody tr').first().waitFor();
    await shot(page, 'departments-1366');

    await page.locator('[data-tab="audit"]').click();
    await page.locator('tr[data-action="inspector_grids.changed"]').waitFor();
    await expect(page.locator('tr[data-action="user_password_reset"]').count()).resolves.toBe(1);
    await expect(page.locator('tr[data-action="user_created"]').count()).resolves.toBeGreaterThanOrEqual(1);
    await page.locator('select[name="audit-kind"]').selectOption('inspector_grids.');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="admin-audit-table"] tbody tr')].every((r) => r.getAttribute('data-action') === 'inspector_grids.changed'));
    await shot(page, 'audit-1366');
    await page.close();
  }, 240_000);

  test('at 1920×1080 the new user signs in with the reset password and the admin console fills the screen', async () => {
    expect(password).not.toBe('');
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    watch(page, USERNAME);
    await signIn(page, USERNAME, password);
    await page.waitForURL((u) => u.pathname === '/inspector');
    await shot(page, 'new-user-1920');
    await page.close();

    const admin = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    watch(admin, 'admin-1920');
    await signIn(admin, 'admin', 'demo');
    await admin.waitForURL((u) => u.pathname === '/admin');
    await admin.locator(`tr[data-username="${USERNAME}"]`).waitFor();
    await shot(admin, 'users-1920');
    await admin.locator('[data-tab="grids"]').click();
    await admin.locator('.adm-map path').first().waitFor();
    await shot(admin, 'grids-1920');
    await admin.close();
    expect(problems).toEqual([]);
  }, 180_000);
});
