// What a click on the map means.
import { describe, expect, test } from 'vitest';
import type { Geometry } from 'geojson';
import { codeString, decideClick, type PickFeature } from '../../client/src/map/pick.js';
import { LAYER } from '../../client/src/map/style.js';

const AT: [number, number] = [116.41, 39.92];
const point: Geometry = { type: 'Point', coordinates: [116.412, 39.921] };
const square: Geometry = { type: 'Polygon', coordinates: [[[116, 39], [117, 39], [117, 40], [116, 39]]] };
const f = (layer: string, properties: Record<string, unknown>, geometry: Geometry = square): PickFeature =>
  ({ layer: { id: layer }, geometry, properties });

describe('decideClick', () => {
  test('a component under the pointer is selected, even on top of a grid', () => {
    const action = decideClick([
      f(LAYER.components, { id: '11010101001000042' }, point),
      f(LAYER.gridsFill, { code: '110101001001007' }),
    ], AT, 17);
    expect(action).toEqual({ kind: 'select', target: { kind: 'component', id: '11010101001000042' } });
  });

  test('a grid alone is selected by its 15-digit code', () => {
    expect(decideClick([f(LAYER.gridsFill, { code: '110101001001007' })], AT, 16))
      .toEqual({ kind: 'select', target: { kind: 'grid', code: '110101001001007' } });
  });

  test('a cluster zooms in on itself', () => {
    const action = decideClick([f(LAYER.clusters, { cluster: true, count: 40 }, point)], AT, 13);
    expect(action).toMatchObject({ kind: 'zoom', center: [116.412, 39.921] });
    expect((action as { zoom: number }).zoom).toBeGreaterThan(13);
  });

  test('an aggregated community zooms in to grid level', () => {
    const action = decideClick([f(LAYER.aggregatedFill, { code: '110101001001', aggregated: true })], AT, 11);
    expect(action).toMatchObject({ kind: 'zoom', center: AT });
    expect((action as { zoom: number }).zoom).toBeGreaterThanOrEqual(13);
  });

  test('nothing under the pointer at grid zoom asks the server which grid is there', () => {
    expect(decideClick([], AT, 15)).toEqual({ kind: 'locate' });
  });

  test('nothing under the pointer when zoomed out clears the selection', () => {
    expect(decideClick([], AT, 10)).toEqual({ kind: 'clear' });
  });
});

describe('codeString', () => {
  test('string codes pass through, numeric ones are padded, unsafe numbers are refused', () => {
    expect(codeString('01001', 5)).toBe('01001');
    expect(codeString(1001, 5)).toBe('01001');
    expect(codeString(110101001001007, 15)).toBe('110101001001007');
    expect(codeString(11010101001000042, 17)).toBeNull(); // beyond 2^53: already corrupted
    expect(codeString('abc', 5)).toBeNull();
  });
});
