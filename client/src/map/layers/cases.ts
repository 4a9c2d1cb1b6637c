// Cases → deck.gl layers for the wall map. Pure (state → layers): rebuilt on every change and every animation frame;
// deck.gl diffs by id. The pulse only changes layer props (radiusScale, opacity), never the data, so a frame costs a
// redraw and no attribute update.
import { ScatterplotLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { CaseSummary } from '../../api/types.js';
import { CASE_RING_COLORS, hexToRgba, lightColor, type Rgba } from '../colors.js';

/** Layer ids (fixed; the map's click handler and tests use them). */
export const CASE_LAYER = {
  pulse: 'cases-pulse',
  flash: 'cases-flash',
  urged: 'cases-urged',
  points: 'cases',
  selected: 'cases-selected',
  marker: 'report-point',
} as const;

/** Radius of a case point in pixels, by light: overdue cases stand out. */
export function caseRadius(c: Pick<CaseSummary, 'light'>): number {
  return c.light === 'red' ? 7 : c.light === 'yellow' ? 6 : 5;
}

export function caseFill(c: Pick<CaseSummary, 'light'>): Rgba {
  return hexToRgba(lightColor(c.light), 240);
}

/** The cases split into what each layer draws. Made once per change of the cases (not per animation frame), so that
 * every layer keeps the same data array between frames and deck.gl updates no attributes. */
export type CaseGroups = {
  all: readonly CaseSummary[];
  red: readonly CaseSummary[];
  /** Newly reported cases (flashing). */
  fresh: readonly CaseSummary[];
  urged: readonly CaseSummary[];
  selected: readonly CaseSummary[];
};

export function groupCases(cases: readonly CaseSummary[], selectedId: string | null, flash: Readonly<Record<string, number>>): CaseGroups {
  return {
    all: cases,
    red: cases.filter((c) => c.light === 'red'),
    fresh: cases.filter((c) => flash[c.id] !== undefined),
    urged: cases.filter((c) => c.urged),
    selected: selectedId ? cases.filter((c) => c.id === selectedId) : [],
  };
}

/**
 * The case layers, bottom to top: red pulse, new-case flash, urged ring, the points, the selection ring. Empty
 * groups give no layer. `phase` in [0, 1) drives the pulse.
 */
export function caseLayers(g: CaseGroups, phase: number, pickable = true): Layer[] {
  const out: Layer[] = [];
  const { red, fresh, urged, selected } = g;
  const position = (c: CaseSummary): [number, number] => [c.lon, c.lat];

  if (red.length) {
    out.push(new ScatterplotLayer<CaseSummary>({
      id: CASE_LAYER.pulse,
      data: red,
      getPosition: position,
      getRadius: 8,
      radiusUnits: 'pixels',
      radiusScale: 1 + 1.6 * phase,
      opacity: 0.85 * (1 - phase),
      stroked: true,
      filled: true,
      getFillColor: hexToRgba(lightColor('red'), 50),
      getLineColor: hexToRgba(lightColor('red'), 255),
      lineWidthUnits: 'pixels',
      getLineWidth: 2,
      pickable: false,
    }));
  }
  if (fresh.length) {
    const p = (phase * 2) % 1; // twice as fast as the red pulse
    out.push(new ScatterplotLayer<CaseSummary>({
      id: CASE_LAYER.flash,
      data: fresh,
      getPosition: position,
      getRadius: 10,
      radiusUnits: 'pixels',
      radiusScale: 1 + 2.2 * p,
      opacity: 1 - p,
      stroked: true,
      filled: false,
      getLineColor: hexToRgba(CASE_RING_COLORS.flash, 255),
      lineWidthUnits: 'pixels',
      getLineWidth: 3,
      pickable: false,
    }));
  }
  if (urged.length) {
    out.push(new ScatterplotLayer<CaseSummary>({
      id: CASE_LAYER.urged,
      data: urged,
      getPosition: position,
      getRadius: 11,
      radiusUnits: 'pixels',
      stroked: true,
      filled: false,
      getLineColor: hexToRgba(CASE_RING_COLORS.urged, 255),
      lineWidthUnits: 'pixels',
      getLineWidth: 2.5,
      pickable: false,
    }));
  }
  out.push(new ScatterplotLayer<CaseSummary>({
    id: CASE_LAYER.points,
    data: g.all,
    getPosition: position,
    getRadius: caseRadius,
    getFillColor: caseFill,
    radiusUnits: 'pixels',
    stroked: true,
    getLineColor: [10, 17, 28, 255],
    lineWidthUnits: 'pixels',
    getLineWidth: 1.5,
    pickable,
    autoHighlight: pickable,
    highlightColor: [255, 255, 255, 90],
    // The data array is new whenever a case changes (the store never mutates in place), so the accessors need no
    // updateTriggers; `light` is part of each datum.
  }));
  if (selected.length) {
    out.push(new ScatterplotLayer<CaseSummary>({
      id: CASE_LAYER.selected,
      data: selected,
      getPosition: position,
      getRadius: 13,
      radiusUnits: 'pixels',
      stroked: true,
      filled: false,
      getLineColor: hexToRgba(CASE_RING_COLORS.selected, 255),
      lineWidthUnits: 'pixels',
      getLineWidth: 3,
      pickable: false,
    }));
  }
  return out;
}

/** The inspector's chosen report point (a one-element array, kept by the caller between frames): a target marker. */
export function reportPointLayers(points: readonly { lon: number; lat: number }[], phase: number): Layer[] {
  if (!points.length) return [];
  return [
    new ScatterplotLayer<{ lon: number; lat: number }>({
      id: `${CASE_LAYER.marker}-pulse`,
      data: points,
      getPosition: (p) => [p.lon, p.lat],
      getRadius: 10,
      radiusUnits: 'pixels',
      radiusScale: 1 + phase,
      opacity: 1 - phase,
      stroked: true,
      filled: false,
      getLineColor: hexToRgba(CASE_RING_COLORS.selected, 255),
      lineWidthUnits: 'pixels',
      getLineWidth: 2,
    }),
    new ScatterplotLayer<{ lon: number; lat: number }>({
      id: CASE_LAYER.marker,
      data: points,
      getPosition: (p) => [p.lon, p.lat],
      getRadius: 7,
      radiusUnits: 'pixels',
      getFillColor: hexToRgba(CASE_RING_COLORS.selected, 255),
      stroked: true,
      getLineColor: [10, 17, 28, 255],
      lineWidthUnits: 'pixels',
      getLineWidth: 2,
    }),
  ];
}
