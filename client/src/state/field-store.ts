// What the inspector sees around a point before reporting (issue 9): the nearest street address and grid, the
// components within about 30 m, the inspector's own responsibility grids and the last position fix. Answers for a
// point the inspector has since moved away from are dropped; a failed look-up is a state, never the server's text.
import { create } from 'zustand';
import { prefetchGridTiles } from './offline-tiles.js';
import { fetchMyGrids, fetchNearComponents, fetchNearestPlace, type NearComponent, type NearestPlace, type PatrolCollection } from '../api/field.js';

export type LookupStatus = 'idle' | 'loading' | 'ready' | 'error';

type FieldState = {
  /** The point the look-ups below are for. */
  at: { lon: number; lat: number } | null;
  place: NearestPlace | null;
  placeStatus: LookupStatus;
  nearby: NearComponent[];
  nearbyStatus: LookupStatus;
  myGrids: PatrolCollection | null;
  /** The last position fix of the device (WGS84). */
  position: { lon: number; lat: number; accuracy_m?: number } | null;
};

export const useField = create<FieldState>()(() => ({
  at: null, place: null, placeStatus: 'idle', nearby: [], nearbyStatus: 'idle', myGrids: null, position: null,
}));

export const selectPlace = (s: FieldState) => s.place;
export const selectPlaceStatus = (s: FieldState) => s.placeStatus;
export const selectNearby = (s: FieldState) => s.nearby;
export const selectNearbyStatus = (s: FieldState) => s.nearbyStatus;
export const selectMyGrids = (s: FieldState) => s.myGrids;
export const selectPosition = (s: FieldState) => s.position;

export type LookupDeps = {
  place: (lon: number, lat: number) => Promise<NearestPlace>;
  near: (lon: number, lat: number) => Promise<{ items: NearComponent[] }>;
};
const LOOKUP: LookupDeps = { place: (lon, lat) => fetchNearestPlace(lon, lat), near: (lon, lat) => fetchNearComponents(lon, lat, 30) };

/** Looks up the address, grid and nearby components of a point (both at once); a newer point wins. */
export async function lookUpPoint(lon: number, lat: number, deps: LookupDeps = LOOKUP): Promise<void> {
  const at = { lon, lat };
  useField.setState({ at, place: null, placeStatus: 'loading', nearby: [], nearbyStatus: 'loading' });
  const current = () => useField.getState().at === at;
  await Promise.all([
    deps.place(lon, lat).then(
      (place) => { if (current()) useField.setState({ place, placeStatus: 'ready' }); },
      () => { if (current()) useField.setState({ placeStatus: 'error' }); }),
    deps.near(lon, lat).then(
      (r) => { if (current()) useField.setState({ nearby: r.items, nearbyStatus: 'ready' }); },
      () => { if (current()) useField.setState({ nearbyStatus: 'error' }); }),
  ]);
}

/** Forgets the point's look-ups (a new report). */
export function clearLookup(): void {
  useField.setState({ at: null, place: null, placeStatus: 'idle', nearby: [], nearbyStatus: 'idle' });
}

/** Loads the inspector's responsibility grids once per sign-in (kept on failure: the map simply has no outline). */
export async function loadMyGrids(fetch: () => Promise<PatrolCollection> = () => fetchMyGrids()): Promise<void> {
  let grids: PatrolCollection;
  try { grids = await fetch(); } catch { return; /* not an inspector, or offline: no outline */ }
  useField.setState({ myGrids: grids });
  void prefetchGridTiles(grids); // their map tiles into the service worker's cache, for work with no signal
}

export function setPosition(p: FieldState['position']): void { useField.setState({ position: p }); }
