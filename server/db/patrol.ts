// Patrol (issue 9): duty periods, positions and the idempotency keys of patrol requests; the only SQL for them.
import { readFileSync } from 'node:fs';
import type { Queryable } from './types.js';
import type { DutyPeriod } from '../domain/patrol.js';

const COVERAGE_SQL = readFileSync(new URL('./sql/patrol-coverage.sql', import.meta.url), 'utf8');

export type DutyRow = DutyPeriod & { user_id: number };
const DUTY_COLUMNS = 'id::int as id, user_id::int as user_id, started_at, ended_at';

// Duty ------------------------------------------------------------------------------------------------------------

/** The user's open duty period, if on duty. */
export async function openDuty(db: Queryable, user_id: number): Promise<DutyRow | null> {
  const { rows } = await db.query<DutyRow>(
    `select ${DUTY_COLUMNS} from patrol_duties where user_id = $1 and ended_at is null`, [user_id]);
  return rows[0] ?? null;
}

/** Opens a duty period unless one is open (patrol_duties_open): starting twice changes nothing. */
export async function startDuty(db: Queryable, user_id: number, now: Date): Promise<DutyRow> {
  await db.query(
    `insert into patrol_duties (user_id, started_at) values ($1, $2)
     on conflict (user_id) where ended_at is null do nothing`, [user_id, now]);
  return (await openDuty(db, user_id))!;
}

/** Closes the open duty period (never before it started); null when the user was not on duty. */
export async function endDuty(db: Queryable, user_id: number, now: Date): Promise<DutyRow | null> {
  const { rows } = await db.query<DutyRow>(
    `update patrol_duties set ended_at = greatest($2::timestamptz, started_at)
      where user_id = $1 and ended_at is null
  returning ${DUTY_COLUMNS}`, [user_id, now]);
  return rows[0] ?? null;
}

/** The user's duty periods overlapping [from, to] (a batch's time span), oldest first. */
export async function dutiesOverlapping(db: Queryable, user_id: number, from: Date, to: Date): Promise<DutyRow[]> {
  const { rows } = await db.query<DutyRow>(
    `select ${DUTY_COLUMNS} from patrol_duties
      where user_id = $1 and started_at <= $3 and (ended_at is null or ended_at >= $2)
      order by started_at`, [user_id, from, to]);
  return rows;
}

// Positions -------------------------------------------------------------------------------------------------------

export type NewFix = { duty_id: number; key: string; at: Date; lon: number; lat: number; accuracy_m: number | null; step_m: number };

/**
 * Stores fixes, each with the unit grid covering it (what coverage counts: located once, at arrival, by grids_geom);
 * one already stored under the same (user, key) is skipped. Returns the keys actually inserted.
 */
export async function insertFixes(db: Queryable, user_id: number, fixes: readonly NewFix[], received_at: Date): Promise<Set<string>> {
  if (!fixes.length) return new Set();
  const { rows } = await db.query<{ fix_key: string }>(
    // The fixes' grids as a join of their own (materialized), the lowest code per fix: Citus refuses a subquery on
    // the distributed grids correlated with the rows of an insert (docs/citus.md).
    `with f as materialized (
       select f.duty_id, f.fix_key, f.at, st_setsrid(st_makepoint(f.lon, f.lat), 4326) as geom, f.accuracy_m, f.step_m, f.ord
         from unnest($3::bigint[], $4::text[], $5::timestamptz[], $6::float8[], $7::float8[], $8::real[], $9::float8[])
              with ordinality as f(duty_id, fix_key, at, lon, lat, accuracy_m, step_m, ord)
     ), hit as materialized (
       select f.ord, min(g.code) as code from f join grids g on g.valid_to is null and st_covers(g.geom, f.geom) group by f.ord
     )
     insert into patrol_positions (user_id, duty_id, fix_key, at, geom, grid_code, accuracy_m, step_m, received_at)
     select $1, f.duty_id, f.fix_key, f.at, f.geom, h.code, f.accuracy_m, f.step_m, $2
       from f left join hit h on h.ord = f.ord
      order by f.ord
     on conflict (user_id, fix_key) do nothing
     returning fix_key`,
    [user_id, received_at, fixes.map((f) => f.duty_id), fixes.map((f) => f.key), fixes.map((f) => f.at.toISOString()),
      fixes.map((f) => f.lon), fixes.map((f) => f.lat), fixes.map((f) => f.accuracy_m), fixes.map((f) => f.step_m)]);
  return new Set(rows.map((r) => r.fix_key));
}

export type StoredFix = { id: number; fix_key: string; at: Date; lon: number; lat: number; duty_id: number; step_m: number };

/**
 * The user's stored fixes a batch spanning [from, to] lands among: the last one before `from`, those inside, and the
 * first one after `to` (usually just the one before: a phone sends in order).
 */
export async function fixesAround(db: Queryable, user_id: number, from: Date, to: Date): Promise<StoredFix[]> {
  const { rows } = await db.query<StoredFix>(
    `select id::int as id, fix_key, at, st_x(geom) as lon, st_y(geom) as lat, duty_id::int as duty_id, step_m
       from patrol_positions
      where user_id = $1
        and at >= coalesce((select max(at) from patrol_positions where user_id = $1 and at < $2), $2)
        and at <= coalesce((select min(at) from patrol_positions where user_id = $1 and at > $3), $3)
      order by at, id`, [user_id, from, to]);
  return rows;
}

/** New step lengths of stored fixes that a late batch slid in front of. */
export async function updateSteps(db: Queryable, steps: readonly { id: number; step_m: number }[]): Promise<void> {
  if (!steps.length) return;
  await db.query(
    `update patrol_positions p set step_m = s.step_m
       from unnest($1::bigint[], $2::float8[]) as s(id, step_m) where p.id = s.id`,
    [steps.map((x) => x.id), steps.map((x) => x.step_m)]);
}

export type LastPositionRow = {
  user_id: number; username: string; display_name: string; on_duty: boolean; duty_started_at: Date | null;
  at: Date | null; lon: number | null; lat: number | null; accuracy_m: number | null;
};

/**
 * Inspectors of a district (issue 12): those kept to it and those of every district (users.region_code null);
 * `$n` null = every inspector. Over users alias `u`.
 */
const inDistrict = (n: number) => `($${n}::text is null or u.region_code is null or left(u.region_code, 6) = $${n})`;

/**
 * Every active inspector with its last fix (null when it never sent one) and whether it is on duty now; `district`:
 * the inspectors of that district only.
 */
export async function lastPositions(db: Queryable, district: string | null = null): Promise<LastPositionRow[]> {
  const { rows } = await db.query<LastPositionRow>(
    `select u.id::int as user_id, u.username, u.display_name, d.id is not null as on_duty, d.started_at as duty_started_at,
            p.at, st_x(p.geom) as lon, st_y(p.geom) as lat, p.accuracy_m
       from users u
       left join patrol_duties d on d.user_id = u.id and d.ended_at is null
       left join lateral (select at, geom, accuracy_m from patrol_positions
                           where user_id = u.id order by at desc limit 1) p on true
      where 'inspector' = any (u.roles) and not u.disabled and ${inDistrict(1)}
      order by u.username`, [district]);
  return rows;
}

export type TrackRow = { at: Date; lon: number; lat: number; accuracy_m: number | null; duty_id: number; step_m: number };

/** A user's fixes in [from, to), in time order. */
export async function fixesBetween(db: Queryable, user_id: number, from: Date, to: Date): Promise<TrackRow[]> {
  const { rows } = await db.query<TrackRow>(
    `select at, st_x(geom) as lon, st_y(geom) as lat, accuracy_m, duty_id::int as duty_id, step_m
       from patrol_positions where user_id = $1 and at >= $2 and at < $3 order by at, id`, [user_id, from, to]);
  return rows;
}

/** A user's duty periods overlapping [from, to). */
export async function dutiesBetween(db: Queryable, user_id: number, from: Date, to: Date): Promise<DutyRow[]> {
  const { rows } = await db.query<DutyRow>(
    `select ${DUTY_COLUMNS} from patrol_duties
      where user_id = $1 and started_at < $3 and (ended_at is null or ended_at > $2) order by started_at`, [user_id, from, to]);
  return rows;
}

export type CoverageRow = {
  user_id: number; username: string; display_name: string; responsibility_grids: number; unit_grids: number;
  visited_grids: number; fix_count: number; distance_m: number; duty_seconds: number;
};

/** Coverage of every active inspector for the day [from, to) (sql/patrol-coverage.sql); `district`: its inspectors only. */
export async function coverage(db: Queryable, from: Date, to: Date, now: Date, district: string | null = null): Promise<CoverageRow[]> {
  const { rows } = await db.query<CoverageRow>(COVERAGE_SQL, [from, to, now, district]);
  return rows.map((r) => ({ ...r, distance_m: Number(r.distance_m) }));
}

/**
 * The user's roles and the district it is kept to (null: every district), null when no such user (of `district`, when
 * given) exists (tracks: whose track is asked for, and on whose calendar its day is).
 */
export async function userRoles(db: Queryable, user_id: number, district: string | null = null): Promise<{ roles: string[]; district_code: string | null } | null> {
  const { rows } = await db.query<{ roles: string[]; district_code: string | null }>(
    `select roles, left(region_code, 6) as district_code from users u where id = $1 and ${inDistrict(2)}`, [user_id, district]);
  return rows[0] ?? null;
}

// Retention -------------------------------------------------------------------------------------------------------

/**
 * Deletes fixes taken before `cutoff` and idempotency keys older than `keys_before`; returns how many of each.
 * Duty periods (one row a shift, no position in them) stay: time on duty is kept for the leaders' figures.
 */
export async function purge(db: Queryable, cutoff: Date, keys_before: Date): Promise<{ positions: number; keys: number }> {
  const p = await db.query<{ n: number }>(
    'with d as (delete from patrol_positions where at < $1 returning 1) select count(*)::int as n from d', [cutoff]);
  const k = await db.query<{ n: number }>(
    'with d as (delete from patrol_requests where created_at < $1 returning 1) select count(*)::int as n from d', [keys_before]);
  return { positions: p.rows[0].n, keys: k.rows[0].n };
}

/** Fixes taken before `cutoff` (the purge's dry run). */
export async function countBefore(db: Queryable, cutoff: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from patrol_positions where at < $1', [cutoff]);
  return rows[0].n;
}

// Idempotency -----------------------------------------------------------------------------------------------------

/** Takes the key's transaction lock; false when another transaction holds it (a retry while the first runs). */
export async function lockRequest(db: Queryable, user_id: number, key: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(
    'select pg_try_advisory_xact_lock(hashtextextended($1, 27)) as ok', [`patrol:${user_id}\n${key}`]);
  return rows[0].ok;
}

export async function findRequest(db: Queryable, user_id: number, key: string): Promise<{ request_hash: string; result: unknown } | null> {
  const { rows } = await db.query<{ request_hash: string; result: unknown }>(
    'select request_hash, result from patrol_requests where user_id = $1 and key = $2', [user_id, key]);
  return rows[0] ?? null;
}

export async function saveRequest(db: Queryable, p: { user_id: number; key: string; request_hash: string; result: unknown; now: Date }): Promise<void> {
  await db.query('insert into patrol_requests (user_id, key, request_hash, result, created_at) values ($1, $2, $3, $4, $5)',
    [p.user_id, p.key, p.request_hash, JSON.stringify(p.result), p.now]);
}
