// A leader kept to the second district of a database with two (issue 12), in a real browser: the scope picker offers
// that district's streets and communities only, the map starts over that district (not the first, which the public
// is shown), the clock runs on that district's time zone, and nothing the screen asks for is refused. A leader kept
// to one street is offered that street and its communities, without the whole district. The server runs in this
// process over an in-memory PGlite: the demo district (Dongcheng, 110101) and tests/helpers/two-districts.ts's second
// one (110102), its regions drawn and its calendar on Asia/Urumqi. Screenshot at 1366×768: /tmp/kept-district-shots.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../server/config.js';
import { openDb } from '../../server/db/open.js';
import { migrate } from '../../server/db/migrate.js';
import type { Db } from '../../server/db/types.js';
import { loadClasses } from '../../server/services/classes.js';
import { loadDemo } from '../../server/services/demo.js';
import { seedDistrictCalendar } from '../../server/services/district-rules.js';
import { CN_CALENDAR } from '../../server/domain/district-rules.js';
import { buildApp } from '../../server/app.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';
import { B, loadSecondDistrict } from '../helpers/two-districts.js';

const SHOTS = '/tmp/kept-district-shots/';

let db: Db;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let clientDir: string;
let bbox: [number, number, number, number];
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  clientDir = mkdtempSync(join(tmpdir(), 'gridline-kept-client-'));
  execFileSync('npx', ['vite', 'build', '--outDir', clientDir, '--emptyOutDir'], { stdio: 'ignore' });
  const config = loadConfig({
    GRIDLINE_DATA_DIR: 'memory://', GRIDLINE_DEMO: 'dongcheng', GRIDLINE_DEMO_GRIDS: '200', GRIDLINE_DEMO_COMPONENTS: '0',
    GRIDLINE_CLIENT_DIR: clientDir, GRIDLINE_NOTIFY_WORKER: '0',
  });
  db = await openDb(config);
  await migrate(db);
  await loadClasses(db);
  await loadDemo(db, config);
  await loadSecondDistrict(db);
  await db.query(`update regions r set geom = (select st_multi(st_union(g.geom)) from grids g where g.code like r.code || '%')
                   where r.code like $1 || '%'`, [B]);
  await seedDistrictCalendar(db, B, { ...CN_CALENDAR, time_zone: 'Asia/Urumqi' }, new Date());
  await db.query(`insert into users (username, password_hash, roles, region_code)
    select u.username, l.password_hash, '{leader}', u.region_code from users l,
      (values ('leader_b', $1::text), ('leader_b_street', $1 || '001')) as u (username, region_code) where l.username = 'leader1'`, [B]);
  bbox = (await db.query<{ b: number[] }>(`select array[st_xmin(geom), st_ymin(geom), st_xmax(geom), st_ymax(geom)] as b from regions where code = $1`, [B])).rows[0].b.map(Number) as typeof bbox;
  app = await buildApp(config, { db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

async function openLeader(username: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => problems.push(`${username} pageerror: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().includes('/api/reports/')) problems.push(`${username} ${r.status()} ${r.url()}`); });
  await page.goto(`${base}/login`, { waitUntil: 'load' });
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill('demo');
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/leader$/, { timeout: 30_000 });
  await page.waitForFunction(() => window.__gridline?.map !== undefined && window.__gridline.map.loaded(), null, { timeout: 60_000 });
  await page.locator('[data-testid="ld-map"][data-status="ready"]').waitFor({ timeout: 60_000 });
  return page;
}

/** The picker's options: [value, label]. */
const options = (page: Page) => page.getByTestId('ld-scope').locator('option').evaluateAll((els) => els.map((o) => [(o as HTMLOptionElement).value, o.textContent ?? '']));

test('the public is shown the first district', async () => {
  const config = await (await fetch(`${base}/api/config`)).json();
  expect(config.district.code).toBe('110101');
});

test('a leader kept to the second district sees its regions only, the map over it and its clock', async () => {
  const page = await openLeader('leader_b');
  expect(await page.getByTestId('district-name').innerText()).toContain(B);
  const opts = await options(page);
  expect(opts[0][0]).toBe(''); // the whole district: its own
  expect(opts.slice(1).map(([v]) => v)).toEqual([`${B}001`, `${B}001001`]);
  const center = await page.evaluate(() => window.__gridline!.map.getCenter().toArray());
  expect(center[0]).toBeGreaterThan(bbox[0]);
  expect(center[0]).toBeLessThan(bbox[2]);
  expect(center[1]).toBeGreaterThan(bbox[1]);
  expect(center[1]).toBeLessThan(bbox[3]);
  expect(await page.locator('.clock').getAttribute('data-zone')).toBe('Asia/Urumqi');
  await page.getByTestId('ld-scope').selectOption(`${B}001`);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${SHOTS}leader-kept-1366.png` });
  expect(problems).toEqual([]);
  await page.context().close();
});

test('a leader kept to a street is offered that street and its communities, and starts on the street', async () => {
  const page = await openLeader('leader_b_street');
  expect((await options(page)).map(([v]) => v)).toEqual([`${B}001`, `${B}001001`]);
  expect(await page.getByTestId('ld-scope').inputValue()).toBe(`${B}001`);
  expect(problems).toEqual([]);
  await page.context().close();
});
