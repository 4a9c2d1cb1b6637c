// The leader screen's pure helpers: period arithmetic, colour scales, number formatting, ranking, the choropleth's
// colours, and the store's rule that an answer to an older request never overwrites a newer one.
import { beforeEach, describe, expect, test } from 'vitest';
import {
  addDays, autoBucket, checkPeriod, isDate, periodDays, presetOf, presetPeriod, previousPeriod, reportMonth, todayIn,
} from '../../client/src/screens/leader/period.js';
import {
  classOf, DIVERGING, divergingIndex, gradeColor, GRADE_COLORS, HOTSPOT_COLORS, niceTicks, quantileBreaks, SEQUENTIAL, sequentialColor, ZERO_COLOR,
} from '../../client/src/screens/leader/scales.js';
import {
  againstReference, formatChange, formatCount, formatDecimal, formatHours, formatRate, formatScore, fraction,
} from '../../client/src/screens/leader/numbers.js';
import { hasCases, rankRows } from '../../client/src/screens/leader/ranking.js';
import { areaColor, choroplethScale } from '../../client/src/map/layers/choropleth.js';
import { dispositionName, gradeBands, type ChoroplethProps, type EvaluationRow } from '../../client/src/api/leader.js';
import { effectiveBucket, evaluationScope, loadSlot, useLeader } from '../../client/src/state/leader-store.js';
import { WORDS_LEADER } from '../../client/src/i18n/words-leader.js';

describe('period presets', () => {
  test.each([
    ['this_month', '2026-03-15', '2026-03-01', '2026-03-15'],
    ['last_month', '2026-03-15', '2026-02-01', '2026-02-28'],
    ['last_month', '2026-01-10', '2025-12-01', '2025-12-31'],
    ['last_month', '2028-03-31', '2028-02-01', '2028-02-29'],
    ['this_quarter', '2026-05-20', '2026-04-01', '2026-05-20'],
    ['this_quarter', '2026-12-31', '2026-10-01', '2026-12-31'],
    ['this_year', '2026-07-04', '2026-01-01', '2026-07-04'],
    ['last_12_months', '2026-03-15', '2025-03-16', '2026-03-15'],
    ['last_12_months', '2028-02-29', '2027-03-01', '2028-02-29'],
  ] as const)('%s on %s runs from %s to %s', (preset, today, from, to) => {
    expect(presetPeriod(preset, today)).toEqual({ from, to });
  });

  test('the last 12 months are 365 or 366 days, never 367', () => {
    expect(periodDays(presetPeriod('last_12_months', '2026-03-15'))).toBe(365);
    expect(periodDays(presetPeriod('last_12_months', '2028-03-15'))).toBe(366);
  });

  test('a period is recognised as its preset, any other as custom', () => {
    expect(presetOf({ from: '2026-02-01', to: '2026-02-28' }, '2026-03-15')).toBe('last_month');
    expect(presetOf({ from: '2026-02-02', to: '2026-02-28' }, '2026-03-15')).toBe('custom');
  });

  test('today is the district’s date (Asia/Shanghai), a day ahead of UTC late in the evening', () => {
    expect(todayIn(new Date('2026-03-31T17:00:00Z'))).toBe('2026-04-01');
    expect(todayIn(new Date('2026-03-31T15:59:00Z'))).toBe('2026-03-31');
  });
});

describe('period arithmetic', () => {
  test('the previous period has the same length and ends the day before', () => {
    expect(previousPeriod({ from: '2026-03-01', to: '2026-03-31' })).toEqual({ from: '2026-01-29', to: '2026-02-28' });
    expect(previousPeriod({ from: '2026-01-01', to: '2026-12-31' })).toEqual({ from: '2025-01-01', to: '2025-12-31' });
  });

  test('addDays crosses months and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  test.each([['2026-02-29', false], ['2028-02-29', true], ['2026-13-01', false], ['2026-1-01', false], ['abc', false], ['2026-12-31', true]] as const)(
    'isDate(%s) is %s', (s, ok) => expect(isDate(s)).toBe(ok));

  test('a custom period is refused with the field at fault', () => {
    expect(checkPeriod({ from: '2026-02-30', to: '2026-03-01' })).toEqual({ field: 'from', key: 'ld_period_bad_date' });
    expect(checkPeriod({ from: '2026-03-01', to: '' })).toEqual({ field: 'to', key: 'ld_period_bad_date' });
    expect(checkPeriod({ from: '2026-03-02', to: '2026-03-01' })).toEqual({ field: 'from', key: 'ld_period_reversed' });
    expect(checkPeriod({ from: '2020-01-01', to: '2026-01-01' })).toEqual({ field: 'to', key: 'ld_period_too_long' });
    expect(checkPeriod({ from: '2021-01-02', to: '2026-01-01' })).toBeNull();
    expect(checkPeriod({ from: '2026-03-01', to: '2026-03-01' })).toBeNull();
  });

  test('every message a period check can give exists in both languages', () => {
    for (const key of ['ld_period_bad_date', 'ld_period_reversed', 'ld_period_too_long'] as const) {
      expect(WORDS_LEADER[key].zh).toMatch(/[\u4e00-\u9fff]/);
      expect(WORDS_LEADER[key].en.length).toBeGreaterThan(10);
    }
  });

  test('the trend bucket suits the period: days, then weeks, then months', () => {
    expect(autoBucket({ from: '2026-03-01', to: '2026-03-31' })).toBe('day');
    expect(autoBucket({ from: '2026-01-01', to: '2026-03-31' })).toBe('week');
    expect(autoBucket({ from: '2025-03-16', to: '2026-03-15' })).toBe('month');
    expect(effectiveBucket({ bucket: 'day', period: { from: '2025-03-16', to: '2026-03-15' } })).toBe('day');
    expect(effectiveBucket({ bucket: 'auto', period: { from: '2025-03-16', to: '2026-03-15' } })).toBe('month');
  });

  test('the monthly report prints the month the period ends in', () => {
    expect(reportMonth({ from: '2026-01-01', to: '2026-03-15' })).toBe('2026-03');
  });
});

describe('colour scales', () => {
  test('quantile breaks split the positive values and merge equal ones', () => {
    expect(quantileBreaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5)).toEqual([2, 4, 6, 8]);
    expect(quantileBreaks([0, 0, 5, 5, 5, 5], 5)).toEqual([]);
    expect(quantileBreaks([1, 1, 1, 9], 4)).toEqual([1]);
    expect(quantileBreaks([0, null, undefined, Number.NaN], 5)).toEqual([]);
  });

  test('a value on a break belongs to the class the break closes; zero is no class', () => {
    const breaks = [2, 4, 6, 8];
    expect(classOf(2, breaks)).toBe(0);
    expect(classOf(2.01, breaks)).toBe(1);
    expect(classOf(9, breaks)).toBe(4);
    expect(classOf(0, breaks)).toBe(-1);
    expect(classOf(null, breaks)).toBe(-1);
  });

  test('the sequential ramp runs end to end whatever the number of classes', () => {
    expect(sequentialColor(0, [2, 4])).toBe(ZERO_COLOR);
    expect(sequentialColor(1, [2, 4])).toBe(SEQUENTIAL[0]);
    expect(sequentialColor(5, [2, 4])).toBe(SEQUENTIAL[SEQUENTIAL.length - 1]);
    expect(sequentialColor(7, [])).toBe(SEQUENTIAL[SEQUENTIAL.length - 1]);
    expect(sequentialColor(9, [2, 4, 6, 8])).toBe(SEQUENTIAL[4]);
  });

  test('the diverging scale is symmetric around no change', () => {
    expect(divergingIndex(0, 10)).toBe(3);
    expect(divergingIndex(null, 10)).toBe(3);
    expect(divergingIndex(10, 10)).toBe(6);
    expect(divergingIndex(-10, 10)).toBe(0);
    expect(divergingIndex(1, 10)).toBe(4);
    expect(divergingIndex(-1, 10)).toBe(2);
    expect(divergingIndex(5, 10)).toBe(5);
    expect(divergingIndex(3, 0)).toBe(3);
    expect(DIVERGING).toHaveLength(7);
  });

  test('grades A–E have their colours; no grade is grey', () => {
    expect(gradeColor('A')).toBe(GRADE_COLORS.A);
    expect(gradeColor('E')).toBe(GRADE_COLORS.E);
    expect(gradeColor(null)).toBe('#6f819a');
  });

  test.each<[number, number, number[]]>([[87, 4, [0, 25, 50, 75, 100]], [4, 4, [0, 1, 2, 3, 4]], [0, 4, [0, 1]], [1200, 4, [0, 500, 1000, 1500]]])(
    'nice ticks up to %d', (max, n, ticks) => expect(niceTicks(max, n)).toEqual(ticks));
});

describe('numbers', () => {
  test('a null rate is "no data", not 0', () => {
    expect(formatRate(null, 'zh')).toBe('无数据');
    expect(formatRate(null, 'en')).toBe('no data');
    expect(formatRate(0, 'en')).toBe('0.0%');
    expect(formatRate(0.9234, 'en')).toBe('92.3%');
    expect(formatScore(null, 'en')).toBe('no data');
    expect(formatScore(87.456, 'zh')).toBe('87.5');
  });

  test('counts, hours, changes and fractions', () => {
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(null)).toBe('—');
    expect(formatHours(13.46, 'zh')).toBe('13.5 小时');
    expect(formatHours(null, 'en')).toBe('no data');
    expect(formatChange(-3)).toBe('−3');
    expect(formatChange(1200)).toBe('+1,200');
    expect(formatChange(0)).toBe('0');
    expect(formatDecimal(2.5, 2)).toBe('2.5');
    expect(fraction(90, 100)).toBe('90 / 100');
    expect(fraction(7, null)).toBe('7');
  });

  test('the Dongcheng reference: rates meet it from above, handling hours from below', () => {
    expect(againstReference(0.96, 0.95, 'higher')).toBe('meets');
    expect(againstReference(0.95, 0.95, 'higher')).toBe('meets');
    expect(againstReference(0.9, 0.95, 'higher')).toBe('below');
    expect(againstReference(12, 13.5, 'lower')).toBe('meets');
    expect(againstReference(14, 13.5, 'lower')).toBe('below');
    expect(againstReference(null, 13.5, 'lower')).toBeNull();
  });
});

const row = (key: string, name: string, composite: number | null, score: number | null = composite): EvaluationRow => ({
  key, name, level: null, composite, grade: null,
  indicators: { closing_rate: { numerator: 1, denominator: score == null ? 0 : 1, rate: score == null ? null : score / 100, score, weight: 1, used_weight: 1 } },
});

describe('ranking', () => {
  test('rows rank by composite, best first, rows without data last', () => {
    const ranked = rankRows([row('1', 'b', 70), row('2', 'a', null), row('3', 'c', 95), row('4', 'd', 70)], { by: 'composite', desc: true });
    expect(ranked.map((r) => r.key)).toEqual(['3', '1', '4', '2']);
  });

  test('rows rank by one indicator’s score, ascending on request, no data still last', () => {
    const ranked = rankRows([row('1', 'a', 50, 80), row('2', 'b', 60, null), row('3', 'c', 70, 10)], { by: 'closing_rate', desc: false });
    expect(ranked.map((r) => r.key)).toEqual(['3', '1', '2']);
  });
});

const area = (p: Partial<ChoroplethProps>): ChoroplethProps => ({
  code: 'x', name: null, level: 'grid', count: 0, area_m2: 10000, per_10k_m2: 0, prev_count: 0, change: 0, change_rate: null, gi_z: null, hotspot: 'none', ...p,
});

describe('choropleth colours', () => {
  const fc = { features: [1, 2, 3, 4, 10].map((n, i) => ({ type: 'Feature' as const, geometry: { type: 'Point' as const, coordinates: [0, 0] }, properties: area({ code: String(i), count: n, per_10k_m2: n / 2, change: n - 3 }) })) };

  test('counts: an area with no case is apart, the busiest is the ramp’s end', () => {
    const scale = choroplethScale(fc, 'count');
    expect(areaColor(area({ count: 0 }), scale)).toBe(ZERO_COLOR);
    expect(areaColor(area({ count: 10 }), scale)).toBe(SEQUENTIAL[SEQUENTIAL.length - 1]);
    expect(areaColor(area({ count: 1 }), scale)).toBe(SEQUENTIAL[0]);
  });

  test('change: the largest rise and fall take the diverging ends', () => {
    const scale = choroplethScale(fc, 'change');
    expect(scale.maxAbs).toBe(7);
    expect(areaColor(area({ change: 7 }), scale)).toBe(DIVERGING[6]);
    expect(areaColor(area({ change: -7 }), scale)).toBe(DIVERGING[0]);
    expect(areaColor(area({ change: 0 }), scale)).toBe(DIVERGING[3]);
  });

  test('hot spots take the colour of their Gi* class', () => {
    const scale = choroplethScale(fc, 'hotspot');
    expect(areaColor(area({ hotspot: 'hot_99' }), scale)).toBe(HOTSPOT_COLORS.hot_99);
    expect(areaColor(area({ hotspot: 'cold_95' }), scale)).toBe(HOTSPOT_COLORS.cold_95);
  });

  test('density classes come from per_10k_m2, not the count', () => {
    const scale = choroplethScale(fc, 'per_10k_m2');
    expect(scale.breaks.every((b) => b <= 5)).toBe(true);
  });
});

describe('wire shapes', () => {
  test('grade bands read both the contract’s pairs and the server’s objects', () => {
    expect(gradeBands({ grades: [['A', 90], ['B', 75]] })).toEqual([['A', 90], ['B', 75]]);
    expect(gradeBands({ grades: [{ grade: 'A', min: 90 }, { grade: 'E', min: 0 }] })).toEqual([['A', 90], ['E', 0]]);
  });

  test('a download keeps the file name the server proposes', () => {
    expect(dispositionName('attachment; filename="regions.csv"')).toBe('regions.csv');
    expect(dispositionName("attachment; filename=\"x.xlsx\"; filename*=UTF-8''%E5%8C%BA%E5%9F%9F.xlsx")).toBe('区域.xlsx');
    expect(dispositionName(null)).toBeNull();
  });
});

describe('leader store', () => {
  beforeEach(() => useLeader.setState(useLeader.getInitialState(), true));

  test('the evaluation query carries the level and scope for regions, the post for posts, nothing more for departments', () => {
    expect(evaluationScope({ evalObject: 'regions', regionLevel: 'community', region: '110101001', post: 'inspector' })).toEqual({ level: 'community', parent: '110101001' });
    expect(evaluationScope({ evalObject: 'regions', regionLevel: 'district', region: '110101001', post: 'inspector' })).toEqual({ level: 'district', parent: undefined });
    expect(evaluationScope({ evalObject: 'posts', regionLevel: 'street', region: null, post: 'dispatcher' })).toEqual({ post: 'dispatcher' });
    expect(evaluationScope({ evalObject: 'departments', regionLevel: 'street', region: 'x', post: 'inspector' })).toEqual({});
  });

  test('an answer to an older request does not overwrite a newer one', async () => {
    let releaseOld!: (v: { simulated: number; imported: number }) => void;
    const old = loadSlot('history', () => new Promise((r) => { releaseOld = r; }));
    const fresh = loadSlot('history', async () => ({ simulated: 5, imported: 0 }));
    await fresh;
    releaseOld({ simulated: 99, imported: 99 });
    await old;
    expect(useLeader.getState().history).toMatchObject({ status: 'ready', data: { simulated: 5, imported: 0 } });
  });

  test('a failed request keeps the last figures and says it failed', async () => {
    await loadSlot('history', async () => ({ simulated: 1, imported: 2 }));
    await loadSlot('history', async () => { throw new Error('boom'); });
    expect(useLeader.getState().history).toMatchObject({ status: 'error', error: 'boom', data: { simulated: 1, imported: 2 } });
  });

  test('a new period closes the open area card', () => {
    useLeader.setState({ card: { code: 'g', level: 'grid', props: area({}), slot: { status: 'idle', data: null, error: null, seq: 0 } } });
    useLeader.getState().setPeriod({ from: '2026-01-01', to: '2026-01-31' }, 'custom');
    expect(useLeader.getState().card).toBeNull();
    expect(useLeader.getState().preset).toBe('custom');
  });
});

describe('rows with cases', () => {
  const metas = [
    { key: 'filed_count', label_zh: '', label_en: '', kind: 'count_band' as const, weight: 0.2 },
    { key: 'closing_rate', label_zh: '', label_en: '', kind: 'rate' as const, weight: 0.8 },
  ];
  const r = (filed: number, grids: number, closedDen: number): EvaluationRow => ({
    key: 'k', name: 'n', level: null, composite: 100, grade: 'A',
    indicators: {
      filed_count: { numerator: filed, denominator: grids, rate: filed / grids, score: 100, weight: 0.2, used_weight: 1 },
      closing_rate: { numerator: 0, denominator: closedDen, rate: null, score: null, weight: 0.8, used_weight: 0 },
    },
  });
  test('a row whose only figure is a count band of zero over its grids has no case', () => {
    expect(hasCases(r(0, 24, 0), metas)).toBe(false);
    expect(hasCases(r(3, 24, 0), metas)).toBe(true);
    expect(hasCases(r(0, 24, 2), metas)).toBe(true);
  });
});
