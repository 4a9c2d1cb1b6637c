// US federal holidays (5 U.S.C. § 6103) as a calendar year of data/calendars: what the Cambridge demo's working
// calendar skips. Pure. Observed-day rule (Executive Order 11582, OPM): a holiday on a Saturday is observed on the
// Friday before, one on a Sunday on the Monday after; New Year's Day on a Saturday is therefore observed on
// 31 December of the year before, and that day is listed in the earlier year's file. The US has no adjusted working
// days (no 调休), so `workdays` is empty.
import type { CalendarYear } from './calendar.js';

type Rule = { name_en: string; name_zh: string; date: (year: number) => number; since?: number; fixed: boolean };

const DAY = 86_400_000;
const utcDay = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / DAY;
const weekday = (day: number) => new Date(day * DAY).getUTCDay();
/** The n-th `wd` (0 = Sunday) of a month; n = -1 for the last. */
function nth(year: number, month: number, wd: number, n: number): number {
  if (n > 0) {
    const first = utcDay(year, month, 1);
    return first + ((wd - weekday(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = utcDay(year, month + 1, 1) - 1;
  return last - ((weekday(last) - wd + 7) % 7);
}

const RULES: readonly Rule[] = [
  { name_en: "New Year's Day", name_zh: '元旦', date: (y) => utcDay(y, 1, 1), fixed: true },
  { name_en: 'Birthday of Martin Luther King, Jr.', name_zh: '马丁·路德·金纪念日', date: (y) => nth(y, 1, 1, 3), fixed: false },
  { name_en: "Washington's Birthday", name_zh: '华盛顿诞辰纪念日（总统日）', date: (y) => nth(y, 2, 1, 3), fixed: false },
  { name_en: 'Memorial Day', name_zh: '阵亡将士纪念日', date: (y) => nth(y, 5, 1, -1), fixed: false },
  { name_en: 'Juneteenth National Independence Day', name_zh: '六月节（国家独立日）', date: (y) => utcDay(y, 6, 19), since: 2021, fixed: true },
  { name_en: 'Independence Day', name_zh: '独立日', date: (y) => utcDay(y, 7, 4), fixed: true },
  { name_en: 'Labor Day', name_zh: '劳动节', date: (y) => nth(y, 9, 1, 1), fixed: false },
  { name_en: 'Columbus Day', name_zh: '哥伦布日', date: (y) => nth(y, 10, 1, 2), fixed: false },
  { name_en: 'Veterans Day', name_zh: '退伍军人节', date: (y) => utcDay(y, 11, 11), fixed: true },
  { name_en: 'Thanksgiving Day', name_zh: '感恩节', date: (y) => nth(y, 11, 4, 4), fixed: false },
  { name_en: 'Christmas Day', name_zh: '圣诞节', date: (y) => utcDay(y, 12, 25), fixed: true },
];

/** The day a fixed-date holiday is observed: Saturday → Friday, Sunday → Monday. */
export function observedDay(day: number): number {
  const wd = weekday(day);
  return wd === 6 ? day - 1 : wd === 0 ? day + 1 : day;
}

/**
 * The federal holidays observed in `year` (the days offices close), each with its observed date.
 * @example usFederalHolidays(2026).holidays.find((h) => h.name_en === 'Independence Day')?.from // '2026-07-03' (4 July is a Saturday)
 */
export function usFederalHolidays(year: number): CalendarYear {
  const key = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);
  const out: { name_zh: string; name_en: string; from: string; to: string; day: number }[] = [];
  for (const y of [year, year + 1]) {
    for (const r of RULES) {
      if (r.since !== undefined && y < r.since) continue;
      const actual = r.date(y);
      const day = r.fixed ? observedDay(actual) : actual;
      if (new Date(day * DAY).getUTCFullYear() !== year) continue;
      const moved = day !== actual;
      const name_en = moved ? `${r.name_en}${y !== year ? ` ${y}` : ''} (observed)` : r.name_en;
      const name_zh = moved ? `${r.name_zh}${y !== year ? ` ${y}` : ''}（补假）` : r.name_zh;
      out.push({ name_zh, name_en, from: key(day), to: key(day), day });
    }
  }
  out.sort((a, b) => a.day - b.day);
  return {
    year,
    country: 'US',
    source: `US federal holidays, 5 U.S.C. § 6103, with the observed-day rule of Executive Order 11582 (Saturday → the Friday before, Sunday → the Monday after; OPM "Federal Holidays"). Computed by server/domain/holidays-us.ts (usFederalHolidays(${year})); the listed date is the observed day offices close.`,
    projection: false,
    holidays: out.map(({ day: _day, ...h }) => h),
    workdays: [],
  };
}
