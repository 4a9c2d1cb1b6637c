// The bundled world outline (issue 10): land, sea and country lines at every zoom, under the district's own layers,
// from data/basemap (Natural Earth 1:110m), with no network.
import { describe, expect, test } from 'vitest';
import { createExpression, latest, validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { buildStyle, LAYER, SOURCE, WORLD_MAXZOOM } from '../../client/src/map/style.js';
import WORLD from '../../data/basemap/countries-110m.json' with { type: 'json' };

const ORIGIN = 'http://127.0.0.1:8080';
const style = buildStyle({ origin: ORIGIN, basemapUrl: null });
const ids = style.layers.map((l) => l.id);

function evalPaint(layerType: 'fill' | 'line', prop: string, value: unknown, zoom: number): number {
  const spec = (latest as unknown as Record<string, Record<string, unknown>>)[`paint_${layerType}`][prop];
  const parsed = createExpression(value, spec as never);
  if (parsed.result !== 'success') throw new Error(JSON.stringify(parsed.value));
  return parsed.value.evaluate({ zoom }) as number;
}

describe('world outline', () => {
  test('the data: every country a polygon, the borders one line feature, small enough to bundle', () => {
    const countries = WORLD.features.filter((f) => f.properties.kind === 'country');
    expect(countries.length).toBeGreaterThan(170);
    for (const f of countries) expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
    const borders = WORLD.features.filter((f) => f.properties.kind === 'border');
    expect(borders.map((f) => f.geometry.type)).toEqual(['MultiLineString']);
    expect(countries.map((f) => f.properties.name)).toEqual(expect.arrayContaining(['China', 'United States of America']));
    expect(JSON.stringify(WORLD).length).toBeLessThan(400_000);
  });

  test('an inline GeoJSON source: the style still references nothing outside the page origin, and is valid', () => {
    const src = style.sources[SOURCE.world] as { type: string; data: unknown };
    expect(src.type).toBe('geojson');
    expect(src.data).toBe(WORLD);
    expect(validateStyleMin(style)).toEqual([]);
  });

  test('drawn right above the background, below the raster and every district layer', () => {
    expect(ids.indexOf(LAYER.worldLand)).toBe(ids.indexOf(LAYER.background) + 1);
    expect(ids.indexOf(LAYER.worldBorders)).toBe(ids.indexOf(LAYER.worldLand) + 1);
    for (const id of [LAYER.streetsFill, LAYER.gridsFill, LAYER.roads, LAYER.streetsOutline, LAYER.components]) {
      expect(ids.indexOf(id), id).toBeGreaterThan(ids.indexOf(LAYER.worldBorders));
    }
    const withRaster = buildStyle({ origin: ORIGIN, basemapUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png' }).layers.map((l) => l.id);
    expect(withRaster.indexOf(LAYER.raster)).toBeGreaterThan(withRaster.indexOf(LAYER.worldBorders));
  });

  test('full strength at zoom 0–9, dimmed (land) and gone (borders) when the district takes over', () => {
    const land = style.layers.find((l) => l.id === LAYER.worldLand)!;
    const borders = style.layers.find((l) => l.id === LAYER.worldBorders)!;
    const landOpacity = (z: number) => evalPaint('fill', 'fill-opacity', (land.paint as Record<string, unknown>)['fill-opacity'], z);
    const lineOpacity = (z: number) => evalPaint('line', 'line-opacity', (borders.paint as Record<string, unknown>)['line-opacity'], z);
    for (const z of [0, 2, 6, WORLD_MAXZOOM]) {
      expect(landOpacity(z), `land z${z}`).toBe(1);
      expect(lineOpacity(z), `borders z${z}`).toBeGreaterThan(0.8);
    }
    expect(landOpacity(14)).toBeLessThan(0.5);
    expect(lineOpacity(14)).toBe(0);
    expect((land as { filter: unknown }).filter).toEqual(['==', ['get', 'kind'], 'country']);
    expect((borders as { filter: unknown }).filter).toEqual(['==', ['get', 'kind'], 'border']);
  });
});
