// Getis–Ord Gi* against a lattice computed by hand, the hot-spot thresholds at their edges, and the period,
// bucket and UTC-day split arithmetic of the statistics.
import { describe, expect, test } from 'vitest';
import { giStar, hotspotClass, neighbourLists } from '../../../server/domain/hotspots.js';
import { parsePeriod, splitByUtcDay, trendBuckets } from '../../../server/domain/stats-query.js';
import { buildCalendar } from '../../../server/domain/calendar.js';
import { errorOf } from '../../helpers/errors.js';

/** Queen neighbours of a 3×3 lattice indexed row by row:  0 1 2 / 3 4 5 / 6 7 8. */
function queen3x3(): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) {
    const list: number[] = [];
    for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
      const rr = r + dr;
      const cc = c + dc;
      if ((dr || dc) && rr >= 0 && rr < 3 && cc >= 0 && cc < 3) list.push(rr * 3 + cc);
    }
    out.push(list);
  }
  return out;
}

describe('giStar', () => {
  // Values 1…9 row by row. By hand: n = 9, x̄ = 5, Σ(x − x̄)² = 16+9+4+1+0+1+4+9+16 = 60, S = √(60/9) = 2.5819889.
  // Corner 0: N = {1, 3, 4}, W = 4, Σ = 1+2+4+5 = 12, numerator 12 − 5·4 = −8,
  //   denominator S·√((9·4 − 16)/8) = 2.5819889·1.5811388 = 4.0824829, z = −1.9595918.
  // Edge 1: N = {0, 2, 3, 4, 5}, W = 6, Σ = 1+2+3+4+5+6 = 21, numerator −9, denominator S·√((54 − 36)/8) = S·1.5 = 3.8729833,
  //   z = −2.3237900. Edge 3: N = {0, 1, 4, 6, 7}, Σ = 4+1+2+5+7+8 = 27, numerator −3, z = −0.7745967.
  // Corner 2: N = {1, 4, 5}, Σ = 3+2+5+6 = 16, numerator −4, z = −0.9797959. Centre 4: W = 9 = n, undefined.
  // The lattice is antisymmetric about the centre, so unit 8 − i has the opposite z of unit i.
  const values = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const expected = [-1.9595918, -2.32379, -0.9797959, -0.7745967, null, 0.7745967, 0.9797959, 2.32379, 1.9595918];

  test('matches the hand computation on a 3×3 queen lattice', () => {
    const z = giStar(values, queen3x3());
    expected.forEach((e, i) => {
      if (e === null) expect(z[i], `unit ${i}`).toBeNull();
      else expect(z[i], `unit ${i}`).toBeCloseTo(e, 6);
    });
  });

  test('the classes of the lattice: ±1.9596 is only 90 %, ±2.3238 is 95 %', () => {
    expect(giStar(values, queen3x3()).map(hotspotClass)).toEqual([
      'cold_90', 'cold_95', 'none', 'none', 'none', 'none', 'none', 'hot_95', 'hot_90',
    ]);
  });

  test('a line of three: the ends are ±√1.5 and the middle, neighbour of all, is undefined', () => {
    // x̄ = 2, S = √(2/3); end: W = 2, Σ = 3, numerator −1, denominator S·√((6 − 4)/2) = S, z = −1/√(2/3) = −1.2247449.
    const z = giStar([1, 2, 3], [[1], [0, 2], [1]]);
    expect(z[0]).toBeCloseTo(-1.2247449, 6);
    expect(z[1]).toBeNull();
    expect(z[2]).toBeCloseTo(1.2247449, 6);
  });

  test('one hot unit among isolated zeros: its z is (x − x̄)/(S·1) for W = 1', () => {
    // n = 4, values 4,0,0,0: x̄ = 1, S = √((9+1+1+1)/4) = √3; unit 0 alone: W = 1, spread (4 − 1)/3 = 1, z = 3/√3 = 1.7320508.
    const z = giStar([4, 0, 0, 0], [[], [], [], []]);
    expect(z[0]).toBeCloseTo(1.7320508, 6);
    expect(z[1]).toBeCloseTo(-1 / Math.sqrt(3), 6);
  });

  test('no variation, or fewer than two units, gives null everywhere', () => {
    expect(giStar([3, 3, 3], [[1], [0, 2], [1]])).toEqual([null, null, null]);
    expect(giStar([5], [[]])).toEqual([null]);
    expect(giStar([], [])).toEqual([]);
  });

  test('self and duplicate neighbours are ignored; a bad index is refused', () => {
    expect(giStar([1, 2, 3], [[0, 1, 1], [0, 2], [1, 2]])).toEqual(giStar([1, 2, 3], [[1], [0, 2], [1]]));
    expect(() => giStar([1, 2], [[5], [0]])).toThrow(/outside/);
    expect(() => giStar([1, 2], [[1]])).toThrow(/one neighbour list per value/);
  });
});

describe('hotspotClass', () => {
  test.each([
    [2.576, 'hot_99'], [2.5759, 'hot_95'], [1.96, 'hot_95'], [1.9599, 'hot_90'], [1.645, 'hot_90'], [1.6449, 'none'],
    [0, 'none'], [-1.645, 'cold_90'], [-1.96, 'cold_95'], [-2.576, 'cold_99'], [-10, 'cold_99'], [null, 'none'],
  ] as const)('z = %s is %s', (z, cls) => expect(hotspotClass(z)).toBe(cls));
});

describe('neighbourLists', () => {
  test('pairs become symmetric sorted lists; codes outside the set are dropped', () => {
    expect(neighbourLists(['a', 'b', 'c'], [['b', 'a'], ['b', 'c'], ['c', 'x'], ['a', 'a']])).toEqual([[1], [0, 2], [1]]);
  });
});

describe('periods, buckets and the UTC-day split', () => {
  const cal = buildCalendar([], { time_zone: 'Asia/Shanghai' });

  test('a period of local dates starts and ends at local midnight and has a previous period of the same length', () => {
    const p = parsePeriod(cal, '2026-03-01', '2026-03-31');
    expect(p.days).toBe(31);
    expect(p.start.toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-03-31T16:00:00.000Z');
    expect([p.prev_from, p.prev_to]).toEqual(['2026-01-29', '2026-02-28']);
    expect(p.prev_start.toISOString()).toBe('2026-01-28T16:00:00.000Z');
  });

  test.each([
    [undefined, '2026-01-01', 'from', /from is required/],
    ['2026-02-30', '2026-03-01', 'from', /calendar date/],
    ['2026-01-01', '26-1-1', 'to', /calendar date/],
    ['2026-02-01', '2026-01-01', 'from', /after to/],
    ['2021-01-01', '2026-01-01', 'to', /at most 5 years/],
  ] as const)('from %s to %s is refused naming %s', (from, to, field, message) => {
    const e = errorOf(() => parsePeriod(cal, from, to));
    expect(e).toMatchObject({ code: 'bad_request', details: { field } });
    expect((e as Error).message).toMatch(message);
  });

  test('five years less a day is allowed', () => {
    expect(parsePeriod(cal, '2021-01-01', '2025-12-31').days).toBe(1826);
  });

  test('week buckets run Monday to Sunday and are clipped to the period; months likewise', () => {
    const weeks = trendBuckets(cal, parsePeriod(cal, '2026-01-30', '2026-02-10'), 'week');
    expect(weeks.map((b) => [b.start, b.end])).toEqual([['2026-01-30', '2026-02-01'], ['2026-02-02', '2026-02-08'], ['2026-02-09', '2026-02-10']]);
    const months = trendBuckets(cal, parsePeriod(cal, '2026-01-15', '2026-03-02'), 'month');
    expect(months.map((b) => [b.start, b.end])).toEqual([['2026-01-15', '2026-01-31'], ['2026-02-01', '2026-02-28'], ['2026-03-01', '2026-03-02']]);
    expect(months[1].start_at.toISOString()).toBe('2026-01-31T16:00:00.000Z');
  });

  test('a period split into whole UTC days and the partial days at either end', () => {
    const s = splitByUtcDay([[new Date('2026-01-01T16:00:00Z'), new Date('2026-01-04T16:00:00Z'), 1]], true);
    expect(s.days).toEqual([{ from: '2026-01-02', to: '2026-01-04', label: 1 }]);
    expect(s.instants.map((i) => [i.from.toISOString(), i.to.toISOString()])).toEqual([
      ['2026-01-01T16:00:00.000Z', '2026-01-02T00:00:00.000Z'], ['2026-01-04T00:00:00.000Z', '2026-01-04T16:00:00.000Z'],
    ]);
    // Without the rollup, or shorter than a whole UTC day, the range stays as it is.
    expect(splitByUtcDay([[new Date('2026-01-01T16:00:00Z'), new Date('2026-01-04T16:00:00Z'), 0]], false).days).toEqual([]);
    expect(splitByUtcDay([[new Date('2026-01-01T16:00:00Z'), new Date('2026-01-02T16:00:00Z'), 1]], true).instants).toHaveLength(1);
  });
});
