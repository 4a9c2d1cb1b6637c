// Patrol (在岗监控, issue 9): the pure rules behind duty, positions and coverage. No I/O and no clock: `now`, the
// retention and the interval are arguments (docs/style.md §0).
import { DomainError } from './errors.js';

/** At most this many fixes in one POST /api/patrol/positions (a phone offline for 8 h at 60 s sends 480). */
export const MAX_BATCH = 500;
/** A fix may be this far in the future (the phone's clock runs ahead of the server's). */
export const MAX_CLOCK_SKEW_MS = 2 * 60_000;
/**
 * A phone clock that differs from the server's by more than this when it sends a batch (its `sent_at` against the
 * server's now) is corrected: every fix of the batch is moved by the difference. Below it, the difference is the
 * network's latency as much as the clock's error, and the fixes are stored as taken.
 */
export const MIN_CLOCK_CORRECTION_MS = 10_000;
/** A fix less accurate than this (metres, the phone's own estimate) says nothing about which grid was walked. */
export const MAX_ACCURACY_M = 1000;
/**
 * The fastest an inspector plausibly moves between two fixes: 30 m/s = 108 km/h. A segment faster than this is a
 * jump of the receiver (a multipath spike, a cell-tower fix) and adds nothing to the distance; the track still moves
 * on to the new fix, so a lone spike costs two ignored segments (out and back) and a real relocation one.
 */
export const MAX_SPEED_MPS = 30;
/** A last position is stale once this many intervals have passed without a fix. */
export const STALE_INTERVALS = 3;
const EARTH_RADIUS_M = 6_371_008.8; // mean radius (IUGG)

export type FixInput = { id?: string; at: string; lon: number; lat: number; accuracy_m?: number };
export type RejectReason = 'invalid_time' | 'invalid_coordinates' | 'in_future' | 'too_old' | 'inaccurate' | 'outside_duty' | 'duplicate_in_batch';
/** A fix that passed the checks: its key (unique per user) and its instant. */
export type CheckedFix = { index: number; key: string; at: Date; lon: number; lat: number; accuracy_m: number | null };
export type Rejected = { index: number; id: string | null; reason: RejectReason };
export type DutyPeriod = { id: number; started_at: Date; ended_at: Date | null };

/**
 * Checks a batch fix by fix: the batch as a whole is refused (bad_request) only when it is too large; each fix that
 * is malformed, in the future beyond MAX_CLOCK_SKEW_MS, older than the retention, too inaccurate or repeated in the
 * same batch comes back in `rejected` with its reason. The key of a fix is its client id, else its instant.
 * `offset_ms` (clockOffset_ms) moves every fix onto the server's clock before the checks.
 */
export function checkBatch(fixes: readonly FixInput[], now: Date, retention_days: number, offset_ms = 0): { ok: CheckedFix[]; rejected: Rejected[] } {
  if (fixes.length > MAX_BATCH) {
    throw new DomainError('bad_request', `A batch holds at most ${MAX_BATCH} fixes; got ${fixes.length}. Send the rest in another batch.`);
  }
  const ok: CheckedFix[] = [];
  const rejected: Rejected[] = [];
  const seen = new Set<string>();
  const oldest = now.getTime() - retention_days * 86_400_000;
  fixes.forEach((f, index) => {
    const id = f.id ?? null;
    const reject = (reason: RejectReason) => rejected.push({ index, id, reason });
    const taken = Date.parse(f.at);
    if (!Number.isFinite(taken)) return reject('invalid_time');
    const t = taken + offset_ms; // on the server's clock
    if (!Number.isFinite(f.lon) || !Number.isFinite(f.lat) || Math.abs(f.lon) > 180 || Math.abs(f.lat) > 90) return reject('invalid_coordinates');
    if (t > now.getTime() + MAX_CLOCK_SKEW_MS) return reject('in_future');
    if (t < oldest) return reject('too_old');
    const acc = f.accuracy_m ?? null;
    if (acc !== null && !(Number.isFinite(acc) && acc >= 0 && acc <= MAX_ACCURACY_M)) return reject('inaccurate');
    const at = new Date(t);
    const key = id ?? new Date(taken).toISOString(); // the phone's own instant: a re-sent batch keeps its keys whatever the offset
    if (seen.has(key)) return reject('duplicate_in_batch');
    seen.add(key);
    ok.push({ index, key, at, lon: f.lon, lat: f.lat, accuracy_m: acc });
  });
  return { ok, rejected };
}

/**
 * How far the phone's clock is behind the server's (positive) or ahead (negative), from the instant the phone says it
 * sent the batch: 0 when it did not say, when the difference is under MIN_CLOCK_CORRECTION_MS, or when `sent_at` is
 * not an instant. The batch's transit time counts as clock error, which is what MIN_CLOCK_CORRECTION_MS absorbs.
 * @example clockOffset_ms('2026-03-02T08:50:00Z', new Date('2026-03-02T09:00:00Z')) // 600000
 */
export function clockOffset_ms(sent_at: string | undefined, now: Date): number {
  if (sent_at === undefined) return 0;
  const sent = Date.parse(sent_at);
  if (!Number.isFinite(sent)) return 0;
  const offset = now.getTime() - sent;
  return Math.abs(offset) < MIN_CLOCK_CORRECTION_MS ? 0 : offset;
}

/**
 * The duty period a fix belongs to: started_at ≤ at ≤ ended_at (an open period accepts up to now plus the skew).
 * Null: the fix was taken off duty, and is never stored.
 */
export function dutyOf(periods: readonly DutyPeriod[], at: Date): DutyPeriod | null {
  const t = at.getTime();
  for (const p of periods) {
    if (p.started_at.getTime() <= t && (p.ended_at === null || t <= p.ended_at.getTime())) return p;
  }
  return null;
}

/** Great-circle distance in metres (haversine, mean Earth radius). */
export function haversine_m(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export type TrackPoint = { at: Date; lon: number; lat: number; duty_id?: number };

/**
 * Metres walked from fix `a` to the next fix `b`: haversine, except 0 when the segment is faster than MAX_SPEED_MPS
 * (a jump, see there), when both fixes share an instant, or when it joins two different duty periods (off duty is not
 * walked). Stored with each fix at arrival (patrol_positions.step_m), so a day's distance is a sum.
 */
export function stepLength_m(a: TrackPoint, b: TrackPoint): number {
  if (a.duty_id !== undefined && b.duty_id !== undefined && a.duty_id !== b.duty_id) return 0;
  const dt = (b.at.getTime() - a.at.getTime()) / 1000;
  if (dt <= 0) return 0;
  const d = haversine_m(a.lon, a.lat, b.lon, b.lat);
  return d / dt > MAX_SPEED_MPS ? 0 : d;
}

/** Distance walked along a track, metres: the fixes in time order, the sum of stepLength_m. */
export function trackDistance_m(points: readonly TrackPoint[]): number {
  const sorted = [...points].sort((a, b) => a.at.getTime() - b.at.getTime());
  let total = 0;
  for (let i = 1; i < sorted.length; i++) total += stepLength_m(sorted[i - 1], sorted[i]);
  return total;
}

/**
 * Seconds on duty inside [day_start, day_end): each period clipped to the day, an open one at `now`.
 */
export function dutySecondsIn(periods: readonly Pick<DutyPeriod, 'started_at' | 'ended_at'>[], day_start: Date, day_end: Date, now: Date): number {
  let ms = 0;
  for (const p of periods) {
    const s = Math.max(p.started_at.getTime(), day_start.getTime());
    const e = Math.min((p.ended_at ?? now).getTime(), day_end.getTime(), now.getTime());
    if (e > s) ms += e - s;
  }
  return Math.round(ms / 1000);
}

/** Fresh while the last fix is at most STALE_INTERVALS intervals old; stale after that (or with no fix at all). */
export function freshness(last_at: Date | null, now: Date, interval_seconds: number): 'fresh' | 'stale' {
  if (!last_at) return 'stale';
  return now.getTime() - last_at.getTime() <= STALE_INTERVALS * interval_seconds * 1000 ? 'fresh' : 'stale';
}

/** The first instant kept: fixes before it are purged. */
export function retentionCutoff(now: Date, retention_days: number): Date {
  return new Date(now.getTime() - retention_days * 86_400_000);
}

/** A local date "YYYY-MM-DD" that exists; @throws DomainError bad_request naming the field. */
export function checkDate(date: string | undefined, field = 'date'): string {
  const m = date === undefined ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ok = m && (() => {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
  })();
  if (!ok) throw new DomainError('bad_request', `${field} must be a local date YYYY-MM-DD; got "${date ?? ''}"`, { field });
  return date!;
}

/** The next local date after "YYYY-MM-DD". */
export function nextDate(date: string): string {
  const [y, mo, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, mo - 1, d + 1)).toISOString().slice(0, 10);
}
