import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  addMinutes, addNaturalDays, addUrgentHours, addWorkingDays, addWorkingMinutes, buildCalendar, deadline, elapsedMinutes,
  isWorkingDay, isWorkingTime, limitMinutes, localDateOf, localTime, parseCalendarYear, workingMinutesBetween,
  type CalendarYear, type Suspension,
} from '../../../server/domain/calendar.js';
import { errorOf } from '../../helpers/errors.js';

const year = (y: number): CalendarYear => JSON.parse(readFileSync(new URL(`../../../data/calendars/cn-${y}.json`, import.meta.url), 'utf8'));
const YEARS = [year(2025), year(2026), year(2027)];
const cal = buildCalendar(YEARS, { id: 'cn' });
const fixed = buildCalendar(YEARS, { id: 'cn-fixed', time_zone: '+08:00' });
const at = (wall: string) => localTime(cal, wall);
const H = 60;

// Instants from 2025-01-01 to 2027-06-30, to the millisecond.
const instant = fc.integer({ min: Date.UTC(2024, 11, 31, 16), max: Date.UTC(2027, 5, 30) }).map((ms) => new Date(ms));
const minutes = fc.integer({ min: 0, max: 20 * 480 });
const workdayKeys = YEARS.flatMap((y) => y.workdays.map((w) => w.date));

describe('the 2025–2027 calendar files', () => {
  test('2025 and 2026 follow the State Council notices; 2027 is marked as a projection', () => {
    expect(YEARS.map((y) => [y.year, y.projection])).toEqual([[2025, false], [2026, false], [2027, true]]);
    expect(year(2026).source).toContain('国务院办公厅关于2026年部分节假日安排的通知');
    expect(year(2027).source).toContain('PROJECTION');
  });

  test.each([
    ['2026-01-01', false], ['2026-01-02', false], ['2026-01-04', true], // New Year; Sunday 4 Jan is worked
    ['2026-02-13', true], ['2026-02-14', true], ['2026-02-15', false], ['2026-02-16', false], ['2026-02-23', false], ['2026-02-24', true], ['2026-02-28', true],
    ['2026-04-06', false], ['2026-05-01', false], ['2026-05-05', false], ['2026-05-09', true], ['2026-06-19', false], ['2026-09-20', true],
    ['2026-09-25', false], ['2026-10-01', false], ['2026-10-07', false], ['2026-10-08', true], ['2026-10-10', true], ['2026-10-11', false],
    ['2025-01-26', true], ['2025-01-28', false], ['2025-10-08', false], ['2025-10-11', true],
    ['2026-03-07', false], ['2026-03-09', true],
  ])('%s is a working day: %s', (date, working) => {
    expect(isWorkingDay(cal, date)).toBe(working);
  });

  test.each([[2025, 248], [2026, 248]])('%i has %i working days of 8 hours', (y, days) => {
    expect(workingMinutesBetween(cal, at(`${y}-01-01 00:00`), at(`${y + 1}-01-01 00:00`))).toBe(days * 480);
  });
});

describe('concrete examples', () => {
  test('Friday 17:00 + 2 working hours = Monday 09:00', () => {
    expect(addWorkingMinutes(cal, at('2026-03-06 17:00'), 2 * H)).toEqual(at('2026-03-09 09:00'));
  });

  test('before the Spring Festival the adjusted Saturday counts, then nine days off', () => {
    expect(addWorkingMinutes(cal, at('2026-02-13 17:00'), 2 * H)).toEqual(at('2026-02-14 09:00')); // Saturday 14 Feb is worked
    expect(addWorkingMinutes(cal, at('2026-02-14 17:00'), 2 * H)).toEqual(at('2026-02-24 09:00')); // 15–23 Feb off
    expect(workingMinutesBetween(cal, at('2026-02-09 08:00'), at('2026-03-02 08:00'))).toBe(11 * 480); // 9–14, 24–28 Feb
  });

  test('National Day 2026: Sunday 20 Sep worked, 1–7 Oct off, Saturday 10 Oct worked', () => {
    expect(addWorkingMinutes(cal, at('2026-09-19 10:00'), 1 * H)).toEqual(at('2026-09-20 09:00'));
    expect(addWorkingMinutes(cal, at('2026-09-30 17:00'), 2 * H)).toEqual(at('2026-10-08 09:00'));
    expect(addWorkingDays(cal, at('2026-10-09 10:00'), 1)).toEqual(at('2026-10-10 10:00'));
  });

  test('the lunch break and the night do not count', () => {
    expect(addWorkingMinutes(cal, at('2026-03-10 11:30'), 60)).toEqual(at('2026-03-10 14:30'));
    expect(addWorkingMinutes(cal, at('2026-03-10 12:30'), 30)).toEqual(at('2026-03-10 14:30'));
    expect(addWorkingMinutes(cal, at('2026-03-10 22:00'), 30)).toEqual(at('2026-03-11 08:30'));
    expect(workingMinutesBetween(cal, at('2026-03-10 07:00'), at('2026-03-10 20:00'))).toBe(480);
  });

  test('a limit used up at the end of the day is due then, not next morning; adding 0 changes nothing', () => {
    expect(addWorkingMinutes(cal, at('2026-03-06 16:00'), 2 * H)).toEqual(at('2026-03-06 18:00'));
    expect(addWorkingMinutes(cal, at('2026-03-07 10:00'), 0)).toEqual(at('2026-03-07 10:00'));
  });

  test('urgent hours, minutes and natural days run continuously through nights and holidays', () => {
    expect(addUrgentHours(at('2026-02-15 23:00'), 2)).toEqual(at('2026-02-16 01:00'));
    expect(addMinutes(at('2026-10-01 12:00'), 30)).toEqual(at('2026-10-01 12:30'));
    expect(addNaturalDays(cal, at('2026-09-30 10:00'), 3)).toEqual(at('2026-10-03 10:00'));
    expect(deadline(cal, at('2026-02-15 23:00'), { value: 2, unit: 'urgent_hours' })).toEqual(at('2026-02-16 01:00'));
    expect(deadline(cal, at('2026-02-15 23:00'), { value: 1, unit: 'natural_days' })).toEqual(at('2026-02-16 23:00'));
  });

  test('local time: Beijing is UTC+8', () => {
    expect(at('2026-02-13 17:00').toISOString()).toBe('2026-02-13T09:00:00.000Z');
    expect(localDateOf(cal, new Date('2026-02-13T16:30:00Z'))).toBe('2026-02-14');
    expect(isWorkingTime(cal, at('2026-02-14 08:00'))).toBe(true);
    expect(isWorkingTime(cal, at('2026-02-14 12:00'))).toBe(false);
  });
});

describe('deadlines', () => {
  const start = at('2026-03-10 10:00'); // Tuesday

  test('working units: minutes, hours and days of 8 hours', () => {
    expect(deadline(cal, start, { value: 30, unit: 'working_minutes' })).toEqual(at('2026-03-10 10:30'));
    expect(deadline(cal, start, { value: 4, unit: 'working_hours' })).toEqual(at('2026-03-10 16:00'));
    expect(deadline(cal, start, { value: 7, unit: 'working_days' })).toEqual(at('2026-03-19 10:00'));
  });

  test('extension hours are in the limit’s family: working hours for working limits, clock hours for urgent ones', () => {
    expect(deadline(cal, start, { value: 4, unit: 'working_hours' }, { extension_hours: 4 })).toEqual(at('2026-03-11 10:00'));
    expect(deadline(cal, start, { value: 1, unit: 'working_days' }, { extension_hours: 2 })).toEqual(at('2026-03-11 12:00'));
    expect(deadline(cal, start, { value: 2, unit: 'urgent_hours' }, { extension_hours: 10 })).toEqual(at('2026-03-10 22:00'));
    expect(limitMinutes(cal, { value: 1, unit: 'natural_days' }, 6)).toBe(1800);
  });

  test('suspended time is excluded', () => {
    const s: Suspension[] = [[at('2026-03-10 11:00'), at('2026-03-11 11:00')]]; // one working day suspended
    expect(deadline(cal, start, { value: 4, unit: 'working_hours' }, { suspensions: s })).toEqual(at('2026-03-11 16:00'));
    expect(deadline(cal, start, { value: 4, unit: 'urgent_hours' }, { suspensions: s })).toEqual(at('2026-03-11 14:00'));
    expect(elapsedMinutes(cal, start, at('2026-03-11 16:00'), 'working_hours', s)).toBe(240);
  });

  test('the yellow instant is at 80 %; edge "last" skips the gap after a limit runs out at 18:00', () => {
    const fri = at('2026-03-06 14:00');
    expect(deadline(cal, fri, { value: 4, unit: 'working_hours' }, { share: 0.8 })).toEqual(at('2026-03-06 17:12'));
    expect(deadline(cal, fri, { value: 4, unit: 'working_hours' })).toEqual(at('2026-03-06 18:00'));
    expect(deadline(cal, fri, { value: 4, unit: 'working_hours' }, { edge: 'last' })).toEqual(at('2026-03-09 08:00'));
  });

  test('bad limits and suspensions are refused', () => {
    expect(() => deadline(cal, start, { value: 0, unit: 'working_hours' })).toThrow(RangeError);
    expect(() => deadline(cal, start, { value: 1, unit: 'hours' as never })).toThrow(RangeError);
    expect(() => deadline(cal, start, { value: 1, unit: 'minutes' }, { suspensions: [[at('2026-03-11 10:00'), at('2026-03-10 10:00')]] })).toThrow(RangeError);
    expect(() => addWorkingMinutes(cal, start, -1)).toThrow(RangeError);
  });
});

describe('configuration', () => {
  test('a city with other periods, and a fixed offset', () => {
    const c = buildCalendar(YEARS, { periods: [['08:30', '12:00'], ['13:30', '17:30']], time_zone: '+08:00' });
    expect(workingMinutesBetween(c, localTime(c, '2026-03-10 00:00'), localTime(c, '2026-03-11 00:00'))).toBe(450);
    expect(addWorkingMinutes(c, localTime(c, '2026-03-10 11:30'), 60)).toEqual(localTime(c, '2026-03-10 14:00'));
  });

  test('an IANA zone with daylight saving: 08:00 local is 06:00Z in July and 07:00Z in January', () => {
    const berlin = buildCalendar([], { time_zone: 'Europe/Berlin' });
    expect(localTime(berlin, '2026-07-15 08:00').toISOString()).toBe('2026-07-15T06:00:00.000Z');
    expect(localTime(berlin, '2026-01-15 08:00').toISOString()).toBe('2026-01-15T07:00:00.000Z');
    // Friday before the spring change (29 March 2026) to Monday after: still 1 working hour + 1.
    expect(addWorkingMinutes(berlin, localTime(berlin, '2026-03-27 17:00'), 120)).toEqual(localTime(berlin, '2026-03-30 09:00'));
  });

  test.each([
    [{ time_zone: 'Mars/Olympus' }, 'time_zone'],
    [{ periods: [['12:00', '08:00']] as [string, string][] }, 'period'],
    [{ periods: [['08:00', '12:00'], ['11:00', '13:00']] as [string, string][] }, 'overlaps'],
    [{ weekend: [0, 1, 2, 3, 4, 5, 6] }, 'working day'],
  ])('bad options %j are refused', (options, word) => {
    const e = errorOf(() => buildCalendar([], options));
    expect(e).toMatchObject({ code: 'unprocessable' });
    expect(e.message).toContain(word);
  });

  test('bad year files are refused with every problem', () => {
    const bad = { year: 2026, source: 'x', holidays: [{ name_zh: '春节', from: '2026-02-30', to: '2026-02-23' }, { name_zh: '国庆', from: '2026-10-01', to: '2026-10-07' }], workdays: [{ date: '2026-10-03' }, { date: '2027-01-01' }] };
    const e = errorOf(() => parseCalendarYear(bad));
    expect(e).toMatchObject({ code: 'unprocessable' });
    expect(e.details.problems.join('\n')).toMatch(/2026-02-30[\s\S]*2027-01-01 is not in 2026/);
    const overlap = { ...bad, holidays: [bad.holidays[1]], workdays: [bad.workdays[0]] };
    expect(errorOf(() => parseCalendarYear(overlap)).message).toContain('both a holiday and an adjusted working day');
    expect(errorOf(() => buildCalendar([year(2026), year(2026)])).message).toContain('twice');
  });
});

describe('properties', () => {
  test('adding then measuring round-trips', () => {
    fc.assert(fc.property(instant, minutes, (s, m) => workingMinutesBetween(cal, s, addWorkingMinutes(cal, s, m)) === m));
  });

  test('measuring then adding lands at or before the end, at the same working time', () => {
    fc.assert(fc.property(instant, instant, (a, b) => {
      const [s, t] = a <= b ? [a, b] : [b, a];
      const m = workingMinutesBetween(cal, s, t);
      const r = addWorkingMinutes(cal, s, m);
      return r <= t && workingMinutesBetween(cal, s, r) === m;
    }));
  });

  test('monotonic in the minutes and in the start', () => {
    fc.assert(fc.property(instant, minutes, minutes, (s, a, b) =>
      addWorkingMinutes(cal, s, Math.min(a, b)) <= addWorkingMinutes(cal, s, Math.max(a, b))));
    fc.assert(fc.property(instant, instant, minutes, (a, b, m) => {
      const [s, t] = a <= b ? [a, b] : [b, a];
      return addWorkingMinutes(cal, s, m) <= addWorkingMinutes(cal, t, m);
    }));
  });

  test('adding a + b = adding a then b', () => {
    fc.assert(fc.property(instant, minutes, minutes, (s, a, b) =>
      addWorkingMinutes(cal, addWorkingMinutes(cal, s, a), b).getTime() === addWorkingMinutes(cal, s, a + b).getTime()));
  });

  test('measuring is additive and antisymmetric', () => {
    fc.assert(fc.property(instant, instant, instant, (x, y, z) => {
      const [a, b, c] = [x, y, z].sort((p, q) => p.getTime() - q.getTime());
      const ms = (p: Date, q: Date) => Math.round(workingMinutesBetween(cal, p, q) * 60_000); // minutes are ms / 60000
      return ms(a, c) === ms(a, b) + ms(b, c) && ms(c, a) === -ms(a, c);
    }));
  });

  test('a positive sum ends inside a working period or at its end', () => {
    fc.assert(fc.property(instant, fc.integer({ min: 1, max: 10_000 }), (s, m) => {
      const r = addWorkingMinutes(cal, s, m);
      return isWorkingTime(cal, new Date(r.getTime() - 1)) && r > s;
    }));
  });

  test('a whole day counts 480 minutes on working days and 0 on weekends and holidays', () => {
    const day = fc.integer({ min: 0, max: 365 * 2 + 180 }).map((n) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString().slice(0, 10));
    fc.assert(fc.property(day, (d) => {
      const next = new Date(Date.parse(d) + 86_400_000).toISOString().slice(0, 10);
      const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
      const holiday = YEARS.some((y) => y.holidays.some((h) => h.from <= d && d <= h.to));
      const expected = workdayKeys.includes(d) ? true : !holiday && weekday !== 0 && weekday !== 6;
      return workingMinutesBetween(cal, at(`${d} 00:00`), at(`${next} 00:00`)) === (expected ? 480 : 0);
    }), { numRuns: 500 });
  });

  test.each(workdayKeys)('adjusted working weekend day %s counts', (d) => {
    expect([0, 6]).toContain(new Date(`${d}T00:00:00Z`).getUTCDay());
    expect(workingMinutesBetween(cal, at(`${d} 00:00`), at(`${d} 23:59`))).toBe(480);
  });

  test('the deadline uses exactly the limit, suspensions excluded', () => {
    const suspension = fc.tuple(instant, fc.integer({ min: 0, max: 30 * 24 * 60 })).map(([a, m]): Suspension => [a, new Date(a.getTime() + m * 60_000)]);
    const unit = fc.constantFrom('minutes', 'working_minutes', 'working_hours', 'working_days', 'urgent_hours', 'natural_days' as const);
    fc.assert(fc.property(instant, fc.integer({ min: 1, max: 40 }), unit, fc.array(suspension, { maxLength: 3 }), fc.integer({ min: 0, max: 16 }), (s, value, u, sus, ext) => {
      const limit = { value, unit: u };
      const d = deadline(cal, s, limit, { suspensions: sus, extension_hours: ext });
      return Math.abs(elapsedMinutes(cal, s, d, u, sus) - limitMinutes(cal, limit, ext)) < 1e-9
        && d >= deadline(cal, s, limit, { extension_hours: ext });
    }), { numRuns: 300 });
  });

  test('an IANA zone and the equivalent fixed offset agree', () => {
    fc.assert(fc.property(instant, minutes, (s, m) =>
      addWorkingMinutes(cal, s, m).getTime() === addWorkingMinutes(fixed, s, m).getTime() && isWorkingTime(cal, s) === isWorkingTime(fixed, s)));
  });
});
