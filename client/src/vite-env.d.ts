/// <reference types="vite/client" />
import type { Map as MaplibreMap } from 'maplibre-gl';

declare global {
  interface Window {
    /** Test hook: the live maplibre map (tests/browser). */
    __gridline?: { map: MaplibreMap };
  }
}
