// Working-time calendar and time limits (时限): docs/workflow.md §Time. Pure: no clock and no I/O; the calendar
// (working periods, weekends, public holidays, adjusted working days 调休, time zone) is data passed in.
//
// Time zone: wall-clock rules (08:00–12:00 …) are applied in the calendar's IANA zone, converted to instants with
// Intl.DateTimeFormat offsets (no library). Asia/Shanghai has had no DST since 1991, so for every Chinese city the
// offset is the constant +08:00; a fixed offset such as "+08:00" is accepted too and skips Intl entirely. DST zones
// work because every period boundary is converted on its own date; a wall time inside a spring-forward gap resolves
// to a nearby valid instant (periods in the night are not expected).
import { DomainError } from './errors.js';

/**
 * Units of a limit (docs/workflow.md §Time). Two families:
 * - working: `working_minutes`, `working_hours`, `working_days` (= `working_day_hours`, default 8 working hours)
 *   count only inside working periods of working days;
 * - continuous: `minutes`, `urgent_hours` (紧急工作时: nights and holidays included), `natural_days` (24 h each).
 */
export const TIME_UNITS = ['minutes', 'working_minutes', 'working_hours', 'working_days', 'urgent_hours', 'natural_days'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];
export type UnitFamily = 'working' | 'continuous';
export type Limit = { value: number; unit: TimeUnit };

/** One file of data/calendars: the public holidays and adjusted working days of one year. */
export type CalendarYear = {
  year: number;
  country?: string;
  source: string;
  projection?: boolean;
  holidays: { name_zh: string; name_en?: string; from: string; to: string }[];
  workdays: { date: string; for?: string }[];
};

/** Per-city settings (docs/workflow.md: "defaults; per-city configuration"). */
export type CalendarOptions = {
  id?: string;
  /** IANA zone ("Asia/Shanghai", the default) or a fixed offset ("+08:00"). */
  time_zone?: string;
  /** Local working periods, "HH:MM" pairs, sorted and disjoint; default 08:00–12:00 and 14:00–18:00. */
  periods?: readonly (readonly [string, string])[];
  /** Weekend days, 0 = Sunday … 6 = Saturday; default [0, 6]. */
  weekend?: readonly number[];
  /** Length of a working day in working hours; default 8. */
  working_day_hours?: number;
};

export type WorkCalendar = Readonly<{
  id: string;
  time_zone: string;
  /** Minutes of the local day, [start, end). */
  periods: readonly { readonly start: number; readonly end: number }[];
  weekend: readonly number[];
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
  /** Years that have holiday data; other years know only weekends. */
  years: readonly number[];
  working_day_minutes: number;
}>;

/** A suspension (挂账) interval: the clock does not run between the two instants. */
export type Suspension = readonly [Date, Date];

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
export const DEFAULT_PERIODS: readonly (readonly [string, string])[] = [['08:00', '12:00'], ['14:00', '18:00']];

const MIN = 60_000;
const DAY = 86_400_000;
/** A calendar with no working day in ten years is a configuration error, not a reason to loop forever. */
const MAX_IDLE_DAYS = 3660;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

// ---------------------------------------------------------------------------------------------------------------
// Loading

/**
 * Validates one parsed data/calendars/*.json file.
 * @throws DomainError `unprocessable` listing every problem
 */
export function parseCalendarYear(json: unknown): CalendarYear {
  const problems: string[] = [];
  const o = json as Partial<CalendarYear> | null;
  if (!o || typeof o !== 'object') throw new DomainError('unprocessable', 'A calendar year must be a JSON object');
  if (!Number.isInteger(o.year) || o.year! < 1970 || o.year! > 9999) problems.push(`year must be an integer year, got ${JSON.stringify(o.year)}`);
  if (typeof o.source !== 'string' || !o.source.trim()) problems.push('source must say where the dates come from');
  const inYear = (d: unknown, where: string): boolean => {
    if (typeof d !== 'string' || !isDateKey(d)) { problems.push(`${where}: "${String(d)}" is not a YYYY-MM-DD date`); return false; }
    if (Number(d.slice(0, 4)) !== o.year) { problems.push(`${where}: ${d} is not in ${o.year}`); return false; }
    return true;
  };
  if (!Array.isArray(o.holidays)) problems.push('holidays must be an array');
  else o.holidays.forEach((h, i) => {
    if (!h || typeof h.name_zh !== 'string' || !h.name_zh) problems.push(`holidays[${i}]: name_zh is required`);
    if (inYear(h?.from, `holidays[${i}].from`) && inYear(h?.to, `holidays[${i}].to`) && h.to < h.from) {
      problems.push(`holidays[${i}]: to ${h.to} is before from ${h.from}`);
    }
  });
  if (!Array.isArray(o.workdays)) problems.push('workdays must be an array');
  else o.workdays.forEach((w, i) => inYear(w?.date, `workdays[${i}].date`));
  if (problems.length === 0) {
    const off = new Set(o.holidays!.flatMap((h) => datesBetween(h.from, h.to)));
    for (const w of o.workdays!) if (off.has(w.date)) problems.push(`${w.date} is both a holiday and an adjusted working day`);
  }
  if (problems.length) throw new DomainError('unprocessable', `Calendar ${o.year ?? '?'} is invalid: ${problems.join('; ')}`, { problems });
  return o as CalendarYear;
}

/**
 * A working-time calendar from year files (parsed JSON) and a city's options.
 * @example buildCalendar([cn2026], { id: 'dongcheng' })
 * @throws DomainError `unprocessable` when the data or the options are invalid
 */
export function buildCalendar(years: readonly unknown[], options: CalendarOptions = {}): WorkCalendar {
  const parsed = years.map(parseCalendarYear);
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const y of parsed) {
    if (seen.has(y.year)) problems.push(`year ${y.year} is given twice`);
    seen.add(y.year);
  }
  const time_zone = options.time_zone ?? DEFAULT_TIME_ZONE;
  if (!validZone(time_zone)) problems.push(`time_zone "${time_zone}" is neither an IANA zone nor an offset like +08:00`);
  const periods: { start: number; end: number }[] = [];
  for (const [a, b] of options.periods ?? DEFAULT_PERIODS) {
    const start = clockMinutes(a);
    const end = clockMinutes(b);
    if (start === null || end === null || start >= end) { problems.push(`period ${a}–${b} is not a valid HH:MM–HH:MM range`); continue; }
    const last = periods[periods.length - 1];
    if (last && start < last.end) problems.push(`period ${a}–${b} overlaps or precedes the one before it`);
    periods.push({ start, end });
  }
  if (periods.length === 0) problems.push('at least one working period is needed');
  const weekend = [...(options.weekend ?? [0, 6])];
  if (weekend.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) problems.push('weekend days are 0 (Sunday) … 6 (Saturday)');
  if (new Set(weekend).size >= 7) problems.push('a week needs at least one working day');
  const hours = options.working_day_hours ?? 8;
  if (!(hours > 0 && hours <= 24)) problems.push(`working_day_hours must be in (0, 24], got ${hours}`);
  if (problems.length) throw new DomainError('unprocessable', `Calendar is invalid: ${problems.join('; ')}`, { problems });

  const holidays = new Set<string>();
  const workdays = new Set<string>();
  for (const y of parsed) {
    for (const h of y.holidays) for (const d of datesBetween(h.from, h.to)) holidays.add(d);
    for (const w of y.workdays) workdays.add(w.date);
  }
  return Object.freeze({
    id: options.id ?? 'default',
    time_zone,
    periods: Object.freeze(periods.map((p) => Object.freeze(p))),
    weekend: Object.freeze(weekend),
    holidays,
    workdays,
    years: Object.freeze(parsed.map((y) => y.year).sort((a, b) => a - b)),
    working_day_minutes: hours * 60,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Days and local time

/** Whether a local date ("YYYY-MM-DD", or the local date of an instant) is a working day. */
export function isWorkingDay(cal: WorkCalendar, date: string | Date): boolean {
  const day = typeof date === 'string' ? dayNumberOf(date) : localDay(cal, date.getTime());
  return workingDay(cal, day);
}

/** Whether an instant lies inside a working period, [start, end). */
export function isWorkingTime(cal: WorkCalendar, at: Date): boolean {
  const t = at.getTime();
  return dayIntervals(cal, localDay(cal, t)).some(([s, e]) => s <= t && t < e);
}

/** The local calendar date of an instant, "YYYY-MM-DD". */
export function localDateOf(cal: WorkCalendar, at: Date): string {
  return dateKey(localDay(cal, at.getTime()));
}

/**
 * The instant of a local wall time in the calendar's zone.
 * @example localTime(cal, '2026-02-13 17:00') // 2026-02-13T09:00:00.000Z in Asia/Shanghai
 */
export function localTime(cal: WorkCalendar, wall: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(wall);
  if (!m || !isDateKey(m[1])) throw new RangeError(`"${wall}" is not a local time like 2026-02-13 17:00`);
  const minutes = Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0) / 60;
  return new Date(localToUtc(cal, dayNumberOf(m[1]), minutes));
}

// ---------------------------------------------------------------------------------------------------------------
// Adding and measuring

/**
 * The instant `minutes` working minutes after `start`. Adding 0 gives `start`; otherwise the result lies inside a
 * working period or exactly at its end (a limit used up at 18:00 is due at 18:00, not at 08:00 next working day).
 * @example addWorkingMinutes(cal, localTime(cal, '2026-03-06 17:00'), 120) // Monday 2026-03-09 09:00
 */
export function addWorkingMinutes(cal: WorkCalendar, start: Date, minutes: number): Date {
  if (!(minutes >= 0) || !Number.isFinite(minutes)) throw new RangeError(`minutes must be finite and ≥ 0, got ${minutes}`);
  return new Date(consume(workingIntervals(cal, start.getTime()), start.getTime(), minutes * MIN, 'first'));
}

/** Working minutes between two instants (negative when `b` is before `a`). */
export function workingMinutesBetween(cal: WorkCalendar, a: Date, b: Date): number {
  if (b < a) return -workingMinutesBetween(cal, b, a);
  return measure(workingIntervals(cal, a.getTime(), b.getTime()), b.getTime()) / MIN;
}

/** `days` working days (of `working_day_minutes`) after `start`. */
export function addWorkingDays(cal: WorkCalendar, start: Date, days: number): Date {
  return addWorkingMinutes(cal, start, days * cal.working_day_minutes);
}

/** Continuous minutes: nights, weekends and holidays all count. */
export function addMinutes(start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes)) throw new RangeError(`minutes must be finite, got ${minutes}`);
  return new Date(start.getTime() + Math.round(minutes * MIN));
}

/** Urgent working hours (紧急工作时) run continuously. */
export function addUrgentHours(start: Date, hours: number): Date {
  return addMinutes(start, hours * 60);
}

/** The same local wall time `days` calendar days later (自然日). */
export function addNaturalDays(cal: WorkCalendar, start: Date, days: number): Date {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  const t = start.getTime();
  const day = localDay(cal, t);
  const localMs = t + offsetMinutes(cal.time_zone, t) * MIN - day * DAY;
  return new Date(localToUtc(cal, day + days, localMs / MIN));
}

/** Which clock a unit runs on. */
export function unitFamily(unit: TimeUnit): UnitFamily {
  return unit === 'minutes' || unit === 'urgent_hours' || unit === 'natural_days' ? 'continuous' : 'working';
}

/**
 * A limit in minutes of its family's clock, plus extension hours. Extension hours are hours of the limit's own
 * family: a working-hour, working-day or working-minute limit is extended by working hours; a minute, urgent-hour
 * or natural-day limit by continuous hours.
 */
export function limitMinutes(cal: WorkCalendar, limit: Limit, extensionHours = 0): number {
  assertLimit(limit);
  if (!(extensionHours >= 0) || !Number.isFinite(extensionHours)) throw new RangeError(`extension_hours must be ≥ 0, got ${extensionHours}`);
  const per: Record<TimeUnit, number> = {
    minutes: 1, working_minutes: 1, working_hours: 60, working_days: cal.working_day_minutes, urgent_hours: 60, natural_days: 1440,
  };
  return limit.value * per[limit.unit] + extensionHours * 60;
}

export type DeadlineOptions = {
  /** Suspended intervals (挂账), excluded from the clock. Close an open suspension at `now` before asking. */
  suspensions?: readonly Suspension[];
  /** Approved extensions, in hours of the limit's family (see `limitMinutes`). */
  extension_hours?: number;
  /** Share of the (extended) limit, e.g. 0.8 for the instant a light turns yellow; default 1. */
  share?: number;
  /**
   * `first` (default): the earliest instant at which the limit is used up: the deadline shown to people.
   * `last`: the last instant at which time used ≤ limit. They differ when the limit runs out exactly at the end of
   * a working period (Friday 18:00 vs Monday 08:00): use `last` for instants stored to filter lights in SQL, so that
   * `now > red_at` is exactly `trafficLight(used, limit) === 'red'`.
   */
  edge?: 'first' | 'last';
};

/**
 * When a limit started at `start` runs out: suspended time excluded, extensions added.
 * @example deadline(cal, dispatchedAt, { value: 4, unit: 'working_hours' }, { extension_hours: 2 })
 */
export function deadline(cal: WorkCalendar, start: Date, limit: Limit, options: DeadlineOptions = {}): Date {
  const share = options.share ?? 1;
  if (!(share >= 0) || !Number.isFinite(share)) throw new RangeError(`share must be ≥ 0, got ${share}`);
  const budget = limitMinutes(cal, limit, options.extension_hours ?? 0) * MIN * share;
  const edge = options.edge ?? 'first';
  const from = start.getTime();
  const intervals = without(countedIntervals(cal, unitFamily(limit.unit), from), mergeSuspensions(options.suspensions ?? []));
  return new Date(consume(intervals, from, edge === 'first' ? Math.ceil(budget) : Math.floor(budget), edge));
}

/**
 * Time used between `start` and `end` on the clock of `unit`'s family, suspended time excluded, in minutes; the
 * numerator of the traffic light and of the overtime multiple.
 */
export function elapsedMinutes(
  cal: WorkCalendar, start: Date, end: Date, unit: TimeUnit, suspensions: readonly Suspension[] = [],
): number {
  const a = start.getTime();
  const b = end.getTime();
  if (b <= a) return 0;
  return measure(without(countedIntervals(cal, unitFamily(unit), a, b), mergeSuspensions(suspensions)), b) / MIN;
}

// ---------------------------------------------------------------------------------------------------------------
// Internals: intervals are [startMs, endMs) in UTC milliseconds.

type Interval = readonly [number, number];

function countedIntervals(cal: WorkCalendar, family: UnitFamily, fromMs: number, untilMs = Infinity): Iterable<Interval> {
  return family === 'working' ? workingIntervals(cal, fromMs, untilMs) : [[fromMs, Infinity]];
}

/** Working intervals from `fromMs` on (the first one clipped to start there), stopping after `untilMs`. */
function* workingIntervals(cal: WorkCalendar, fromMs: number, untilMs = Infinity): Generator<Interval> {
  let idle = 0;
  const lastDay = untilMs === Infinity ? Infinity : localDay(cal, untilMs);
  for (let day = localDay(cal, fromMs); day <= lastDay; day++) {
    const intervals = dayIntervals(cal, day);
    if (intervals.length === 0) {
      if (++idle > MAX_IDLE_DAYS) throw new RangeError(`Calendar ${cal.id} has no working day for ${MAX_IDLE_DAYS} days`);
      continue;
    }
    idle = 0;
    for (const [s, e] of intervals) if (e > fromMs) yield [Math.max(s, fromMs), e];
  }
}

/** Subtracts sorted, merged suspensions from ordered intervals. */
function* without(intervals: Iterable<Interval>, cuts: readonly Interval[]): Generator<Interval> {
  let i = 0;
  for (const [s0, e] of intervals) {
    let s = s0;
    while (i < cuts.length && cuts[i][1] <= s) i++;
    for (let j = i; j < cuts.length && cuts[j][0] < e; j++) {
      if (cuts[j][0] > s) yield [s, cuts[j][0]];
      s = Math.max(s, cuts[j][1]);
      if (s >= e) break;
    }
    if (s < e) yield [s, e];
  }
}

/** The instant at which `budgetMs` of counted time has been used, walking `intervals` from `fromMs`. */
function consume(intervals: Iterable<Interval>, fromMs: number, budgetMs: number, edge: 'first' | 'last'): number {
  let left = Math.round(budgetMs);
  if (left <= 0 && edge === 'first') return fromMs;
  for (const [s, e] of intervals) {
    const avail = e - s;
    if (edge === 'first' ? left <= avail : left < avail) return s + left;
    left -= avail;
  }
  throw new RangeError('The calendar ran out of intervals'); // unreachable: working intervals never end
}

function measure(intervals: Iterable<Interval>, untilMs: number): number {
  let total = 0;
  for (const [s, e] of intervals) {
    if (s >= untilMs) break;
    total += Math.min(e, untilMs) - s;
  }
  return total;
}

function mergeSuspensions(suspensions: readonly Suspension[]): Interval[] {
  const list = suspensions.map(([a, b]): Interval => {
    if (!(a instanceof Date) || !(b instanceof Date) || Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) {
      throw new RangeError('A suspension is a pair of valid Dates');
    }
    if (b < a) throw new RangeError(`A suspension ends (${b.toISOString()}) before it starts (${a.toISOString()})`);
    return [a.getTime(), b.getTime()];
  }).sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of list) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

function assertLimit(limit: Limit): void {
  if (!limit || !(TIME_UNITS as readonly string[]).includes(limit.unit)) throw new RangeError(`Unknown time unit ${JSON.stringify(limit?.unit)}`);
  if (!(limit.value > 0) || !Number.isFinite(limit.value)) throw new RangeError(`A limit must be positive, got ${limit.value}`);
}

/** Day numbers count local calendar days since 1970-01-01 (day 0, a Thursday). */
function workingDay(cal: WorkCalendar, day: number): boolean {
  const key = dateKey(day);
  if (cal.workdays.has(key)) return true;
  if (cal.holidays.has(key)) return false;
  return !cal.weekend.includes((((day + 4) % 7) + 7) % 7);
}

const dayCache = new WeakMap<WorkCalendar, Map<number, readonly Interval[]>>();

/** The working intervals of one local day (memoised per calendar: same input, same output). */
function dayIntervals(cal: WorkCalendar, day: number): readonly Interval[] {
  let byDay = dayCache.get(cal);
  if (!byDay) dayCache.set(cal, (byDay = new Map()));
  let intervals = byDay.get(day);
  if (!intervals) {
    intervals = workingDay(cal, day) ? cal.periods.map((p): Interval => [localToUtc(cal, day, p.start), localToUtc(cal, day, p.end)]) : [];
    byDay.set(day, intervals);
  }
  return intervals;
}

function localDay(cal: WorkCalendar, utcMs: number): number {
  return Math.floor((utcMs + offsetMinutes(cal.time_zone, utcMs) * MIN) / DAY);
}

/** The UTC instant of a local wall time (minutes after local midnight of `day`). */
function localToUtc(cal: WorkCalendar, day: number, minutes: number): number {
  const local = day * DAY + Math.round(minutes * MIN);
  const first = local - offsetMinutes(cal.time_zone, local) * MIN;
  const o = offsetMinutes(cal.time_zone, first);
  const utc = local - o * MIN;
  const o2 = offsetMinutes(cal.time_zone, utc);
  return o2 === o ? utc : local - o2 * MIN;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();
/** Offsets are memoised per zone and quarter hour: zones change offset only on quarter-hour boundaries. */
const BUCKET = 15 * MIN;

/** Minutes the zone is ahead of UTC at an instant. */
function offsetMinutes(zone: string, utcMs: number): number {
  const fixed = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  const key = `${zone} ${Math.floor(utcMs / BUCKET)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size > 200_000) offsets.clear();
    offset = zoneOffset(zone, Math.floor(utcMs / BUCKET) * BUCKET);
    offsets.set(key, offset);
  }
  return offset;
}

function zoneOffset(zone: string, utcMs: number): number {
  let fmt = formatters.get(zone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, fmt);
  }
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / MIN);
}

function validZone(zone: string): boolean {
  if (/^[+-](\d{2}):(\d{2})$/.test(zone)) return Number(zone.slice(1, 3)) <= 14 && Number(zone.slice(4)) < 60;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function clockMinutes(hhmm: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return null;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && v <= 1440 ? v : null;
}

function isDateKey(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  return dateKey(dayNumberOf(s)) === s;
}

function dayNumberOf(key: string): number {
  const m = DATE_RE.exec(key);
  if (!m) throw new RangeError(`"${key}" is not a YYYY-MM-DD date`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY;
}

function dateKey(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = dayNumberOf(from); d <= dayNumberOf(to); d++) out.push(dateKey(d));
  return out;
}
