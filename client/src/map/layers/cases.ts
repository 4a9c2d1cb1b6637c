// Cases → deck.gl layers. The case layers are pure (state → layers): rebuilt on every change and every animation
// frame; deck.gl diffs by id. The pulse only changes layer props (radiusScale, opacity), never the data, so a frame
// costs a redraw and no attribute update. The wall's spot layers (SpotLayerSet, 100,000 cases) are kept instances whose
// changed rows are invalidated in place.
import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { CaseSummary, Light } from '../../api/types.js';
import { CASE_RING_COLORS, hexToRgba, lightColor, type Rgba } from '../colors.js';
import { toWorld, type Spot } from '../case-spots.js';
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

/** The layers' changed rows as deck.gl attribute ranges (endRow exclusive): runs of consecutive rows merged. */
export function rowRanges(rows: readonly number[]): { startRow: number; endRow: number }[] {
  const out: { startRow: number; endRow: number }[] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last && r === last.endRow) last.endRow = r + 1;
    else if (!last || r > last.endRow) out.push({ startRow: r, endRow: r + 1 });
  }
  return out;
}

/** What restyle needs of a deck.gl layer (its attribute manager once deck.gl has initialised it). */
type Live = Pick<Layer, 'getAttributeManager' | 'setNeedsUpdate'>;

/** A spot's look in each layer, split by the attributes it feeds: each part a number (equal numbers: the same
 * attribute values, 0 draws nothing) and the accessors whose attributes it feeds. A change of light in a cluster
 * changes its fill and nothing else, so only the fill colour's attribute is recomputed for that row. */
type Part = { accessors: readonly string[]; key: (s: Spot) => number };
const RANK = { red: 3, yellow: 2, green: 1 } as const;
const lineClass = (s: Spot): number => (s.count > 1 ? 2 : s.count ? 1 : 0);
const isRed = (s: Spot): boolean => s.count > 0 && s.worst === 'red';
const isUrged = (s: Spot): boolean => s.count > 0 && s.urged;
const PARTS = {
  point: [
    { accessors: ['getRadius'], key: (s) => spotRadius(s) },
    { accessors: ['getFillColor'], key: (s) => (s.count ? 1 + (s.worst ? RANK[s.worst] : 0) : 0) },
    { accessors: ['getLineColor', 'getLineWidth'], key: lineClass },
  ],
  pulse: [
    { accessors: ['getRadius'], key: (s) => (isRed(s) ? 1 + spotRadius(s) : 0) },
    { accessors: ['getFillColor', 'getLineColor', 'getLineWidth'], key: (s) => (isRed(s) ? 1 : 0) },
  ],
  urged: [
    { accessors: ['getRadius'], key: (s) => (isUrged(s) ? 1 + spotRadius(s) : 0) },
    { accessors: ['getLineColor', 'getLineWidth'], key: (s) => (isUrged(s) ? 1 : 0) },
  ],
} satisfies Record<string, Part[]>;
type LayerKey = keyof typeof PARTS;
const LAYER_KEYS = Object.keys(PARTS) as LayerKey[];

/** The map's view for the spot layers: the viewport's bounds and the spots' grid (CaseSpots' level and cellPx). */
export type SpotView = { west: number; south: number; east: number; north: number; level: number; cellPx: number };

/** A rectangle in world pixels at a zoom level: [x0, y0, x1, y1]. */
type Rect = [number, number, number, number];

function viewRect(v: SpotView): Rect {
  const [x0, y0] = toWorld(v.west, v.north, v.level);
  const [x1, y1] = toWorld(v.east, v.south, v.level);
  return [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)];
}

/** Cells held beyond the held rectangle's edge: a spot straddling it (its marker, its widest pulse ring) is held. */
const EDGE_CELLS = 2;
/** The held rectangle: the view grown by this many views on each side (half: a pan of up to half the view changes
 * nothing; the layers hold four views' area, not nine — the wall seldom pans, every frame draws what is held). */
export const SPOT_MARGIN_VIEWS = 0.5;

/**
 * The wall's spot layers, bottom to top: red pulse, urged ring (only while a spot is urged), the spots, their counts.
 * They hold only the spots near the view (`build`'s view): those whose cell, widened by two cells (a marker or pulse
 * straddling the edge), meets the view grown by half a view on each side, so that small pans change nothing; `setView`
 * makes a new subset when the view leaves that margin. A spot outside it costs nothing to restyle (the caller's
 * CaseSpots still has it; it is drawn when the view comes near).
 * Built once per set of spots (a rebuild, a new scale, a new subset) and then kept: the same layer instances go to
 * deck.gl at every frame, so deck.gl matches them without comparing props and updates nothing. A one-case change
 * restyles its spot in place (CaseSpots.update) and `restyle` invalidates just those rows of just the attributes whose
 * values changed (a cluster's new light: its fill colour in the spots layer): at deck.gl's next frame the accessors
 * run for those rows only and only those bytes go to the GPU; no layer is made, matched or diffed, and no layer ever
 * gets a new data array for a change. The pulse has the same rows as the spots (the held spots; a spot that is not
 * red is drawn at radius 0, nothing), so a spot turning red or stopping being red is a row of it invalidated like any
 * other. Its radius and opacity are props: it is a new instance per animation frame, a clone sharing its state, and
 * it stays in the frame while no held spot is red, hidden (`visible: false`: not drawn, and not finalised by deck.gl,
 * so a red spot coming back costs its rows and not every attribute anew). `scale` is the wall's type scale.
 */
export class SpotLayerSet {
  private pulse: ScatterplotLayer<Spot> | null = null;
  /** Pulse instances deck.gl may hold the state of (the built one, the last two clones: they share one). */
  private pulses: ScatterplotLayer<Spot>[] = [];
  private urged: ScatterplotLayer<Spot> | null = null;
  private points: ScatterplotLayer<Spot> | null = null;
  private counts: TextLayer<Spot> | null = null;
  private scale = 1;
  /** Every spot (the caller's rows: restyle's row numbers index this). */
  private all: readonly Spot[] = [];
  /** The held spots, in the order of `all` (red last): the rows of every spot layer. */
  private spots: readonly Spot[] = [];
  /** Held row of each spot of `all` (-1: not held). */
  private rowOf = new Int32Array(0);
  /** The view the subset was chosen for (null: every spot held) and the held rectangle (world pixels at its level). */
  private view: SpotView | null = null;
  private heldRect: Rect | null = null;
  /** What each row draws now, per layer and part (PARTS), and where: restyle compares against these and invalidates
   * only the attributes whose rows look different. */
  private drawn: Record<LayerKey, Float64Array[]> & { lon: Float64Array; lat: Float64Array; count: Float64Array } = SpotLayerSet.drawnFor([]);
  /** Rows the urged ring draws (0: the ring is left out of the frame, one draw call less). */
  private urgedRows = 0;
  /** Rows the pulse draws (red held spots; 0: the pulse is hidden and the wall stops animating). */
  private redRows = 0;

  private static drawnFor(spots: readonly Spot[]): SpotLayerSet['drawn'] {
    const n = spots.length;
    const parts = (layer: LayerKey) => PARTS[layer].map((p: Part) => {
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) keys[i] = p.key(spots[i]);
      return keys;
    });
    const lon = new Float64Array(n);
    const lat = new Float64Array(n);
    const count = new Float64Array(n);
    for (let i = 0; i < n; i++) { lon[i] = spots[i].lon; lat[i] = spots[i].lat; count[i] = spots[i].count; }
    return { point: parts('point'), pulse: parts('pulse'), urged: parts('urged'), lon, lat, count };
  }

  /** Whether the frame has the urged ring (some held spot is urged). */
  get hasUrged(): boolean { return this.urgedRows > 0; }
  /** Whether the pulse draws a spot (some held spot is red): the wall animates only then. */
  get hasRed(): boolean { return this.redRows > 0; }
  /** The held spots (the rows of every spot layer). */
  get held(): readonly Spot[] { return this.spots; }
  /** The spots the pulse draws (the red held spots; its other rows draw nothing). */
  get pulsing(): readonly Spot[] { return this.spots.filter(isRed); }

  /** Whether the held subset still serves `view`: the view lies inside the held rectangle, at the same grid. */
  covers(view: SpotView | null): boolean {
    if (!this.view || !this.heldRect) return view === null; // holding every spot: a first view chooses a subset
    if (!view || view.level !== this.view.level || view.cellPx !== this.view.cellPx) return false;
    const [x0, y0, x1, y1] = viewRect(view);
    const [h0, k0, h1, k1] = this.heldRect;
    return x0 >= h0 && y0 >= k0 && x1 <= h1 && y1 <= k1;
  }

  /** A new view: the same layers while the held subset covers it (answers false); else new layers over the spots near
   * it (answers true: the caller hands deck.gl the new instances). */
  setView(view: SpotView | null): boolean {
    if (this.covers(view)) return false;
    this.build(this.all, null, this.scale, view);
    return true;
  }

  /** New layers over a new array of spots (every attribute computed at deck.gl's next update), holding those near
   * `view` (null: all of them). `clusters` are the count labels' spots (null: the held spots of more than one case). */
  build(spots: readonly Spot[], clusters: readonly Spot[] | null, scale: number, view: SpotView | null = null): void {
    this.scale = scale;
    this.all = spots;
    this.view = view;
    this.rowOf = new Int32Array(spots.length).fill(-1);
    let held: Spot[];
    if (view) {
      const [x0, y0, x1, y1] = viewRect(view);
      const w = (x1 - x0) * SPOT_MARGIN_VIEWS;
      const h = (y1 - y0) * SPOT_MARGIN_VIEWS;
      this.heldRect = [x0 - w, y0 - h, x1 + w, y1 + h];
      const [h0, k0, h1, k1] = this.heldRect;
      const reach = view.cellPx / 2 + EDGE_CELLS * view.cellPx; // the cell's half and the edge cells
      held = [];
      for (let i = 0; i < spots.length; i++) {
        const s = spots[i];
        const [cx, cy] = toWorld(s.cellLon, s.cellLat, view.level);
        if (cx + reach < h0 || cx - reach > h1 || cy + reach < k0 || cy - reach > k1) continue;
        this.rowOf[i] = held.length;
        held.push(s);
      }
    } else {
      this.heldRect = null;
      held = [...spots];
      for (let i = 0; i < spots.length; i++) this.rowOf[i] = i;
    }
    this.spots = held;
    this.drawn = SpotLayerSet.drawnFor(held);
    this.urgedRows = 0;
    this.redRows = 0;
    for (const s of held) { if (isUrged(s)) this.urgedRows++; if (isRed(s)) this.redRows++; }
    this.pulse = new ScatterplotLayer<Spot>({
      id: SPOT_LAYER.pulse,
      data: held,
      getPosition: spotPosition,
      getRadius: (s) => (isRed(s) ? spotRadius(s) + 2 : 0),
      radiusUnits: 'pixels',
      radiusScale: scale,
      stroked: true,
      filled: true,
      getFillColor: (s) => (isRed(s) ? PULSE_FILL : HIDDEN),
      getLineColor: (s) => (isRed(s) ? PULSE_LINE : HIDDEN),
      lineWidthUnits: 'pixels',
      getLineWidth: (s) => (isRed(s) ? 2 * scale : 0),
      pickable: false,
    });
    this.pulses = [this.pulse];
    this.urged = new ScatterplotLayer<Spot>({
      id: SPOT_LAYER.urged,
      data: held,
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
    });
    this.points = new ScatterplotLayer<Spot>({
      id: SPOT_LAYER.points,
      data: held,
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
      // No updateTriggers and never new data for a change: restyle() invalidates the changed rows.
    });
    if (clusters && !view) this.setCounts(clusters);
    else if (clusters) { const kept = new Set(held); this.setCounts(clusters.filter((s) => kept.has(s))); }
    else this.setCounts(held.filter((s) => s.count > 1));
  }

  /** New count labels over `clusters` (the held spots of more than one case). */
  setCounts(clusters: readonly Spot[]): void {
    const scale = this.scale;
    this.counts = clusters.length ? new TextLayer<Spot>({
      id: SPOT_LAYER.counts,
      data: clusters,
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
    }) : null;
  }

  /**
   * Spots restyled in place (CaseSpots.update's rows, indexes of the built spots): spots not held are skipped (nothing
   * to do); in each spot layer, the attributes whose values changed for a held row (a light that changes nothing in
   * the urged ring leaves that layer alone; a cluster's new light only its fill; a spot turning red or leaving red
   * its rows of the pulse) are recomputed for those rows at deck.gl's next update, nothing else; no layer gets new
   * data. A held spot's new count: new count labels. Layers deck.gl has not initialised yet compute every row then
   * anyway. Answers whether the frame's list of layers changed (the urged ring came or went, new count labels): then
   * the caller hands deck.gl the new list.
   */
  restyle(rows: readonly number[]): boolean {
    const d = this.drawn;
    const moved: number[] = [];
    const changed: Record<LayerKey, number[][]> = { point: [[], [], []], pulse: [[], []], urged: [[], []] };
    const hadUrged = this.urgedRows > 0;
    let countsChanged = false;
    for (const at of rows) {
      const r = this.rowOf[at] ?? -1;
      if (r < 0) continue; // not held: drawn when the view comes near
      const s = this.spots[r];
      if (s.lon !== d.lon[r] || s.lat !== d.lat[r]) { moved.push(r); d.lon[r] = s.lon; d.lat[r] = s.lat; }
      if (s.count !== d.count[r]) { countsChanged = true; d.count[r] = s.count; }
      for (const layer of LAYER_KEYS) {
        const parts: readonly Part[] = PARTS[layer];
        for (let p = 0; p < parts.length; p++) {
          const key = parts[p].key(s);
          if (key !== d[layer][p][r]) {
            if (layer === 'urged' && p === 1) this.urgedRows += key ? 1 : -1;
            if (layer === 'pulse' && p === 1) this.redRows += key ? 1 : -1;
            changed[layer][p].push(r);
            d[layer][p][r] = key;
          }
        }
      }
    }
    const hasUrged = this.urgedRows > 0;
    // The ring comes back as a new instance: deck.gl cannot take back a layer it finalised when it left the frame.
    if (hasUrged && !hadUrged && this.urged) this.urged = this.urged.clone({});
    const apply = (layers: readonly Live[], key: LayerKey) => {
      const parts: readonly Part[] = PARTS[key];
      const ranges = changed[key].map(rowRanges);
      const movedRanges = rowRanges(moved);
      if (!movedRanges.length && ranges.every((r) => !r.length)) return;
      const done = new Set<unknown>();
      for (const layer of layers) {
        const attributes = layer.getAttributeManager();
        if (!attributes || done.has(attributes)) continue; // the pulse's clones share one
        done.add(attributes);
        parts.forEach((part, p) => { for (const range of ranges[p]) for (const a of part.accessors) attributes.invalidate(a, range); });
        for (const range of movedRanges) attributes.invalidate('getPosition', range);
        layer.setNeedsUpdate();
      }
    };
    apply(this.points ? [this.points] : [], 'point');
    apply(this.pulses, 'pulse'); // in the frame even while hidden: deck.gl holds its state
    apply(this.urged && (hasUrged || hadUrged) ? [this.urged] : [], 'urged'); // out of the frame: nothing to tell
    if (countsChanged) this.setCounts(this.spots.filter((s) => s.count > 1));
    return hasUrged !== hadUrged || countsChanged;
  }

  /** The layers to draw at pulse `phase` in [0, 1): the kept instances, the pulse a clone (drawn only while a held
   * spot is red; the caller's `hasRed` may only turn it off; hidden, it stays in the list so deck.gl keeps its
   * state), the urged ring only while a held spot is urged. */
  frame(phase: number, hasRed = true): Layer[] {
    const out: Layer[] = [];
    if (this.pulse) {
      const pulse = this.pulse.clone({ radiusScale: this.scale * (1 + 1.2 * phase), opacity: 0.85 * (1 - phase), visible: hasRed && this.redRows > 0 });
      this.pulses = [this.pulses[0], this.pulses[this.pulses.length - 1], pulse];
      out.push(pulse);
    }
    if (this.urged && this.urgedRows > 0) out.push(this.urged);
    if (this.points) out.push(this.points);
    if (this.counts) out.push(this.counts);
    return out;
  }
}
