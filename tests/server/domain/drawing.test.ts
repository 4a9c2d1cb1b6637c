import { describe, expect, test } from 'vitest';
import {
  allocateCodes, areaLeftOf, areaStats, bisect, convexHull, cutPosition, DEFAULT_DRAW_PARAMS, drawParams, EDGE_M, formatSummary,
  histogram, HISTOGRAM_BOUNDS, longAxisAngle, numberingOrder, planMerges, shareWithin, splitCount, toFrame, utmSrid,
  type DrawSummary, type Rings,
} from '../../../server/domain/drawing.js';
import { errorOf } from '../../helpers/errors.js';

const square = (x0: number, y0: number, s: number): Rings => [[[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s], [x0, y0]]];

describe('drawing parameters', () => {
  test('defaults are the 万米 grid: 10,000 m² target, 2,000 min, 20,000 max', () => {
    expect(drawParams()).toEqual(DEFAULT_DRAW_PARAMS);
  });
  test('a target alone scales the other areas and the row height', () => {
    expect(drawParams({ target_area_m2: 40_000 })).toMatchObject({ min_area_m2: 8_000, max_area_m2: 80_000, consolidate_below_m2: 20_000, row_height_m: 200 });
  });
  test('given values win over derived ones', () => {
    expect(drawParams({ target_area_m2: 10_000, max_area_m2: 15_000 }).max_area_m2).toBe(15_000);
  });
  test.each([
    [{ min_area_m2: 12_000 }],
    [{ max_area_m2: 9_000 }],
    [{ min_area_m2: 6_000 }],
    [{ target_area_m2: -1 }],
    [{ inherit_overlap: 0.3 }],
    [{ consolidate_below_m2: 11_000 }],
  ])('%o is refused with bad_request', (p) => {
    expect(errorOf(() => drawParams(p))).toMatchObject({ code: 'bad_request' });
  });
});

describe('cutting large cells', () => {
  test('a cell is cut only above max, into round(area / target) parts, at least two', () => {
    const p = drawParams();
    expect(splitCount(20_000, p)).toBe(1);
    expect(splitCount(20_001, p)).toBe(2);
    expect(splitCount(44_000, p)).toBe(4);
    expect(splitCount(45_000, p)).toBe(5);
    expect(splitCount(1_456_000, p)).toBe(146);
  });
  test('bisection gives the lower side floor(n/2) parts', () => {
    expect(bisect(2)).toEqual([1, 1]);
    expect(bisect(5)).toEqual([2, 3]);
    expect(bisect(146)).toEqual([73, 73]);
  });
  test('area left of a vertical line, for a polygon with a hole', () => {
    const withHole: Rings = [square(0, 0, 10)[0], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]];
    expect(areaLeftOf([withHole], 5)).toBeCloseTo(50 - 2, 9);
    expect(areaLeftOf([withHole], 10)).toBeCloseTo(96, 9);
    expect(areaLeftOf([withHole], -1)).toBe(0);
  });
  test('the equal-area cut of a rectangle is where its length divides', () => {
    expect(cutPosition([[[[0, 0], [4, 0], [4, 1], [0, 1], [0, 0]]]], 0.25)).toBeCloseTo(1, 6);
  });
  test('the cut of a concave (L-shaped) cell leaves exactly the asked share on the west', () => {
    const l: Rings = [[[0, 0], [30, 0], [30, 10], [10, 10], [10, 40], [0, 40], [0, 0]]];
    const total = areaLeftOf([l], 30);
    for (const f of [1 / 3, 0.5, 2 / 5]) {
      const t = cutPosition([l], f);
      expect(areaLeftOf([l], t) / total).toBeCloseTo(f, 8);
    }
  });
  test('a multi-part cell is cut by its total area', () => {
    const t = cutPosition([square(0, 0, 10), square(20, 0, 10)], 0.5);
    expect(t).toBeGreaterThanOrEqual(10);
    expect(t).toBeLessThanOrEqual(20);
    expect(areaLeftOf([square(0, 0, 10), square(20, 0, 10)], t)).toBeCloseTo(100, 6);
  });
  test('the convex hull drops inner and collinear points', () => {
    expect(convexHull([[0, 0], [2, 0], [1, 0], [2, 2], [0, 2], [1, 1]])).toEqual([[0, 0], [2, 0], [2, 2], [0, 2]]);
  });
  test('the long axis of a rectangle at any angle, normalised to (−90°, 90°]', () => {
    const rect = (deg: number): Rings => {
      const a = (deg * Math.PI) / 180;
      const pts = [[0, 0], [100, 0], [100, 30], [0, 30], [0, 0]].map(([x, y]) => [x * Math.cos(a) - y * Math.sin(a), x * Math.sin(a) + y * Math.cos(a)]);
      return [pts];
    };
    const expected = { 0: 0, 30: 30, 89: 89, 90: 90, 135: -45, [-60]: -60 } as Record<number, number>;
    for (const [deg, want] of Object.entries(expected)) expect((longAxisAngle([rect(Number(deg))]) * 180) / Math.PI).toBeCloseTo(want, 6);
  });
  test('in the frame of its long axis a strip is wider than high, and the cut falls across it', () => {
    const strip: Rings = [[[0, 0], [10, 10], [8, 12], [-2, 2], [0, 0]]]; // 14.1 m long at 45°, 2.8 m wide
    const theta = longAxisAngle([strip]);
    expect((theta * 180) / Math.PI).toBeCloseTo(45, 6);
    const f = toFrame([strip], theta, 4, 6);
    const us = f[0][0].map((q) => q[0]);
    const vs = f[0][0].map((q) => q[1]);
    expect(Math.max(...us) - Math.min(...us)).toBeCloseTo(Math.hypot(10, 10), 6);
    expect(Math.max(...vs) - Math.min(...vs)).toBeCloseTo(Math.hypot(2, 2), 6);
    expect(areaLeftOf(f, cutPosition(f, 0.5))).toBeCloseTo(areaLeftOf(f, 100) / 2, 6);
  });
  test('a fraction outside (0, 1) is a programming error', () => {
    expect(() => cutPosition([square(0, 0, 1)], 1)).toThrow(RangeError);
  });
});

describe('merging small cells', () => {
  test('a sliver joins the neighbour with the longest shared edge', () => {
    const m = planMerges([{ id: 5, area: 800, neighbours: [{ id: 1, area: 9000, shared: 80 }, { id: 2, area: 4000, shared: 20 }] }], { below: 2000, max: Infinity });
    expect(m).toEqual(new Map([[5, 1], [1, 1]]));
  });
  test('a chain of slivers ends in the cell the last one joins', () => {
    const m = planMerges([
      { id: 7, area: 300, neighbours: [{ id: 8, area: 500, shared: 30 }] },
      { id: 8, area: 500, neighbours: [{ id: 7, area: 300, shared: 30 }, { id: 9, area: 9000, shared: 10 }] },
    ], { below: 2000, max: Infinity });
    expect(m.get(7)).toBe(9);
    expect(m.get(8)).toBe(9);
  });
  test('consolidation skips a neighbour that would grow past max, and takes the next', () => {
    const m = planMerges([{ id: 3, area: 4000, neighbours: [{ id: 1, area: 17_000, shared: 90 }, { id: 2, area: 9000, shared: 40 }] }], { below: 5000, max: 20_000 });
    expect(m.get(3)).toBe(2);
  });
  test('a cell that has grown past `below` merges no further', () => {
    const m = planMerges([
      { id: 1, area: 1500, neighbours: [{ id: 2, area: 1600, shared: 50 }] },
      { id: 2, area: 1600, neighbours: [{ id: 1, area: 1500, shared: 50 }, { id: 3, area: 9000, shared: 5 }] },
    ], { below: 2000, max: Infinity });
    expect(m).toEqual(new Map([[1, 2], [2, 2]]));
  });
  test('a neighbour touching at a point is taken only as a last resort, and only when asked', () => {
    const point = { id: 4, area: 9000, shared: EDGE_M / 10, dist: 0 };
    expect(planMerges([{ id: 9, area: 10, neighbours: [point] }], { below: 2000, max: Infinity }).size).toBe(0);
    expect(planMerges([{ id: 9, area: 10, neighbours: [point] }], { below: 2000, max: Infinity, near_fallback: true }).get(9)).toBe(4);
    const edge = { id: 5, area: 9000, shared: 3 };
    expect(planMerges([{ id: 9, area: 10, neighbours: [point, edge] }], { below: 2000, max: Infinity, near_fallback: true }).get(9)).toBe(5);
  });
  test('with min_shared, a short common edge is not enough', () => {
    expect(planMerges([{ id: 1, area: 3000, neighbours: [{ id: 2, area: 5000, shared: 2 }] }], { below: 5000, max: 20_000, min_shared: 5 }).size).toBe(0);
  });
  test('the result does not depend on the order of the input', () => {
    const cells = [
      { id: 1, area: 900, x: 0, y: 0, neighbours: [{ id: 2, area: 900, shared: 10 }, { id: 3, area: 9000, shared: 10 }] },
      { id: 2, area: 900, x: 5, y: 0, neighbours: [{ id: 1, area: 900, shared: 10 }, { id: 4, area: 9000, shared: 10 }] },
    ];
    expect(planMerges(cells, { below: 2000, max: Infinity })).toEqual(planMerges([...cells].reverse(), { below: 2000, max: Infinity }));
  });
});

describe('numbering: west→east, north→south', () => {
  const o = { north_y: 1000, row_height_m: 100 };
  test('rows of 100 m from the northern edge go first, then west to east inside a row', () => {
    const items = [
      { key: 'c', x: 0, y: 850 }, // row 1, west
      { key: 'b', x: 300, y: 960 }, // row 0, east
      { key: 'a', x: 10, y: 905 }, // row 0, west (lower than b, same row)
      { key: 'd', x: 200, y: 801 }, // row 1, east
      { key: 'e', x: -50, y: 700 }, // row 3
    ];
    expect(numberingOrder(items, o)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
  test('a centroid exactly on a row edge belongs to the row below the edge', () => {
    expect(numberingOrder([{ key: 'x', x: 0, y: 900 }, { key: 'y', x: 50, y: 901 }], o)).toEqual(['y', 'x']);
  });
  test('ties in x: the northern one first, then by key', () => {
    expect(numberingOrder([{ key: 2, x: 5, y: 950 }, { key: 1, x: 5, y: 950 }, { key: 3, x: 5, y: 990 }], o)).toEqual([3, 1, 2]);
  });
  test('new codes continue after the highest sequence ever used', () => {
    expect(allocateCodes('900001005001', 0, 3)).toEqual(['900001005001001', '900001005001002', '900001005001003']);
    expect(allocateCodes('900001005001', 12, 2)).toEqual(['900001005001013', '900001005001014']);
    expect(errorOf(() => allocateCodes('900001005001', 998, 2))).toMatchObject({ code: 'unprocessable' });
  });
});

describe('summary statistics', () => {
  test('min, median, max, mean, total', () => {
    expect(areaStats([5, 1, 3])).toEqual({ count: 3, total: 9, min: 1, median: 3, max: 5, mean: 3 });
    expect(areaStats([4, 1, 3, 2]).median).toBe(2.5);
    expect(areaStats([])).toEqual({ count: 0, total: 0, min: 0, median: 0, max: 0, mean: 0 });
  });
  test('share within bounds (inclusive) and histogram buckets', () => {
    const areas = [1_000, 5_000, 9_000, 20_000, 25_000];
    expect(shareWithin(areas, 5_000, 20_000)).toBe(0.6);
    expect(shareWithin([], 0, 1)).toBe(0);
    expect(histogram(areas, [2_000, 10_000, 20_000])).toEqual([1, 2, 0, 2]);
  });
  test('the printed summary names counts, areas, tolerance and every unmet rule', () => {
    const s: DrawSummary = {
      valid_from: '2026-01-01', srid: 32619, params: drawParams(),
      communities: [{ community_code: '900001005001', name: 'Cambridgeport 3-3', area_m2: 28_470, grids: 2, kept: 0, ended: 0, started: 2, gap_ratio: 1e-9, overlap_ratio: 0 }],
      areas: areaStats([12_000, 16_470]), share_5k_20k: 1, histogram: { bounds: HISTOGRAM_BOUNDS, counts: histogram([12_000, 16_470], HISTOGRAM_BOUNDS) },
      kept: 0, ended: 0, started: 2, merged: { slivers: 3, small: 1 }, cut: { cells: 1, parts: 2 },
      issues: [{ kind: 'under_min', community_code: '900001005001', message: 'a grid of 900 m² is below min_area_m2' }],
      worst_gap_ratio: 1e-9, worst_overlap_ratio: 0, seconds: 1.25,
    };
    const text = formatSummary(s).join('\n');
    expect(text).toContain('2 current grids in 1 communities');
    expect(text).toContain('min 12,000, median 14,235');
    expect(text).toContain('900001005001 Cambridgeport 3-3 2');
    expect(text).toContain('1.0e-9');
    expect(text).toContain('could not satisfy (1)');
    expect(text).toContain('under_min');
  });
  test('the working CRS is the UTM zone of the centroid', () => {
    expect(utmSrid(-71.1, 42.37)).toBe(32619); // Cambridge, MA
    expect(utmSrid(116.4, 39.9)).toBe(32650); // Beijing
    expect(utmSrid(151.2, -33.9)).toBe(32756); // Sydney
  });
});
