import { describe, expect, test } from 'vitest';
import { OFFLINE_MAX_TILES, offlineTiles, prefetchGridTiles, tilePath, tilesCovering, type Bbox } from '../../client/src/state/offline-tiles.js';

// Dongcheng's 001 community, about 600 × 400 m.
const B: Bbox = [116.4045, 39.9325, 116.4115, 39.9365];

describe('the own grids\' tiles kept for offline work', () => {
  test('tilesCovering: the XYZ tiles of a bbox, as slippy-map tile numbers', () => {
    expect(tilesCovering([0, 0, 0, 0], 1)).toEqual([{ x: 1, y: 1 }]); // the point (0,0) is the corner of tile (1,1)
    expect(tilesCovering([-180, -85, 180, 85], 1)).toHaveLength(4);
    // at z16 the north-west corner (116.4045, 39.9365) is in tile (53958, 24825), the south-east one in (53960, 24826):
    // x = floor((lon + 180) / 360 · 2^z) = floor(53958.8); 3 columns × 2 rows
    const z16 = tilesCovering(B, 16);
    expect(z16[0]).toEqual({ x: 53958, y: 24825 });
    expect(z16.at(-1)).toEqual({ x: 53960, y: 24826 });
    expect(z16).toHaveLength(6);
  });

  test('offlineTiles: basemap, grids and components from z12 to full detail, components one zoom deeper, coarse first', () => {
    const tiles = offlineTiles(B);
    const zooms = [...new Set(tiles.map((t) => t.z))];
    expect(zooms).toEqual([12, 13, 14, 15, 16, 17]);
    expect(new Set(tiles.filter((t) => t.z === 17).map((t) => t.set))).toEqual(new Set(['components']));
    for (const set of ['basemap', 'grids', 'components'] as const) expect(tiles.filter((t) => t.z === 16 && t.set === set).length).toBe(tilesCovering(B, 16).length);
    expect(tilePath(tiles[0])).toMatch(/^\/api\/tiles\/basemap\/12\/\d+\/\d+\.mvt$/);
  });

  test('a city-sized bbox is capped', () => {
    expect(offlineTiles([116.0, 39.6, 116.8, 40.2])).toHaveLength(OFFLINE_MAX_TILES);
  });

  test('prefetch does nothing without a service worker to keep the tiles', async () => {
    const asked: string[] = [];
    const grids = { type: 'FeatureCollection' as const, features: [] };
    expect(await prefetchGridTiles(grids as never, async (p) => { asked.push(p); })).toBe(0);
    expect(asked).toEqual([]);
  });
});
