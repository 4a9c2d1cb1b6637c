// The standard's formulas (docs/evaluation.md) against hand-computed fixtures: rates and bad rates, every band edge,
// no data left out with the weights renormalised, grade edges, settings validation and periods.
import { describe, expect, test } from 'vitest';
import {
  DEFAULT_SETTINGS, INDICATORS, bandScore, compositeOf, gradeOf, parsePeriod, rateScore, scoreRow, validateSettings,
} from '../../../server/domain/evaluation.js';
import { DomainError } from '../../../server/domain/errors.js';

const B = DEFAULT_SETTINGS.bands;

describe('rates', () => {
  test('a rate scores rate × 100, a bad rate (1 − rate) × 100, a zero denominator is no data', () => {
    expect(rateScore('rate', 45, 50)).toEqual({ rate: 0.9, score: 90 });
    expect(rateScore('bad_rate', 5, 50)).toEqual({ rate: 0.1, score: 90 });
    expect(rateScore('rate', 0, 0)).toEqual({ rate: null, score: null });
    expect(rateScore('bad_rate', 0, 0)).toEqual({ rate: null, score: null });
    expect(rateScore('rate', 0, 7)).toEqual({ rate: 0, score: 0 });
  });
});

describe('bands (every edge of evaluation.md)', () => {
  test('operator and dispatcher counts: ≥ 2001 → 100 … ≤ 100 → 0', () => {
    const cases: [number, number][] = [[0, 0], [100, 0], [101, 40], [300, 40], [301, 60], [500, 60], [501, 75], [1200, 75], [1201, 90], [2000, 90], [2001, 100], [99999, 100]];
    for (const [n, s] of cases) expect(bandScore(n, B.post_count), `count ${n}`).toBe(s);
  });
  test('department filed counts, fewer is better: 0–50 → 100 … > 1000 → 0', () => {
    const cases: [number, number][] = [[0, 100], [50, 100], [51, 90], [100, 90], [101, 75], [200, 75], [201, 60], [500, 60], [501, 40], [1000, 40], [1001, 0]];
    for (const [n, s] of cases) expect(bandScore(n, B.department_count), `count ${n}`).toBe(s);
  });
  test('regions per unit grid, class 1 and class 2; a per-grid average between bands takes the lower band', () => {
    const c1: [number, number][] = [[0, 100], [0.5, 100], [1, 90], [2, 90], [2.5, 90], [3, 75], [4, 75], [5, 60], [6, 60], [7, 40], [8, 40], [9, 0], [40, 0]];
    for (const [n, s] of c1) expect(bandScore(n, B.region_class_1), `class 1, ${n}`).toBe(s);
    const c2: [number, number][] = [[0, 100], [1, 90], [3, 90], [4, 75], [5, 75], [6, 60], [7, 60], [8, 40], [9, 40], [10, 0]];
    for (const [n, s] of c2) expect(bandScore(n, B.region_class_2), `class 2, ${n}`).toBe(s);
  });
});

describe('grades', () => {
  test('A ≥ 90 · B 75–90 · C 60–75 · D 40–60 · E < 40', () => {
    const cases: [number, string][] = [[100, 'A'], [90, 'A'], [89.999, 'B'], [75, 'B'], [74.9, 'C'], [60, 'C'], [59.9, 'D'], [40, 'D'], [39.99, 'E'], [0, 'E']];
    for (const [s, g] of cases) expect(gradeOf(s), `score ${s}`).toBe(g);
  });
});

describe('composites', () => {
  test('department: filed-count 10 % + closing 30 % + on-time 30 % + (1 − rework) 30 %, by hand', () => {
    // 60 filed (band 51–100 → 90), 54/60 closed (90), 45/50 on time (90), 3/50 reworked (94).
    const r = scoreRow(INDICATORS.departments, {
      filed_count: { numerator: 60, denominator: null }, closing_rate: { numerator: 54, denominator: 60 },
      on_time_handling_rate: { numerator: 45, denominator: 50 }, rework_rate: { numerator: 3, denominator: 50 },
    }, DEFAULT_SETTINGS.weights.departments, DEFAULT_SETTINGS);
    expect(r.indicators.filed_count.score).toBe(90);
    expect(r.indicators.rework_rate.score).toBeCloseTo(94, 10);
    expect(r.composite).toBeCloseTo(0.1 * 90 + 0.3 * 90 + 0.3 * 90 + 0.3 * 94, 10); // 91.2
    expect(r.grade).toBe('A');
  });

  test('no data is left out and the remaining weights are renormalised', () => {
    // inspector: valid 40 %, missed 20 %, verify 20 %, check 20 %; no verify and no check tasks.
    const r = scoreRow(INDICATORS.inspector, {
      valid_report_rate: { numerator: 8, denominator: 10 }, missed_report_rate: { numerator: 1, denominator: 4 },
      on_time_verify_rate: { numerator: 0, denominator: 0 }, on_time_check_rate: { numerator: 0, denominator: 0 },
    }, DEFAULT_SETTINGS.weights.inspector, DEFAULT_SETTINGS);
    expect(r.indicators.on_time_verify_rate).toMatchObject({ rate: null, score: null, used_weight: 0 });
    expect(r.indicators.valid_report_rate.used_weight).toBeCloseTo(0.4 / 0.6, 12);
    expect(r.indicators.missed_report_rate.used_weight).toBeCloseTo(0.2 / 0.6, 12);
    expect(r.composite).toBeCloseTo((0.4 * 80 + 0.2 * 75) / 0.6, 10); // 78.33
    expect(r.grade).toBe('B');
  });

  test('nothing with data: no composite, no grade (not 0, not 100)', () => {
    const r = scoreRow(INDICATORS.shift_leader, {}, DEFAULT_SETTINGS.weights.shift_leader, DEFAULT_SETTINGS);
    expect(r.composite).toBeNull();
    expect(r.grade).toBeNull();
    expect(compositeOf([{ key: 'a', score: null, weight: 1 }]).composite).toBeNull();
  });

  test('region: per-grid filed count by band, suspended cases are the caller\'s to leave out', () => {
    // 7 filed over 3 grids = 2.33 per grid → 90; public 1/7 (bad) → 85.71; closed 6/7 → 85.71; on time 5/7 → 71.43.
    const r = scoreRow(INDICATORS.regions, {
      public_report_rate: { numerator: 1, denominator: 7 }, filed_count: { numerator: 7, denominator: 3 },
      closing_rate: { numerator: 6, denominator: 7 }, on_time_closing_rate: { numerator: 5, denominator: 7 },
    }, DEFAULT_SETTINGS.weights.regions, DEFAULT_SETTINGS);
    expect(r.indicators.filed_count.rate).toBeCloseTo(7 / 3, 12);
    expect(r.indicators.filed_count.score).toBe(90);
    expect(r.composite).toBeCloseTo(0.1 * (600 / 7) + 0.2 * 90 + 0.3 * (600 / 7) + 0.4 * (500 / 7), 10);
  });

  test('the default weights of every group add up to 1 and name exactly its indicators', () => {
    for (const [group, specs] of Object.entries(INDICATORS)) {
      const w = DEFAULT_SETTINGS.weights[group as keyof typeof DEFAULT_SETTINGS.weights];
      expect(Object.keys(w).sort(), group).toEqual(specs.map((s) => s.key).sort());
      expect(Object.values(w).reduce((a, b) => a + b, 0), group).toBeCloseTo(1, 12);
    }
  });
});

describe('settings', () => {
  test('the defaults pass; weights that do not add up to 1, unknown indicators and bad bands are named', () => {
    expect(validateSettings(structuredClone(DEFAULT_SETTINGS))).toEqual(DEFAULT_SETTINGS);
    const bad = structuredClone(DEFAULT_SETTINGS) as unknown as Record<string, Record<string, Record<string, unknown>>>;
    bad.weights.regions.closing_rate = 0.5;
    bad.weights.departments.speed = 0.1;
    (bad.bands as unknown as Record<string, unknown[]>).post_count = [{ min: 5, max: 1, score: 10 }];
    try {
      validateSettings(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      const d = (e as DomainError).details as Record<string, string>;
      expect(d['weights.regions']).toMatch(/add up to 1/);
      expect(d['weights.departments.speed']).toMatch(/not an indicator/);
      expect(d['bands.post_count[0]']).toBeDefined();
    }
  });
});

describe('periods', () => {
  test('dates are inclusive; malformed dates, from after to and more than five years are refused naming the field', () => {
    expect(parsePeriod('2026-01-01', '2026-12-31').days).toBe(365);
    expect(parsePeriod('2026-03-01', '2026-03-01').days).toBe(1);
    const field = (f: () => unknown) => { try { f(); return null; } catch (e) { return Object.keys((e as DomainError).details as object)[0]; } };
    expect(field(() => parsePeriod('2026-02-30', '2026-03-01'))).toBe('from');
    expect(field(() => parsePeriod('2026-01-01', '26-03-01'))).toBe('to');
    expect(field(() => parsePeriod(undefined, '2026-03-01'))).toBe('from');
    expect(field(() => parsePeriod('2026-03-02', '2026-03-01'))).toBe('from');
    expect(field(() => parsePeriod('2020-01-01', '2026-03-01'))).toBe('to');
  });
});
