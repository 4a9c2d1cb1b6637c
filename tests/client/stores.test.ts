// zustand stores: selection (with out-of-order responses), notices, layers, config.
import { beforeEach, describe, expect, test } from 'vitest';
import { openDetail, sameTarget, useSelection, type DetailFetchers } from '../../client/src/state/selection-store.js';
import { MAX_NOTICES, useNotices } from '../../client/src/state/notices-store.js';
import { useLayers } from '../../client/src/state/layers-store.js';
import { useConfig } from '../../client/src/state/config-store.js';
import { communityCounts, useRegions } from '../../client/src/state/regions-store.js';
import { useLang } from '../../client/src/state/lang-store.js';
import type { ComponentDetail, GridDetail } from '../../client/src/api/types.js';

beforeEach(() => {
  for (const store of [useSelection, useNotices, useLayers, useConfig, useRegions, useLang]) {
    (store as { setState: (s: unknown, replace: true) => void; getInitialState: () => unknown })
      .setState(store.getInitialState(), true);
  }
});

const grid = (code: string): GridDetail => ({
  code, community_code: code.slice(0, 12), community_name: '多福巷社区', street_code: code.slice(0, 9), street_name: '东华门街道',
  district_code: code.slice(0, 6), area_m2: 10000, land_use: null, management_level: null, responsible_body: null,
  valid_from: '2024-01-01', valid_to: null, component_count: 3, geometry: null,
});
const component = (id: string): ComponentDetail => ({
  id, class_code: id.slice(6, 11), class_name_zh: '供水井盖', class_name_en: 'water-supply manhole cover', major_code: '01',
  status: 'intact', survey_date: null, change_date: null, data_source: null, note: null, grid_code: null,
  community_code: null, community_name: null, street_code: null, street_name: null, source_id: null, supervising_department: null,
  owner_department: null, maintainer_department: null, attrs: null, geometry: { type: 'Point', coordinates: [116.4, 39.9] },
});

/** A fetcher whose answers the test releases by hand, in any order. */
function deferredFetchers() {
  const pending = new Map<string, (v: unknown) => void>();
  const fetchers: DetailFetchers = {
    grid: (code) => new Promise((ok) => pending.set(code, ok as (v: unknown) => void)),
    component: (id) => new Promise((ok) => pending.set(id, ok as (v: unknown) => void)),
  };
  return { fetchers, release: (key: string, value: unknown) => pending.get(key)!(value) };
}

describe('selection', () => {
  test('selecting a grid loads its details', async () => {
    const fetchers: DetailFetchers = { grid: async (code) => grid(code), component: async (id) => component(id) };
    await openDetail({ kind: 'grid', code: '110101001001007' }, fetchers);
    const s = useSelection.getState();
    expect(s.status).toBe('ready');
    expect(s.detail).toMatchObject({ kind: 'grid', data: { code: '110101001001007' } });
  });

  test('a late answer for an earlier click does not overwrite the current selection', async () => {
    const { fetchers, release } = deferredFetchers();
    const first = openDetail({ kind: 'grid', code: '110101001001001' }, fetchers);
    const second = openDetail({ kind: 'component', id: '11010101001000042' }, fetchers);
    release('11010101001000042', component('11010101001000042'));
    await second;
    release('110101001001001', grid('110101001001001'));
    await first;
    expect(useSelection.getState().detail).toMatchObject({ kind: 'component', data: { id: '11010101001000042' } });
  });

  test('clicking the same object again does not fetch it again', async () => {
    let calls = 0;
    const fetchers: DetailFetchers = { grid: async (code) => { calls++; return grid(code); }, component: async (id) => component(id) };
    await openDetail({ kind: 'grid', code: '110101001001007' }, fetchers);
    await openDetail({ kind: 'grid', code: '110101001001007' }, fetchers);
    expect(calls).toBe(1);
  });

  test('a failed fetch is kept as an error for the panel to show', async () => {
    const fetchers: DetailFetchers = {
      grid: async () => { throw new Error('No unit grid 110101001001999'); },
      component: async (id) => component(id),
    };
    await openDetail({ kind: 'grid', code: '110101001001999' }, fetchers);
    expect(useSelection.getState()).toMatchObject({ status: 'error', error: 'No unit grid 110101001001999' });
  });

  test('clear forgets the selection and ignores answers still in flight', async () => {
    const { fetchers, release } = deferredFetchers();
    const p = openDetail({ kind: 'grid', code: '110101001001007' }, fetchers);
    useSelection.getState().clear();
    release('110101001001007', grid('110101001001007'));
    await p;
    expect(useSelection.getState()).toMatchObject({ target: null, detail: null, status: 'idle' });
  });

  test('sameTarget compares kind and code', () => {
    expect(sameTarget({ kind: 'grid', code: '1' }, { kind: 'grid', code: '1' })).toBe(true);
    expect(sameTarget({ kind: 'grid', code: '1' }, { kind: 'component', id: '1' })).toBe(false);
    expect(sameTarget(null, null)).toBe(true);
  });
});

describe('notices', () => {
  test('the same message again bumps its count instead of stacking', () => {
    const { push } = useNotices.getState();
    push('error', 'tile failed');
    push('error', 'tile failed');
    expect(useNotices.getState().list).toEqual([expect.objectContaining({ message: 'tile failed', count: 2 })]);
  });

  test(`only the last ${MAX_NOTICES} are kept`, () => {
    for (let i = 0; i < MAX_NOTICES + 3; i++) useNotices.getState().push('error', `e${i}`);
    const list = useNotices.getState().list;
    expect(list).toHaveLength(MAX_NOTICES);
    expect(list.at(-1)?.message).toBe(`e${MAX_NOTICES + 2}`);
  });

  test('dismiss removes one notice', () => {
    useNotices.getState().push('error', 'a');
    const id = useNotices.getState().list[0].id;
    useNotices.getState().dismiss(id);
    expect(useNotices.getState().list).toEqual([]);
  });
});

describe('layers, language, config and regions', () => {
  test('a toggle flips one layer and returns a new object', () => {
    const before = useLayers.getState().visible;
    useLayers.getState().toggle('components');
    const after = useLayers.getState().visible;
    expect(after).not.toBe(before);
    expect(after).toEqual({ ...before, components: false });
  });

  test('the language starts in Chinese and toggles to English', () => {
    expect(useLang.getState().lang).toBe('zh');
    useLang.getState().toggle();
    expect(useLang.getState().lang).toBe('en');
  });

  test('config loading records a failure instead of dropping it', async () => {
    await useConfig.getState().load(async () => { throw new Error('Could not reach the server'); });
    expect(useConfig.getState()).toMatchObject({ status: 'error', error: 'Could not reach the server', config: null });
    await useConfig.getState().load(async () => ({ basemap_url: null, district: null }));
    expect(useConfig.getState()).toMatchObject({ status: 'ready', error: null, config: { basemap_url: null } });
  });

  test('regions load sorted by code, and communities are counted per street', async () => {
    const bbox: [number, number, number, number] = [0, 0, 1, 1];
    await useRegions.getState().load(async (level) => (level === 'street'
      ? [{ code: '110101002', level, name: '景山街道', parent_code: '110101', bbox }, { code: '110101001', level, name: '东华门街道', parent_code: '110101', bbox }]
      : [{ code: '110101001001', level, name: 'a', parent_code: '110101001', bbox }, { code: '110101001002', level, name: 'b', parent_code: '110101001', bbox }]));
    expect(useRegions.getState().streets.map((s) => s.code)).toEqual(['110101001', '110101002']);
    expect(communityCounts(useRegions.getState().communities)).toEqual({ '110101001': 2 });
  });
});
