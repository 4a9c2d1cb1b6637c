// Two districts in one database (issue 12): the fixture's Dongcheng (110101) and a small second district (110102:
// one street, one community, three unit grids, two components) loaded beside it, users scoped to each
// (users.region_code, 0047), and an app over them; shared by tests/server/http/multi-district*.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import type { Queryable } from '../../server/db/types.js';
import { withTestDb, type Backend } from './backends.js';
import { loginHeaders, testConfig } from './app.js';
import { pointInGrid } from './cases.js';
import { copyRows } from '../../server/db/components.js';

export const A = '110101';
export const B = '110102';
export const B_COMMUNITY = `${B}001001`;

/** The second district beside the fixture's: regions, three 300 m unit grids west of Dongcheng, two street lights. */
export async function loadSecondDistrict(db: Queryable): Promise<{ lon: number; lat: number; grid: string }> {
  await db.query(`insert into regions (code, level, name, parent_code) values ($1, 'district', '西城区', null),
    ($2, 'street', '西长安街街道', $1), ($3, 'community', '府右街社区', $2)`, [B, `${B}001`, B_COMMUNITY]);
  for (let i = 1; i <= 3; i++) {
    const x = 116.30 + i * 0.004;
    await db.query(
      `insert into grids (code, community_code, street_code, district_code, geom, area_m2, valid_from)
       values ($1, $2, left($1, 9), left($1, 6), st_multi(st_makeenvelope($3, 39.90, $4, 39.903, 4326)), st_area(st_makeenvelope($3, 39.90, $4, 39.903, 4326)::geography), '2026-01-01')`,
      [`${B_COMMUNITY}00${i}`, B_COMMUNITY, x, x + 0.0035]);
  }
  // by a component writer, so the per-grid counts (db/grid-counts.ts) have them too
  await copyRows(db, ['id', 'class_code', 'district_code', 'survey_date', 'grid_code', 'community_code', 'street_code', 'geom'],
    [1, 2].map((i) => `${B}01037${String(i).padStart(6, '0')}\t01037\t${B}\t2026-01-01\t${B_COMMUNITY}001\t${B_COMMUNITY}\t${B}001\t`
      + `SRID=4326;POINT(${116.3045 + i * 0.001} 39.9015)\n`).join(''));
  return { lon: 116.30575, lat: 39.9015, grid: `${B_COMMUNITY}001` };
}

/** A user of district `region` with the demo password (the hash of dispatcher1's). */
export async function scopedUser(db: Queryable, username: string, roles: string[], region: string): Promise<void> {
  await db.query(`insert into users (username, password_hash, roles, region_code)
    select $1, password_hash, $2, $3 from users where username = 'dispatcher1'`, [username, roles, region]);
}

export type Ctx = { app: FastifyInstance; db: Queryable; h: Record<string, Record<string, string>>; b: { lon: number; lat: number; grid: string }; a: { lon: number; lat: number } };

export function withTwoDistricts<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    const now = new Date('2027-06-16T02:00:00Z'); // Wednesday 10:00 in Beijing
    const photo_dir = mkdtempSync(join(tmpdir(), 'gridline-districts-'));
    const app = await buildApp(testConfig({ GRIDLINE_PHOTO_DIR: photo_dir }), { db, clock: { now: () => now } });
    try {
      const b = await loadSecondDistrict(db);
      const a = await pointInGrid(db);
      // Dongcheng's inspector and dispatcher are scoped to Dongcheng (the inspector by its street); the rest of the
      // fixture's users stay users of every district (region_code null).
      await db.query(`update users set region_code = $1 where username = 'dispatcher1'`, [A]);
      await db.query(`update users set region_code = (select street_code from grids where code = $1) where username = 'inspector1'`, [a.code]);
      await scopedUser(db, 'dispatcher_b', ['dispatcher'], B);
      await scopedUser(db, 'inspector_b', ['inspector'], `${B}001`);
      const h = await loginHeaders(app, ['inspector1', 'dispatcher1', 'operator1', 'shiftlead1', 'leader1', 'dispatcher_b', 'inspector_b', 'admin']);
      return await fn({ app, db, h, a, b });
    } finally {
      await app.close();
      rmSync(photo_dir, { recursive: true, force: true });
    }
  });
}

export async function report(ctx: Ctx, who: string, at: { lon: number; lat: number }) {
  return ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h[who], payload: { kind: 'event', class_code: '06010', lon: at.lon, lat: at.lat } });
}

/** Reported by `who`, accepted by operator1 and filed by shiftlead1 (both users of every district). */
export async function filedCase(ctx: Ctx, who: string, at: { lon: number; lat: number }): Promise<{ id: string; district_code: string; grid_code: string }> {
  const res = await report(ctx, who, at);
  expect(res.statusCode, res.body).toBe(201);
  let c = res.json();
  for (const [u, action] of [['operator1', 'accept'], ['shiftlead1', 'file']]) {
    const r = await ctx.app.inject({ method: 'POST', url: `/api/cases/${c.id}/actions`, headers: ctx.h[u], payload: { action, version: c.version } });
    expect(r.statusCode, `${u} ${action}: ${r.body}`).toBe(200);
    c = r.json();
  }
  return c;
}

export const ids = (body: { items: { id: string }[] }) => body.items.map((c) => c.id).sort();
