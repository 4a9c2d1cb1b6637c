import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CENTRE_STEPS, conditionsOf, handlingLimit, loadLimits, stepLimit } from '../../../server/domain/limits.js';
import { buildCalendar, deadline, localTime } from '../../../server/domain/calendar.js';
import { parseCsvObjects } from '../../../server/domain/csv.js';
import { errorOf } from '../../helpers/errors.js';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const raw = () => JSON.parse(read('data/limits/default.json'));
const matters = parseCsvObjects(read('data/standard/matters.csv'));
const classCodes = matters.map((m) => m.code);
const table = loadLimits(raw(), { classCodes });

describe('data/limits/default.json', () => {
  test('loads, and every class code in it is a standard matter class', () => {
    expect(table.handling.size).toBeGreaterThan(25);
    for (const code of table.handling.keys()) expect(classCodes).toContain(code);
  });

  test.each([
    ['06010', 'main_road', 4, 'working_hours', '暴露垃圾'],           // exposed garbage on a main road
    ['06012', 'after_0800', 2, 'working_hours', '道路不洁'],          // road cleaning after 08:00
    ['01004', 'blocked_waterlogging', 4, 'working_hours', '雨水箅子'], // waterlogging
    ['06001', 'stop_work', 4, 'working_hours', '私搭乱建'],            // illegal structure
    ['06001', 'penalty', 7, 'working_days', '私搭乱建'],
    ['06001', 'demolition', 20, 'working_days', '私搭乱建'],
    ['01002', 'cover_missing', 2, 'urgent_hours', '污水井盖'],         // missing sewer cover
    ['01037', 'three_in_a_row_out', 1, 'working_days', '路灯'],        // three street lamps out in a row
  ])('workflow.md example: %s / %s = %s %s', (code, condition, value, unit, name) => {
    const h = handlingLimit(table, code, condition);
    expect(h.limit).toEqual({ value, unit });
    expect(h.condition).toMatchObject({ basis: 'workflow.md' });
    expect(matters.find((m) => m.code === code)?.name_zh).toContain(name);
  });

  test('a missing manhole cover is urgent; every condition has a closing condition', () => {
    expect(handlingLimit(table, '01002', 'cover_missing').urgent).toBe(true);
    for (const list of table.handling.values()) for (const c of list) expect(c.closing_zh.length).toBeGreaterThan(0);
  });

  test('the centre steps follow workflow.md', () => {
    expect(Object.keys(table.steps).sort()).toEqual([...CENTRE_STEPS].sort());
    expect(stepLimit(table, 'send_verify')).toEqual({ value: 30, unit: 'minutes' });
    expect(stepLimit(table, 'verify')).toEqual({ value: 30, unit: 'working_minutes' });
    expect(stepLimit(table, 'accept')).toEqual({ value: 15, unit: 'minutes' });
    expect(stepLimit(table, 'file')).toEqual({ value: 30, unit: 'minutes' });
    expect(stepLimit(table, 'file', { urgent: true })).toEqual({ value: 10, unit: 'minutes' });
    expect(stepLimit(table, 'dispatch')).toEqual({ value: 15, unit: 'minutes' });
    expect(stepLimit(table, 'dispatch', { urgent: true })).toEqual({ value: 15, unit: 'minutes' });
    expect(stepLimit(table, 'send_check')).toEqual({ value: 30, unit: 'minutes' });
    expect(stepLimit(table, 'check')).toEqual({ value: 30, unit: 'working_minutes' });
    expect(table.stockpile_after).toEqual({ value: 60, unit: 'natural_days' });
  });
});

describe('handlingLimit', () => {
  test('without a condition, the class default (listed first)', () => {
    expect(handlingLimit(table, '06001').condition?.condition).toBe('stop_work');
    expect(conditionsOf(table, '06001').map((c) => c.condition)).toEqual(['stop_work', 'penalty', 'demolition']);
    expect(handlingLimit(table, '01037').condition?.condition).toBe('single_out');
  });

  test('a class with no conditions gets the fallback limit', () => {
    expect(handlingLimit(table, '06027')).toEqual({ limit: table.fallback_handling, urgent: false, condition: null });
    expect(conditionsOf(table, '06027')).toEqual([]);
  });

  test('an unknown condition is unprocessable and lists the valid ones', () => {
    const e = errorOf(() => handlingLimit(table, '06001', 'fine'));
    expect(e).toMatchObject({ code: 'unprocessable' });
    expect(e.message).toContain('stop_work, penalty, demolition');
    expect(errorOf(() => handlingLimit(table, '06027', 'x'))).toMatchObject({ code: 'unprocessable' });
  });

  test('with the calendar: a missing cover at Friday 23:00 is due 01:00; three lamps out at Friday 17:00 are due Monday 17:00', () => {
    const cal = buildCalendar([JSON.parse(read('data/calendars/cn-2026.json'))]);
    expect(deadline(cal, localTime(cal, '2026-03-06 23:00'), handlingLimit(table, '01002', 'cover_missing').limit)).toEqual(localTime(cal, '2026-03-07 01:00'));
    expect(deadline(cal, localTime(cal, '2026-03-06 17:00'), handlingLimit(table, '01037', 'three_in_a_row_out').limit)).toEqual(localTime(cal, '2026-03-09 17:00'));
  });
});

describe('loadLimits refuses bad tables with every problem at once', () => {
  test('missing step, bad unit, bad value, duplicate, unknown class, two defaults', () => {
    const bad = raw();
    delete bad.steps.accept;
    bad.steps.verify.unit = 'hours';
    bad.stockpile_after.value = -1;
    bad.handling.push({ ...bad.handling[0] });
    bad.handling.push({ ...bad.handling[0], class_code: '99999', condition: 'x' });
    bad.handling.push({ ...bad.handling[0], condition: 'another', default: true });
    const e = errorOf(() => loadLimits(bad, { classCodes }));
    expect(e).toMatchObject({ code: 'unprocessable' });
    const problems: string[] = e.details.problems;
    expect(problems).toEqual(expect.arrayContaining([
      'steps.accept is missing',
      expect.stringContaining('steps.verify: unit "hours"'),
      expect.stringContaining('stockpile_after: value must be a positive number'),
      expect.stringContaining('01001/cover_missing is listed twice'),
      expect.stringContaining('99999 is not a standard matter class'),
      expect.stringContaining('class 01001 has 3 conditions and 2 marked default'),
    ]));
  });

  test.each([
    ['JSON object', null],
    ['handling must be an array', { ...raw(), handling: 'x' }],
    ['steps.lunch is not a step', { ...raw(), steps: { ...raw().steps, lunch: { value: 1, unit: 'minutes' } } }],
    ['class_code must be 5 digits', { ...raw(), handling: [{ ...raw().handling[0], class_code: '1001' }] }],
    ['closing_zh', { ...raw(), handling: [{ ...raw().handling[0], closing_zh: '' }] }],
    ['source', { ...raw(), source: '' }],
  ])('refused, naming "%s"', (message, json) => {
    expect(errorOf(() => loadLimits(json))?.message).toContain(message);
  });

  test('without known class codes any 5-digit code is accepted', () => {
    const t = loadLimits({ ...raw(), handling: [{ ...raw().handling[0], class_code: '99999' }] });
    expect(handlingLimit(t, '99999').limit).toEqual({ value: 2, unit: 'urgent_hours' });
  });
});
