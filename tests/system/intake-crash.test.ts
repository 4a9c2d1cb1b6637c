// Intake that never loses or doubles a report (issue 4): field devices submit with retries while the server is
// killed with SIGKILL and restarted, on the embedded engine (data on disk) and on PostgreSQL. With Idempotency-Key
// every report exists exactly once; the same run without keys makes duplicates, so the test can fail.
// GRIDLINE_FAULT_RESPONSE_DELAY_MS holds each answer back after commit, so kills land between commit and reply.
import { describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

const N = 24;
const CONCURRENCY = 3;
const KILLS = 2;

type Server = { url: string; child: ChildProcess; log: string };

async function start(env: Record<string, string>, port: number): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', GRIDLINE_DEMO: 'dongcheng', GRIDLINE_DEMO_GRIDS: '200', GRIDLINE_DEMO_COMPONENTS: '500',
      GRIDLINE_FAULT_RESPONSE_DELAY_MS: '1200', GRIDLINE_CLIENT_DIR: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const s: Server = { url: `http://127.0.0.1:${port}`, child, log: '' };
  child.stdout!.on('data', (d) => (s.log += d));
  child.stderr!.on('data', (d) => (s.log += d));
  const t0 = Date.now();
  while (!s.log.includes('Gridline is serving on')) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${s.log}`);
    if (Date.now() - t0 > 180_000) throw new Error(`server did not start:\n${s.log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return s;
}

async function kill9(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGKILL');
  await exited;
}

async function json(url: string, init: RequestInit = {}) {
  const r = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return { status: r.status, body: await r.json().catch(() => null) };
}

async function run(env: Record<string, string>, withKeys: boolean): Promise<{ distinct: number; rows: number }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  let server = await start(env, port);
  const base = server.url;
  const login = async (username: string) => (await json(`${base}/api/auth/login`, { method: 'POST', body: JSON.stringify({ username, password: 'demo' }) })).body.token as string;
  const inspector = await login('inspector1');
  const { body: fc } = await json(`${base}/api/grids?bbox=${(await json(`${base}/api/regions?level=district`)).body[0].bbox.join(',')}`);
  const points = fc.features.slice(0, N).map((f: { geometry: { coordinates: number[][][][] } }) => {
    const ring = f.geometry.coordinates[0][0];
    const xs = ring.map((c) => c[0]); const ys = ring.map((c) => c[1]);
    return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
  });
  const marker = `crash-${randomUUID()}`;
  let token = inspector;
  const submit = async (i: number) => {
    const key = `${marker}-${i}`;
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        const r = await fetch(`${base}/api/cases`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(withKeys ? { 'idempotency-key': key } : {}) },
          body: JSON.stringify({ kind: 'event', class_code: '06010', lon: points[i][0], lat: points[i][1], description: `${marker} #${i}` }),
        });
        if (r.status === 201) return;
        if (r.status === 401) { token = await login('inspector1').catch(() => token); continue; }
      } catch { /* connection refused or reset: the server is down; retry */ }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`report ${i} never went through`);
  };
  let next = 0;
  const workers = Array.from({ length: CONCURRENCY }, async () => { while (next < N) await submit(next++); });
  const killer = (async () => {
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 1500));
      await kill9(server);
      server = await start(env, port);
    }
  })();
  await Promise.all([...workers, killer]);
  const operator = await login('operator1');
  const { body } = await json(`${base}/api/cases?limit=1000`, { headers: { authorization: `Bearer ${operator}` } });
  const mine = body.items.filter((c: { description: string }) => c.description?.startsWith(marker));
  await kill9(server);
  return { distinct: new Set(mine.map((c: { description: string }) => c.description)).size, rows: mine.length };
}

const engines: [string, () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>][] = [
  ['pglite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridline-crash-'));
    return { env: { GRIDLINE_DATA_DIR: dir, DATABASE_URL: '' }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }],
];
if (process.env.TEST_DATABASE_URL) {
  engines.push(['postgres', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    const name = `${url.pathname.slice(1)}_crash`;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    await admin.end();
    url.pathname = `/${name}`;
    return { env: { DATABASE_URL: url.toString(), GRIDLINE_DATA_DIR: 'memory://' }, cleanup: async () => {} };
  }]);
}

describe.each(engines)('reports across kill -9 on %s', (_name, setup) => {
  test(`with Idempotency-Key: ${N} reports, ${KILLS} kills, exactly ${N} cases`, async () => {
    const s = await setup();
    try {
      const r = await run(s.env, true);
      expect(r).toEqual({ distinct: N, rows: N });
    } finally { await s.cleanup(); }
  });

  test('without keys the same run doubles reports (the test above can fail)', async () => {
    const s = await setup();
    try {
      const r = await run(s.env, false);
      expect(r.distinct).toBe(N);
      expect(r.rows).toBeGreaterThan(N);
    } finally { await s.cleanup(); }
  });
});
