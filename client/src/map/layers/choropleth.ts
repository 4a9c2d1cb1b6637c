// The leader's statistics map → deck.gl layers: unit grids, communities or streets filled by cases in the period
// (count, per 10,000 m², change against the previous period) or by their Gi* hot-spot class. Pure (state → layers);
// the colour of an area is a function of its properties and the scale, computed once per answer.
import { GeoJsonLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { Feature, Geometry } from 'geojson';
import type { Choropleth, ChoroplethProps } from '../../api/leader.js';
import {
  divergingColor, HOTSPOT_COLORS, quantileBreaks, rgba, sequentialColor,
} from '../../screens/leader/scales.js';

export const CHOROPLETH_LAYER = { fill: 'leader-choropleth', selected: 'leader-choropleth-selected' } as const;

/** What the areas are coloured by. */
export type MapMetric = 'count' | 'per_10k_m2' | 'change' | 'hotspot';

/** The classes of one answer and metric: quantile breaks for count and density, the largest |change| for change. */
export type ChoroplethScale = { metric: MapMetric; breaks: number[]; maxAbs: number };

export function choroplethScale(fc: Pick<Choropleth, 'features'> | null, metric: MapMetric): ChoroplethScale {
  const props = fc?.features.map((f) => f.properties) ?? [];
  if (metric === 'change') return { metric, breaks: [], maxAbs: props.reduce((m, p) => Math.max(m, Math.abs(p.change ?? 0)), 0) };
  if (metric === 'hotspot') return { metric, breaks: [], maxAbs: 0 };
  return { metric, breaks: quantileBreaks(props.map((p) => (metric === 'count' ? p.count : p.per_10k_m2))), maxAbs: 0 };
}

/** The fill colour (#rrggbb) of an area under a scale. */
export function areaColor(p: ChoroplethProps, scale: ChoroplethScale): string {
  switch (scale.metric) {
    case 'count': return sequentialColor(p.count, scale.breaks);
    case 'per_10k_m2': return sequentialColor(p.per_10k_m2, scale.breaks);
    case 'change': return divergingColor(p.change, scale.maxAbs);
    case 'hotspot': return HOTSPOT_COLORS[p.hotspot] ?? HOTSPOT_COLORS.none;
  }
}

type AreaFeature = Feature<Geometry, ChoroplethProps>;

export function choroplethLayers(fc: Choropleth | null, scale: ChoroplethScale, selectedCode: string | null): Layer[] {
  if (!fc) return [];
  const fine = fc.features.length > 400; // thin outlines where the areas are small (unit grids)
  const layers: Layer[] = [
    new GeoJsonLayer<ChoroplethProps>({
      id: CHOROPLETH_LAYER.fill,
      data: fc.features as AreaFeature[],
      filled: true,
      stroked: true,
      pickable: true,
      autoHighlight: true,
      highlightColor: [255, 255, 255, 60],
      getFillColor: (f) => rgba(areaColor((f as AreaFeature).properties, scale), 205),
      getLineColor: [10, 17, 28, 200],
      lineWidthUnits: 'pixels',
      getLineWidth: fine ? 0.5 : 1.2,
      updateTriggers: { getFillColor: [scale.metric, scale.breaks.join(','), scale.maxAbs] },
    }),
  ];
  const selected = selectedCode ? fc.features.filter((f) => f.properties.code === selectedCode) : [];
  if (selected.length) {
    layers.push(new GeoJsonLayer<ChoroplethProps>({
      id: CHOROPLETH_LAYER.selected,
      data: selected as AreaFeature[],
      filled: false,
      stroked: true,
      getLineColor: [255, 216, 77, 255],
      lineWidthUnits: 'pixels',
      getLineWidth: 3,
    }));
  }
  return layers;
}
