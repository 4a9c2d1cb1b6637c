// Grid-level statistics for leaders (docs/leader-api.md §Statistics): the choropleth with Getis–Ord Gi* hot spots,
// trends, top classes and a grid's card. Periods are local dates of the calendar zone of the district asked about
// (issue 12: the region's district, a scoped user's own, a grid's; with none, a province-wide read, the first district's,
// named in the answer's time_zone).
// Each level's units (geometry, geodesic area) and contiguity pairs are read once per version of the grids or
// regions and kept in memory (a fingerprint query decides whether the cached copy still holds).
import type { Queryable } from '../db/types.js';
import * as stats from '../db/stats.js';
import { DomainError } from '../domain/errors.js';
import { districtOfCode } from '../domain/codes.js';
import { giStar, hotspotClass, neighbourLists, HOTSPOT_METHOD, type Hotspot } from '../domain/hotspots.js';
import {
  BUCKETS, CHANNELS, LEVEL_CODE_LENGTH, STAT_LEVELS, badField, classParam, majorParam, oneOf, parsePeriod, regionParam,
  splitByUtcDay, trendBuckets, type Period, type StatLevel,
} from '../domain/stats-query.js';
import { workOf, type WorkRules } from './work-rules.js';
import { localDateOf, localTime } from '../domain/calendar.js';
import type { CaseTileFilter } from '../db/tiles.js';
import { keptRegion } from '../domain/exports.js';

export type StatsDeps = { db: Queryable; work: WorkRules; clock: { now(): Date } };

/** The query of every statistic, as it arrives (strings; checked here so each message names its field). */
export type StatsQuery = {
  from?: string; to?: string; level?: string; class?: string; major?: string; channel?: string; region?: string;
};

type LevelGeometry = { units: stats.Unit[]; pairs: [string, string][] };
const CACHE = new Map<string, Promise<LevelGeometry>>();
const CACHE_SIZE = 8;

/** The units and contiguity pairs of a level, from memory while the grids (or regions) are unchanged. */
async function levelGeometry(db: Queryable, level: StatLevel): Promise<LevelGeometry> {
  const key = `${db.engine}|${level}|${await stats.unitsFingerprint(db, level)}`;
  let hit = CACHE.get(key);
  if (hit) {
    CACHE.delete(key); // most recently used last
    CACHE.set(key, hit);
    return hit;
  }
  hit = (async () => ({ units: await stats.units(db, level), pairs: await stats.contiguityPairs(db, level) }))();
  CACHE.set(key, hit);
  hit.catch(() => CACHE.delete(key));
  while (CACHE.size > CACHE_SIZE) CACHE.delete(CACHE.keys().next().value!);
  return hit;
}

type Filters = stats.CaseFilters;

/**
 * The calendar a statistic's local dates are read in: the region's district (its first six digits; a scoped user's
 * read always has one, http/routes/stats.ts fills it in), else the first district's (a province-wide read: one
 * period for every district, named by the answer's time_zone). A malformed region picks none here: checkFilters
 * refuses it.
 */
function calendarOf(deps: StatsDeps, region: string | null | undefined): WorkRules['calendar'] {
  return workOf(deps.work, districtOfCode(region)).calendar;
}

/** Checks the filters' format, then that the class, major class and region exist. */
async function checkFilters(db: Queryable, q: StatsQuery): Promise<Filters> {
  const f: Filters = {
    class_code: classParam(q.class),
    major: majorParam(q.major),
    channel: q.channel === undefined || q.channel === '' ? undefined : oneOf(q.channel, CHANNELS, 'channel'),
    region: regionParam(q.region),
  };
  const k = await stats.known(db, f);
  if (!k.class_ok) throw badField('class', `class ${f.class_code} is not a matter class of the standard; see GET /api/classes?kind=matter`);
  if (!k.major_ok) throw badField('major', `major ${f.major} is not a major class of the standard's matters; see GET /api/classes?kind=matter`);
  if (f.region && !k.region_level) throw badField('region', `region ${f.region} is not a known district, street or community; see GET /api/regions`);
  return f;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export type ChoroplethFeature = {
  code: string; name: string; level: StatLevel; count: number; area_m2: number; per_10k_m2: number | null;
  prev_count: number; change: number; change_rate: number | null; gi_z: number | null; hotspot: Hotspot; geometry: string;
};

export type Choropleth = {
  from: string; to: string; prev_from: string; prev_to: string; level: StatLevel; filters: Filters;
  total: number; prev_total: number; method: typeof HOTSPOT_METHOD & { counted: string };
  features: ChoroplethFeature[];
};

/**
 * Cases per unit (grid, community or street) reported in the period and in the previous period of the same length,
 * per 10,000 m², with Gi* z-scores and hot-spot classes over the units of the level inside the region.
 */
export async function choropleth(deps: StatsDeps, q: StatsQuery): Promise<Choropleth> {
  const cal = calendarOf(deps, q.region);
  const period = parsePeriod(cal, q.from, q.to);
  const level = oneOf(q.level, STAT_LEVELS, 'level', 'grid');
  const f = await checkFilters(deps.db, q);
  if (f.region && f.region.length >= LEVEL_CODE_LENGTH[level]) {
    throw badField('region', `region ${f.region} is not above the ${level} level; give a larger region (a district, or a street for communities and grids) or a finer level`);
  }
  const rollup = !f.class_code && !f.major && !f.channel;
  const pieces = splitByUtcDay([[period.prev_start, period.start, 0], [period.start, period.end, 1]], rollup);
  const counts = await stats.countsByUnit(deps.db, pieces, LEVEL_CODE_LENGTH[level], f);
  const geo = await levelGeometry(deps.db, level);

  const byCode = new Map(counts.map((c) => [c.code, c]));
  const units = f.region ? geo.units.filter((u) => u.code.startsWith(f.region!)) : geo.units;
  const density = units.map((u) => ((byCode.get(u.code)?.cur ?? 0) / u.area_m2) * 10_000);
  const z = giStar(density, neighbourLists(units.map((u) => u.code), geo.pairs));
  const features = units.map((u, i): ChoroplethFeature => {
    const c = byCode.get(u.code);
    const count = c?.cur ?? 0;
    const prev = c?.prev ?? 0;
    return {
      code: u.code, name: u.name, level, count, area_m2: round(u.area_m2, 1),
      per_10k_m2: u.area_m2 > 0 ? round(density[i], 4) : null,
      prev_count: prev, change: count - prev, change_rate: prev > 0 ? round((count - prev) / prev, 4) : null,
      gi_z: z[i] === null ? null : round(z[i]!, 4), hotspot: hotspotClass(z[i]), geometry: u.geometry,
    };
  });
  return {
    from: period.from, to: period.to, prev_from: period.prev_from, prev_to: period.prev_to, level, filters: f,
    total: counts.reduce((s, c) => s + c.cur, 0), prev_total: counts.reduce((s, c) => s + c.prev, 0),
    method: { ...HOTSPOT_METHOD, counted: `cases by report time (created_at) in the district's time zone ${cal.time_zone}, every status` },
    features,
  };
}

export type TrendPoint = { start: string; end: string; reported: number; filed: number; closed: number };

/** Reported, filed and closed cases per day, ISO week or month of the period (first and last bucket clipped). */
export async function trend(deps: StatsDeps, q: StatsQuery & { bucket?: string }): Promise<{ from: string; to: string; bucket: string; time_zone: string; points: TrendPoint[] }> {
  const cal = calendarOf(deps, q.region);
  const period = parsePeriod(cal, q.from, q.to);
  const bucket = oneOf(q.bucket, BUCKETS, 'bucket', 'day');
  const f = await checkFilters(deps.db, q);
  const buckets = trendBuckets(cal, period, bucket);
  const rows = await stats.trend(deps.db, [...buckets.map((b) => b.start_at), period.end], f);
  const byIdx = new Map(rows.map((r) => [r.idx, r]));
  return {
    from: period.from, to: period.to, bucket, time_zone: cal.time_zone,
    points: buckets.map((b, i) => {
      const r = byIdx.get(i + 1);
      return { start: b.start, end: b.end, reported: r?.reported ?? 0, filed: r?.filed ?? 0, closed: r?.closed ?? 0 };
    }),
  };
}

/**
 * The wall's ticker: what happened today (the district's local day, from its midnight to now) and what is overdue
 * now; `district`: that district's cases on its own calendar (a user kept to it, issue 12); null every district's
 * since the first district's midnight (the answer's time_zone names it).
 */
export async function today(deps: StatsDeps, district: string | null = null): Promise<stats.TodayCounts & { date: string; at: string; time_zone: string }> {
  const now = deps.clock.now();
  const cal = workOf(deps.work, district).calendar;
  const date = localDateOf(cal, now);
  const counts = await stats.todayCounts(deps.db, localTime(cal, `${date} 00:00`), now, district);
  return { date, at: now.toISOString(), time_zone: cal.time_zone, ...counts };
}

/** The classes with most cases reported in the period. */
export async function topClasses(deps: StatsDeps, q: StatsQuery & { limit?: number }): Promise<stats.ClassCount[]> {
  const period = parsePeriod(calendarOf(deps, q.region), q.from, q.to);
  const f = await checkFilters(deps.db, q);
  return stats.topClasses(deps.db, period.start, period.end, f, q.limit ?? 10);
}

/**
 * A unit grid's card: names, area, its cases in the period by class and status, its components, its latest cases.
 * `district`: the district of the user asking (issue 12); a grid of another district is a 403 naming both.
 */
export async function gridCard(deps: StatsDeps, code: string, q: StatsQuery, district: string | null = null) {
  if (!/^[0-9]{15}$/.test(code)) throw badField('code', `code must be a 15-digit unit-grid code; got "${code}"`);
  keptRegion(district, code, 'code');
  const period: Period = parsePeriod(calendarOf(deps, code), q.from, q.to); // the grid's own district's dates
  const g = await stats.gridBase(deps.db, code);
  if (!g) throw new DomainError('not_found', `No unit grid ${code}; pick one on the map or from GET /api/grids`);
  const by_status = await stats.gridStatuses(deps.db, code, period.start, period.end);
  return {
    code: g.code, current: g.current,
    community: { code: g.community_code, name: g.community_name },
    street: { code: g.street_code, name: g.street_name },
    area_m2: round(g.area_m2, 1),
    from: period.from, to: period.to,
    count: by_status.reduce((s, r) => s + r.count, 0),
    by_class: await stats.topClasses(deps.db, period.start, period.end, { grid: code }, 10),
    by_status,
    components: await stats.gridComponents(deps.db, code),
    recent_cases: (await stats.gridRecentCases(deps.db, code, period.start, period.end, deps.clock.now()))
      .map((c) => ({ ...c, created_at: c.created_at.toISOString(), closed_at: c.closed_at?.toISOString() ?? null })),
  };
}

/**
 * The cases tile layer's filter: the lights at the clock's now, cases reported in from…to when both are given (a
 * map without dates shows every case), class, major class and channel checked like the statistics' filters.
 * `district`: a scoped user's (issue 12): its cases only, its local dates; null every district's, on the first
 * district's dates.
 */
export async function caseTileFilter(deps: StatsDeps, q: Omit<StatsQuery, 'level' | 'region'>, district: string | null = null): Promise<CaseTileFilter> {
  const period = q.from !== undefined || q.to !== undefined ? parsePeriod(calendarOf(deps, district), q.from, q.to) : null;
  const f = await checkFilters(deps.db, q);
  return {
    now: deps.clock.now(), start: period?.start ?? null, end: period?.end ?? null,
    class_code: f.class_code ?? null, major: f.major ?? null, channel: f.channel ?? null, district,
  };
}
