// What a click on the map means, decided from the features under the pointer. Pure.
import type { Geometry } from 'geojson';
import { LAYER, COMPONENT_DETAIL_MINZOOM, GRID_DETAIL_MINZOOM } from './style.js';
import type { Target } from '../state/selection-store.js';

export type PickFeature = { layer: { id: string }; geometry: Geometry; properties: Record<string, unknown> | null };

export type ClickAction =
  | { kind: 'select'; target: Target }
  | { kind: 'zoom'; center: [number, number]; zoom: number }
  | { kind: 'locate' }
  | { kind: 'clear' };

/** Codes can arrive as numbers from some tile encoders; ids longer than 15 digits cannot survive that. */
export function codeString(v: unknown, digits: number): string | null {
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v).padStart(digits, '0');
  return null;
}

/**
 * Decides a click: a component beats a cluster beats a grid; a cluster or an aggregated community
 * zooms in; a click on nothing at a grid-level zoom asks the server which grid is there (the grids
 * layer may be hidden), otherwise clears the selection.
 */
export function decideClick(features: readonly PickFeature[], at: [number, number], zoom: number): ClickAction {
  const on = (id: string) => features.find((f) => f.layer.id === id);
  const component = on(LAYER.components);
  if (component) {
    const id = codeString(component.properties?.id, 17);
    if (id) return { kind: 'select', target: { kind: 'component', id } };
  }
  const cluster = on(LAYER.clusters);
  if (cluster) {
    const center: [number, number] = cluster.geometry.type === 'Point'
      ? [cluster.geometry.coordinates[0], cluster.geometry.coordinates[1]] : at;
    return { kind: 'zoom', center, zoom: Math.max(COMPONENT_DETAIL_MINZOOM + 0.5, Math.min(zoom + 2, 18)) };
  }
  const grid = on(LAYER.gridsFill);
  if (grid) {
    const code = codeString(grid.properties?.code, 15);
    if (code) return { kind: 'select', target: { kind: 'grid', code } };
  }
  if (on(LAYER.aggregatedFill)) return { kind: 'zoom', center: at, zoom: Math.max(GRID_DETAIL_MINZOOM + 1.5, zoom + 2) };
  if (zoom >= GRID_DETAIL_MINZOOM) return { kind: 'locate' };
  return { kind: 'clear' };
}
