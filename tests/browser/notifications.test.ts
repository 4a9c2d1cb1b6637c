// The admin console's Notifications tab in a real browser against the real server (its worker running), with local
// receivers: the admin subscribes a webhook (the secret shown once) and test-delivers to it; a hotline caller who
// asked for SMS gets one through a gateway that is down, so after the only attempt (GRIDLINE_NOTIFY_MAX_ATTEMPTS=1)
// it is dead and shown with a retry button; the retry puts it back in line and the worker tries again.
// At 1366×768 and 390×844. Screenshots go to /tmp/gridline-notify-shots/.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { httpReceiver } from '../helpers/receivers.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

const SHOTS = '/tmp/gridline-notify-shots/';
let server: Awaited<ReturnType<typeof startDemoServer>>;
let browser: Browser;
const hook = httpReceiver(() => 200);
const gateway = httpReceiver(() => 503);
let hookPort = 0;

async function token(username: string): Promise<string> {
  const r = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo' }) });
  return (await r.json()).token;
}

async function signIn(p: Page): Promise<void> {
  await p.goto(`${server.url}/login`, { waitUntil: 'load' });
  await p.getByTestId('login-username').fill('admin');
  await p.getByTestId('login-password').fill('demo');
  await p.getByTestId('login-submit').click();
  await p.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const gw = await gateway.start();
  hookPort = await hook.start();
  server = await startDemoServer({ GRIDLINE_SMS_URL: `http://127.0.0.1:${gw}/sms?to={to}&text={text}`, GRIDLINE_NOTIFY_MAX_ATTEMPTS: '1', GRIDLINE_DEMO_GRIDS: '169', GRIDLINE_DEMO_COMPONENTS: '0' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await hook.stop();
  await gateway.stop();
});

describe('notifications tab', () => {
  test('subscribe a webhook and test it; a dead SMS is shown and retried', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page);
    await page.goto(`${server.url}/admin?tab=notifications`, { waitUntil: 'load' });
    await page.getByTestId('admin-notifications').waitFor();
    await expect.poll(() => page.getByTestId('admin-channels').locator('.adm-tag.on').count()).toBe(2); // webhook and SMS set up, e-mail not (drawn once the settings load)

    const form = page.getByTestId('admin-webhooks');
    await form.locator('input[name="webhook-name"]').fill('市级平台');
    await form.locator('input[name="webhook-url"]').fill('not a url');
    await form.getByRole('button', { name: /添加订阅|Subscribe/ }).click();
    await expect(form.locator('.adm-error').textContent()).resolves.toMatch(/http:\/\/ 或 https:\/\/|http:\/\/ or https:\/\//);
    const hookUrl = `http://127.0.0.1:${hookPort}/gridline`;
    await form.locator('input[name="webhook-url"]').fill(hookUrl);
    await form.getByRole('button', { name: /添加订阅|Subscribe/ }).click();
    await page.getByTestId('admin-webhook-secret').waitFor();
    await expect(page.getByTestId('admin-webhook-secret').locator('code').textContent()).resolves.toMatch(/^whsec_[0-9a-f]{48}$/);
    await form.getByRole('button', { name: /测试投递|Test delivery/ }).click();
    await form.locator('.adm-ok').waitFor();
    expect(hook.hits.some((h) => h.headers['x-gridline-event'] === 'test')).toBe(true);
    await page.screenshot({ path: `${SHOTS}webhooks-1366.png`, fullPage: true });

    // a hotline caller asks for SMS; the gateway answers 503, so the message dies after its one attempt
    const op = await token('operator1');
    const [lon, lat] = await (async () => {
      const admin = await token('admin');
      const fc = await (await fetch(`${server.url}/api/admin/responsibility-grids/outlines`, { headers: { authorization: `Bearer ${admin}` } })).json();
      for (const f of fc.features) {
        if (!f.geometry) continue;
        const ring: number[][] = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
        const p = [ring.reduce((s, q) => s + q[0], 0) / ring.length, ring.reduce((s, q) => s + q[1], 0) / ring.length];
        if ((await fetch(`${server.url}/api/grids/locate?lon=${p[0]}&lat=${p[1]}`)).status === 200) return p;
      }
      throw new Error('no point inside the district');
    })();
    const rep = await fetch(`${server.url}/api/cases`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${op}` },
      body: JSON.stringify({ kind: 'event', class_code: '06010', lon, lat, source: 'hotline', reporter_phone: '13912345678', notify_reporter: true, description: '路边垃圾' }),
    });
    expect(rep.status).toBe(201);
    for (let i = 0; i < 60 && !(gateway.hits.length && hook.hits.some((h) => h.headers['x-gridline-event'] === 'case.report')); i++) await page.waitForTimeout(500);
    expect(gateway.hits.length).toBeGreaterThanOrEqual(1);
    expect(new URL(gateway.hits[0].url, 'http://x').searchParams.get('text')).toMatch(/^您反映的问题（案件 \d+，暴露垃圾）已收到，待受理/);

    const outbox = page.getByTestId('admin-outbox');
    await outbox.locator('button[data-state="dead"]').click();
    await outbox.locator('tr[data-state="dead"]').first().waitFor();
    await page.screenshot({ path: `${SHOTS}outbox-dead-1366.png` });
    await outbox.locator('button[data-state="all"]').click();
    await outbox.locator('tr[data-state="delivered"]').first().waitFor();
    await page.screenshot({ path: `${SHOTS}outbox-all-1366.png` });
    await outbox.locator('button[data-state="dead"]').click();
    const before = gateway.hits.length;
    await outbox.getByTestId('admin-outbox-retry').first().click();
    await outbox.locator('.adm-ok').waitFor();
    for (let i = 0; i < 30 && gateway.hits.length === before; i++) await page.waitForTimeout(500);
    expect(gateway.hits.length).toBeGreaterThan(before); // the worker tried again
    expect(errors).toEqual([]);

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(phone);
    await phone.goto(`${server.url}/admin?tab=notifications`, { waitUntil: 'load' });
    await phone.getByTestId('admin-outbox-table').waitFor();
    await phone.waitForTimeout(500);
    await phone.screenshot({ path: `${SHOTS}notifications-390.png` });
  });
});
