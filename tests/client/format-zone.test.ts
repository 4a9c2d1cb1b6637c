// Every time on screen in the district's zone (issue 10): i18n/format.ts follows GET /api/config's time_zone.
import { afterEach, describe, expect, test } from 'vitest';
import {
  DEFAULT_DISPLAY_ZONE, displayZone, formatClock, formatFull, formatShort, setDisplayZone, todayInDistrict, zoneAbbreviation,
} from '../../client/src/i18n/format.js';
import { useConfig } from '../../client/src/state/config-store.js';
import { todayIn } from '../../client/src/screens/leader/period.js';

afterEach(() => { setDisplayZone(DEFAULT_DISPLAY_ZONE); });

describe('district time', () => {
  test('Beijing time by default', () => {
    expect(displayZone()).toBe('Asia/Shanghai');
    expect(formatFull('2026-03-08T06:30:00Z')).toBe('2026-03-08 14:30:00');
    expect(zoneAbbreviation('2026-03-08T06:30:00Z')).toBe('GMT+8');
  });

  test('Cambridge: America/New_York, across the 2026 DST changes', () => {
    expect(setDisplayZone('America/New_York')).toBe(true);
    expect(formatFull('2026-03-08T06:30:00Z')).toBe('2026-03-08 01:30:00');
    expect(zoneAbbreviation('2026-03-08T06:30:00Z')).toBe('EST');
    expect(formatFull('2026-03-08T07:30:00Z')).toBe('2026-03-08 03:30:00'); // one hour later on the clock: 02:xx does not exist
    expect(zoneAbbreviation('2026-03-08T07:30:00Z')).toBe('EDT');
    expect(formatShort('2026-11-01T05:30:00Z')).toBe('11-01 01:30'); // EDT
    expect(formatShort('2026-11-01T06:30:00Z')).toBe('11-01 01:30'); // EST: the hour repeats
    expect(formatClock(Date.parse('2026-12-04T13:05:00Z'))).toBe('08:05');
    expect(todayInDistrict(new Date('2026-12-05T03:00:00Z'))).toBe('2026-12-04');
    expect(todayIn(new Date('2026-12-05T03:00:00Z'))).toBe('2026-12-04');
  });

  test('an unknown zone is ignored', () => {
    expect(setDisplayZone('Mars/Olympus')).toBe(false);
    expect(setDisplayZone(undefined)).toBe(false);
    expect(displayZone()).toBe('Asia/Shanghai');
  });

  test('the config store sets the zone from /api/config', async () => {
    await useConfig.getState().load(async () => ({ basemap_url: null, district: null, time_zone: 'America/New_York' }));
    expect(displayZone()).toBe('America/New_York');
  });
});

describe('admin calendar panel helpers', () => {
  test('consecutive days off with one name become one range; valid_from is read in the district zone', async () => {
    const { holidayRanges, validFromInstant, calendarProblem } = await import('../../client/src/screens/admin/admin-rules.js');
    const days = ['15', '16', '17'].map((d) => ({ date: `2026-02-${d}`, name_zh: '春节' }));
    expect(holidayRanges([...days, { date: '2026-04-04', name_zh: '清明节' }]).map((h) => [h.date, h.to, h.days]))
      .toEqual([['2026-02-15', '2026-02-17', 3], ['2026-04-04', '2026-04-04', 1]]);
    expect(validFromInstant('2027-01-01T00:00', 'America/New_York')).toBe('2027-01-01T05:00:00.000Z');
    expect(validFromInstant('', 'America/New_York')).toBeUndefined();
    const ok = { time_zone: 'America/New_York', holiday_set: 'us' as const, periods: [['08:30', '12:00'], ['13:00', '17:00']] as [string, string][], weekend: [0, 6], working_day_hours: 7.5 };
    expect(calendarProblem(ok)).toBeNull();
    expect(calendarProblem({ ...ok, time_zone: 'Mars/Base' })).toBe('ar_time_zone_bad');
    expect(calendarProblem({ ...ok, periods: [['13:00', '12:00']] })).toBe('ar_period_bad');
    expect(calendarProblem({ ...ok, weekend: [0, 1, 2, 3, 4, 5, 6] })).toBe('ar_weekend_bad');
  });
});
