// Statistics queries, the pure part (docs/leader-api.md §Statistics): periods of local calendar dates, trend buckets,
// the split of a period into whole UTC days (read from the per-day rollup) and partial days (read from the cases),
// and the format checks of every parameter. Pure: the calendar (its time zone) is an argument, there is no clock.
import { DomainError } from './errors.js';
import { localTime, type WorkCalendar } from './calendar.js';

/** Longest period a statistic covers: five calendar years (docs/leader-api.md). */
export const MAX_PERIOD_YEARS = 5;
export const STAT_LEVELS = ['grid', 'community', 'street'] as const;
export type StatLevel = (typeof STAT_LEVELS)[number];
/** Length of the code that identifies a unit of each level (its prefix of a grid code). */
export const LEVEL_CODE_LENGTH: Record<StatLevel, number> = { grid: 15, community: 12, street: 9 };
export const BUCKETS = ['day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];
/** cases.source values (the channel a case came in by). */
export const CHANNELS = ['inspector', 'public', 'hotline', 'media', 'video', 'leader', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

const DAY_MS = 86_400_000;

/** A bad parameter: 400 naming the field in the message and in details.field. */
export function badField(field: string, message: string): DomainError {
  return new DomainError('bad_request', message, { field });
}

/** Day number (days since 1970-01-01) of a valid YYYY-MM-DD; throws naming `field` otherwise. */
export function dayNumber(text: string | undefined, field: string): number {
  if (text === undefined || text === '') throw badField(field, `${field} is required: a date like 2026-01-31`);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(t) || dateOf(t / DAY_MS) !== text) {
    throw badField(field, `${field} must be a calendar date like 2026-01-31; got "${text}"`);
  }
  return t / DAY_MS;
}

/** YYYY-MM-DD of a day number. */
export function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function addYears(day: number, years: number): number {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate()) / DAY_MS;
}

export type Period = {
  from: string; to: string; days: number;
  /** First instant of `from` and first instant after `to`, in the calendar's zone. */
  start: Date; end: Date;
  /** The previous period of the same length, ending the day before `from`. */
  prev_from: string; prev_to: string; prev_start: Date;
};

/**
 * The period of inclusive local dates `from`…`to`: at most five years (to before from + 5 years), from ≤ to.
 * @example parsePeriod(cal, '2026-01-01', '2026-01-31').days // 31
 */
export function parsePeriod(cal: WorkCalendar, from: string | undefined, to: string | undefined): Period {
  const a = dayNumber(from, 'from');
  const b = dayNumber(to, 'to');
  if (a > b) throw badField('from', `from (${from}) is after to (${to}); send from ≤ to`);
  if (b >= addYears(a, MAX_PERIOD_YEARS)) {
    throw badField('to', `to (${to}) is ${MAX_PERIOD_YEARS} years or more after from (${from}); a period is at most ${MAX_PERIOD_YEARS} years: move to earlier or from later`);
  }
  const days = b - a + 1;
  const at = (day: number) => localTime(cal, `${dateOf(day)} 00:00`);
  return {
    from: from!, to: to!, days, start: at(a), end: at(b + 1),
    prev_from: dateOf(a - days), prev_to: dateOf(a - 1), prev_start: at(a - days),
  };
}

/** Checks a value against a closed list, naming the field and the allowed values. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], field: string, dflt?: T): T {
  if (value === undefined || value === '') {
    if (dflt !== undefined) return dflt;
    throw badField(field, `${field} is required: one of ${allowed.join(', ')}`);
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw badField(field, `${field} "${value}" is not known; use one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** A class filter: a 5-digit matter class code (its existence is checked against the class table by the caller). */
export function classParam(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[0-9]{5}$/.test(value)) throw badField('class', `class must be a 5-digit matter class code like 06010; got "${value}"`);
  return value;
}

/** A major-class filter: 2 digits. */
export function majorParam(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[0-9]{2}$/.test(value)) throw badField('major', `major must be a 2-digit major class code like 06; got "${value}"`);
  return value;
}

/** A region filter: a district (6), street (9) or community (12) code. */
export function regionParam(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^([0-9]{6}|[0-9]{9}|[0-9]{12})$/.test(value)) {
    throw badField('region', `region must be a district (6 digits), street (9) or community (12) code; got "${value}"`);
  }
  return value;
}

export type TrendBucket = { start: string; end: string; start_at: Date };

/**
 * Buckets of a period: days, ISO weeks (Monday–Sunday) or calendar months, clipped to the period, so the first
 * and last may be partial; `start`/`end` are the inclusive local dates each covers.
 * @example trendBuckets(cal, period('2026-01-30', '2026-02-02'), 'week').map((b) => b.start) // ['2026-01-30', '2026-02-02']
 */
export function trendBuckets(cal: WorkCalendar, p: Period, bucket: Bucket): TrendBucket[] {
  const first = dayNumber(p.from, 'from');
  const last = dayNumber(p.to, 'to');
  const out: TrendBucket[] = [];
  let day = first;
  while (day <= last) {
    let next: number;
    if (bucket === 'day') next = day + 1;
    else if (bucket === 'week') next = day + 7 - ((new Date(day * DAY_MS).getUTCDay() + 6) % 7); // next Monday
    else {
      const d = new Date(day * DAY_MS);
      next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / DAY_MS;
    }
    const end = Math.min(next, last + 1);
    out.push({ start: dateOf(day), end: dateOf(end - 1), start_at: localTime(cal, `${dateOf(day)} 00:00`) });
    day = end;
  }
  return out;
}

export type Pieces = {
  /** Whole UTC days [from, to) (YYYY-MM-DD), served by the per-day rollup; label 1 = period, 0 = previous period. */
  days: { from: string; to: string; label: 0 | 1 }[];
  /** Instant ranges [from, to) counted from the cases themselves. */
  instants: { from: Date; to: Date; label: 0 | 1 }[];
};

/**
 * Splits instant ranges into whole UTC days and the partial days at either end. With `rollup` false every range
 * stays an instant range (filters the rollup does not have).
 * @example splitByUtcDay([[new Date('2026-01-01T16:00Z'), new Date('2026-01-04T16:00Z'), 1]], true)
 *   // days 2026-01-02…2026-01-04 (exclusive end), instants 01-01T16:00–01-02T00:00 and 01-04T00:00–01-04T16:00
 */
export function splitByUtcDay(ranges: readonly (readonly [Date, Date, 0 | 1])[], rollup: boolean): Pieces {
  const out: Pieces = { days: [], instants: [] };
  for (const [from, to, label] of ranges) {
    const s = from.getTime();
    const e = to.getTime();
    if (!(e > s)) continue;
    const d0 = Math.ceil(s / DAY_MS);
    const d1 = Math.floor(e / DAY_MS);
    if (!rollup || d0 >= d1) {
      out.instants.push({ from, to, label });
      continue;
    }
    out.days.push({ from: dateOf(d0), to: dateOf(d1), label });
    if (s < d0 * DAY_MS) out.instants.push({ from, to: new Date(d0 * DAY_MS), label });
    if (d1 * DAY_MS < e) out.instants.push({ from: new Date(d1 * DAY_MS), to, label });
  }
  return out;
}
