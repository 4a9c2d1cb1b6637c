// The map style, built in code: a dark vector basemap from the project's own tiles, optional raster
// underneath, then grids, components and the selection. Pure: no map, no DOM. No glyphs, no sprites:
// every label is drawn by deck.gl (layers/labels.ts), so the style references no external resource.
// (The style-spec types come through maplibre-gl, which re-exports them.)
import type {
  ExpressionSpecification,
  LayerSpecification,
  SourceSpecification,
  StyleSpecification,
} from 'maplibre-gl';
import { MAJOR_COLORS, STATUS_COLORS, THEME, UNKNOWN_COLOR } from './colors.js';
import type { LayerToggle, LayerVisibility } from '../state/layers-store.js';
// Natural Earth 1:110m countries (public domain), bundled so that the zoomed-out map shows land, sea and borders
// with no network: data/basemap/README.md.
import WORLD from '../../../data/basemap/countries-110m.json' with { type: 'json' };

/** Source ids. */
export const SOURCE = {
  basemap: 'basemap',
  grids: 'grids',
  components: 'components',
  raster: 'raster-basemap',
  selection: 'selection',
  world: 'world',
} as const;

/** Layer ids (fixed kebab-case; tests and the click handler use them). */
export const LAYER = {
  background: 'background',
  worldLand: 'world-land',
  worldBorders: 'world-borders',
  raster: 'raster-basemap',
  streetsFill: 'streets-fill',
  aggregatedFill: 'grids-aggregated-fill',
  gridsFill: 'grids-fill',
  roadsCasing: 'roads-casing',
  roads: 'roads',
  communitiesOutline: 'communities-outline',
  streetsOutline: 'streets-outline',
  aggregatedOutline: 'grids-aggregated-outline',
  gridsOutline: 'grids-outline',
  selectionFill: 'selection-fill',
  selectionLine: 'selection-line',
  clusters: 'component-clusters',
  components: 'components',
  selectionPoint: 'selection-point',
} as const;

/** Below this zoom the grids tiles hold one polygon per community (`aggregated` = true). */
export const GRID_DETAIL_MINZOOM = 13;
/** Below this zoom the components tiles hold clusters (`cluster` = true): per grid, and per community when
 * zoomed further out. The server decides (server/db/tiles.ts COMPONENT_DETAIL_ZOOM); the style keys on the
 * `cluster` property, not on zoom, so this number only steers where a click on a cluster zooms to. */
export const COMPONENT_DETAIL_MINZOOM = 17;
/** The bundled world outline is drawn fully up to this zoom, then fades under the district's own layers. */
export const WORLD_MAXZOOM = 9;
/** Sea is the background colour; land and country lines of the world outline. */
export const WORLD_COLORS = { land: '#1b2637', coast: '#34465e', border: '#5a7090' } as const;

/** The server's tiles carry full detail here; deeper zooms over-zoom them. */
export const TILE_MAXZOOM = 16;

/** Layers switched by each toggle in the layer panel. */
export const TOGGLE_LAYERS: Record<LayerToggle, readonly string[]> = {
  grids: [LAYER.aggregatedFill, LAYER.gridsFill, LAYER.aggregatedOutline, LAYER.gridsOutline],
  components: [LAYER.clusters, LAYER.components],
  labels: [],
  basemap: [LAYER.raster],
};

/** The layers a click or hover looks at, topmost first. */
export const INTERACTIVE_LAYERS = [LAYER.components, LAYER.clusters, LAYER.gridsFill, LAYER.aggregatedFill] as const;

export function tileUrl(origin: string, layer: 'basemap' | 'grids' | 'components'): string {
  return `${origin.replace(/\/$/, '')}/api/tiles/${layer}/{z}/{x}/{y}.mvt`;
}

export type RasterBasemap = { tiles: string[]; scheme: 'xyz' | 'tms'; attribution: string };

/**
 * Reads the server's `basemap_url` setting, an http(s) `{z}/{x}/{y}` template. `{s}` is expanded to
 * subdomains (a–c, or 0–7 for Tianditu) and `{-y}` selects the TMS scheme. Anything else gives null:
 * a bad setting must not break the map, it only drops the raster.
 * @example rasterBasemap('https://tile.openstreetmap.org/{z}/{x}/{y}.png')?.attribution // '© OpenStreetMap contributors'
 */
export function rasterBasemap(url: string | null | undefined): RasterBasemap | null {
  if (!url) return null;
  const trimmed = url.trim();
  if (!/^https?:\/\//i.test(trimmed) && !trimmed.startsWith('/')) return null;
  const tms = trimmed.includes('{-y}');
  const template = trimmed.replace('{-y}', '{y}');
  if (!['{z}', '{x}', '{y}'].every((p) => template.includes(p))) return null;
  const tianditu = /tianditu/i.test(template);
  const subdomains = tianditu ? ['0', '1', '2', '3', '4', '5', '6', '7'] : ['a', 'b', 'c'];
  const tiles = template.includes('{s}') ? subdomains.map((s) => template.replace('{s}', s)) : [template];
  let attribution = '';
  if (/openstreetmap/i.test(template)) attribution = '© OpenStreetMap contributors';
  else if (tianditu) attribution = '© 天地图 Tianditu';
  else {
    try { attribution = new URL(template.replace(/[{}]/g, ''), 'http://localhost').hostname; } catch { attribution = ''; }
  }
  return { tiles, scheme: tms ? 'tms' : 'xyz', attribution };
}

/** A colour expression on `major_code`, tolerant of '01' and 1 (leading zeros lost by an encoder). */
export function majorColorExpression(): ExpressionSpecification {
  const cases: unknown[] = [];
  for (const [code, color] of Object.entries(MAJOR_COLORS)) {
    cases.push(['==', ['to-number', ['get', 'major_code'], 0], Number(code)], color);
  }
  return ['case', ...cases, UNKNOWN_COLOR] as unknown as ExpressionSpecification;
}

export function statusColorExpression(): ExpressionSpecification {
  const pairs = Object.entries(STATUS_COLORS).flat();
  return ['match', ['to-string', ['get', 'status']], ...pairs, UNKNOWN_COLOR] as unknown as ExpressionSpecification;
}

const isAggregated: ExpressionSpecification = ['to-boolean', ['get', 'aggregated']];
const isCluster: ExpressionSpecification = ['to-boolean', ['get', 'cluster']];
const hovered: ExpressionSpecification = ['boolean', ['feature-state', 'hover'], false];

function zoomRamp(...stops: number[]): ExpressionSpecification {
  return ['interpolate', ['linear'], ['zoom'], ...stops] as unknown as ExpressionSpecification;
}

export type StyleOptions = {
  /** Page origin, e.g. `http://127.0.0.1:8080`: tile URLs must be absolute for maplibre's workers. */
  origin: string;
  basemapUrl: string | null;
  visibility?: LayerVisibility;
};

/** The whole map style for the page. Same input, same style. */
export function buildStyle({ origin, basemapUrl, visibility }: StyleOptions): StyleSpecification {
  const raster = rasterBasemap(basemapUrl);
  const visible = (toggle: LayerToggle) => ({ visibility: (visibility?.[toggle] ?? true) ? 'visible' : 'none' }) as const;

  const sources: Record<string, SourceSpecification> = {
    [SOURCE.basemap]: { type: 'vector', tiles: [tileUrl(origin, 'basemap')], minzoom: 0, maxzoom: TILE_MAXZOOM },
    [SOURCE.grids]: {
      type: 'vector', tiles: [tileUrl(origin, 'grids')], minzoom: 0, maxzoom: TILE_MAXZOOM,
      promoteId: { grids: 'code' }, // hover via feature-state, keyed by the grid (or community) code
    },
    [SOURCE.components]: { type: 'vector', tiles: [tileUrl(origin, 'components')], minzoom: 0, maxzoom: COMPONENT_DETAIL_MINZOOM },
    [SOURCE.selection]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
    // maxzoom 6: a 1:110m outline has nothing more to give deeper down, and fewer tiles are cut from it.
    [SOURCE.world]: { type: 'geojson', data: WORLD as GeoJSON.FeatureCollection, maxzoom: 6, tolerance: 0.5 },
  };
  if (raster) {
    const absolute = raster.tiles.map((t) => (t.startsWith('/') ? `${origin.replace(/\/$/, '')}${t}` : t));
    sources[SOURCE.raster] = {
      type: 'raster', tiles: absolute, tileSize: 256, scheme: raster.scheme, attribution: raster.attribution, maxzoom: 19,
    };
  }

  const streetFill = [
    'match', ['%', ['to-number', ['get', 'code'], 0], THEME.streetFills.length],
    ...THEME.streetFills.flatMap((c, i) => (i === 0 ? [] : [i, c])), THEME.streetFills[0],
  ] as unknown as ExpressionSpecification;

  const layers: LayerSpecification[] = [
    { id: LAYER.background, type: 'background', paint: { 'background-color': THEME.background } },
    // Land and country lines at every zoom, full strength to WORLD_MAXZOOM, then dimmed: the district's layers
    // (and the 1:110m coast's few-km error) take over when zoomed in.
    {
      id: LAYER.worldLand, type: 'fill', source: SOURCE.world, filter: ['==', ['get', 'kind'], 'country'],
      paint: {
        'fill-color': WORLD_COLORS.land, 'fill-outline-color': WORLD_COLORS.coast,
        'fill-opacity': zoomRamp(WORLD_MAXZOOM, 1, WORLD_MAXZOOM + 3, 0.45),
      },
    },
    {
      id: LAYER.worldBorders, type: 'line', source: SOURCE.world, filter: ['==', ['get', 'kind'], 'border'],
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': WORLD_COLORS.border, 'line-width': zoomRamp(1, 0.6, 6, 1.2, 10, 1.6),
        'line-dasharray': [4, 2], 'line-opacity': zoomRamp(WORLD_MAXZOOM, 0.9, WORLD_MAXZOOM + 2, 0),
      },
    },
  ];
  if (raster) {
    layers.push({
      id: LAYER.raster, type: 'raster', source: SOURCE.raster, layout: visible('basemap'),
      // Dimmed and desaturated so the thematic layers stay legible on the dark theme.
      paint: { 'raster-saturation': -0.55, 'raster-brightness-max': 0.62, 'raster-contrast': 0.05, 'raster-opacity': 0.95 },
    });
  }
  layers.push(
    {
      id: LAYER.streetsFill, type: 'fill', source: SOURCE.basemap, 'source-layer': 'streets',
      paint: { 'fill-color': streetFill, 'fill-opacity': raster ? 0.35 : 1 },
    },
    {
      id: LAYER.aggregatedFill, type: 'fill', source: SOURCE.grids, 'source-layer': 'grids',
      filter: isAggregated, layout: visible('grids'),
      paint: {
        'fill-color': ['case', hovered, THEME.gridHoverFill,
          ['interpolate', ['linear'], ['to-number', ['get', 'grid_count'], 0], 0, THEME.aggregatedLow, 60, THEME.aggregatedHigh]],
        'fill-opacity': ['case', hovered, 0.35, raster ? 0.3 : 0.55],
      },
    },
    {
      id: LAYER.gridsFill, type: 'fill', source: SOURCE.grids, 'source-layer': 'grids',
      filter: ['!', isAggregated], layout: visible('grids'),
      // Nearly transparent so it can be clicked; brighter under the pointer.
      paint: { 'fill-color': THEME.gridHoverFill, 'fill-opacity': ['case', hovered, 0.22, 0.02] },
    },
    {
      id: LAYER.roadsCasing, type: 'line', source: SOURCE.basemap, 'source-layer': 'roads',
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': THEME.roadCasing, 'line-width': zoomRamp(11, 1.5, 14, 4, 17, 12, 20, 40), 'line-opacity': raster ? 0.3 : 0.9 },
    },
    {
      id: LAYER.roads, type: 'line', source: SOURCE.basemap, 'source-layer': 'roads',
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': THEME.road, 'line-width': zoomRamp(11, 0.6, 14, 2, 17, 8, 20, 32), 'line-opacity': raster ? 0.4 : 1 },
    },
    {
      id: LAYER.communitiesOutline, type: 'line', source: SOURCE.basemap, 'source-layer': 'communities', minzoom: 11,
      paint: { 'line-color': THEME.communityOutline, 'line-width': zoomRamp(11, 0.6, 16, 1.6), 'line-dasharray': [3, 2], 'line-opacity': 0.8 },
    },
    {
      id: LAYER.streetsOutline, type: 'line', source: SOURCE.basemap, 'source-layer': 'streets',
      layout: { 'line-join': 'round' },
      paint: { 'line-color': THEME.streetOutline, 'line-width': zoomRamp(9, 1.2, 14, 2.6, 18, 4.5), 'line-opacity': 0.95 },
    },
    {
      id: LAYER.aggregatedOutline, type: 'line', source: SOURCE.grids, 'source-layer': 'grids',
      filter: isAggregated, layout: visible('grids'),
      paint: { 'line-color': THEME.aggregatedOutline, 'line-width': ['case', hovered, 2, 0.8], 'line-opacity': 0.7 },
    },
    {
      id: LAYER.gridsOutline, type: 'line', source: SOURCE.grids, 'source-layer': 'grids',
      filter: ['!', isAggregated], layout: { ...visible('grids'), 'line-join': 'round' },
      paint: {
        'line-color': THEME.gridOutline,
        // zoom must be the outermost input, so the hover case sits inside each stop.
        'line-width': ['interpolate', ['linear'], ['zoom'],
          13, ['case', hovered, 1.6, 0.4], 16, ['case', hovered, 2.4, 1], 19, ['case', hovered, 3, 1.6]],
        'line-opacity': zoomRamp(13, 0.18, 14.5, 0.35, 16, 0.7, 17, 0.85),
      },
    },
    {
      id: LAYER.selectionFill, type: 'fill', source: SOURCE.selection,
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': THEME.selection, 'fill-opacity': 0.16 },
    },
    {
      id: LAYER.selectionLine, type: 'line', source: SOURCE.selection,
      filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'LineString']]],
      layout: { 'line-join': 'round' },
      paint: { 'line-color': THEME.selection, 'line-width': 3 },
    },
    {
      id: LAYER.clusters, type: 'circle', source: SOURCE.components, 'source-layer': 'components',
      filter: isCluster, layout: visible('components'),
      paint: {
        'circle-color': majorColorExpression(),
        'circle-opacity': 0.55,
        // Smaller when zoomed out, so per-community and per-grid clusters do not pile up.
        'circle-radius': ['interpolate', ['linear'], ['zoom'],
          10, ['interpolate', ['linear'], ['to-number', ['get', 'count'], 1], 1, 2, 100, 5, 1000, 9, 10000, 14],
          13, ['interpolate', ['linear'], ['to-number', ['get', 'count'], 1], 1, 3, 100, 8, 1000, 14, 10000, 22],
          15, ['interpolate', ['linear'], ['to-number', ['get', 'count'], 1], 1, 5, 10, 8, 100, 14, 1000, 22, 10000, 32]],
        'circle-stroke-color': majorColorExpression(),
        'circle-stroke-width': 1.5,
        'circle-stroke-opacity': 0.95,
      },
    },
    {
      id: LAYER.components, type: 'circle', source: SOURCE.components, 'source-layer': 'components',
      filter: ['!', isCluster], layout: visible('components'),
      paint: {
        'circle-color': majorColorExpression(),
        'circle-radius': zoomRamp(14, 2.5, 16, 4.5, 18, 7, 20, 10),
        'circle-stroke-color': statusColorExpression(),
        'circle-stroke-width': zoomRamp(14, 0.8, 17, 2),
        'circle-opacity': ['match', ['to-string', ['get', 'status']], ['abandoned', 'removed'], 0.45, 1],
      },
    },
    {
      id: LAYER.selectionPoint, type: 'circle', source: SOURCE.selection,
      filter: ['==', ['geometry-type'], 'Point'],
      paint: {
        'circle-color': 'rgba(0,0,0,0)', 'circle-radius': zoomRamp(14, 8, 18, 13),
        'circle-stroke-color': THEME.selection, 'circle-stroke-width': 3,
      },
    },
  );

  return { version: 8, name: 'gridline-dark', sources, layers };
}
