// Label placement from rendered features: which text, where, and which labels survive a collision.
import { describe, expect, test } from 'vitest';
import type { Polygon } from 'geojson';
import {
  clusterLabels, declutter, formatCount, gridLabels, gridLabelText, labelBoxSize, labelsVisibleAt, regionLabels, shortRegionName, type Label,
} from '../../client/src/map/labels.js';
import { labelAnchor, pointInPolygon, pxPerDegreeLon, ringArea, ringCentroid } from '../../client/src/map/geometry.js';

const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
});

describe('gridLabelText', () => {
  test.each([
    [200, '110101001001007'],
    [113, '110101001001007'],
    [60, '007'],
    [27, '007'],
    [10, ''],
  ])('a grid %i px wide is labelled %j', (width, text) => {
    expect(gridLabelText('110101001001007', width)).toBe(text);
  });
});

describe('gridLabels', () => {
  test('a grid cut in two by a tile edge gets one label, inside it', () => {
    const code = '110101001001007';
    const left = { geometry: rect(116.4, 39.9, 116.4006, 39.901), properties: { code } };
    const right = { geometry: rect(116.4006, 39.9, 116.4012, 39.901), properties: { code } };
    const labels = gridLabels([left, right], 18);
    expect(labels).toHaveLength(1);
    expect(labels[0]).toMatchObject({ kind: 'grid', text: code, id: `grid:${code}` });
    expect(labels[0].position[0]).toBeCloseTo(116.4006, 6);
    expect(labels[0].position[1]).toBeCloseTo(39.9005, 6);
  });

  test('aggregated community polygons get no grid label', () => {
    const f = { geometry: rect(116.4, 39.9, 116.41, 39.91), properties: { code: '110101001001', aggregated: true } };
    expect(gridLabels([f], 18)).toEqual([]);
  });

  test('a grid too small on screen gets no label', () => {
    const f = { geometry: rect(116.4, 39.9, 116.4001, 39.9001), properties: { code: '110101001001007' } };
    expect(gridLabels([f], 13)).toEqual([]);
  });

  test('codes that arrive as numbers still label the grid', () => {
    const f = { geometry: rect(116.4, 39.9, 116.402, 39.901), properties: { code: 110101001001007 } };
    expect(gridLabels([f], 18)[0].text).toBe('110101001001007');
  });
});

describe('regionLabels and clusterLabels', () => {
  test('streets are labelled with their names, once each', () => {
    const a = { geometry: rect(0, 0, 1, 1), properties: { code: '110101001', name: '东华门街道' } };
    const b = { geometry: rect(1, 0, 2, 1), properties: { code: '110101001', name: '东华门街道' } };
    const c = { geometry: rect(3, 0, 4, 1), properties: { code: '110101002', name: '景山街道' } };
    expect(regionLabels([a, b, c], 'street').map((l) => l.text)).toEqual(['东华门街道', '景山街道']);
  });

  test.each([['多福巷社区居委会', '多福巷社区'], ['某某村村民委员会', '某某村'], ['东华门街道', '东华门街道'], ['居委会', '居委会']])(
    'the map label of %s is %s', (name, label) => {
      expect(shortRegionName(name)).toBe(label);
    },
  );

  test('clusters show compact counts; single points and duplicates from tile buffers are skipped', () => {
    const p = (lon: number, count: number) => ({ geometry: { type: 'Point' as const, coordinates: [lon, 39.9] }, properties: { cluster: true, count, major_code: '02' } });
    const labels = clusterLabels([p(116.1, 1520), p(116.1, 1520), p(116.2, 1), p(116.3, 12)]);
    expect(labels.map((l) => l.text)).toEqual(['1.5k', '12']);
    expect(labels[0].major).toBe('02');
  });

  test.each([[7, '7'], [999, '999'], [1000, '1k'], [1250, '1.3k'], [35400, '35k']])('formatCount(%i) is %s', (n, s) => {
    expect(formatCount(n)).toBe(s);
  });
});

describe('labelsVisibleAt', () => {
  test('street names when zoomed out, grid codes when zoomed in', () => {
    expect(labelsVisibleAt('street', 12)).toBe(true);
    expect(labelsVisibleAt('grid', 12)).toBe(false);
    expect(labelsVisibleAt('grid', 17)).toBe(true);
    expect(labelsVisibleAt('street', 17)).toBe(false);
  });
});

describe('declutter', () => {
  const project = (p: [number, number]): [number, number] => [p[0], p[1]]; // positions already in pixels
  const label = (id: string, kind: Label['kind'], x: number, y: number, text = 'ABCDE'): Label => ({ id, kind, position: [x, y], text });
  const viewport = { width: 1000, height: 800 };

  test('a street name wins over a grid code in the same place', () => {
    const kept = declutter([label('g', 'grid', 100, 100), label('s', 'street', 105, 102, '东华门街道')], project, viewport);
    expect(kept.map((l) => l.id)).toEqual(['s']);
  });

  test('labels apart from each other are all kept', () => {
    const kept = declutter([label('a', 'grid', 100, 100), label('b', 'grid', 300, 100), label('c', 'grid', 100, 300)], project, viewport);
    expect(kept).toHaveLength(3);
  });

  test('labels anchored off screen are dropped', () => {
    expect(declutter([label('a', 'grid', -5, 100), label('b', 'grid', 100, 900)], project, viewport)).toEqual([]);
  });

  test('Chinese text is measured wider than digits', () => {
    expect(labelBoxSize('东华门街道', 10)[0]).toBeGreaterThan(labelBoxSize('12345', 10)[0]);
  });
});

describe('geometry', () => {
  test('ring area and centroid of a unit square', () => {
    const ring = rect(0, 0, 2, 2).coordinates[0];
    expect(Math.abs(ringArea(ring))).toBeCloseTo(4);
    expect(ringCentroid(ring)).toEqual([1, 1]);
  });

  test('the label point of an L-shaped polygon lies inside it', () => {
    const L = [[[0, 0], [3, 0], [3, 1], [1, 1], [1, 3], [0, 3], [0, 0]]];
    const a = labelAnchor([L])!;
    expect(pointInPolygon(a.position, L)).toBe(true);
  });

  test('holes are outside', () => {
    const withHole = [rect(0, 0, 4, 4).coordinates[0], rect(1, 1, 3, 3).coordinates[0]];
    expect(pointInPolygon([2, 2], withHole)).toBe(false);
    expect(pointInPolygon([0.5, 0.5], withHole)).toBe(true);
  });

  test('a degree of longitude spans 512 px × 2^z / 360', () => {
    expect(pxPerDegreeLon(0)).toBeCloseTo(512 / 360);
    expect(pxPerDegreeLon(16)).toBeCloseTo(93206.76, 1);
  });
});
