// Cases → deck.gl layers for the wall map. Pure (state → layers): rebuilt on every change and every animation frame;
// deck.gl diffs by id. The pulse only changes layer props (radiusScale, opacity), never the data, so a frame costs a
// redraw and no attribute update.
import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { CaseSummary, Light } from '../../api/types.js';
import { CASE_RING_COLORS, hexToRgba, lightColor, type Rgba } from '../colors.js';
import type { Spot, SpotView } from '../case-spots.js';
import { LABEL_FONT_SANS } from './labels.js';

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
  if (fresh.length) out.push(flashRing(fresh, phase));
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
  if (selected.length) out.push(selectedRing(selected));
  return out;
}

/** The expanding ring over newly reported cases, twice as fast as the red pulse; `scale` multiplies its pixels. */
export function flashRing(fresh: readonly CaseSummary[], phase: number, scale = 1): Layer {
  const p = (phase * 2) % 1;
  return new ScatterplotLayer<CaseSummary>({
    id: CASE_LAYER.flash,
    data: fresh,
    getPosition: (c) => [c.lon, c.lat],
    getRadius: 10,
    radiusUnits: 'pixels',
    radiusScale: scale * (1 + 2.2 * p),
    opacity: 1 - p,
    stroked: true,
    filled: false,
    getLineColor: hexToRgba(CASE_RING_COLORS.flash, 255),
    lineWidthUnits: 'pixels',
    getLineWidth: 3 * scale,
    pickable: false,
  });
}

/** The ring round the open case. */
export function selectedRing(selected: readonly CaseSummary[], scale = 1): Layer {
  return new ScatterplotLayer<CaseSummary>({
    id: CASE_LAYER.selected,
    data: selected,
    getPosition: (c) => [c.lon, c.lat],
    getRadius: 13,
    radiusUnits: 'pixels',
    radiusScale: scale,
    stroked: true,
    filled: false,
    getLineColor: hexToRgba(CASE_RING_COLORS.selected, 255),
    lineWidthUnits: 'pixels',
    getLineWidth: 3 * scale,
    pickable: false,
  });
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

// ---- The wall: spots (map/case-spots.ts) ------------------------------------------------------------------------

/** Layer ids of the wall's spots (fixed; the click handler and tests use them). */
export const SPOT_LAYER = {
  pulse: 'case-spots-pulse',
  urged: 'case-spots-urged',
  points: 'case-spots',
  counts: 'case-spot-counts',
} as const;

/** Screen pixels of one spot cell at scale 1: markers closer than this share a spot. */
export const SPOT_CELL_PX = 48;

const SINGLE_RADIUS: Record<Light | 'none', number> = { red: 9, yellow: 8, green: 7, none: 7 };

/** Radius of a spot at scale 1: a case by its light; a cluster by its count, never past the cell's half minus a
 * single marker, so that neighbouring spots never cover each other. */
export function spotRadius(s: Pick<Spot, 'count' | 'worst'>): number {
  if (s.count === 0) return 0;
  if (s.count === 1) return SINGLE_RADIUS[s.worst ?? 'none'];
  return Math.min(SPOT_CELL_PX / 2 - SINGLE_RADIUS.red, 12 + Math.log2(s.count));
}

const HIDDEN: Rgba = [0, 0, 0, 0];
const SPOT_LINE: Rgba = [10, 17, 28, 255];
const CLUSTER_LINE: Rgba = [255, 255, 255, 235];
const spotPosition = (s: Spot): [number, number] => [s.lon, s.lat];
/** Fill per light, made once (the accessors run for 100,000 rows on a rebuild). */
const SPOT_FILL: Record<Light | 'none', Rgba> = {
  red: hexToRgba(lightColor('red'), 245), yellow: hexToRgba(lightColor('yellow'), 245),
  green: hexToRgba(lightColor('green'), 245), none: hexToRgba(lightColor(null), 245),
};
const PULSE_FILL = hexToRgba(lightColor('red'), 50);
const PULSE_LINE = hexToRgba(lightColor('red'), 255);
const URGED_LINE = hexToRgba(CASE_RING_COLORS.urged, 255);

/**
 * The wall's spot layers over one view of the spots (the same rows for each; a one-spot change is in the view's
 * `__diff`, so deck.gl recomputes one row of each layer): red pulse, urged ring, the spots, their counts. `counts` is
 * the clusters' array (rebuilt only when a count changes); `scale` the wall's type scale (1 at 1920 px wide).
 */
export function spotLayers(view: SpotView, counts: readonly Spot[], phase: number, scale: number, hasRed: boolean): Layer[] {
  const out: Layer[] = [];
  if (hasRed) {
    out.push(new ScatterplotLayer<Spot>({
      id: SPOT_LAYER.pulse,
      data: view,
      getPosition: spotPosition,
      getRadius: (s) => (s.worst === 'red' && s.count ? spotRadius(s) + 2 : 0),
      radiusUnits: 'pixels',
      radiusScale: scale * (1 + 1.2 * phase),
      opacity: 0.85 * (1 - phase),
      stroked: true,
      filled: true,
      getFillColor: (s) => (s.worst === 'red' && s.count ? PULSE_FILL : HIDDEN),
      getLineColor: (s) => (s.worst === 'red' && s.count ? PULSE_LINE : HIDDEN),
      lineWidthUnits: 'pixels',
      getLineWidth: (s) => (s.worst === 'red' && s.count ? 2 * scale : 0),
      pickable: false,
    }));
  }
  out.push(new ScatterplotLayer<Spot>({
    id: SPOT_LAYER.urged,
    data: view,
    getPosition: spotPosition,
    getRadius: (s) => (s.urged && s.count ? spotRadius(s) + 4 : 0),
    radiusUnits: 'pixels',
    radiusScale: scale,
    stroked: true,
    filled: false,
    getLineColor: (s) => (s.urged && s.count ? URGED_LINE : HIDDEN),
    lineWidthUnits: 'pixels',
    getLineWidth: (s) => (s.urged && s.count ? 2.5 * scale : 0),
    pickable: false,
  }));
  out.push(new ScatterplotLayer<Spot>({
    id: SPOT_LAYER.points,
    data: view,
    getPosition: spotPosition,
    getRadius: spotRadius,
    radiusUnits: 'pixels',
    radiusScale: scale,
    getFillColor: (s) => (s.count ? SPOT_FILL[s.worst ?? 'none'] : HIDDEN),
    stroked: true,
    getLineColor: (s) => (s.count > 1 ? CLUSTER_LINE : s.count ? SPOT_LINE : HIDDEN),
    lineWidthUnits: 'pixels',
    getLineWidth: (s) => (s.count > 1 ? 2 * scale : s.count ? 1.5 * scale : 0),
    pickable: true,
    autoHighlight: true,
    highlightColor: [255, 255, 255, 90],
    // No updateTriggers: a change arrives as a new view whose __diff names the changed rows (deck.gl _dataDiff).
  }));
  if (counts.length) {
    out.push(new TextLayer<Spot>({
      id: SPOT_LAYER.counts,
      data: counts,
      characterSet: '0123456789',
      fontFamily: LABEL_FONT_SANS,
      fontWeight: 'bold',
      fontSettings: { sdf: true, fontSize: 64, buffer: 8, radius: 12 },
      outlineWidth: 4,
      outlineColor: [10, 17, 28, 220],
      sizeUnits: 'pixels',
      getSize: (s) => (s.count >= 100 ? 13 : 15) * scale,
      getColor: [255, 255, 255, 255],
      getText: (s) => String(s.count),
      getPosition: spotPosition,
      getTextAnchor: 'middle',
      getAlignmentBaseline: 'center',
      pickable: false,
    }));
  }
  return out;
}
