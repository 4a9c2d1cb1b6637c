// The OpenAPI-driven fuzzer (tests/helpers/fuzz.ts) against the real app on each engine: every operation of the
// served document, anonymous and as each demo user, positive and negative data. Budget: FUZZ_REQUESTS (10,000 per
// engine in CI; `npm run fuzz` runs more, with a random seed). Seed: FUZZ_SEED (a number, or "random"); FUZZ_ONLY=i
// sends only request i of that seed; FUZZ_TRACE="POST /api/cases" logs each request of that operation with its answer. Fuzzing writes: each slice of requests runs in its own rolled-back transaction
// (withTestApp), so nothing it writes reaches other tests.
import { beforeAll, describe, expect, test } from 'vitest';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { withTestApp } from '../../helpers/app.js';
import { DEMO_ROLES, describeFinding, operations, run, type Doc, type Finding, type Known, type Operation } from '../../helpers/fuzz.js';
import type { Queryable } from '../../../server/db/types.js';
import type { FastifyInstance } from 'fastify';
import { newPhotos } from '../../helpers/cases.js';

/**
 * Real values by field name from the database (fuzz.ts Known): positive data then carries ids, codes and points that
 * exist, so reports are filed, cases move through the workflow, merge and export, and not only validation answers.
 */
async function knownValues(app: FastifyInstance, db: Queryable): Promise<Known> {
  // a few cases to act on, reported by inspector1 in the first grids, with photos any user may cite
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'inspector1', password: 'demo' } });
  const auth = { authorization: `Bearer ${login.json().token}` };
  const seedPoints = (await db.query<{ lon: number; lat: number }>(
    'select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from grids order by code limit 12) s')).rows;
  for (const [i, p] of seedPoints.entries()) {
    const r = await app.inject({ method: 'POST', url: '/api/cases', headers: { ...auth, 'idempotency-key': `fuzz-seed-${i}` },
      payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: `fuzz seed ${i}`, photo_ids: await newPhotos(db, 1) } });
    expect(r.statusCode, r.body).toBe(201);
  }
  const col = async (sql: string) => (await db.query<{ v: unknown }>(sql)).rows.map((r) => r.v);
  const cases = await col('select id::text as v from cases order by case_no limit 40');
  const users = await col('select id::float8 as v from users order by id');
  const departments = await col('select id::float8 as v from departments order by id');
  const components = await col('select id as v from components order by id limit 40');
  const matters = await col(`select code as v from classes where kind = 'matter' order by code`);
  const grids = await col('select code as v from grids order by code limit 40');
  const points = (await db.query<{ lon: number; lat: number }>(
    'select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from grids order by code limit 40) s')).rows;
  const photos = await col('select id as v from photos order by id limit 20');
  return {
    id: [...cases, ...users, ...components, ...photos], into: cases, case_id: cases,
    user_id: users, department_id: departments, department: departments, component_id: components,
    class_code: matters, class: matters, grid: grids, grid_code: grids, code: grids,
    lon: points.map((p) => p.lon), lat: points.map((p) => p.lat), version: [1, 2, 3, 4],
    photo_ids: photos.map((p) => [p]), username: [...DEMO_ROLES], password: ['demo'],
  };
}

const BUDGET = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = process.env.FUZZ_SEED === 'random' || process.env.FUZZ_SEED === undefined && process.env.FUZZ_RANDOM
  ? Math.floor(Math.random() * 2 ** 31)
  : Number(process.env.FUZZ_SEED ?? 20_261_204);
const ONLY = process.env.FUZZ_ONLY === undefined ? undefined : Number(process.env.FUZZ_ONLY);
/** Requests per rolled-back transaction: state (sessions revoked, users disabled, cases moved on) resets between slices. */
const SLICE = 5_000;

describe.each(testBackends())('OpenAPI fuzzer on %s', (backend) => {
  beforeAll(() => withTestDb(backend, async () => {}), 300_000); // the engine opened and seeded before the clock starts

  test(`${ONLY === undefined ? BUDGET : 1} requests from the served document: no 5xx, only declared statuses, JSON as declared (seed ${SEED})`, async () => {
    const findings: Finding[] = [];
    const warnings: Finding[] = [];
    const statuses = new Map<string, number>();
    const perOp = new Map<string, number>();
    const msPerOp = new Map<string, number>();
    let requests = 0;
    let operationCount = 0;
    let ops: Operation[] | undefined;
    const started = Date.now();
    const slices = ONLY === undefined ? Math.ceil(BUDGET / SLICE) : 1;
    // FUZZ_FROM=i starts at the slice holding request i (each slice is its own transaction: it replays exactly)
    const firstSlice = ONLY === undefined ? Math.floor(Number(process.env.FUZZ_FROM ?? 0) / SLICE) : 0;
    for (let s = firstSlice; s < slices; s++) {
      await withTestApp(backend, async ({ app, db }) => {
        ops ??= operations((await app.inject('/api/openapi.json')).json() as Doc); // the document does not change between slices
        operationCount = ops.length;
        // a request that disables a demo user or changes its password or roles is undone, so every role keeps fuzzing
        // Other test files run beside this one on the same database, each in its own transaction, and some of them
        // change demo users too: the restore touches only the rows this slice changed (it holds their locks already),
        // in id order, so it never waits on another file's lock and no two of them can deadlock
        const { rows: saved } = await db.query<{ id: number; password_hash: string; roles: string[]; disabled: boolean; department_id: number | null; region_code: string | null }>(
          'select id, password_hash, roles, disabled, department_id, region_code from users where username = any($1) order by id', [[...DEMO_ROLES]]);
        const restoreUsers = async () => {
          for (const u of saved) {
            await db.query(
              `update users set password_hash = $2, roles = $3, disabled = $4, department_id = $5, region_code = $6
                where id = $1 and (password_hash, roles, disabled, department_id, region_code) is distinct from ($2, $3::text[], $4::boolean, $5::bigint, $6::text)`,
              [u.id, u.password_hash, u.roles, u.disabled, u.department_id, u.region_code]);
          }
        };
        const known = await knownValues(app, db);
        const r = await run(app, ops, { seed: SEED, from: s * SLICE, to: Math.min(BUDGET, (s + 1) * SLICE), only: ONLY, restoreUsers, known, trace: process.env.FUZZ_TRACE });
        requests += r.requests;
        console.log(`slice ${s}: ${r.logins} logins in ${((r.loginMs ?? 0) / 1000).toFixed(1)} s; requests ${([...r.msPerOp.values()].reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s`);
        findings.push(...r.findings);
        warnings.push(...r.warnings);
        for (const [k, v] of r.statuses) statuses.set(k, (statuses.get(k) ?? 0) + v);
        for (const [k, v] of r.perOp) perOp.set(k, (perOp.get(k) ?? 0) + v);
        for (const [k, v] of r.msPerOp) msPerOp.set(k, (msPerOp.get(k) ?? 0) + v);
      });
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`fuzz on ${backend}: ${requests} requests over ${operationCount} operations in ${seconds} s, seed ${SEED}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    const slowest = [...msPerOp].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`);
    console.log(`fuzz on ${backend}: slowest operations (total time): ${slowest.join('; ')}`);
    const grouped = new Map<string, Finding>();
    for (const f of warnings) grouped.set(`${f.request.op} ${f.status} ${f.detail}`, f);
    if (grouped.size) console.log(`fuzz on ${backend}: ${grouped.size} responses with a content type the document does not list:\n${[...grouped.values()].map(describeFinding).join('\n')}`);
    // one line per (operation, kind, status): the first request that showed it
    const first = new Map<string, Finding>();
    for (const f of findings) if (!first.has(`${f.request.op} ${f.kind} ${f.status}`)) first.set(`${f.request.op} ${f.kind} ${f.status}`, f);
    expect([...first.values()].map(describeFinding), `${findings.length} findings, seed ${SEED}`).toEqual([]);
    if (firstSlice === 0) expect(requests).toBe(ONLY === undefined ? BUDGET : 1);
    if (ONLY === undefined && firstSlice === 0) expect(perOp.size, 'every operation was requested').toBe(operationCount);
  }, 600_000 + BUDGET * 30);
});
