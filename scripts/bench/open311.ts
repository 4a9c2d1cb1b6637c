// Open311 GeoReport v2 benchmark (issue 11). Targets printed next to the figures:
//   POST /open311/v2/requests.json (form-encoded: key check, class, grid, case, trail, facts, event, audit) p99 ≤ 200 ms;
//   GET /open311/v2/requests.json answering its 1,000 items ≤ 300 ms (p99), in JSON and in XML;
//   GET /open311/v2/servicerequestupdates.json over the same window ≤ 300 ms (p99).
// On PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL is set, else on PGlite (and it says so). Everything it writes
// (the key, --posts cases) is rolled back at the end: it runs inside one transaction.
//   tsx scripts/bench/open311.ts [--posts 1100] [--gets 30]
import { performance } from 'node:perf_hooks';
import { openPglite } from '../../server/db/pglite.js';
import { openPostgres } from '../../server/db/postgres.js';
import type { Db, Queryable } from '../../server/db/types.js';
import { migrate } from '../../server/db/migrate.js';
import { loadClasses } from '../../server/services/classes.js';
import { loadDemo } from '../../server/services/demo.js';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { issueKey } from '../../server/services/open311.js';
import { benchArgs } from './args.js';

const { num } = benchArgs();
const POSTS = num('posts', 1100);
const GETS = num('gets', 30);
const say = (s: string) => console.log(s);
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? NaN;
const rows: [string, string, string, string][] = [];
class Rollback extends Error {}

async function open(): Promise<{ db: Db; label: string }> {
  const url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  if (!url) {
    say('open311 bench: no BENCH_DATABASE_URL/DATABASE_URL, so on PGlite (in memory); the targets are for PostgreSQL');
    return { db: await openPglite(), label: 'pglite' };
  }
  return { db: await openPostgres(url, 4), label: 'postgres' };
}

async function run(tx: Queryable, label: string) {
  // no per-key POST limit here: the bench posts as fast as it can through one key (the limit is tested in tests/server/http/notify.test.ts)
  const app = await buildApp(loadConfig({ GRIDLINE_DEMO: '0', GRIDLINE_CLIENT_DIR: '/nonexistent', GRIDLINE_OPEN311_POSTS_PER_MINUTE: '0' }), { db: tx });
  try {
    const { rows: [admin] } = await tx.query<{ id: number; username: string }>(`select id::float8 as id, username from users order by id limit 1`);
    const key = await issueKey(tx, admin ?? { id: 0, username: 'bench' }, { name: 'bench' }, new Date());
    const points = (await tx.query<{ lon: number; lat: number }>(
      'select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from grids order by code limit 200) s')).rows;
    const post: number[] = [];
    for (let i = 0; i < POSTS; i++) {
      const p = points[i % points.length];
      const body = new URLSearchParams({ api_key: key.api_key, service_code: '06010', lat: String(p.lat), long: String(p.lon),
        description: `bench report ${i}`, 'attribute[client_request_id]': `bench-${i}` }).toString();
      const t = performance.now();
      const r = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
      post.push(performance.now() - t);
      if (r.statusCode !== 201) throw new Error(`POST ${i}: ${r.statusCode} ${r.body}`);
    }
    const p99 = pct(post, 0.99);
    rows.push([label, `POST requests.json, ${POSTS} reports (p50 / p99; target p99 ≤ 200 ms)`, `${pct(post, 0.5).toFixed(1)} / ${p99.toFixed(1)} ms`, p99 <= 200 ? 'meets target' : 'MISSES target']);
    for (const [what, url] of [['GET requests.json', '/open311/v2/requests.json'], ['GET requests.xml', '/open311/v2/requests.xml'],
      ['GET servicerequestupdates.json', '/open311/v2/servicerequestupdates.json']] as const) {
      const lat: number[] = [];
      let items = 0;
      for (let i = 0; i < GETS; i++) {
        const t = performance.now();
        const r = await app.inject(url);
        lat.push(performance.now() - t);
        if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
        items = url.endsWith('.xml') ? (r.body.match(/<request>/g) ?? []).length : (r.json() as unknown[]).length;
      }
      const q = pct(lat, 0.99);
      rows.push([label, `${what}, ${items} items (p50 / p99 of ${GETS}; target p99 ≤ 300 ms)`, `${pct(lat, 0.5).toFixed(1)} / ${q.toFixed(1)} ms`, q <= 300 ? 'meets target' : 'MISSES target']);
    }
  } finally {
    await app.close();
  }
}

async function main() {
  const { db, label } = await open();
  try {
    await migrate(db);
    await loadClasses(db);
    const { rows: [g] } = await db.query<{ n: number }>('select count(*)::int as n from grids');
    if (g.n === 0) {
      say('open311 bench: loading a demo district …');
      await loadDemo(db, { demo: 'dongcheng', demo_grids: 2000, demo_components: 1000 });
    }
    await db.transaction(async (tx) => { await run(tx, label); throw new Rollback(); }).catch((e) => { if (!(e instanceof Rollback)) throw e; });
  } finally {
    say('\n| engine | measure | figure | note |\n|---|---|---|---|');
    for (const r of rows) say(`| ${r.join(' | ')} |`);
    await db.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
