// The one live map, for camera commands from outside the map component (the street list's fly-to)
// and for widgets that listen to it (the readout). The map owns the camera: nothing copies the
// camera into React state; commands go straight to the map.
import { useSyncExternalStore } from 'react';
import type { Map as MaplibreMap } from 'maplibre-gl';
import type { MapboxOverlay } from '@deck.gl/mapbox';
import type { BBox } from '../api/types.js';

let current: MaplibreMap | null = null;
const listeners = new Set<() => void>();

/** Called by MapView once its style has loaded, and with null when it goes away; `overlay` is its deck.gl overlay
 * (for the test hook: tests pick case points through it). */
export function attachMap(map: MaplibreMap | null, overlay?: MapboxOverlay): void {
  current = map;
  if (typeof window !== 'undefined') {
    if (map) window.__gridline = { map, overlay };
    else delete window.__gridline;
  }
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The loaded map, or null before it has loaded. */
export function useMapHandle(): MaplibreMap | null {
  return useSyncExternalStore(subscribe, () => current, () => null);
}

/** Fits the map to a bbox (a street, a community, a selected object); `padding` defaults to 48 px all round. */
export function fitBox(bbox: BBox, maxZoom = 17, padding: number | { top: number; bottom: number; left: number; right: number } = 48): void {
  current?.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { padding, maxZoom, duration: 700 });
}

/** Screen space covered by panels floating over the map (the wall's case drawer), kept clear when showing a point. */
let cover = { top: 0, right: 0, bottom: 0, left: 0 };
export function setMapCover(c: Partial<typeof cover>): void { cover = { top: 0, right: 0, bottom: 0, left: 0, ...c }; }

/** Brings a point into view, clear of floating panels: eases there when it is hidden or the map is zoomed out further
 * than `minZoom`. */
export function showPoint(lon: number, lat: number, minZoom = 15): void {
  const m = current;
  if (!m) return;
  const p = m.project([lon, lat]);
  const canvas = m.getCanvas();
  const visible = p.x > cover.left + 20 && p.x < canvas.clientWidth - cover.right - 20 && p.y > cover.top + 20 && p.y < canvas.clientHeight - cover.bottom - 20;
  if (visible && m.getZoom() >= minZoom) return;
  const offset: [number, number] = [(cover.left - cover.right) / 2, (cover.top - cover.bottom) / 2];
  m.easeTo({ center: [lon, lat], zoom: Math.max(m.getZoom(), minZoom), offset, duration: 700 });
}
