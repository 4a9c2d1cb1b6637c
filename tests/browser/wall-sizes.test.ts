// The wall and its header at the sizes people use (issue 10): a 1366×768 laptop, 1920×1080 and 3840×2160 walls, a
// 390×844 phone. At every wall size the stage strip (counts per stage over the map) stays clear of the side list, the
// legend, the ticker, the supervision banner and the map's controls, in Chinese and in English; at 3840×2160 the
// header's and the strip's text is read across the room (header links ≥ 24 px, strip labels ≥ 30 px). Screenshots:
// tests/browser/screenshots/wall-size-*.png, header-390-*.png.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer } from '../helpers/demo-server.js';
import { seedCases, signIn, tinyText } from './case-fixtures.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

let server: Awaited<ReturnType<typeof startDemoServer>>;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startDemoServer();
  await seedCases(server.url, 24);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const logIn = (width: number, height: number, user: string) => signIn(browser, server.url, width, height, user, (m) => problems.push(m));

async function openWall(width: number, height: number, user: string): Promise<Page> {
  const page = await logIn(width, height, user);
  await page.waitForURL(/\/wall$/, { timeout: 30_000 });
  await page.waitForFunction(() => window.__gridline?.map?.loaded() && window.__gridlineWall !== undefined, null, { timeout: 60_000 });
  await expect.poll(() => page.evaluate(() => Object.keys(window.__gridlineWall!.cases.getState().byId).length), { timeout: 20_000 }).toBeGreaterThan(20);
  await page.getByTestId('stage-strip').waitFor();
  return page;
}

type Box = { name: string; left: number; right: number; top: number; bottom: number };

/** What is drawn over the map on the wall (each must stay clear of the others), the map itself and the side list. */
function wallBoxes(page: Page): Promise<{ mapWrap: Box; side: Box; overlays: Box[]; stages: number }> {
  return page.evaluate(() => {
    const box = (name: string, el: Element) => { const r = el.getBoundingClientRect(); return { name, left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
    const sel = ['[data-testid="stage-strip"]', '.sv-banner', '.wall .legend', '.wall-ticker', '.whole-district', '.maplibregl-ctrl-top-left .maplibregl-ctrl',
      '.maplibregl-ctrl-bottom-right .maplibregl-ctrl', '.readout', '.map-hint'];
    const overlays = sel.flatMap((s) => [...document.querySelectorAll(s)].map((el) => box(s, el))).filter((b) => b.right - b.left > 0.5 && b.bottom - b.top > 0.5);
    return {
      mapWrap: box('map', document.querySelector('.wall .map-wrap')!), side: box('side list', document.querySelector('.wall .side-panel')!), overlays,
      stages: document.querySelectorAll('[data-testid="stage-strip"] .stage').length,
    };
  });
}

function overlap(a: Box, b: Box): boolean {
  return Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
}

/** Stage labels and counts cut off (wider than their box or than their stage). */
function stagesClipped(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('[data-testid="stage-strip"] .stage')].flatMap((stage) =>
    [...stage.querySelectorAll('.stage-n, .stage-label')].filter((el) => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > stage.getBoundingClientRect().right + 0.5)
      .map((el) => el.textContent ?? '')));
}


/** The wall's sizes and who looks at them: the dispatcher and the shift leader (who has the most screen links) on a laptop. */
const CASES = [[1366, 768, 'dispatcher1'], [1366, 768, 'shiftlead1'], [1920, 1080, 'shiftlead1'], [3840, 2160, 'shiftlead1']] as const;

describe('the wall at the sizes people use', () => {
  test.each(CASES)('%i×%i, %s: the stage strip clear of the side list and of every panel on the map, in zh and en; nothing under the type scale', async (w, h, user) => {
    const page = await openWall(w, h, user);
    try {
      for (const lang of ['zh', 'en'] as const) {
        if (lang === 'en') await page.locator('.lang-toggle').click();
        await page.waitForTimeout(600);
        await page.screenshot({ path: `${SHOTS}wall-size-${w}-${user}-${lang}.png` });
        const { mapWrap, side, overlays, stages } = await wallBoxes(page);
        expect(stages).toBe(9);
        expect(overlays.length, 'strip, legend, ticker, readout, map controls').toBeGreaterThanOrEqual(6);
        for (const b of overlays) {
          expect.soft(b.left >= mapWrap.left - 0.5 && b.right <= mapWrap.right + 0.5 && b.top >= mapWrap.top - 0.5 && b.bottom <= mapWrap.bottom + 0.5,
            `${b.name} inside the map at ${w}×${h} (${lang})`).toBe(true);
          expect.soft(overlap(b, side), `${b.name} runs under the side list at ${w}×${h} (${lang})`).toBe(false);
        }
        for (let i = 0; i < overlays.length; i++) {
          for (let j = i + 1; j < overlays.length; j++) {
            expect.soft(overlap(overlays[i], overlays[j]), `${overlays[i].name} overlaps ${overlays[j].name} at ${w}×${h} (${lang})`).toBe(false);
          }
        }
        expect.soft(await stagesClipped(page), `stage labels cut off at ${w} (${lang})`).toEqual([]);
        // The type scale's minimum: 15 px up to 1920 px wide, twice that on a 3840 px wall.
        expect.soft(await tinyText(page, w >= 3840 ? 30 : 15), `text under the type scale's minimum at ${w} (${lang})`).toEqual([]);
        if (w >= 3840) {
          // Read across the room: the header's links and user at 24 px or more, the strip's labels at 30 and counts at 48.
          const size = (sel: string) => page.locator(sel).first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
          expect(await size('.app-header .nav > .nav-link')).toBeGreaterThanOrEqual(24);
          expect(await size('.app-header .user-name')).toBeGreaterThanOrEqual(24);
          expect(await size('.app-header .clock')).toBeGreaterThanOrEqual(22);
          expect(await size('.stage-label')).toBeGreaterThanOrEqual(30);
          expect(await size('.stage-n')).toBeGreaterThanOrEqual(48);
          await page.screenshot({ path: `${SHOTS}wall-size-3840-header-${lang}.png`, clip: { x: 0, y: 0, width: 3840, height: 400 } });
        }
      }
    } finally {
      await page.context().close();
    }
    expect(problems).toEqual([]);
  });
});
