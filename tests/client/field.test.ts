// The inspector in the field (issue 9), pure pieces: road-name labels, the before/after split of a case's photos, the
// address and nearby look-ups (a newer point wins; failures are states), outside-the-district as a draft problem,
// and the field layers.
import { describe, expect, test } from 'vitest';
import { roadLabels, labelsVisibleAt } from '../../client/src/map/labels.js';
import { beforeAfter } from '../../client/src/components/case/BeforeAfter.js';
import { lookUpPoint, useField, type LookupDeps } from '../../client/src/state/field-store.js';
import { draftProblems, type Draft } from '../../client/src/state/report-store.js';
import { FIELD_LAYER, myGridLayers, nearbyLayers, positionLayers } from '../../client/src/map/layers/nearby.js';
import { labelLayers } from '../../client/src/map/layers/labels.js';

describe('road names at field zoom', () => {
  test('one label at the middle of each named line piece; unnamed lines none; shown from zoom 15', () => {
    const labels = roadLabels([
      { geometry: { type: 'LineString', coordinates: [[116.4, 39.9], [116.402, 39.9]] }, properties: { name: '体育馆胡同' } },
      { geometry: { type: 'MultiLineString', coordinates: [[[116.41, 39.91], [116.41, 39.912]], [[116.42, 39.9], [116.422, 39.9]]] }, properties: { name: '青年湖胡同' } },
      { geometry: { type: 'LineString', coordinates: [[116.4, 39.9], [116.402, 39.9]] }, properties: { name: '' } },
      { geometry: { type: 'LineString', coordinates: [[116.4, 39.9], [116.402, 39.9]] }, properties: { name: '体育馆胡同' } }, // the same piece from another tile
    ]);
    expect(labels.map((l) => [l.text, l.position.map((x) => Number(x.toFixed(4)))])).toEqual([
      ['体育馆胡同', [116.401, 39.9]], ['青年湖胡同', [116.41, 39.911]], ['青年湖胡同', [116.421, 39.9]],
    ]);
    expect(labels.every((l) => l.kind === 'road')).toBe(true);
    expect([labelsVisibleAt('road', 14.9), labelsVisibleAt('road', 15), labelsVisibleAt('road', 19)]).toEqual([false, true, true]);
    expect(labelLayers(labels, true).map((l) => l.id)).toEqual(['labels-road']);
  });
});

describe('before and after photos', () => {
  test('the report\'s and the verify\'s photos are before; feedback and check photos after; unstored and repeated ones left out', () => {
    const trail = [
      { action: 'report', photo_ids: ['a', 'b'] }, { action: 'accept', photo_ids: null }, { action: 'verify', photo_ids: ['c'] },
      { action: 'feedback', photo_ids: ['d', 'simulated'] }, { action: 'check', photo_ids: ['e', 'a'] },
    ];
    expect(beforeAfter(trail, new Set(['a', 'b', 'c', 'd', 'e']))).toEqual({ before: ['a', 'b', 'c'], after: ['d', 'e'] });
    expect(beforeAfter([], new Set())).toEqual({ before: [], after: [] });
  });
});

describe('the point\'s look-ups', () => {
  const place = (code: string | null) => ({ lon: 1, lat: 2, road: { name: '体育馆胡同', distance_m: 3 }, grid: code ? { code, responsibility_code: null, community_name: 'c', street_name: 's' } : null });

  test('address and nearby components arrive; an answer for a point left behind is dropped', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => { release = r; });
    const first: LookupDeps = { place: async () => { await slow; return place('OLD'); }, near: async () => { await slow; return { items: [] }; } };
    const second: LookupDeps = {
      place: async () => place('110101001001001'),
      near: async () => ({ items: [{ id: '1', class_code: '01001', class_name_zh: '供水井盖', class_name_en: 'cover', status: 'intact' as never, grid_code: null, distance_m: 8.2, lon: 1, lat: 2 }] }),
    };
    const a = lookUpPoint(1, 1, first);
    expect(useField.getState()).toMatchObject({ placeStatus: 'loading', nearbyStatus: 'loading' });
    await lookUpPoint(1, 2, second);
    release();
    await a;
    expect(useField.getState().place?.grid?.code).toBe('110101001001001');
    expect(useField.getState().nearby.map((c) => c.id)).toEqual(['1']);
  });

  test('a failed look-up is a state, not a message', async () => {
    await lookUpPoint(3, 4, { place: () => Promise.reject(new Error('Could not reach the server')), near: () => Promise.reject(new Error('500')) });
    expect(useField.getState()).toMatchObject({ place: null, placeStatus: 'error', nearby: [], nearbyStatus: 'error' });
  });
});

describe('outside the district', () => {
  const draft = (grid: string | null | undefined): Draft => ({
    key: 'k', cls: { code: '06010', name_zh: '暴露垃圾', name_en: 'exposed garbage', matter_kind: 'event' },
    point: { lon: 1, lat: 2, by: 'map', grid }, description: '', photos: [],
  });
  test('a point outside every grid blocks the submit on the spot; while asking, or inside, it does not', () => {
    expect(draftProblems(draft(null))).toEqual(['fd_need_inside']);
    expect(draftProblems(draft(undefined))).toEqual([]);
    expect(draftProblems(draft('110101001001001'))).toEqual([]);
  });
});

describe('field layers', () => {
  test('own grids (outline and units), nearby components, position; nothing when there is nothing', () => {
    const fc = { type: 'FeatureCollection' as const, features: [
      { type: 'Feature' as const, geometry: { type: 'Polygon' as const, coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] }, properties: { kind: 'responsibility' as const, code: 'R', responsibility_code: 'R', name: 'r' } },
      { type: 'Feature' as const, geometry: { type: 'Polygon' as const, coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] }, properties: { kind: 'unit' as const, code: 'U', responsibility_code: 'R', name: null } },
    ] };
    expect(myGridLayers(fc).map((l) => l.id)).toEqual([FIELD_LAYER.myUnits, FIELD_LAYER.myGrids]);
    expect(myGridLayers(null)).toEqual([]);
    expect(nearbyLayers([{ id: 'a', lon: 0, lat: 0 }], null).map((l) => l.id)).toEqual([FIELD_LAYER.nearby]);
    expect(nearbyLayers([{ id: 'a', lon: 0, lat: 0 }], 'a').map((l) => l.id)).toEqual([`${FIELD_LAYER.nearby}-ring`, FIELD_LAYER.nearby]); // the chosen one ringed
    expect(nearbyLayers([], null)).toEqual([]);
    expect(positionLayers({ lon: 0, lat: 0, accuracy_m: 10 }).map((l) => l.id)).toEqual([`${FIELD_LAYER.position}-accuracy`, FIELD_LAYER.position]);
    expect(positionLayers(null)).toEqual([]);
  });
});
