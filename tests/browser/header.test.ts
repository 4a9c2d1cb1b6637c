// The header at 1366×768 and at 3840×2160 for every demo role (issue 10): one line, every item inside the viewport
// and none over another; the screens that do not fit go under "More". Read at the distance of each: screen links at
// least 14 px on a laptop and 24 px on a 4K wall (the header's type scale, styles.css --px, doubles from 1920 to
// 3840). On a 390×844 phone the field roles' header is one line too. The wall at 3840×2160: map labels at the wall's
// type scale (no label under 2 × 15 px) and at 1920×1080 none under 15 px. Screenshots:
// tests/browser/screenshots/header-*.png, wall-labels-*.png.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';
import { signIn } from './case-fixtures.js';

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

const logIn = (width: number, height: number, user: string) => signIn(browser, server.url, width, height, user);

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

/** The computed font size of the first visible element matching `sel` in the header (0 when there is none). */
function fontSize(page: Page, sel: string): Promise<number> {
  return page.evaluate((s) => {
    const el = [...document.querySelectorAll(`.app-header ${s}`)].find((e) => !e.closest('.nav-measure') && e.getBoundingClientRect().width > 0);
    return el ? parseFloat(getComputedStyle(el).fontSize) : 0;
  }, sel);
}

/** One line of the header's height, every item inside the viewport and the header, none over another, no link cut off. */
async function expectOneLine(page: Page, width: number, lineHeight: number, lang: string): Promise<void> {
  const { header, items, navClipped } = await headerItems(page);
  expect(header.bottom - header.top, `the header is one ${lineHeight} px line`).toBeLessThanOrEqual(lineHeight + 1);
  expect(items.length).toBeGreaterThan(3);
  for (const b of items) {
    expect(b.left, `${b.name} inside the viewport`).toBeGreaterThanOrEqual(0);
    expect(b.right, `${b.name} inside the viewport`).toBeLessThanOrEqual(width);
    expect(b.top, `${b.name} inside the header`).toBeGreaterThanOrEqual(header.top - 0.5);
    expect(b.bottom, `${b.name} inside the header`).toBeLessThanOrEqual(header.bottom + 0.5);
  }
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i], b = items[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      expect(w > 0.5 && h > 0.5, `${a.name} overlaps ${b.name} (${lang}, ${width} px)`).toBe(false);
    }
  }
  expect(navClipped, 'no screen link cut off').toBe(false);
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
        // Read on a laptop: links, the user and the language at 14 px or more, the clock and the role at 12 px or more.
        for (const sel of ['.nav-link', '.user-name', '.lang-toggle']) {
          const size = await fontSize(page, sel);
          if (size) expect(size, `${sel} at 1366`).toBeGreaterThanOrEqual(14);
        }
        expect(await fontSize(page, '.user-name')).toBeGreaterThan(0);
        for (const sel of ['.clock', '.user-role']) expect(await fontSize(page, sel), `${sel} at 1366`).toBeGreaterThanOrEqual(12);
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

describe('the header on a 3840×2160 wall', () => {
  test.each(USERS)('%s: twice its 1920 size, read across the room (links ≥ 24 px), one line, nothing overlapping', async (user) => {
    const page = await logIn(3840, 2160, user);
    try {
      for (const lang of ['zh', 'en'] as const) {
        if (lang === 'en') await page.locator('.lang-toggle').click();
        await page.waitForTimeout(300);
        // A 4K page behind a busy screen (the leader's) can take long to paint on a loaded machine: a longer wait.
        await page.screenshot({ path: `${SHOTS}header-3840-${user}-${lang}.png`, clip: { x: 0, y: 0, width: 3840, height: 240 }, timeout: 90_000 });
        await expectOneLine(page, 3840, 104, lang);
        const header = (await page.locator('.app-header').boundingBox())!;
        expect(header.height, 'the header grows with the wall').toBeGreaterThanOrEqual(103);
        // Links (and "More", when the screens of an admin or operator do not all fit, as at 1920) at 24 px or more.
        if (await page.locator('.app-header .nav').count()) expect(await fontSize(page, '.nav-link'), 'screen links').toBeGreaterThanOrEqual(24);
        for (const sel of ['.user-name', '.lang-toggle', '.brand-name', '[data-testid="sign-out"]']) expect(await fontSize(page, sel), sel).toBeGreaterThanOrEqual(24);
        expect(await fontSize(page, '.district-name'), 'the district').toBeGreaterThanOrEqual(32);
        for (const sel of ['.clock', '.live-state', '.user-role', '.district-code']) expect(await fontSize(page, sel), sel).toBeGreaterThanOrEqual(22);
        const search = await page.locator('.header-search').boundingBox();
        if (search) expect(search.height, 'the search box grows with the type').toBeGreaterThanOrEqual(56);
      }
    } finally {
      await page.context().close();
    }
  });
});

describe('the header on a 390×844 phone', () => {
  test.each(['inspector1', 'crew1'])('%s: one line, nothing overlapping, the links at 12 px or more', async (user) => {
    const page = await logIn(390, 844, user);
    try {
      for (const lang of ['zh', 'en'] as const) {
        if (lang === 'en') await page.locator('.lang-toggle').click();
        await page.waitForTimeout(300);
        await page.screenshot({ path: `${SHOTS}header-390-${user}-${lang}.png`, clip: { x: 0, y: 0, width: 390, height: 200 } });
        await expectOneLine(page, 390, 52, lang);
        const link = await fontSize(page, '.nav-link');
        if (link) expect(link).toBeGreaterThanOrEqual(12);
        expect(await fontSize(page, '.user-name')).toBeGreaterThanOrEqual(12);
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
