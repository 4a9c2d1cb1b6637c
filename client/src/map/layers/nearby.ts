// The inspector's field layers (issue 9), pure (state → deck.gl layers): the own responsibility grids outlined, the
// components within 30 m of the report's point (tap one to choose it), and the device's last position fix.
import { GeoJsonLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { Rgba } from '../colors.js';

export const FIELD_LAYER = { myGrids: 'my-grids', myUnits: 'my-grids-units', nearby: 'nearby-components', position: 'my-position' } as const;

/** The own responsibility grids: amber, distinct from the grey unit grids and the case lights. */
export const MY_GRID_RGBA: Rgba = [255, 196, 61, 255];
const NEARBY_RGBA: Rgba = [120, 200, 255, 255];
const CHOSEN_RGBA: Rgba = [255, 255, 255, 255];
/** The ring round the chosen component: the accent (--accent) the list marks it with too. */
const CHOSEN_RING_RGBA: Rgba = [56, 208, 224, 255];
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

/** The radius (pixels) of a nearby component's marker, and of the chosen one: big enough to tap with a finger. */
export const NEARBY_RADIUS_PX = 7;
export const CHOSEN_RADIUS_PX = 10;

/**
 * The components near the report's point, pickable (a tap chooses one: FIELD_LAYER.nearby); the chosen one larger
 * and white inside an accent ring, drawn last so that it stays on top.
 */
export function nearbyLayers(items: readonly NearbyPoint[], chosenId: string | null): Layer[] {
  if (!items.length) return [];
  const chosen = items.filter((c) => c.id === chosenId);
  const ordered = [...items.filter((c) => c.id !== chosenId), ...chosen];
  return [
    ...(chosen.length ? [new ScatterplotLayer<NearbyPoint>({
      id: `${FIELD_LAYER.nearby}-ring`, data: chosen,
      getPosition: (c) => [c.lon, c.lat], getRadius: CHOSEN_RADIUS_PX + 6, radiusUnits: 'pixels',
      filled: true, getFillColor: [CHOSEN_RING_RGBA[0], CHOSEN_RING_RGBA[1], CHOSEN_RING_RGBA[2], 60],
      stroked: true, getLineColor: CHOSEN_RING_RGBA, lineWidthUnits: 'pixels', getLineWidth: 2.5, pickable: false,
    })] : []),
    new ScatterplotLayer<NearbyPoint>({
      id: FIELD_LAYER.nearby, data: ordered,
      getPosition: (c) => [c.lon, c.lat],
      getRadius: (c) => (c.id === chosenId ? CHOSEN_RADIUS_PX : NEARBY_RADIUS_PX), radiusUnits: 'pixels',
      getFillColor: (c) => (c.id === chosenId ? CHOSEN_RGBA : NEARBY_RGBA),
      stroked: true, getLineColor: [10, 17, 28, 255], lineWidthUnits: 'pixels', getLineWidth: 1.5,
      pickable: true,
      updateTriggers: { getRadius: chosenId, getFillColor: chosenId },
    }),
  ];
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
