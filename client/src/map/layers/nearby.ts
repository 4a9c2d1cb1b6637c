// The inspector's field layers (issue 9), pure (state → deck.gl layers): the own responsibility grids outlined, the
// components within 30 m of the report's point, and the device's last position fix.
import { GeoJsonLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { Rgba } from '../colors.js';

export const FIELD_LAYER = { myGrids: 'my-grids', myUnits: 'my-grids-units', nearby: 'nearby-components', position: 'my-position' } as const;

/** The own responsibility grids: amber, distinct from the grey unit grids and the case lights. */
export const MY_GRID_RGBA: Rgba = [255, 196, 61, 255];
const NEARBY_RGBA: Rgba = [120, 200, 255, 255];
const CHOSEN_RGBA: Rgba = [255, 255, 255, 255];
const POSITION_RGBA: Rgba = [66, 133, 244, 255];

type PatrolProps = { kind: 'responsibility' | 'unit'; code: string };

/** Responsibility-grid outlines (thick) over their unit grids (thin, faintly filled). */
export function myGridLayers(fc: FeatureCollection<Geometry | null, PatrolProps> | null): Layer[] {
  if (!fc?.features.length) return [];
  const of = (kind: PatrolProps['kind']) => ({
    type: 'FeatureCollection' as const,
    features: fc.features.filter((f): f is Feature<Geometry, PatrolProps> => f.geometry !== null && f.properties.kind === kind),
  });
  return [
    new GeoJsonLayer<PatrolProps>({
      id: FIELD_LAYER.myUnits, data: of('unit'), stroked: true, filled: true,
      getFillColor: [MY_GRID_RGBA[0], MY_GRID_RGBA[1], MY_GRID_RGBA[2], 18], getLineColor: [MY_GRID_RGBA[0], MY_GRID_RGBA[1], MY_GRID_RGBA[2], 110],
      lineWidthUnits: 'pixels', getLineWidth: 1, pickable: false,
    }),
    new GeoJsonLayer<PatrolProps>({
      id: FIELD_LAYER.myGrids, data: of('responsibility'), stroked: true, filled: false,
      getLineColor: MY_GRID_RGBA, lineWidthUnits: 'pixels', getLineWidth: 3, pickable: false,
    }),
  ];
}

export type NearbyPoint = { id: string; lon: number; lat: number };

/** The components near the report's point; the chosen one larger and white. */
export function nearbyLayers(items: readonly NearbyPoint[], chosenId: string | null): Layer[] {
  if (!items.length) return [];
  return [new ScatterplotLayer<NearbyPoint>({
    id: FIELD_LAYER.nearby, data: items as NearbyPoint[],
    getPosition: (c) => [c.lon, c.lat],
    getRadius: (c) => (c.id === chosenId ? 8 : 5), radiusUnits: 'pixels',
    getFillColor: (c) => (c.id === chosenId ? CHOSEN_RGBA : NEARBY_RGBA),
    stroked: true, getLineColor: [10, 17, 28, 255], lineWidthUnits: 'pixels', getLineWidth: 1.5,
    updateTriggers: { getRadius: chosenId, getFillColor: chosenId },
  })];
}

/** The device's position: a blue dot with its accuracy circle (metres). */
export function positionLayers(p: { lon: number; lat: number; accuracy_m?: number } | null): Layer[] {
  if (!p) return [];
  const data = [p];
  return [
    new ScatterplotLayer<typeof p>({
      id: `${FIELD_LAYER.position}-accuracy`, data, getPosition: (x) => [x.lon, x.lat],
      getRadius: (x) => Math.min(x.accuracy_m ?? 0, 500), radiusUnits: 'meters',
      getFillColor: [POSITION_RGBA[0], POSITION_RGBA[1], POSITION_RGBA[2], 40], stroked: false,
    }),
    new ScatterplotLayer<typeof p>({
      id: FIELD_LAYER.position, data, getPosition: (x) => [x.lon, x.lat],
      getRadius: 7, radiusUnits: 'pixels', getFillColor: POSITION_RGBA,
      stroked: true, getLineColor: [255, 255, 255, 255], lineWidthUnits: 'pixels', getLineWidth: 2,
    }),
  ];
}
