// The wall's bulk feed (issue 10): GET /api/cases/wall pages every open case the caller may see, more than the 5,000
// the paged list once held, exactly once even when the cases tie on every sort field, with only the wall's fields,
// under the same visibility as GET /api/cases.
import { describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import type { Queryable } from '../../../server/db/types.js';
import { WALL_FIELDS, WALL_STATUSES } from '../../../server/domain/wall-feed.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { loginHeaders, testConfig } from '../../helpers/app.js';

const USERS = ['dispatcher1', 'crew1', 'inspector1', 'leader1'] as const;
type U = (typeof USERS)[number];
type Ctx = { app: FastifyInstance; db: Queryable; h: Record<U, Record<string, string>> };
const NOW = new Date('2026-11-23T02:00:00Z');
const SEEDED = 5_200;
/** Seeding 5,700 rows and the first start of an engine take minutes on a busy machine. */
const SLOW = 600_000;

/**
 * 5,200 open cases (all wall statuses, every third the crew's department, every seventh reported by inspector1) and
 * 500 closed or void ones, all created and updated at the same instant with the same deadlines: only the id tells
 * them apart.
 */
async function seed(db: Queryable): Promise<void> {
  await db.query(
    // The first 200 current grids numbered first (a materialized CTE): Citus refuses a lateral subquery with a limit
    // on the distributed grids from generate_series.
    `with g as materialized (select row_number() over (order by code) - 1 as k, * from (select * from grids where valid_to is null order by code limit 200) x)
     insert into cases (case_no, status, source, kind, class_code, geom, district_code, street_code, community_code, grid_code,
                        responsibility_code, department_id, reporter_id, trail_head, created_at, updated_at, yellow_at, red_at, step, address)
     select g.district_code || 'WALL-' || i, -- a case number starts with its district (migrations/0063)
            case when i > $1 then (array['closed', 'void'])[1 + i % 2] else ($2::text[])[1 + i % cardinality($2::text[])] end,
            'inspector', 'event', '06010', st_pointonsurface(g.geom), g.district_code, g.street_code, g.community_code, g.code,
            (select m.responsibility_code from responsibility_grid_members m where m.grid_code = g.code limit 1),
            case when i % 3 = 0 then (select department_id from users where username = 'crew1') end,
            case when i % 7 = 0 then (select id from users where username = 'inspector1') end,
            repeat('0', 64), $3, $3, $3::timestamptz + interval '1 hour', $3::timestamptz + interval '2 hours', 'handle', 'addr ' || i
       from generate_series(1, $1 + 500) i
       join g on g.k = i % 200`,
    [SEEDED, WALL_STATUSES, NOW]);
}

function withWallApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return withTestDb(backend, async (db) => {
    const app = await buildApp(testConfig(), { db, clock: { now: () => NOW } });
    try {
      await seed(db);
      return await fn({ app, db, h: await loginHeaders(app, USERS) });
    } finally {
      await app.close();
    }
  });
}

type Page = { at: string; count: number; next_after: string | null; columns: Record<string, unknown[]> };

/** Every page of the feed as `user`, `limit` rows a page. */
async function allPages(ctx: Ctx, user: U, limit: number): Promise<Page[]> {
  const pages: Page[] = [];
  let after: string | null = null;
  do {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/cases/wall?limit=${limit}${after ? `&after=${after}` : ''}`, headers: ctx.h[user] });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as Page;
    pages.push(page);
    after = page.next_after;
    expect(pages.length).toBeLessThan(100);
  } while (after !== null);
  return pages;
}

const idsOf = (pages: Page[]) => pages.flatMap((p) => p.columns.id as string[]);

/** The open cases GET /api/cases gives `user` (its public contract: 1,000 a page by offset). */
async function listedIds(ctx: Ctx, user: U): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += 1000) {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/cases?status=${WALL_STATUSES.join(',')}&limit=1000&offset=${offset}`, headers: ctx.h[user] });
    expect(res.statusCode, res.body).toBe(200);
    const items = (res.json() as { items: { id: string }[] }).items;
    ids.push(...items.map((c) => c.id));
    if (items.length < 1000) return ids;
  }
}

describe.each(testBackends())('GET /api/cases/wall on %s', (backend) => {
  test('pages every open case once (more than 5,000, tied on every field but the id), in id order, and no closed one', () => withWallApp(backend, async (ctx) => {
    const pages = await allPages(ctx, 'dispatcher1', 2_500);
    const ids = idsOf(pages);
    const { rows } = await ctx.db.query<{ id: string }>(`select id::text as id from cases where status = any($1::text[]) order by id`, [WALL_STATUSES]);
    expect(ids.length).toBeGreaterThan(SEEDED - 1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(rows.map((r) => r.id));
    expect(pages.slice(0, -1).every((p) => p.count === 2_500 && p.next_after === (p.columns.id as string[])[2_499])).toBe(true);
    expect(pages[pages.length - 1].next_after).toBeNull();
    expect(pages.map((p) => p.count).reduce((a, b) => a + b, 0)).toBe(ids.length);
    expect(pages[0].at).toBe(NOW.toISOString());
  }), SLOW);

  test('a page carries exactly the wall\'s fields, as columns of one length, with the values of GET /api/cases/{id}', () => withWallApp(backend, async (ctx) => {
    const [page] = await allPages(ctx, 'leader1', 50_000);
    expect(Object.keys(page.columns).sort()).toEqual([...WALL_FIELDS].sort());
    for (const f of WALL_FIELDS) expect(page.columns[f], f).toHaveLength(page.count);
    const i = (page.columns.case_no as string[]).findIndex((n) => n.endsWith('WALL-21'));
    expect(i).toBeGreaterThanOrEqual(0);
    const row = Object.fromEntries(WALL_FIELDS.map((f) => [f, page.columns[f][i]]));
    const detail = (await ctx.app.inject({ method: 'GET', url: `/api/cases/${row.id}`, headers: ctx.h.leader1 })).json() as Record<string, unknown>;
    for (const f of WALL_FIELDS) expect(row[f], f).toEqual(detail[f]);
    expect(row).toMatchObject({ light: 'green', yellow_at: '2026-11-23T03:00:00.000Z', red_at: '2026-11-23T04:00:00.000Z', address: 'addr 21', urged: false });
  }), SLOW);

  test('a crew and an inspector get the same cases as GET /api/cases gives them, and no others', () => withWallApp(backend, async (ctx) => {
    for (const user of ['crew1', 'inspector1'] as const) {
      const fed = idsOf(await allPages(ctx, user, 1_000)).sort();
      const listed = (await listedIds(ctx, user)).sort();
      expect(fed.length, user).toBeGreaterThan(100);
      expect(fed, user).toEqual(listed);
    }
    const all = idsOf(await allPages(ctx, 'dispatcher1', 50_000));
    const crew = idsOf(await allPages(ctx, 'crew1', 50_000));
    expect(crew.length).toBeLessThan(all.length / 2);
  }), SLOW);

  test('bad paging is a 400 naming the field; no token is a 401', () => withWallApp(backend, async (ctx) => {
    for (const q of ['after=12', 'limit=0', 'limit=100001', 'limit=x', 'sort=light']) {
      const res = await ctx.app.inject({ method: 'GET', url: `/api/cases/wall?${q}`, headers: ctx.h.dispatcher1 });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code, q).toBeTruthy();
    }
    expect((await ctx.app.inject({ method: 'GET', url: '/api/cases/wall' })).statusCode).toBe(401);
  }), SLOW);
});
