// Period arithmetic of the leader screen: presets (this month … last 12 months), the previous period of the same
// length, validation of a custom range, the trend bucket and the monthly report's month. Pure: `today` is an argument
// (a local date of the district, in the district's zone like every time on screen, i18n/format.ts). docs/leader-api.md §Dates.
import type { Period, TrendBucket } from '../../api/leader.js';
import { displayZone } from '../../i18n/format.js';

export type Preset = 'this_month' | 'last_month' | 'this_quarter' | 'this_year' | 'last_12_months' | 'custom';
export const PRESETS: readonly Exclude<Preset, 'custom'>[] = ['this_month', 'last_month', 'this_quarter', 'this_year', 'last_12_months'];

/** The server's longest period (docs/leader-api.md): five years. */
export const MAX_PERIOD_DAYS = 5 * 366;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Whether `s` is a real calendar date written YYYY-MM-DD. @example isDate('2026-02-30') // false */
export function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

const toUtc = (s: string) => { const m = DATE.exec(s)!; return Date.UTC(+m[1], +m[2] - 1, +m[3]); };
const fromUtc = (t: number) => new Date(t).toISOString().slice(0, 10);
const ymd = (y: number, m: number, d: number) => fromUtc(Date.UTC(y, m, d)); // month 0-based, overflow allowed

/** @example addDays('2026-03-01', -1) // '2026-02-28' */
export function addDays(date: string, n: number): string { return fromUtc(toUtc(date) + n * DAY_MS); }

/** Days from `from` to `to`, both counted. @example periodDays({ from: '2026-01-01', to: '2026-01-31' }) // 31 */
export function periodDays(p: Period): number { return Math.round((toUtc(p.to) - toUtc(p.from)) / DAY_MS) + 1; }

/** Today's date in the district's zone at instant `now`. @example todayIn(new Date('2026-03-31T17:00:00Z')) // '2026-04-01' */
export function todayIn(now: Date, zone = displayZone()): string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return f.format(now);
}

/**
 * The period of a preset on `today`: the current month, quarter and year run to today; last month is whole; the last
 * 12 months end today and start the day after the same date a year before.
 * @example presetPeriod('last_month', '2026-03-15') // { from: '2026-02-01', to: '2026-02-28' }
 */
export function presetPeriod(preset: Exclude<Preset, 'custom'>, today: string): Period {
  const m = DATE.exec(today);
  if (!m) throw new RangeError(`today is not a YYYY-MM-DD date: ${today}`);
  const y = +m[1], mo = +m[2] - 1;
  switch (preset) {
    case 'this_month': return { from: ymd(y, mo, 1), to: today };
    case 'last_month': return { from: ymd(y, mo - 1, 1), to: ymd(y, mo, 0) };
    case 'this_quarter': return { from: ymd(y, mo - (mo % 3), 1), to: today };
    case 'this_year': return { from: ymd(y, 0, 1), to: today };
    case 'last_12_months': {
      const back = new Date(Date.UTC(y - 1, mo, +m[3]));
      // 29 February a year back does not exist: Date rolls to 1 March, which is already the day after.
      const from = back.getUTCMonth() !== mo ? fromUtc(back.getTime()) : addDays(fromUtc(back.getTime()), 1);
      return { from, to: today };
    }
  }
}

/** The preset whose period `p` is on `today`, or 'custom'. */
export function presetOf(p: Period, today: string): Preset {
  return PRESETS.find((k) => { const q = presetPeriod(k, today); return q.from === p.from && q.to === p.to; }) ?? 'custom';
}

/** The period of the same length just before `p` (what the choropleth's change compares against). */
export function previousPeriod(p: Period): Period {
  const n = periodDays(p);
  return { from: addDays(p.from, -n), to: addDays(p.from, -1) };
}

/** What is wrong with a custom period, as a message key and the field it concerns; null when it can be asked for. */
export type PeriodProblem = { field: 'from' | 'to'; key: 'ld_period_bad_date' | 'ld_period_reversed' | 'ld_period_too_long' };

export function checkPeriod(p: Period): PeriodProblem | null {
  if (!isDate(p.from)) return { field: 'from', key: 'ld_period_bad_date' };
  if (!isDate(p.to)) return { field: 'to', key: 'ld_period_bad_date' };
  if (p.from > p.to) return { field: 'from', key: 'ld_period_reversed' };
  if (periodDays(p) > MAX_PERIOD_DAYS) return { field: 'to', key: 'ld_period_too_long' };
  return null;
}

/** A bucket that gives a readable number of points: days up to ~6 weeks, weeks up to ~7 months, months beyond. */
export function autoBucket(p: Period): TrendBucket {
  const n = periodDays(p);
  if (n <= 45) return 'day';
  if (n <= 210) return 'week';
  return 'month';
}

/** The month the monthly report button prints: the month the period ends in. @example reportMonth({ from: '2026-01-01', to: '2026-03-15' }) // '2026-03' */
export function reportMonth(p: Period): string { return p.to.slice(0, 7); }
