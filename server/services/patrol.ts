// Patrol use cases (issue 9): the duty switch, position batches (idempotent; never stored outside duty), last
// positions for the wall, a day's track, daily coverage for leaders, and the retention purge.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import * as patrol from '../db/patrol.js';
import { DomainError } from '../domain/errors.js';
import { localDateOf, localTime } from '../domain/calendar.js';
import { SEE_ALL_ROLES } from '../domain/visibility.js';
import {
  STALE_INTERVALS, checkBatch, clockOffset_ms, checkDate, dutyOf, dutySecondsIn, freshness, nextDate, retentionCutoff, stepLength_m,
  type FixInput, type Rejected,
} from '../domain/patrol.js';
import { keptRegionOf, userDistrict } from './visibility.js';
import { workOf, type WorkRules } from './work-rules.js';

export type PatrolDeps = {
  db: Queryable;
  clock: { now(): Date };
  /** Every district's calendar (the rule book's): a day is a local day of the district it is about (issue 12). */
  work: WorkRules;
  /** GRIDLINE_TRACK_RETENTION_DAYS */
  retention_days: number;
  /** GRIDLINE_PATROL_INTERVAL_SECONDS: how often a phone on duty sends its position */
  interval_seconds: number;
};
/** The caller; region_code (users.region_code, a request's user carries it): a user kept to a district sees its inspectors only. */
export type PatrolUser = { id: number; roles: readonly string[]; region_code?: string | null };

/** Idempotency keys are kept this long: a phone retries a batch within hours, not days. */
const KEY_RETENTION_DAYS = 2;

export type DutyState = { on_duty: boolean; started_at: Date | null; interval_seconds: number; stale_after_seconds: number };
export type IngestResult = { accepted: number; duplicate: number; rejected: number; rejections: Rejected[] };

function requestHash(kind: string, body: unknown): string {
  return createHash('sha256').update(kind + '\n' + JSON.stringify(body)).digest('hex');
}

/** Runs fn in a transaction, once per (user, Idempotency-Key): a retry gets the first answer back. */
async function once<T>(deps: PatrolDeps, user: PatrolUser, key: string | null, hash: string, fn: (tx: Queryable) => Promise<T>): Promise<{ result: T; replay: boolean }> {
  return deps.db.transaction(async (tx) => {
    if (key) {
      if (!(await patrol.lockRequest(tx, user.id, key))) {
        throw new DomainError('conflict', `A request with Idempotency-Key "${key}" is still being processed; retry in a moment`);
      }
      const known = await patrol.findRequest(tx, user.id, key);
      if (known) {
        if (known.request_hash !== hash) throw new DomainError('unprocessable', `Idempotency-Key "${key}" was already used for a different request`);
        return { result: known.result as T, replay: true };
      }
    }
    const result = await fn(tx);
    if (key) await patrol.saveRequest(tx, { user_id: user.id, key, request_hash: hash, result, now: deps.clock.now() });
    return { result, replay: false };
  });
}

function stateOf(deps: PatrolDeps, duty: { started_at: Date } | null): DutyState {
  return {
    on_duty: !!duty, started_at: duty?.started_at ?? null,
    interval_seconds: deps.interval_seconds, stale_after_seconds: STALE_INTERVALS * deps.interval_seconds,
  };
}

/** The caller's duty state and the interval the city set. */
export async function dutyState(deps: PatrolDeps, user: PatrolUser): Promise<DutyState> {
  return stateOf(deps, await patrol.openDuty(deps.db, user.id));
}

/** Switches duty on or off; switching to the state one is in changes nothing. */
export async function setDuty(deps: PatrolDeps, user: PatrolUser, on_duty: boolean, key: string | null): Promise<{ state: DutyState; replay: boolean }> {
  const { result, replay } = await once(deps, user, key, requestHash('duty', { on_duty }), async (tx) => {
    const now = deps.clock.now();
    if (on_duty) return JSON.parse(JSON.stringify(stateOf(deps, await patrol.startDuty(tx, user.id, now)))) as unknown;
    await patrol.endDuty(tx, user.id, now);
    return JSON.parse(JSON.stringify(stateOf(deps, null))) as unknown;
  });
  const s = result as Omit<DutyState, 'started_at'> & { started_at: string | null };
  return { state: { ...s, started_at: s.started_at ? new Date(s.started_at) : null }, replay };
}

/**
 * Stores a batch of fixes: each is checked (domain/patrol.ts checkBatch), then placed in the duty period it was
 * taken in; a fix outside every duty period of the user is rejected (`outside_duty`) and never stored. A fix already
 * stored (same id, or same instant without an id) counts as a duplicate, so re-sending a batch is harmless.
 */
export async function ingest(
  deps: PatrolDeps, user: PatrolUser, fixes: readonly FixInput[], key: string | null, sent_at?: string,
): Promise<{ result: IngestResult; replay: boolean }> {
  // The request's identity is its fixes: a retry of the same batch carries a later sent_at and is still the same request.
  return once(deps, user, key, requestHash('positions', fixes), async (tx) => {
    const now = deps.clock.now();
    const { ok, rejected } = checkBatch(fixes, now, deps.retention_days, clockOffset_ms(sent_at, now));
    const rows: patrol.NewFix[] = [];
    if (ok.length) {
      const times = ok.map((f) => f.at.getTime());
      const periods = await patrol.dutiesOverlapping(tx, user.id, new Date(Math.min(...times)), new Date(Math.max(...times)));
      for (const f of ok) {
        const duty = dutyOf(periods, f.at);
        if (!duty) rejected.push({ index: f.index, id: fixes[f.index].id ?? null, reason: 'outside_duty' });
        else rows.push({ duty_id: duty.id, key: f.key, at: f.at, lon: f.lon, lat: f.lat, accuracy_m: f.accuracy_m, step_m: 0 });
      }
    }
    if (rows.length) await placeSteps(tx, user.id, rows);
    const inserted = await patrol.insertFixes(tx, user.id, rows, now);
    rejected.sort((a, b) => a.index - b.index);
    return { accepted: inserted.size, duplicate: rows.length - inserted.size, rejected: rejected.length, rejections: rejected };
  });
}

/**
 * Sets each new fix's step (metres from the fix before it, domain/patrol.ts stepLength_m) among the user's stored
 * fixes, and corrects the step of a stored fix that a late batch slid in front of. Fixes already stored (a re-sent
 * batch) keep theirs.
 */
async function placeSteps(tx: Queryable, user_id: number, rows: patrol.NewFix[]): Promise<void> {
  const times = rows.map((r) => r.at.getTime());
  const from = new Date(Math.min(...times));
  const stored = await patrol.fixesAround(tx, user_id, from, new Date(Math.max(...times)));
  const known = new Set(stored.map((s) => s.fix_key));
  type Item = { at: Date; lon: number; lat: number; duty_id: number; row?: patrol.NewFix; stored?: patrol.StoredFix };
  const merged: Item[] = [
    ...stored.map((s): Item => ({ at: s.at, lon: s.lon, lat: s.lat, duty_id: s.duty_id, stored: s })),
    ...rows.filter((r) => !known.has(r.key)).map((r): Item => ({ at: r.at, lon: r.lon, lat: r.lat, duty_id: r.duty_id, row: r })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime() || (a.stored ? -1 : 1));
  const changed: { id: number; step_m: number }[] = [];
  for (let i = 0; i < merged.length; i++) {
    const it = merged[i];
    if (it.stored && it.stored.at < from) continue; // the fix before the batch: its own step is not ours to change
    const step = i === 0 ? 0 : stepLength_m(merged[i - 1], it);
    if (it.row) it.row.step_m = step;
    else if (it.stored && Math.abs(it.stored.step_m - step) > 1e-6) changed.push({ id: it.stored.id, step_m: step });
  }
  await patrol.updateSteps(tx, changed);
}

export type LastPosition = patrol.LastPositionRow & { freshness: 'fresh' | 'stale' };

/**
 * Every inspector's last fix with fresh/stale (STALE_INTERVALS intervals), on duty or not; a viewer kept to a
 * district (issue 12) sees that district's inspectors (and those of every district).
 */
export async function lastPositions(deps: PatrolDeps, viewer: PatrolUser | null = null) {
  const now = deps.clock.now();
  const rows = await patrol.lastPositions(deps.db, await userDistrict(deps.db, viewer));
  return {
    now, interval_seconds: deps.interval_seconds, stale_after_seconds: STALE_INTERVALS * deps.interval_seconds,
    items: rows.map((r): LastPosition => ({ ...r, freshness: freshness(r.at, now, deps.interval_seconds) })),
  };
}

/**
 * A local day [from, to) of `district`'s calendar (the first district's for null), and its zone; default today there.
 */
function dayBounds(deps: PatrolDeps, date: string | undefined, district: string | null): { date: string; time_zone: string; from: Date; to: Date } {
  const cal = workOf(deps.work, district).calendar;
  const d = date === undefined || date === '' ? localDateOf(cal, deps.clock.now()) : checkDate(date);
  return { date: d, time_zone: cal.time_zone, from: localTime(cal, `${d} 00:00`), to: localTime(cal, `${nextDate(d)} 00:00`) };
}

/** Whether the viewer may read tracks and coverage of everyone: the command centre's posts and leaders. */
function seesEveryone(viewer: PatrolUser): boolean {
  return viewer.roles.some((r) => (SEE_ALL_ROLES as readonly string[]).includes(r));
}

/**
 * An inspector's track of one local day as a GeoJSON Feature: a LineString through its fixes in time order
 * (geometry null with fewer than two), with the instants, distance and time on duty. An inspector reads its own;
 * the command centre and leaders anyone's. The day is the inspector's district's (an inspector of every district:
 * the viewer's, else the first district's).
 */
export async function track(deps: PatrolDeps, viewer: PatrolUser, user_id: number | undefined, date: string | undefined) {
  const isInspector = viewer.roles.includes('inspector');
  if (!isInspector && !seesEveryone(viewer)) {
    throw new DomainError('forbidden', 'Only inspectors (their own), the command centre and leaders may see tracks');
  }
  if (user_id !== undefined && user_id !== viewer.id && !seesEveryone(viewer)) {
    throw new DomainError('forbidden', "An inspector sees its own track only; the command centre and leaders see anyone's");
  }
  if (user_id === undefined && !isInspector) throw new DomainError('bad_request', 'user_id is required: whose track?', { field: 'user_id' });
  const who = user_id ?? viewer.id;
  const viewerDistrict = await userDistrict(deps.db, viewer);
  const district = who === viewer.id ? null : viewerDistrict; // another district's inspector: not found
  const inspector = await patrol.userRoles(deps.db, who, district);
  if (!inspector || !inspector.roles.includes('inspector')) {
    throw new DomainError('not_found', `No inspector with id ${who}${district ? ` in your district ${district}` : ''}`, { field: 'user_id' });
  }
  const { date: d, from, to } = dayBounds(deps, date, inspector.district_code ?? viewerDistrict);
  const now = deps.clock.now();
  const [fixes, duties] = await Promise.all([patrol.fixesBetween(deps.db, who, from, to), patrol.dutiesBetween(deps.db, who, from, to)]);
  return {
    type: 'Feature' as const,
    geometry: fixes.length >= 2 ? { type: 'LineString' as const, coordinates: fixes.map((f) => [f.lon, f.lat]) } : null,
    properties: {
      user_id: who, date: d, fix_count: fixes.length,
      times: fixes.map((f) => f.at),
      distance_m: Math.round(fixes.reduce((s, f) => s + f.step_m, 0)), // the steps stored at arrival, as coverage sums them
      duty_seconds: dutySecondsIn(duties, from, to, now),
    },
  };
}

/**
 * Per inspector for one local day: responsibility grids, their unit grids visited, share, time on duty, distance. The
 * day and the inspectors are those of a district (issue 12): `district` asked for, else the viewer's own (a viewer
 * kept to a district: its own, another is a 403 naming both), with its inspectors and those of every district; a
 * viewer of every district asking for none: every inspector on the first district's day (time_zone names it).
 */
export async function coverage(deps: PatrolDeps, date: string | undefined, viewer: PatrolUser | null = null, asked?: string) {
  const district = (await keptRegionOf(deps.db, viewer, asked, 'district')) ?? null;
  const { date: d, time_zone, from, to } = dayBounds(deps, date, district);
  const rows = await patrol.coverage(deps.db, from, to, deps.clock.now(), district);
  return {
    date: d, time_zone, from, to,
    items: rows.map((r) => ({
      ...r,
      share: r.unit_grids ? Math.round((r.visited_grids / r.unit_grids) * 1000) / 1000 : null,
      distance_km: Math.round(r.distance_m) / 1000,
    })).map(({ distance_m: _m, ...rest }) => rest),
  };
}

/** Deletes fixes older than the retention (and old idempotency keys). */
export async function purgeTracks(deps: Pick<PatrolDeps, 'db' | 'clock' | 'retention_days'>) {
  const now = deps.clock.now();
  const cutoff = retentionCutoff(now, deps.retention_days);
  const r = await patrol.purge(deps.db, cutoff, retentionCutoff(now, Math.min(KEY_RETENTION_DAYS, deps.retention_days)));
  return { cutoff, ...r };
}

export async function countPurgeable(deps: Pick<PatrolDeps, 'db' | 'clock' | 'retention_days'>) {
  const cutoff = retentionCutoff(deps.clock.now(), deps.retention_days);
  return { cutoff, positions: await patrol.countBefore(deps.db, cutoff) };
}

/**
 * The server's hourly purge (buildApp starts it; app close clears it). Errors are reported to `onError`, never
 * thrown: a failed purge is retried the next hour.
 */
export function startPurgeTimer(deps: Pick<PatrolDeps, 'db' | 'clock' | 'retention_days'>, onError: (e: unknown) => void, every_ms = 3_600_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    purgeTracks(deps).catch(onError).finally(() => { running = false; });
  }, every_ms);
  timer.unref();
  return () => clearInterval(timer);
}
