// The header at 1366×768 for every demo role (issue 10): one line, every item inside the viewport and none over
// another; the screens that do not fit go under "More". The wall at 3840×2160: map labels at the wall's type scale
// (no label under 2 × 15 px) and at 1920×1080 none under 15 px. Screenshots: tests/browser/screenshots/header-*.png,
// wall-labels-*.png.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const USERS = ['inspector1', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1', 'admin'] as const;

let server: Awaited<ReturnType<typeof startDemoServer>>;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function logIn(width: number, height: number, user: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/login`, { waitUntil: 'load' });
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill('demo');
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
  await page.getByTestId('user-chip').waitFor({ timeout: 30_000 });
  return page;
}

type Box = { name: string; left: number; right: number; top: number; bottom: number };

/** The header's visible items (not the hidden measuring copy), with their boxes. */
function headerItems(page: Page): Promise<{ header: Box; items: Box[]; navClipped: boolean }> {
  return page.evaluate(() => {
    const box = (name: string, el: Element) => { const r = el.getBoundingClientRect(); return { name, left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
    const header = document.querySelector('.app-header')!;
    const sel = ['.brand-mark', '.brand-name', '.brand-title', '.nav > .nav-link', '.nav-more-wrap', '.district-name', '.district-code',
      '.header-search', '.live-state', '.clock', '.user-role', '.user-name', '[data-testid="sign-out"]', '.lang-toggle'];
    const items = sel.flatMap((s) => [...header.querySelectorAll(s)].filter((el) => !el.closest('.nav-measure')).map((el) => box(el.textContent?.trim().slice(0, 20) || s, el)))
      .filter((b) => b.right - b.left > 0.5 && b.bottom - b.top > 0.5);
    const nav = header.querySelector('.nav') as HTMLElement | null;
    return { header: box('header', header), items, navClipped: nav ? [...nav.children].some((c) => !c.classList.contains('nav-measure') && c.getBoundingClientRect().right > nav.getBoundingClientRect().right + 0.5) : false };
  });
}

describe('the header at 1366×768', () => {
  test.each(USERS)('%s: one line, every item inside the viewport, none overlapping another', async (user) => {
    const page = await logIn(1366, 768, user);
    try {
      for (const lang of ['zh', 'en'] as const) {
        if (lang === 'en') await page.locator('.lang-toggle').click();
        await page.waitForTimeout(300); // the nav re-fits on the next frame (ResizeObserver)
        const { header, items, navClipped } = await headerItems(page);
        await page.screenshot({ path: `${SHOTS}header-1366-${user}-${lang}.png`, clip: { x: 0, y: 0, width: 1366, height: 120 } });
        expect(header.bottom - header.top, 'the header is one 52 px line').toBeLessThanOrEqual(53);
        expect(items.length).toBeGreaterThan(5);
        for (const b of items) {
          expect(b.left, `${b.name} inside the viewport`).toBeGreaterThanOrEqual(0);
          expect(b.right, `${b.name} inside the viewport`).toBeLessThanOrEqual(1366);
          expect(b.top, `${b.name} inside the header`).toBeGreaterThanOrEqual(header.top - 0.5);
          expect(b.bottom, `${b.name} inside the header`).toBeLessThanOrEqual(header.bottom + 0.5);
        }
        for (let i = 0; i < items.length; i++) {
          for (let j = i + 1; j < items.length; j++) {
            const a = items[i], b = items[j];
            const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            expect(w > 0.5 && h > 0.5, `${a.name} overlaps ${b.name} (${lang})`).toBe(false);
          }
        }
        expect(navClipped, 'no screen link cut off').toBe(false);
        // What did not fit is one click away, and the menu is on screen.
        const more = page.getByTestId('nav-more');
        if (await more.count()) {
          await more.click();
          const menu = page.getByTestId('nav-menu');
          await menu.waitFor();
          const r = (await menu.boundingBox())!;
          expect(r.x + r.width).toBeLessThanOrEqual(1366);
          expect(await menu.locator('a').count()).toBeGreaterThan(0);
          await page.screenshot({ path: `${SHOTS}header-1366-${user}-${lang}-more.png`, clip: { x: 0, y: 0, width: 1366, height: 360 } });
          await page.keyboard.press('Escape');
          await expect.poll(() => menu.count()).toBe(0);
        }
      }
    } finally {
      await page.context().close();
    }
  });
});

describe('map labels on the wall', () => {
  /** The label layers' text sizes on the wall once labels are drawn. */
  async function labelSizes(width: number, height: number): Promise<Record<string, number>> {
    const page = await logIn(width, height, 'dispatcher1');
    try {
      await page.waitForFunction(() => window.__gridline?.map?.loaded(), null, { timeout: 60_000 });
      await page.evaluate(() => window.__gridline!.map.jumpTo({ zoom: 14.8 })); // streets and communities named
      await expect.poll(() => page.evaluate(() => {
        const o = window.__gridline?.overlay as unknown as { _props?: { layers?: { id: string }[] }; props?: { layers?: { id: string }[] } } | undefined;
        return ((o?._props ?? o?.props)?.layers ?? []).filter((l) => l.id.startsWith('labels-')).length;
      }), { timeout: 30_000 }).toBeGreaterThan(0);
      await page.screenshot({ path: `${SHOTS}wall-labels-${width}.png` });
      return page.evaluate(() => {
        type L = { id: string; props: { getSize: number } };
        const o = window.__gridline!.overlay as unknown as { _props?: { layers: L[] }; props?: { layers: L[] } };
        return Object.fromEntries((o._props ?? o.props)!.layers.filter((l) => l.id.startsWith('labels-')).map((l) => [l.id, l.props.getSize]));
      });
    } finally {
      await page.context().close();
    }
  }

  test('at 3840×2160 every label is at least twice the 1920 minimum (15 px); at 1920×1080 at least 15 px', async () => {
    const big = await labelSizes(3840, 2160);
    expect(Object.keys(big).length).toBeGreaterThan(0);
    for (const [id, size] of Object.entries(big)) expect(size, id).toBeGreaterThanOrEqual(30);
    const hd = await labelSizes(1920, 1080);
    for (const [id, size] of Object.entries(hd)) expect(size, id).toBeGreaterThanOrEqual(15);
    for (const id of Object.keys(big)) if (hd[id]) expect(big[id] / hd[id], id).toBeCloseTo(2, 5);
  });
});
