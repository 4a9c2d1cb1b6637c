// Wall benchmark (issue 10), part of npm run bench: headless Chromium on the real server's wall at 1920×1080 with
// 100,000 synthetic open cases loaded into the page. Targets printed next to the figures:
//   CPU time of a one-case update (the spot restyled: one row of each spot layer recomputed, deck.gl _dataDiff) against
//     a full rebuild of the spots and every attribute, in the page: ratio ≤ 1 %;
//   a committed change on the server (POST an action) → the live event → the store → the spot's pixels redrawn.
//   tsx scripts/bench/wall.ts [--cases 100000] [--runs 15]
// Runs under the browser lock (/tmp/gridline-browser.lock) when called through npm run bench.
import { chromium, type Page } from 'playwright-core';
import { startDemoServer } from '../../tests/helpers/demo-server.js';
import { gridPoints, loginApi } from '../../tests/browser/case-fixtures.js';
import { CHROMIUM_ARGS } from '../../server/services/report-pdf.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const CASES = Number(args.get('cases') ?? 100_000);
const RUNS = Number(args.get('runs') ?? 15);
const say = (s: string) => console.log(s);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

type Figures = { level: number; spots: number; full: number[]; one: number[] };

/** In the page: the CPU time of a full rebuild and of a one-case update of the spot layers at whole zoom `level`. */
async function layerTimes(page: Page, level: number, runs: number): Promise<Figures> {
  return page.evaluate(([lvl, n]) => {
    const W = window.__gridlineWall!;
    const overlay = window.__gridline!.overlay! as unknown as { setProps(p: object): void; _deck: { redraw(reason: string): void } };
    const Spots = W.spots.constructor as new () => typeof W.spots;
    const spots = new Spots();
    const cases = Object.values(W.cases.getState().byId);
    const opts = { zoom: lvl, cellPx: 48, visible: () => true };
    const draw = (view: ReturnType<typeof spots.rebuild>) => {
      overlay.setProps({ layers: W.spotLayers(view, clusters, 0, 1, true) });
      overlay._deck.redraw('bench');
    };
    let clusters = spots.rebuild(cases, opts).filter((s) => s.count > 1);
    const full: number[] = [];
    const one: number[] = [];
    for (let r = 0; r < Math.max(3, Math.ceil(n / 3)); r++) {
      const t0 = performance.now();
      const view = spots.rebuild(cases, opts);
      clusters = view.filter((s) => s.count > 1);
      draw(view);
      full.push(performance.now() - t0);
    }
    const lights = ['red', 'yellow', 'green'] as const;
    for (let r = 0; r < n; r++) {
      const c = cases[(r * 7919) % cases.length];
      const changed = { ...c, light: lights[r % 3], version: c.version + 1 };
      const t0 = performance.now();
      const view = spots.update(c.id, changed)!;
      draw(view);
      one.push(performance.now() - t0);
    }
    return { level: lvl, spots: spots.spots.length, full, one };
  }, [level, runs] as const);
}

async function main() {
  const t0 = Date.now();
  const server = await startDemoServer();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const rows: [string, string, string][] = [];
  try {
    const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 })).newPage();
    page.on('pageerror', (e) => say(`wall bench: page error ${e.message}`));
    // tsx keeps function names with an __name helper that the page does not have: give it one.
    await page.addInitScript({ content: 'window.__name = (f) => f;' });
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-username').fill('dispatcher1');
    await page.getByTestId('login-password').fill('demo');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/wall$/);
    await page.waitForFunction(() => window.__gridline?.map?.loaded() && window.__gridlineWall !== undefined, null, { timeout: 60_000 });

    // One real case to act on, then 100,000 synthetic ones spread over the district (green: the deadline a day away).
    const inspector = await loginApi(server.url, 'inspector1');
    const operator = await loginApi(server.url, 'operator1');
    const p = (await gridPoints(server.url))[25];
    const real = await inspector.post<{ id: string; version: number }>('/api/cases', { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, { 'idempotency-key': `wall-bench-${Date.now()}` });
    await page.waitForFunction((id) => window.__gridlineWall!.cases.getState().byId[id] !== undefined, real.id, { timeout: 10_000 });
    const loadMs = await page.evaluate((count) => {
      const store = window.__gridlineWall!.cases;
      const map = window.__gridline!.map;
      const b = map.getBounds();
      const [w, s, e, n] = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
      const keep = Object.values(store.getState().byId);
      const proto = keep[0];
      const soon = new Date(Date.now() + 86_400_000).toISOString();
      let seed = 7;
      const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      const items = [...keep];
      for (let i = 0; i < count; i++) {
        items.push({ ...proto, id: `bench-${i}`, case_no: `B${String(i).padStart(19, '0')}`, lon: w + (e - w) * rnd(), lat: s + (n - s) * rnd(), version: 1,
          status: 'handling', yellow_at: soon, red_at: soon, urged: false, urgent: false, light: 'green' });
      }
      const t = performance.now();
      store.getState().receive({ items, total: items.length }, store.getState().begin());
      return performance.now() - t;
    }, CASES);
    await page.waitForTimeout(3000); // the wall renders the 100,000 once
    const level = await page.evaluate(() => Math.floor(window.__gridline!.map.getZoom()));
    say(`wall bench: ${CASES.toLocaleString()} cases in the store in ${loadMs.toFixed(0)} ms; the district at zoom ${level}`);

    for (const lvl of [level, 18]) {
      const f = await layerTimes(page, lvl, RUNS);
      const ratio = median(f.one) / median(f.full);
      rows.push([`spot layers at zoom ${lvl} (${f.spots.toLocaleString()} spots)`, `full rebuild ${median(f.full).toFixed(1)} ms; one case ${median(f.one).toFixed(2)} ms; ratio ${(ratio * 100).toFixed(2)} %`, 'ratio ≤ 1 %']);
    }

    // Commit → pixel: the real case, shown red in the page (its deadline moved back locally), turns green when the
    // accept's live event brings the server's version; timed from sending the POST to the first frame drawn green.
    await page.evaluate(([lon, lat]) => new Promise<void>((resolve) => {
      const map = window.__gridline!.map;
      map.once('idle', () => resolve());
      map.jumpTo({ center: [lon, lat], zoom: 19 });
    }), [p.lon, p.lat] as const);
    const latencies: number[] = [];
    for (let r = 0; r < 3; r++) {
      const c = await operator.get<{ version: number; status: string }>(`/api/cases/${real.id}`);
      await page.evaluate(([id, lon, lat]) => {
        const store = window.__gridlineWall!.cases;
        const k = store.getState().byId[id];
        const past = new Date(Date.now() - 3_600_000).toISOString();
        store.getState().applyCase({ ...k, yellow_at: past, red_at: past });
        const overlay = window.__gridline!.overlay! as unknown as { setProps(p: object): void };
        const q = window.__gridline!.map.project([lon, lat]);
        (window as unknown as { __greenAt: number }).__greenAt = 0;
        overlay.setProps({
          onAfterRender: ({ gl }: { gl: WebGL2RenderingContext }) => {
            const px = new Uint8Array(4);
            gl.readPixels(Math.round(q.x) + 4, gl.drawingBufferHeight - Math.round(q.y) - 1, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
            const w = window as unknown as { __greenAt: number; __wasRed: boolean };
            if (px[0] > 180 && px[1] < 120) w.__wasRed = true;
            if (w.__wasRed && !w.__greenAt && px[1] > 150 && px[0] < 150) w.__greenAt = Date.now();
          },
        });
      }, [real.id, p.lon, p.lat] as const);
      await page.waitForFunction(() => (window as unknown as { __wasRed: boolean }).__wasRed, null, { timeout: 10_000 });
      const action = c.status === 'pending_acceptance' ? 'accept' : c.status === 'pending_filing' ? 'file' : 'urge';
      const sent = Date.now();
      await operator.post(`/api/cases/${real.id}/actions`, { action, version: c.version, ...(action === 'urge' ? { note: 'bench' } : {}) });
      const answered = Date.now() - sent;
      await page.waitForFunction(() => (window as unknown as { __greenAt: number }).__greenAt > 0, null, { timeout: 15_000 });
      const greenAt = await page.evaluate(() => { const w = window as unknown as { __greenAt: number; __wasRed: boolean }; w.__wasRed = false; return w.__greenAt; });
      latencies.push(greenAt - sent);
      say(`wall bench: ${action}: answered in ${answered} ms, pixel green ${greenAt - sent} ms after the POST was sent`);
    }
    rows.push([`POST action → pixel on the wall (${CASES.toLocaleString()} cases held)`, `median ${median(latencies)} ms (runs: ${latencies.join(', ')} ms)`, '≤ 1 s']);
  } finally {
    say('\n| measure | figure | target |\n|---|---|---|');
    for (const r of rows) say(`| ${r.join(' | ')} |`);
    say(`wall bench: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    await browser.close();
    await server.close();
  }
}

main().catch((e) => { console.error(`wall bench: ${e instanceof Error ? e.stack : e}`); process.exit(1); });
