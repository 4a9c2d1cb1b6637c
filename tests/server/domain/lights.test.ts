import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { lightAtSqlExpression, lightSqlExpression, overtimeMultiple, trafficLight, type Light } from '../../../server/domain/lights.js';
import { buildCalendar, deadline, elapsedMinutes, limitMinutes, type Limit } from '../../../server/domain/calendar.js';

/**
 * Evaluates the SQL the light functions emit, in JS: `case when A > B then 'x' when C > D then 'y' else 'z' end`,
 * where each side is a parenthesised variable or `(var) * number`. Enough to check the thresholds written in SQL.
 */
function evalSqlLight(sql: string, vars: Record<string, number>): Light {
  const m = /^\(case when (.+?) > (.+?) then '(\w+)' when (.+?) > (.+?) then '(\w+)' else '(\w+)' end\)$/.exec(sql);
  if (!m) throw new Error(`unexpected SQL shape: ${sql}`);
  const value = (term: string): number => {
    const t = /^\((\w+|\$\d+)\)(?: \* ([0-9.]+))?$/.exec(term);
    if (!t) throw new Error(`unexpected term ${term}`);
    return vars[t[1]] * (t[2] === undefined ? 1 : Number(t[2]));
  };
  if (value(m[1]) > value(m[2])) return m[3] as Light;
  if (value(m[4]) > value(m[5])) return m[6] as Light;
  return m[7] as Light;
}

describe('trafficLight', () => {
  test.each([
    [0, 100, 'green'], [80, 100, 'green'], [80.0001, 100, 'yellow'], [100, 100, 'yellow'], [100.0001, 100, 'red'], [250, 100, 'red'],
    [24, 30, 'green'], [25, 30, 'yellow'], [30, 30, 'yellow'], [31, 30, 'red'],
    [192, 240, 'green'], [193, 240, 'yellow'], [240, 240, 'yellow'], [241, 240, 'red'],
  ] as const)('%s used of %s is %s', (used, limit, light) => {
    expect(trafficLight(used, limit)).toBe(light);
  });

  test('the yellow threshold is configurable', () => {
    expect(trafficLight(70, 100, 0.75)).toBe('green');
    expect(trafficLight(76, 100, 0.75)).toBe('yellow');
  });

  test('a limit must be positive and the threshold a share', () => {
    expect(() => trafficLight(1, 0)).toThrow(RangeError);
    expect(() => trafficLight(1, 10, 1.5)).toThrow(RangeError);
  });

  test('overtime multiple = used ÷ limit', () => {
    expect(overtimeMultiple(480, 240)).toBe(2);
    expect(overtimeMultiple(0, 240)).toBe(0);
    expect(() => overtimeMultiple(1, 0)).toThrow(RangeError);
  });
});

describe('the SQL formula', () => {
  test('is plain SQL over the two expressions', () => {
    expect(lightSqlExpression('used_minutes', 'limit_minutes')).toBe(
      "(case when (used_minutes) > (limit_minutes) then 'red' when (used_minutes) > (limit_minutes) * 0.8 then 'yellow' else 'green' end)");
    expect(lightAtSqlExpression('$1', 'yellow_at', 'red_at')).toBe(
      "(case when ($1) > (red_at) then 'red' when ($1) > (yellow_at) then 'yellow' else 'green' end)");
  });

  test.each([[80, 100], [100, 100], [24, 30], [30, 30], [192, 240], [240, 240], [0.8, 1], [1, 1], [2.4, 3], [3, 3], [0.8 * 7, 7], [7, 7]])(
    'agrees with trafficLight exactly at the boundary %s of %s and one step either side', (used, limit) => {
      for (const u of [used, used - 1e-9, used + 1e-9, used * (1 - Number.EPSILON), used * (1 + Number.EPSILON)]) {
        expect(evalSqlLight(lightSqlExpression('u', 'l'), { u, l: limit })).toBe(trafficLight(u, limit));
      }
    });

  test('agrees with trafficLight everywhere, for any threshold', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), fc.constantFrom(0.5, 0.75, 0.8, 0.9, 1),
      (u, l, y) => evalSqlLight(lightSqlExpression('u', 'l', y), { u, l }) === trafficLight(u, l, y)));
  });

  test('a threshold that is not a plain number is refused', () => {
    expect(() => lightSqlExpression('u', 'l', 1e-7)).toThrow(RangeError);
  });

  test('stored yellow_at / red_at instants give the same light as time used, weekends and lunch breaks included', () => {
    const cal = buildCalendar([JSON.parse(readFileSync(new URL('../../../data/calendars/cn-2026.json', import.meta.url), 'utf8'))]);
    const instant = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 1) }).map((ms) => new Date(ms));
    const limit = fc.record({ value: fc.integer({ min: 1, max: 16 }), unit: fc.constantFrom('working_hours', 'working_minutes', 'urgent_hours', 'working_days') }) as fc.Arbitrary<Limit>;
    const after = fc.integer({ min: 0, max: 20 * 24 * 60 }); // minutes after the start
    fc.assert(fc.property(instant, limit, after, (start, lim, m) => {
      const now = new Date(start.getTime() + m * 60_000);
      const yellowAt = deadline(cal, start, lim, { share: 0.8, edge: 'last' });
      const redAt = deadline(cal, start, lim, { edge: 'last' });
      const fromInstants = evalSqlLight(lightAtSqlExpression('now', 'y', 'r'), { now: now.getTime(), y: yellowAt.getTime(), r: redAt.getTime() });
      return fromInstants === trafficLight(elapsedMinutes(cal, start, now, lim.unit), limitMinutes(cal, lim));
    }), { numRuns: 500 });
  });

  test('exactly at the boundaries: 80 % used is green until the next working minute', () => {
    const cal = buildCalendar([JSON.parse(readFileSync(new URL('../../../data/calendars/cn-2026.json', import.meta.url), 'utf8'))], { time_zone: '+08:00' });
    const start = new Date('2026-03-06T06:00:00Z'); // Friday 14:00; 4 working hours → 80 % at 17:12, 100 % at 18:00
    const lim: Limit = { value: 4, unit: 'working_hours' };
    const yellowAt = deadline(cal, start, lim, { share: 0.8, edge: 'last' });
    const redAt = deadline(cal, start, lim, { edge: 'last' });
    expect(yellowAt.toISOString()).toBe('2026-03-06T09:12:00.000Z');
    expect(redAt.toISOString()).toBe('2026-03-09T00:00:00.000Z'); // Monday 08:00: Friday 18:00 is still exactly 100 %
    for (const [iso, light] of [['2026-03-06T09:12:00.000Z', 'green'], ['2026-03-06T09:12:00.001Z', 'yellow'], ['2026-03-07T02:00:00.000Z', 'yellow'], ['2026-03-09T00:00:00.001Z', 'red']] as const) {
      const now = new Date(iso);
      expect(trafficLight(elapsedMinutes(cal, start, now, lim.unit), limitMinutes(cal, lim))).toBe(light);
      expect(evalSqlLight(lightAtSqlExpression('n', 'y', 'r'), { n: now.getTime(), y: yellowAt.getTime(), r: redAt.getTime() })).toBe(light);
    }
  });
});
