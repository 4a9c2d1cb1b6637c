// Patrol → deck.gl layers (issue 9): inspectors' last positions on the wall (fresh: solid blue; stale: hollow grey)
// with their names, and one inspector's track of a day on the leader's map. Pure (state → layers).
import { PathLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { LastPosition, Track } from '../../state/patrol-store.js';
import { LABEL_FONT_SANS } from './labels.js';
import type { Rgba } from '../colors.js';

export const PATROL_LAYER = { points: 'patrol-inspectors', names: 'patrol-names', track: 'patrol-track', ends: 'patrol-track-ends' } as const;

export const PATROL_COLORS: Record<'fresh' | 'stale', { fill: Rgba; line: Rgba }> = {
  fresh: { fill: [37, 99, 235, 245], line: [255, 255, 255, 255] },
  stale: { fill: [148, 163, 184, 90], line: [100, 116, 139, 255] },
};
export const TRACK_COLOR: Rgba = [14, 165, 233, 230];

type Placed = LastPosition & { lon: number; lat: number };

/** Inspectors with a last position, stale ones drawn first (beneath). */
export function placedInspectors(positions: readonly LastPosition[]): Placed[] {
  return positions.filter((p): p is Placed => p.lon !== null && p.lat !== null)
    .sort((a, b) => (a.freshness === b.freshness ? 0 : a.freshness === 'stale' ? -1 : 1));
}

export function patrolLayers(placed: readonly Placed[]): Layer[] {
  if (!placed.length) return [];
  return [
    new ScatterplotLayer<Placed>({
      id: PATROL_LAYER.points,
      data: placed,
      pickable: true,
      stroked: true,
      filled: true,
      radiusUnits: 'pixels',
      lineWidthUnits: 'pixels',
      getPosition: (p) => [p.lon, p.lat],
      getRadius: (p) => (p.freshness === 'fresh' ? 8 : 7),
      getFillColor: (p) => PATROL_COLORS[p.freshness].fill,
      getLineColor: (p) => PATROL_COLORS[p.freshness].line,
      getLineWidth: 2,
    }),
    new TextLayer<Placed>({
      id: PATROL_LAYER.names,
      data: placed,
      pickable: false,
      characterSet: 'auto',
      fontFamily: LABEL_FONT_SANS,
      fontWeight: 'bold',
      fontSettings: { sdf: true, fontSize: 64, buffer: 10, radius: 16 },
      outlineWidth: 6,
      outlineColor: [15, 23, 42, 230],
      sizeUnits: 'pixels',
      getSize: 13,
      getColor: (p) => (p.freshness === 'fresh' ? [219, 234, 254, 255] : [203, 213, 225, 220]),
      getText: (p) => (p.display_name || p.username).split(' ')[0],
      getPosition: (p) => [p.lon, p.lat],
      getPixelOffset: [0, -18],
      getTextAnchor: 'middle',
      getAlignmentBaseline: 'bottom',
    }),
  ];
}

/** A day's track: the path and its first and last fixes. */
export function trackLayers(track: Track | null): Layer[] {
  const coords = track?.geometry?.coordinates as [number, number][] | undefined;
  if (!coords?.length) return [];
  return [
    new PathLayer<{ path: [number, number][] }>({
      id: PATROL_LAYER.track,
      data: [{ path: coords }],
      getPath: (d) => d.path,
      getColor: TRACK_COLOR,
      getWidth: 4,
      widthUnits: 'pixels',
      jointRounded: true,
      capRounded: true,
    }),
    new ScatterplotLayer<{ p: [number, number]; end: boolean }>({
      id: PATROL_LAYER.ends,
      data: [{ p: coords[0], end: false }, { p: coords[coords.length - 1], end: true }],
      pickable: true, // tests find the track's ends by picking
      radiusUnits: 'pixels',
      getPosition: (d) => d.p,
      getRadius: 6,
      stroked: true,
      lineWidthUnits: 'pixels',
      getLineWidth: 2,
      getLineColor: [255, 255, 255, 255],
      getFillColor: (d) => (d.end ? [220, 38, 38, 255] : [22, 163, 74, 255]),
    }),
  ];
}
