/// <reference types="vite/client" />
import type { Map as MaplibreMap } from 'maplibre-gl';
import type { MapboxOverlay } from '@deck.gl/mapbox';

declare global {
  interface Window {
    /** Test hook: the live maplibre map and its deck.gl overlay (tests/browser). */
    __gridline?: { map: MaplibreMap; overlay?: MapboxOverlay };
  }
}
