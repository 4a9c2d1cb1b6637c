// Export formatting (server/domain/exports.ts): CSV quoting and formula neutralising, evaluation/headline/case tables,
// file names and headers.
import { describe, expect, test } from 'vitest';
import { parseCsv } from '../../../server/domain/csv.js';
import {
  CSV_BOM, caseColumns, caseFeature, caseRow, contentDisposition, csvField, csvText, evaluationTables, exportFilename,
  flatten, headlineTable, localStamp, monthPeriod, neutraliseFormula, periodPart, type CaseLike, type EvaluationResult,
  type HeadlineResult,
} from '../../../server/domain/exports.js';

const EVAL: EvaluationResult = {
  object: 'departments', from: '2026-01-01', to: '2026-12-31',
  settings: { version: 3, weights: { departments: { filed_count: 0.1, closing_rate: 0.3 } }, bands: { departments: [[0, 50, 100], [51, 100, 90]] }, grades: [['A', 90], ['B', 75]] },
  indicators: [
    { key: 'filed_count', label_zh: '立案数', label_en: 'Filed count', kind: 'count_band', weight: 0.1 },
    { key: 'closing_rate', label_zh: '结案率', label_en: 'Closing rate', kind: 'rate', weight: 0.3 },
  ],
  rows: [
    { key: '12', name: '=cmd|" /C calc"!A0', level: null, composite: 87.5, grade: 'B',
      indicators: { filed_count: { numerator: 40, denominator: null, rate: null, score: 100, weight: 0.1, used_weight: 0.1 },
        closing_rate: { numerator: 9, denominator: 10, rate: 0.9, score: 90, weight: 0.3, used_weight: 0.3 } },
      extra: { pending: 3, returns: 1 } },
    { key: '13', name: '园林绿化, 公园', level: null, composite: null, grade: null,
      indicators: { filed_count: { numerator: 0, denominator: null, rate: null, score: 100, weight: 0.1, used_weight: 1 },
        closing_rate: { numerator: 0, denominator: 0, rate: null, score: null, weight: 0.3, used_weight: 0 } },
      extra: { pending: 0, returns: 0 } },
  ],
};

describe('CSV cells', () => {
  test.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])('text starting with a formula character (%j) gets an apostrophe', (s) => {
    expect(neutraliseFormula(s)).toBe(`'${s}`);
  });
  test('plain text, and numbers of any sign, are left alone', () => {
    expect(neutraliseFormula('路灯 = 坏')).toBe('路灯 = 坏');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(0.125)).toBe('0.125');
  });
  test('a field with a comma, a quote or a line break is quoted with quotes doubled (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField('=A1,"x"')).toBe(`"'=A1,""x"""`);
  });
  test('null and undefined are empty; booleans are words; NaN is empty', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(true)).toBe('true');
    expect(csvField(Number.NaN)).toBe('');
  });
  test('a table starts with a BOM, ends records with CRLF and reads back field for field', () => {
    const text = csvText({ name: 't', columns: [{ key: 'a', header: '名称' }, { key: 'b', header: 'B' }], rows: [['东城, "北"', 1], ['x\r\ny', null]] });
    expect(text.startsWith(CSV_BOM)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text.slice(1))).toEqual([['名称', 'B'], ['东城, "北"', '1'], ['x\r\ny', '']]);
  });
});

describe('evaluation tables', () => {
  test('one row per object with numerator, denominator, rate, score, weights, composite and grade of every indicator', () => {
    const { main } = evaluationTables(EVAL, 'en');
    const keys = main.columns.map((c) => c.key);
    expect(keys.slice(0, 2)).toEqual(['key', 'name']);
    expect(keys).toContain('closing_rate.numerator');
    expect(keys).toContain('closing_rate.used_weight');
    expect(keys).toContain('extra.pending');
    const row = Object.fromEntries(keys.map((k, i) => [k, main.rows[0][i]]));
    expect(row).toMatchObject({
      key: '12', 'closing_rate.numerator': 9, 'closing_rate.denominator': 10, 'closing_rate.rate': 0.9, 'closing_rate.score': 90,
      'closing_rate.weight': 0.3, composite: 87.5, grade: 'B', 'extra.pending': 3, from: '2026-01-01', to: '2026-12-31', settings_version: 3,
      'filed_count.numerator': 40, 'filed_count.denominator': null, 'filed_count.score': 100,
    });
    expect(main.columns.find((c) => c.key === 'closing_rate.rate')?.header).toBe('Closing rate rate');
  });
  test('a zero denominator shows "no data" for rate and score, and a row without any data has no composite or grade', () => {
    const { main } = evaluationTables(EVAL, 'zh');
    const keys = main.columns.map((c) => c.key);
    const row = Object.fromEntries(keys.map((k, i) => [k, main.rows[1][i]]));
    expect(row['closing_rate.rate']).toBe('无数据');
    expect(row['closing_rate.score']).toBe('无数据');
    expect(row['closing_rate.used_weight']).toBe(0);
    expect(row.composite).toBe('无数据');
    expect(row.grade).toBe('无数据');
    expect(main.columns.find((c) => c.key === 'closing_rate.rate')?.header).toBe('结案率比率');
  });
  test('a formula in a name is neutralised when written as CSV', () => {
    const { main } = evaluationTables(EVAL, 'en');
    const parsed = parseCsv(csvText(main).slice(1));
    expect(parsed[1][1]).toBe(`'=cmd|" /C calc"!A0`);
  });
  test('the settings table states the version, every weight, band and grade', () => {
    const { settings } = evaluationTables(EVAL, 'en');
    const byKey = Object.fromEntries(settings.rows.map((r) => [r[1], r[2]]));
    expect(byKey).toMatchObject({
      version: 3, 'weights.filed_count': 0.1, 'weights.closing_rate': 0.3, 'weights.departments.closing_rate': 0.3,
      'bands.departments.1.2': 90, 'grades.0.0': 'A', 'grades.1.1': 75,
    });
  });
  test('flatten gives dotted paths of the leaves in order', () => {
    expect(flatten({ a: [1, { b: 'x' }], c: null }, 'p')).toEqual([['p.a.0', 1], ['p.a.1.b', 'x'], ['p.c', null]]);
  });
});

describe('headline table', () => {
  const H: HeadlineResult = {
    from: '2026-03-01', to: '2026-03-31', region: null,
    discovery_rate: { numerator: 90, denominator: 100, rate: 0.9 },
    dispatch_accuracy: { numerator: 49, denominator: 50, rate: 0.98 },
    suggestion_accuracy: { numerator: 0, denominator: 0, rate: null },
    closing_rate: { numerator: 95, denominator: 100, rate: 0.95 },
    on_time_closing_rate: { numerator: 80, denominator: 100, rate: 0.8 },
    avg_handling_hours: { working: 5.5, natural: 13.5, count: 50 },
    reference: { discovery_rate: 0.9, dispatch_accuracy: 0.98, avg_handling_hours: 13.5, closing_rate: 0.95 },
  };
  test('one row per figure with its reference; a zero denominator is "no data"', () => {
    const t = headlineTable(H, 'en');
    const byKey = Object.fromEntries(t.rows.map((r) => [r[0], r]));
    expect(byKey.discovery_rate.slice(2, 7)).toEqual([90, 100, 0.9, 0.9, 'Whole district']);
    expect(byKey.suggestion_accuracy[4]).toBe('no data');
    expect(byKey['avg_handling_hours.natural'].slice(3, 6)).toEqual([50, 13.5, 13.5]);
    expect(byKey['avg_handling_hours.working'][4]).toBe(5.5);
  });
});

describe('case rows', () => {
  const look = { className: (c: string) => (c === '06010' ? '暴露垃圾' : null), departmentName: (id: number) => (id === 7 ? '环卫' : null), offsetMinutes: () => 480 };
  const c: CaseLike = {
    id: 'a', case_no: '2026-000001', origin: 'imported', source_system: 'boston311', source_id: '101', status: 'closed', kind: 'event',
    class_code: '06010', source: 'hotline', grid_code: '900001001001001', address: '@Main St', description: '+dirty, "very"',
    department_id: 7, urgent: false, created_at: new Date('2026-03-01T01:30:00Z'), closed_at: '2026-03-02T00:00:00.000Z',
    lon: -71.1, lat: 42.37, reporter_name: '张三', reporter_phone: '13800000000',
  };
  test('without the reporter right there are no reporter columns at all', () => {
    expect(caseColumns('zh', false).map((x) => x.key)).not.toContain('reporter_phone');
    expect(caseRow(c, 'zh', false, look)).toHaveLength(caseColumns('zh', false).length);
    expect(caseRow(c, 'zh', false, look)).not.toContain('13800000000');
    expect(caseRow(c, 'zh', true, look)).toContain('13800000000');
  });
  test('codes become words, times the district wall time with offset, formulas are neutralised in CSV', () => {
    const cols = caseColumns('zh', false).map((x) => x.key);
    const row = Object.fromEntries(cols.map((k, i) => [k, caseRow(c, 'zh', false, look)[i]]));
    expect(row).toMatchObject({ origin: '历史导入', status: '已结案', channel: '热线', class_name: '暴露垃圾', department: '环卫',
      reported_at: '2026-03-01 09:30:00+08:00', closed_at: '2026-03-02 08:00:00+08:00', urgent: '否' });
    const parsed = parseCsv(csvText({ name: 'c', columns: caseColumns('zh', false), rows: [caseRow(c, 'zh', false, look)] }).slice(1));
    expect(parsed[1][cols.indexOf('address')]).toBe("'@Main St");
    expect(parsed[1][cols.indexOf('description')]).toBe(`'+dirty, "very"`);
  });
  test('a GeoJSON feature is a point with machine values and no personal data unless allowed', () => {
    const f = caseFeature(c, false, look);
    expect(f.geometry).toEqual({ type: 'Point', coordinates: [-71.1, 42.37] });
    expect(f.properties).toMatchObject({ case_no: '2026-000001', origin: 'imported', status: 'closed', created_at: '2026-03-01T01:30:00.000Z', department: '环卫' });
    expect(f.properties).not.toHaveProperty('reporter_phone');
    expect(caseFeature(c, true, look).properties).toHaveProperty('reporter_phone', '13800000000');
  });
  test('local stamps follow the given offset, west of Greenwich too', () => {
    expect(localStamp(new Date('2026-01-01T03:00:00Z'), () => -300)).toBe('2025-12-31 22:00:00-05:00');
    expect(localStamp(null, () => 0)).toBeNull();
  });
});

describe('file names and periods', () => {
  test('file names keep letters, digits, dashes and dots only', () => {
    expect(exportFilename(['cases', '2026-03', 'a/b c'], 'csv')).toBe('cases_2026-03_a-b-c.csv');
    expect(exportFilename([], 'xlsx')).toBe('export.xlsx');
  });
  test('a whole month is named by the month, any other range by both dates', () => {
    expect(periodPart('2026-02-01', '2026-02-28')).toBe('2026-02');
    expect(periodPart('2024-02-01', '2024-02-29')).toBe('2024-02');
    expect(periodPart('2026-02-01', '2026-02-27')).toBe('2026-02-01_2026-02-27');
  });
  test('Content-Disposition has an ASCII name and the UTF-8 one', () => {
    expect(contentDisposition('评价_2026-03.csv')).toBe(`attachment; filename="___2026-03.csv"; filename*=UTF-8''%E8%AF%84%E4%BB%B7_2026-03.csv`);
  });
  test('a report month is its first and last day; anything else is refused', () => {
    expect(monthPeriod('2026-02')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(monthPeriod('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(() => monthPeriod('2026-13')).toThrow(RangeError);
    expect(() => monthPeriod('2026-3')).toThrow(RangeError);
  });
});

describe('zone offsets', () => {
  test('Shanghai is +8 all year; New York follows daylight saving; a fixed offset is itself', async () => {
    const { zoneOffsetMinutes } = await import('../../../server/domain/exports.js');
    expect(zoneOffsetMinutes('Asia/Shanghai')(Date.UTC(2026, 6, 1))).toBe(480);
    expect(zoneOffsetMinutes('America/New_York')(Date.UTC(2026, 0, 15))).toBe(-300);
    expect(zoneOffsetMinutes('America/New_York')(Date.UTC(2026, 6, 15))).toBe(-240);
    expect(zoneOffsetMinutes('-03:30')(0)).toBe(-210);
  });
});
