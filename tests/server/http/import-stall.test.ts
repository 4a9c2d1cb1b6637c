// Issue 8, defect 1: an import never holds the database while it waits on the network. A real listening server
// (app.listen) on committed data, raw node:net sockets for stalled bodies: while an import's body stalls,
// /api/health and a locate answer; the stalled import gets 408 and imports nothing; a large import lets health
// answer between its slices. Each run imports under its own source namespace and removes what it imported.
import { connect } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { committedDb, testBackends } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';
import { deleteBySource } from '../../../server/db/components.js';

const BODY_TIMEOUT_MS = 2000;

type Answer = { status: number; text: string; at: number };

/** Sends the head of a request and `partial` of its body, then nothing more: resolves with the raw answer. */
function stalledPost(port: number, path: string, headers: Record<string, string>, partial: string, declared = 10 * 1024 * 1024) {
  const socket = connect(port, '127.0.0.1');
  const head = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Content-Length: ${declared}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.write(`${head.join('\r\n')}\r\n\r\n${partial}`);
  const answer = new Promise<Answer>((resolve, reject) => {
    let text = '';
    let at = 0;
    socket.on('data', (d) => { at ||= performance.now(); text += d.toString('utf8'); });
    socket.on('error', (e) => (text ? undefined : reject(e)));
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text, at }));
  });
  return { socket, answer };
}

async function count(db: Queryable, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, params);
  return rows[0].n;
}

describe.each(testBackends())('imports and the network on %s (defect 1)', (backend) => {
  let app: FastifyInstance;
  let db: Queryable;
  let base: string;
  let port: number;
  let auth: Record<string, string>;
  let point: { lon: number; lat: number };
  const ns = `stall-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    db = await committedDb(backend);
    app = await buildApp(testConfig({ GRIDLINE_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS) }), { db });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
    base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo' }) });
    expect(login.status).toBe(200);
    auth = { authorization: `Bearer ${(await login.json()).token}` };
    const { rows } = await db.query<{ lon: number; lat: number }>(
      `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from grids where valid_to is null order by code offset 5 limit 1) g`);
    point = rows[0];
  }, 600_000); // the shared PGlite boots here: minutes on a busy machine

  afterAll(async () => {
    await app?.close();
    if (db) await deleteBySource(db, `${ns}%`); // with their per-grid counts
  });

  const imported = (source: string) => count(db, `select count(*)::int as n from components where source_id like $1`, [`${source}:%`]);

  test('while a component import body stalls, health and locate answer; the import gets 408 and imports nothing', async () => {
    const source = `${ns}-c`;
    const csv = `ID,lon,lat\nS1,${point.lon},${point.lat}\nS2,${point.lon},${point.lat}\n`;
    const stalled = stalledPost(port, `/api/admin/import/components?class_code=01013&id_field=ID&source=${source}`,
      { ...auth, 'Content-Type': 'text/csv' }, csv.padEnd(150, 'x'));
    try {
      await new Promise((r) => setTimeout(r, 200)); // the import is open and waiting for the rest of its body
      const health = await fetch(`${base}/api/health`);
      const healthAt = performance.now();
      expect(health.status).toBe(200);
      const locate = await fetch(`${base}/api/grids/locate?lon=${point.lon}&lat=${point.lat}`);
      const locateAt = performance.now();
      expect(locate.status).toBe(200);

      const answer = await stalled.answer;
      // Both answered before the stalled import was given up, i.e. while it was open.
      expect(answer.at).toBeGreaterThan(healthAt);
      expect(answer.at).toBeGreaterThan(locateAt);
      expect(answer.status).toBe(408);
      const body = JSON.parse(answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4));
      expect(body.error.code).toBe('request_timeout');
      expect(body.error.message).toMatch(/stalled.*nothing was imported/);
      expect(await imported(source)).toBe(0);
    } finally {
      stalled.socket.destroy();
    }
  });

  test('a stalled case import gets 408 too, and health answers while it waits', async () => {
    const csv = 'ID,TYPE,OPENED,LON,LAT\nC1,pothole,2025-01-02 10:00,1,2\n';
    const q = new URLSearchParams({ source_system: ns, map: 'source_id=ID,type=TYPE,opened=OPENED,lon=LON,lat=LAT', type_map: 'pothole=01001' });
    const stalled = stalledPost(port, `/api/admin/import/cases?${q}`, { ...auth, 'Content-Type': 'text/csv' }, csv);
    try {
      await new Promise((r) => setTimeout(r, 200));
      const health = await fetch(`${base}/api/health`);
      const healthAt = performance.now();
      expect(health.status).toBe(200);
      const answer = await stalled.answer;
      expect(answer.at).toBeGreaterThan(healthAt);
      expect(answer.status).toBe(408);
      expect(answer.text).toMatch(/"code":"request_timeout"/);
      expect(await count(db, `select count(*)::int as n from cases where source_system = $1`, [ns])).toBe(0);
    } finally {
      stalled.socket.destroy();
    }
  });

  test('a connection dropped part-way imports nothing', async () => {
    const source = `${ns}-d`;
    const stalled = stalledPost(port, `/api/admin/import/components?class_code=01013&id_field=ID&source=${source}`,
      { ...auth, 'Content-Type': 'text/csv' }, `ID,lon,lat\nD1,${point.lon},${point.lat}\n`);
    await new Promise((r) => setTimeout(r, 200));
    stalled.socket.destroy();
    await stalled.answer.catch(() => undefined);
    // The server gives the import up at once; an import that went on would have written D1 by now.
    await new Promise((r) => setTimeout(r, 500));
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    expect(await imported(source)).toBe(0);
  });

  test('a 20,000-row import lets /api/health answer between its slices', async () => {
    const source = `${ns}-big`;
    const { rows: grids } = await db.query<{ lon: number; lat: number }>(
      `select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from grids where valid_to is null order by code limit 200) g`);
    let csv = 'ID,lon,lat\n';
    for (let i = 0; i < 20_000; i++) {
      const g = grids[i % grids.length];
      csv += `R${i},${g.lon + ((i % 7) - 3) * 1e-7},${g.lat + ((i % 5) - 2) * 1e-7}\n`;
    }
    const started = performance.now();
    let done = false;
    const post = fetch(`${base}/api/admin/import/components?class_code=01013&id_field=ID&source=${source}`, {
      method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: csv,
    }).then(async (r) => ({ status: r.status, body: await r.json() })).finally(() => { done = true; });

    // One health request after the other while the import runs: the gaps between answers.
    const answers: number[] = [];
    while (!done) {
      const r = await fetch(`${base}/api/health`);
      expect(r.status).toBe(200);
      if (!done) answers.push(performance.now());
    }
    const res = await post;
    const duration = performance.now() - started;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ rows: 20_000, imported: 20_000, rejected_total: 0 });
    expect(await imported(source)).toBe(20_000);

    const gaps = answers.map((t, i) => t - (i ? answers[i - 1] : started));
    const maxGap = Math.max(...gaps);
    // Health answered all along, not once the import finished: several answers, none waiting for most of it.
    expect(answers.length).toBeGreaterThanOrEqual(3);
    expect(maxGap).toBeLessThan(duration / 2);
    console.log(`${backend}: 20,000-row import ${Math.round(duration)} ms; ${answers.length} health answers meanwhile, longest gap ${Math.round(maxGap)} ms`);
  });

  test('every route has a request timeout: a JSON body that dribbles gets 408 in the API error body; /api/live outlives it', async () => {
    const short = await buildApp(testConfig({ GRIDLINE_REQUEST_TIMEOUT_MS: '1000' }), { db });
    try {
      await short.listen({ port: 0, host: '127.0.0.1' });
      const p = (short.server.address() as { port: number }).port;
      const live = new AbortController();
      const stream = await fetch(`http://127.0.0.1:${p}/api/live`, { headers: auth, signal: live.signal });
      expect(stream.status).toBe(200);
      let closed = false;
      const reading = (async () => {
        try { for await (const _ of stream.body!) { /* frames */ } } catch { /* aborted below */ }
        closed = true;
      })();
      const login = stalledPost(p, '/api/auth/login', { 'Content-Type': 'application/json' }, '{"username":"adm', 100);
      const answer = await login.answer; // Node's requestTimeout, checked every second
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'request_timeout' } });
      await new Promise((r) => setTimeout(r, 1500)); // well past the timeout and its check
      expect(closed).toBe(false); // the stream's answer is not a request still arriving: never cut
      live.abort();
      await reading;
    } finally {
      await short.close();
    }
  });
});
