// The monthly report's pure parts (client/src/screens/report/report-model.ts): parameters, print colours, chart geometry.
import { describe, expect, test } from 'vitest';
import {
  bboxOf, legendOf, linePath, mapLevel, monthRange, parseReportParams, previousMonth, printBreaks, printColor, PRINT_RAMP, PRINT_ZERO, ticks,
} from '../../client/src/screens/report/report-model.js';

describe('report parameters', () => {
  test('a good query is taken as it is', () => {
    expect(parseReportParams('?month=2026-03&region=900001003&lang=en&print=1', '2026-05-02'))
      .toEqual({ month: '2026-03', month_invalid: false, region: '900001003', lang: 'en', print: true });
  });
  test('a malformed month falls back to last month and says so; a malformed region or language is dropped', () => {
    expect(parseReportParams('?month=2026-3&region=abc&lang=fr', '2026-01-15'))
      .toEqual({ month: '2025-12', month_invalid: true, region: null, lang: null, print: false });
  });
  test('months: previous, first and last day, leap years', () => {
    expect(previousMonth('2026-03-31')).toBe('2026-02');
    expect(monthRange('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(monthRange('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
  });
  test('the map draws communities for the district or a street and grids inside a community', () => {
    expect(mapLevel(null)).toBe('community');
    expect(mapLevel('900001003')).toBe('community');
    expect(mapLevel('900001003002')).toBe('grid');
  });
});

describe('print colours', () => {
  test('quantile breaks merge equal bounds and zero is its own colour', () => {
    expect(printBreaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([2, 4, 6, 8]);
    expect(printBreaks([0, 0, 3, 3, 3])).toEqual([]);
    expect(printColor(0, [2, 4])).toBe(PRINT_ZERO);
    expect(printColor(null, [2, 4])).toBe(PRINT_ZERO);
    expect(printColor(1, [2, 4])).toBe(PRINT_RAMP[0]);
    expect(printColor(9, [2, 4])).toBe(PRINT_RAMP[PRINT_RAMP.length - 1]);
    expect(printColor(3, [])).toBe(PRINT_RAMP[PRINT_RAMP.length - 1]);
  });
  test('the legend reads 0, then the ranges of the classes up to the maximum', () => {
    expect(legendOf([2, 4], 9).map((l) => l.label)).toEqual(['0', '1–2', '3–4', '5–9']);
    expect(legendOf([], 0).map((l) => l.label)).toEqual(['0']);
    expect(legendOf([], 1).map((l) => l.label)).toEqual(['0', '1']);
  });
});

describe('chart geometry', () => {
  test('ticks are round and cover the maximum', () => {
    expect(ticks(47)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(ticks(0)).toEqual([0, 1]);
    expect(ticks(3, 4).at(-1)).toBeGreaterThanOrEqual(3);
  });
  test('a line path spreads points over the width and measures y from the bottom', () => {
    expect(linePath([0, 5, 10], { left: 0, top: 0, width: 100, height: 50 }, 10)).toBe('M0.0,50.0L50.0,25.0L100.0,0.0');
    expect(linePath([], { left: 0, top: 0, width: 100, height: 50 }, 10)).toBe('');
  });
  test('the bbox covers polygons and multipolygons', () => {
    expect(bboxOf([{ type: 'Polygon', coordinates: [[[1, 2], [3, 2], [3, 5], [1, 2]]] },
      { type: 'MultiPolygon', coordinates: [[[[0, 4], [2, 6], [0, 4]]]] }, null])).toEqual([0, 2, 3, 6]);
    expect(bboxOf([])).toBeNull();
  });
});
