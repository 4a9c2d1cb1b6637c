// The one live map, for camera commands from outside the map component (the street list's fly-to)
// and for widgets that listen to it (the readout). The map owns the camera: nothing copies the
// camera into React state; commands go straight to the map.
import { useSyncExternalStore } from 'react';
import type { Map as MaplibreMap } from 'maplibre-gl';
import type { BBox } from '../api/types.js';

let current: MaplibreMap | null = null;
const listeners = new Set<() => void>();

/** Called by MapView once its style has loaded, and with null when it goes away. */
export function attachMap(map: MaplibreMap | null): void {
  current = map;
  if (typeof window !== 'undefined') {
    if (map) window.__gridline = { map };
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

/** Fits the map to a bbox (a street, a community, a selected object). */
export function fitBox(bbox: BBox, maxZoom = 17): void {
  current?.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { padding: 48, maxZoom, duration: 700 });
}
