// A district's calendar and limits as versioned settings: zones across DST, US federal holidays with observed days,
// China's 调休 working Saturday, versions by valid_from, and the checks of the admin console's input.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  addNaturalDays, addUrgentHours, addWorkingMinutes, deadline, isWorkingDay, localDateOf, localTime, parseCalendarYear,
  workingMinutesBetween, type CalendarYear,
} from '../../../server/domain/calendar.js';
import {
  applyLimitChanges, calendarOf, CN_CALENDAR, isIanaZone, parseCalendarSettings, US_EAST_CALENDAR, validFromOf, versionAt,
  type RuleVersion,
} from '../../../server/domain/district-rules.js';
import { usFederalHolidays } from '../../../server/domain/holidays-us.js';
import { handlingLimit, stepLimit } from '../../../server/domain/limits.js';
import { DomainError } from '../../../server/domain/errors.js';

const DIR = new URL('../../../data/calendars/', import.meta.url);
const YEARS: CalendarYear[] = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => parseCalendarYear(JSON.parse(readFileSync(new URL(f, DIR), 'utf8'))));
const DEFAULT_LIMITS = JSON.parse(readFileSync(new URL('../../../data/limits/default.json', import.meta.url), 'utf8'));
const ny = calendarOf('cambridge', US_EAST_CALENDAR, YEARS);
const cn = calendarOf('dongcheng', CN_CALENDAR, YEARS);
const iso = (d: Date) => d.toISOString();

describe('America/New_York across the DST changes of 2026', () => {
  test('spring forward (2026-03-08): Friday 16:00 EST + 2 working hours is Monday 09:30 EDT', () => {
    const fri = localTime(ny, '2026-03-06 16:00');
    expect(iso(fri)).toBe('2026-03-06T21:00:00.000Z'); // UTC−5
    expect(iso(addWorkingMinutes(ny, fri, 120))).toBe('2026-03-09T13:30:00.000Z'); // UTC−4
  });

  test('a natural day over spring forward is 23 hours and over fall back 25 hours, same wall time', () => {
    expect(iso(addNaturalDays(ny, localTime(ny, '2026-03-07 10:00'), 1))).toBe('2026-03-08T14:00:00.000Z');
    expect(iso(addNaturalDays(ny, localTime(ny, '2026-10-31 10:00'), 1))).toBe('2026-11-01T15:00:00.000Z');
  });

  test('urgent hours run on the clock: 01:30 EST + 1 h is 03:30 EDT on 2026-03-08', () => {
    const t = addUrgentHours(localTime(ny, '2026-03-08 01:30'), 1);
    expect(iso(t)).toBe('2026-03-08T07:30:00.000Z');
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: ny.time_zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t)).toBe('03:30');
  });

  test('fall back (2026-11-01): a working day keeps its 7.5 hours, counted in local time', () => {
    expect(workingMinutesBetween(ny, localTime(ny, '2026-11-02 08:30'), localTime(ny, '2026-11-02 17:00'))).toBe(450);
    // Friday 2026-10-30 16:00 EDT (20:00Z) + 90 working minutes → Monday 2026-11-02 09:00 EST (14:00Z)
    expect(iso(localTime(ny, '2026-10-30 16:00'))).toBe('2026-10-30T20:00:00.000Z');
    expect(iso(addWorkingMinutes(ny, localTime(ny, '2026-10-30 16:00'), 90))).toBe('2026-11-02T14:00:00.000Z');
  });

  test('a local date at the district, not UTC: 2026-11-01 23:30 EST is 04:30Z the next day', () => {
    expect(localDateOf(ny, new Date('2026-11-02T04:30:00Z'))).toBe('2026-11-01');
  });
});

describe('US federal holidays with observed days', () => {
  test('the data files are exactly the computed years', () => {
    for (const y of [2025, 2026, 2027]) {
      const file = YEARS.find((c) => c.country === 'US' && c.year === y);
      expect(file, `us-${y}.json`).toBeDefined();
      expect(file).toEqual(usFederalHolidays(y));
    }
  });

  test('Saturday → Friday before, Sunday → Monday after, New Year 2028 observed on 2027-12-31', () => {
    const days = (y: number) => usFederalHolidays(y).holidays.map((h) => h.from);
    expect(days(2026)).toContain('2026-07-03'); // 4 July 2026 is a Saturday
    expect(days(2026)).not.toContain('2026-07-04');
    expect(days(2027)).toContain('2027-07-05'); // a Sunday
    expect(days(2027)).toContain('2027-06-18'); // Juneteenth on a Saturday
    expect(days(2027)).toContain('2027-12-24');
    expect(days(2027)).toContain('2027-12-31');
    expect(days(2028)).not.toContain('2028-01-01');
    expect(days(2026)).toEqual(expect.arrayContaining(['2026-01-19', '2026-05-25', '2026-09-07', '2026-11-26'])); // nth-weekday rules
    expect(days(2020)).not.toContain('2020-06-19'); // Juneteenth only since 2021
  });

  test("Cambridge's calendar skips them; Dongcheng's does not", () => {
    expect(isWorkingDay(ny, '2026-07-03')).toBe(false);
    expect(isWorkingDay(ny, '2026-11-26')).toBe(false);
    expect(isWorkingDay(cn, '2026-07-03')).toBe(true);
    expect(isWorkingDay(ny, '2026-10-01')).toBe(true); // China's National Day is not Cambridge's
    // Wednesday before Thanksgiving 16:00 + 2 working hours → Friday 2026-11-27 09:30 EST
    expect(iso(addWorkingMinutes(ny, localTime(ny, '2026-11-25 16:00'), 120))).toBe('2026-11-27T14:30:00.000Z');
  });
});

describe("China's calendar: 调休 working Saturday and the Spring Festival block", () => {
  test('Saturday 2026-02-14 is a working day (调休 for 春节); Saturday 2026-02-07 is not', () => {
    expect(isWorkingDay(cn, '2026-02-14')).toBe(true);
    expect(isWorkingDay(cn, '2026-02-07')).toBe(false);
  });

  test('Friday 17:00 + 2 working hours lands on the 调休 Saturday at 09:00 (+08:00)', () => {
    expect(iso(addWorkingMinutes(cn, localTime(cn, '2026-02-13 17:00'), 120))).toBe('2026-02-14T01:00:00.000Z');
  });

  test('from that Saturday 17:00, the 9 days off (02-15 … 02-23) are skipped', () => {
    expect(iso(addWorkingMinutes(cn, localTime(cn, '2026-02-14 17:00'), 120))).toBe('2026-02-24T01:00:00.000Z');
  });
});

describe('versions by valid_from', () => {
  const v = (version: number, from: string): RuleVersion<string> => ({ version, valid_from: new Date(from), body: `v${version}`, created_at: new Date(from), created_by: null, note: null });
  const list = [v(0, '1970-01-01T00:00:00Z'), v(1, '2026-01-01T00:00:00Z'), v(2, '2027-01-01T00:00:00Z'), v(3, '2027-01-01T00:00:00Z')];

  test('the latest valid_from at or before the instant; a tie goes to the higher version', () => {
    expect(versionAt(list, new Date('2025-06-01T00:00:00Z'))?.version).toBe(0);
    expect(versionAt(list, new Date('2026-01-01T00:00:00Z'))?.version).toBe(1);
    expect(versionAt(list, new Date('2026-12-31T23:59:59Z'))?.version).toBe(1);
    expect(versionAt(list, new Date('2027-01-01T00:00:00Z'))?.version).toBe(3);
    expect(versionAt(list.slice(1), new Date('2025-01-01T00:00:00Z'))).toBeNull();
  });

  test('valid_from: now when absent, never in the past, an ISO instant', () => {
    const now = new Date('2026-12-04T13:00:00Z');
    expect(validFromOf(undefined, now)).toEqual(now);
    expect(validFromOf('2027-01-01T00:00:00-05:00', now).toISOString()).toBe('2027-01-01T05:00:00.000Z');
    expect(() => validFromOf('2026-01-01T00:00:00Z', now)).toThrow(/past/);
    expect(() => validFromOf('tomorrow', now)).toThrow(DomainError);
  });
});

describe('checking what the admin console sends', () => {
  const ok = { ...US_EAST_CALENDAR };

  test('good settings pass, normalised', () => {
    expect(parseCalendarSettings({ ...ok, weekend: [6, 0, 6] }).weekend).toEqual([0, 6]);
  });

  test.each([
    [{ ...ok, time_zone: 'Mars/Olympus' }, /time_zone/],
    [{ ...ok, time_zone: '+08:00' }, /IANA/],
    [{ ...ok, holiday_set: 'fr' }, /holiday_set/],
    [{ ...ok, periods: [['13:00', '12:00']] }, /period/],
    [{ ...ok, periods: [['08:00', '12:00'], ['11:00', '13:00']] }, /overlaps/],
    [{ ...ok, weekend: [0, 1, 2, 3, 4, 5, 6] }, /working day/],
    [{ ...ok, working_day_hours: 0 }, /working_day_hours/],
    [null, /object/],
  ])('bad settings are a bad_request naming the problem (%#)', (input, message) => {
    let err: unknown;
    try { parseCalendarSettings(input); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('bad_request');
    expect((err as DomainError).message).toMatch(message);
  });

  test('isIanaZone', () => {
    expect(isIanaZone('America/New_York')).toBe(true);
    expect(isIanaZone('Asia/Shanghai')).toBe(true);
    expect(isIanaZone('Nowhere/Land')).toBe(false);
    expect(isIanaZone('+08:00')).toBe(false);
  });

  test('a limits change touches only what is sent, and the result loads', () => {
    const { json, table } = applyLimitChanges(DEFAULT_LIMITS, {
      steps: { dispatch: { value: 20, unit: 'minutes' } },
      handling: [{ class_code: '06001', condition: 'demolition', limit: { value: 15, unit: 'working_days' } }],
    });
    expect(stepLimit(table, 'dispatch')).toEqual({ value: 20, unit: 'minutes' });
    expect(handlingLimit(table, '06001', 'demolition').limit).toEqual({ value: 15, unit: 'working_days' });
    expect(handlingLimit(table, '06001', 'stop_work').limit).toEqual(handlingLimit(applyLimitChanges(DEFAULT_LIMITS, {}).table, '06001', 'stop_work').limit);
    expect((json.steps as Record<string, { note?: string }>).dispatch.note).toBe(DEFAULT_LIMITS.steps.dispatch.note);
    expect(DEFAULT_LIMITS.steps.dispatch.value).toBe(15); // the base is not modified
  });

  test('an unknown step, an unknown condition or a bad limit is a bad_request', () => {
    expect(() => applyLimitChanges(DEFAULT_LIMITS, { steps: { handling: { value: 1, unit: 'minutes' } } })).toThrow(/not a step/);
    expect(() => applyLimitChanges(DEFAULT_LIMITS, { handling: [{ class_code: '06001', condition: 'nope', limit: { value: 1, unit: 'minutes' } }] })).toThrow(/06001\/nope/);
    expect(() => applyLimitChanges(DEFAULT_LIMITS, { fallback_handling: { value: -1, unit: 'minutes' } })).toThrow(/positive/);
  });

  test('a deadline computed under the old limits stays what it was: versions are separate tables', () => {
    const start = localTime(cn, '2026-03-02 09:00');
    const before = applyLimitChanges(DEFAULT_LIMITS, {}).table;
    const after = applyLimitChanges(DEFAULT_LIMITS, { handling: [{ class_code: '06001', condition: 'demolition', limit: { value: 10, unit: 'working_days' } }] }).table;
    const d0 = deadline(cn, start, handlingLimit(before, '06001', 'demolition').limit);
    const d1 = deadline(cn, start, handlingLimit(after, '06001', 'demolition').limit);
    expect(d1.getTime()).toBeLessThan(d0.getTime());
    expect(iso(d0)).toBe(iso(deadline(cn, start, handlingLimit(before, '06001', 'demolition').limit)));
  });
});
