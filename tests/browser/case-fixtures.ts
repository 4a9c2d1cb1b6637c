// Helpers for the case-screen browser tests: the API as the demo users (plain fetch with a bearer token), a small
// synthetic PNG "photo", and a seed of cases spread over the demo district in every stage of the loop, so that the
// wall map looks like a working day.
import type { Browser, Page } from 'playwright-core';
import { encodePng } from '../helpers/png.js';

export type Api = {
  token: string;
  user: { id: number; username: string; roles: string[]; department_id: number | null };
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body: unknown, headers?: Record<string, string>): Promise<T>;
  act<T = { id: string; status: string; version: number }>(id: string, action: string, fields?: Record<string, unknown>): Promise<T>;
  photo(png: Buffer): Promise<{ id: string; url: string }>;
};

export async function loginApi(base: string, username: string): Promise<Api> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo' }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const { token, user } = (await res.json()) as { token: string; user: Api['user'] };
  const auth = { authorization: `Bearer ${token}` };
  const check = async <T>(r: Response, what: string): Promise<T> => {
    if (!r.ok) throw new Error(`${username} ${what}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const api: Api = {
    token, user,
    get: async (path) => check(await fetch(`${base}${path}`, { headers: auth }), `GET ${path}`),
    post: async (path, body, headers = {}) => check(await fetch(`${base}${path}`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
    }), `POST ${path}`),
    act: async (id, action, fields = {}) => {
      const c = await api.get<{ version: number }>(`/api/cases/${id}`);
      return api.post(`/api/cases/${id}/actions`, { action, version: c.version, ...fields });
    },
    photo: async (png) => check(await fetch(`${base}/api/photos`, { method: 'POST', headers: { ...auth, 'content-type': 'image/png' }, body: new Uint8Array(png) }), 'POST /api/photos'),
  };
  return api;
}

/** A w × h PNG: a street-ish scene in flat colours (sky, wall, pavement, a bin), tinted by `seed`. */
export function photoPng(w = 240, h = 180, seed = 0): Buffer {
  const tint = (seed * 37) % 60;
  return encodePng(w, h, (x, y) => {
    let px: [number, number, number];
    if (y < h * 0.35) px = [150 + tint, 185, 215];                                 // sky
    else if (y < h * 0.7) px = (x >> 4) % 2 ? [176, 150, 120] : [168, 142, 112];   // brick wall
    else px = ((x + y) >> 3) % 2 ? [120, 120, 118] : [110, 110, 108];              // pavement
    const bx = x - w * 0.6, by = y - h * 0.62;
    if (bx > 0 && bx < w * 0.16 && by > 0 && by < h * 0.26) px = [40, 120 + tint, 60]; // a green bin
    return px;
  });
}

type GridFeature = { properties: { code: string }; geometry: { type: string; coordinates: number[][][][] | number[][][] } };

/** Interior points of unit grids (the middle of each grid's bounding box, nudged), for reports. */
export async function gridPoints(base: string): Promise<{ lon: number; lat: number; code: string; bbox: [number, number, number, number] }[]> {
  const cfg = (await (await fetch(`${base}/api/config`)).json()) as { district: { bbox: number[] } };
  const fc = (await (await fetch(`${base}/api/grids?bbox=${cfg.district.bbox.join(',')}`)).json()) as { features: GridFeature[] };
  return fc.features.map((f) => {
    const ring = (f.geometry.type === 'MultiPolygon' ? (f.geometry.coordinates as number[][][][])[0][0] : (f.geometry.coordinates as number[][][])[0]);
    const xs = ring.map((p) => p[0]), ys = ring.map((p) => p[1]);
    const lon = (Math.min(...xs) + Math.max(...xs)) / 2, lat = (Math.min(...ys) + Math.max(...ys)) / 2;
    return { lon, lat, code: f.properties.code, bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as [number, number, number, number] };
  });
}

/** Event and component-anomaly classes with a default department (dispatch works with one click). */
const CLASSES: { code: string; kind: 'event' | 'component_anomaly'; text: string }[] = [
  { code: '06010', kind: 'event', text: '路边垃圾堆放，影响通行' },
  { code: '06012', kind: 'event', text: '路面油污，需清扫' },
  { code: '06013', kind: 'event', text: '人行道砖破损约2平方米' },
  { code: '06016', kind: 'event', text: '斑马线模糊不清' },
  { code: '06001', kind: 'event', text: '屋顶私搭乱建' },
  { code: '06011', kind: 'event', text: '渣土堆积' },
  { code: '01001', kind: 'component_anomaly', text: '供水井盖破损' },
  { code: '01002', kind: 'component_anomaly', text: '污水井盖缺失，存在安全隐患' },
];

/**
 * Reports `n` cases at grid points and moves them through the loop: some wait for acceptance, some for filing, some
 * for dispatch, most are being handled (some by crew1's department, a few fed back and sent to check); a few urged.
 * Returns the ids by stage.
 */
export async function seedCases(base: string, n = 36): Promise<Record<string, string[]>> {
  const [insp1, insp2, op, lead, disp, crew, leader] = await Promise.all(
    ['inspector1', 'inspector2', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1'].map((u) => loginApi(base, u)));
  const points = await gridPoints(base);
  const stages: Record<string, string[]> = { pending_acceptance: [], pending_filing: [], pending_dispatch: [], handling: [], pending_check: [], checking: [], urged: [] };
  const after = await crew.photo(photoPng(240, 180, 7));
  for (let i = 0; i < n; i++) {
    const p = points[(i * 53 + 11) % points.length];
    const cls = CLASSES[i % CLASSES.length];
    const reporter = i % 3 === 2 ? insp2 : insp1;
    const c = await reporter.post<{ id: string }>('/api/cases', {
      kind: cls.kind, class_code: cls.code, lon: p.lon + ((i % 5) - 2) * 0.00005, lat: p.lat + ((i % 7) - 3) * 0.00004, description: cls.text,
    }, { 'idempotency-key': `seed-${i}-${Date.now()}` });
    const stage = i % 12;
    if (stage < 2) { stages.pending_acceptance.push(c.id); continue; }
    await op.act(c.id, 'accept');
    if (stage < 4) { stages.pending_filing.push(c.id); continue; }
    await lead.act(c.id, 'file');
    if (stage < 6) { stages.pending_dispatch.push(c.id); continue; }
    const toCrew = stage >= 9;
    await disp.act(c.id, 'dispatch', toCrew && crew.user.department_id ? { department_id: crew.user.department_id } : {});
    if (stage === 11) {
      await crew.act(c.id, 'feedback', { note: '已清理完毕', photo_ids: [after.id] });
      if (Math.floor(i / 12) % 2 === 0) { await op.act(c.id, 'send_check'); stages.checking.push(c.id); } else stages.pending_check.push(c.id);
      continue;
    }
    stages.handling.push(c.id);
  }
  for (const id of [stages.pending_dispatch[0], stages.handling[1], stages.handling[4]].filter(Boolean)) {
    await leader.act(id, 'urge', { note: '请加快处置' });
    stages.urged.push(id);
  }
  return stages;
}

/**
 * A new page of `width`×`height` signed in through the login form as `user` (password "demo"), once the header
 * shows the user. Page errors go to `onError` when given.
 */
export async function signIn(browser: Browser, base: string, width: number, height: number, user: string, onError?: (message: string) => void): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  if (onError) page.on('pageerror', (e) => onError(`pageerror: ${e.message}`));
  await page.goto(`${base}/login`, { waitUntil: 'load' });
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill('demo');
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
  await page.getByTestId('user-chip').waitFor({ timeout: 30_000 });
  return page;
}

/** Visible text on the wall smaller than `min` px: [text, size] pairs. */
export function tinyText(page: Page, min: number): Promise<[string, number][]> {
  return page.evaluate((m) => {
    const out: [string, number][] = [];
    const walker = document.createTreeWalker(document.querySelector('.app-body.wall')!, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement!;
      const text = n.textContent!.trim();
      if (!text || el.closest('.maplibregl-ctrl-attrib, option')) continue;
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || r.bottom < 0 || r.top > innerHeight) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < m) out.push([text.slice(0, 30), size]);
    }
    return out;
  }, min);
}
