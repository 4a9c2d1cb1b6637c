// The map style builder: valid MapLibre style, offline by default, raster basemap only when configured.
import { describe, expect, test } from 'vitest';
import { createExpression, latest, validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import {
  buildStyle, LAYER, majorColorExpression, rasterBasemap, SOURCE, statusColorExpression, tileUrl,
} from '../../client/src/map/style.js';
import { MAJOR_COLORS, STATUS_COLORS, UNKNOWN_COLOR } from '../../client/src/map/colors.js';

const ORIGIN = 'http://127.0.0.1:8080';

/** Every URL-looking string anywhere in the style. */
function urlsIn(value: unknown): string[] {
  return JSON.stringify(value).match(/[a-z]+:\/\/[^"]+/gi) ?? [];
}

function evalColor(expr: unknown, properties: Record<string, unknown>, zoom = 16): string {
  const parsed = createExpression(expr, 'test', latest.paint_circle['circle-color'] as never);
  if (parsed.result !== 'success') throw new Error(JSON.stringify(parsed.value));
  const c = parsed.value.evaluate({ zoom }, { type: 'Point', properties } as never) as { toString(): string };
  return c.toString();
}
const rgba = (hex: string) => {
  const n = (i: number) => parseInt(hex.slice(i, i + 2), 16);
  return `rgba(${n(1)},${n(3)},${n(5)},1)`;
};

describe('buildStyle', () => {
  test('the offline style is a valid MapLibre style', () => {
    expect(validateStyleMin(buildStyle({ origin: ORIGIN, basemapUrl: null }))).toEqual([]);
  });

  test('with a raster basemap the style is still valid', () => {
    expect(validateStyleMin(buildStyle({ origin: ORIGIN, basemapUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png' }))).toEqual([]);
  });

  test('by default it references nothing but the page origin: no glyphs, no sprite, no remote tiles', () => {
    const style = buildStyle({ origin: ORIGIN, basemapUrl: null });
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    for (const url of urlsIn(style)) expect(url.startsWith(`${ORIGIN}/api/tiles/`)).toBe(true);
    expect(style.layers.some((l) => l.type === 'symbol')).toBe(false);
    expect(style.sources[SOURCE.raster]).toBeUndefined();
  });

  test('the three tile sets come from the same origin, absolute for the workers', () => {
    const style = buildStyle({ origin: `${ORIGIN}/`, basemapUrl: null });
    expect(style.sources[SOURCE.basemap]).toMatchObject({ type: 'vector', tiles: [`${ORIGIN}/api/tiles/basemap/{z}/{x}/{y}.mvt`] });
    expect(style.sources[SOURCE.grids]).toMatchObject({ tiles: [tileUrl(ORIGIN, 'grids')], promoteId: { grids: 'code' } });
    expect(style.sources[SOURCE.components]).toMatchObject({ tiles: [tileUrl(ORIGIN, 'components')] });
  });

  test('a configured raster basemap is drawn first (over the bundled world outline), under every project layer', () => {
    const style = buildStyle({ origin: ORIGIN, basemapUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png' });
    expect(style.layers.map((l) => l.id).slice(0, 5)).toEqual([LAYER.background, LAYER.worldLand, LAYER.worldBorders, LAYER.raster, LAYER.streetsFill]);
  });

  test('unit grids and the aggregated community view are separate layers on the grids source', () => {
    const style = buildStyle({ origin: ORIGIN, basemapUrl: null });
    const byId = Object.fromEntries(style.layers.map((l) => [l.id, l]));
    for (const id of [LAYER.gridsFill, LAYER.gridsOutline, LAYER.aggregatedFill, LAYER.aggregatedOutline]) {
      expect(byId[id]).toMatchObject({ source: SOURCE.grids, 'source-layer': 'grids' });
    }
    expect(byId[LAYER.components]).toMatchObject({ type: 'circle', 'source-layer': 'components' });
    expect(byId[LAYER.clusters]).toMatchObject({ type: 'circle', 'source-layer': 'components' });
  });

  test('switched-off layers start hidden', () => {
    const style = buildStyle({
      origin: ORIGIN, basemapUrl: null, visibility: { grids: false, components: true, labels: true, basemap: true },
    });
    const grids = style.layers.find((l) => l.id === LAYER.gridsOutline)!;
    const comps = style.layers.find((l) => l.id === LAYER.components)!;
    expect(grids.layout).toMatchObject({ visibility: 'none' });
    expect(comps.layout).toMatchObject({ visibility: 'visible' });
  });
});

describe('component colours in the style', () => {
  test.each(Object.entries(MAJOR_COLORS))('major %s is coloured %s whether it arrives as text or a number', (code, hex) => {
    expect(evalColor(majorColorExpression(), { major_code: code })).toBe(rgba(hex));
    expect(evalColor(majorColorExpression(), { major_code: Number(code) })).toBe(rgba(hex));
  });

  test('an unknown major is grey', () => {
    expect(evalColor(majorColorExpression(), { major_code: '99' })).toBe(rgba(UNKNOWN_COLOR));
    expect(evalColor(majorColorExpression(), {})).toBe(rgba(UNKNOWN_COLOR));
  });

  test.each(Object.entries(STATUS_COLORS))('status %s rings in %s', (status, hex) => {
    expect(evalColor(statusColorExpression(), { status })).toBe(rgba(hex));
  });
});

describe('rasterBasemap', () => {
  test('an OpenStreetMap template is used as is, with its attribution', () => {
    expect(rasterBasemap('https://tile.openstreetmap.org/{z}/{x}/{y}.png')).toEqual({
      tiles: ['https://tile.openstreetmap.org/{z}/{x}/{y}.png'], scheme: 'xyz', attribution: '© OpenStreetMap contributors',
    });
  });

  test('{s} expands to subdomains a–c', () => {
    expect(rasterBasemap('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png')?.tiles).toEqual([
      'https://a.tile.openstreetmap.org/{z}/{x}/{y}.png',
      'https://b.tile.openstreetmap.org/{z}/{x}/{y}.png',
      'https://c.tile.openstreetmap.org/{z}/{x}/{y}.png',
    ]);
  });

  test('Tianditu expands {s} to t0–t7 and credits Tianditu', () => {
    const r = rasterBasemap('https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=KEY');
    expect(r?.tiles).toHaveLength(8);
    expect(r?.tiles[7]).toContain('https://t7.tianditu.gov.cn/');
    expect(r?.attribution).toContain('天地图');
  });

  test('{-y} selects the TMS scheme', () => {
    expect(rasterBasemap('https://example.org/{z}/{x}/{-y}.png')).toMatchObject({ scheme: 'tms', tiles: ['https://example.org/{z}/{x}/{y}.png'] });
  });

  test.each([null, '', 'not a url', 'https://example.org/tiles.png', 'ftp://example.org/{z}/{x}/{y}.png'])(
    'a missing or unusable setting (%j) gives no raster', (url) => {
      expect(rasterBasemap(url)).toBeNull();
    },
  );
});
