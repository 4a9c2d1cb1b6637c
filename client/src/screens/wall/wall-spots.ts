// The wall's markers as state: the type scale's factor for the map (markers grow with the screen like the panels'
// type, styles in wall.css), the map's zoom level, and the spots (map/case-spots.ts) kept in step with the cases
// store by its change log, so a live change restyles one spot (its rows of the kept deck.gl layers, SpotLayerSet) and
// a new list, filter, zoom level or scale rebuilds them. The layers hold only the spots near the view (half a view
// each side): a pan within that margin changes nothing, a pan past it makes a new subset.
import { useEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import type { Map as MaplibreMap } from 'maplibre-gl';
import { CaseSpots, type Spot } from '../../map/case-spots.js';
import { SPOT_CELL_PX, SpotLayerSet, type SpotView } from '../../map/layers/cases.js';
import { useMapHandle } from '../../map/map-handle.js';
import {
  changedSince, loadWallCases, selectCasesById, selectChanges, selectFilter, useCases, wallVisible, type CaseFilter,
} from '../../state/cases-store.js';
import { getJson } from '../../api/http.js';
import type { CaseSummary } from '../../api/types.js';

declare global {
  interface Window {
    /** Test and benchmark hook of the wall (tests/browser/wall.test.ts, scripts/bench/wall.ts): the cases of a picked
     * spot, the cases store, the wall's spots and spot layers, and their classes (the bench builds its own pair). */
    __gridlineWall?: {
      casesOf(spot: unknown): CaseSummary[];
      cases: typeof useCases;
      spots: CaseSpots;
      layers: SpotLayerSet;
      SpotLayerSet: typeof SpotLayerSet;
      /** Loads the wall's cases from the bulk feed (GET /api/cases/wall), as the wall does when it opens. */
      loadWall: typeof loadWallCases;
      /** GET with the session's token (the bench's side-by-side paged load). */
      getJson: typeof getJson;
    };
  }
}

/** Width the wall is designed at; at 3840 px everything is twice as big. */
export const WALL_BASE_WIDTH = 1920;

/** The wall's scale: 1 up to 1920 px wide, growing with the window to 2 at 3840 px (as --px in styles.css, per px). */
export function wallScale(width: number): number {
  return Math.min(2, Math.max(1, width / WALL_BASE_WIDTH));
}

function subscribeResize(cb: () => void): () => void {
  window.addEventListener('resize', cb);
  return () => window.removeEventListener('resize', cb);
}

export function useWallScale(): number {
  return useSyncExternalStore(subscribeResize, () => wallScale(window.innerWidth), () => 1);
}

/** The map's whole zoom level, updated when a zoom ends. */
export function useZoomLevel(map: MaplibreMap | null): number {
  const [level, setLevel] = useState(() => Math.floor(map?.getZoom() ?? 0));
  useEffect(() => {
    if (!map) return;
    const update = () => setLevel(Math.floor(map.getZoom()));
    update();
    map.on('zoomend', update);
    return () => { map.off('zoomend', update); };
  }, [map]);
  return level;
}

export type WallSpots = {
  spots: CaseSpots;
  /** The spot layers (kept between changes: a one-case change restyles rows of them in place). */
  layers: SpotLayerSet;
  /** Bumped when the layers are new (a rebuild, new count labels, the urged ring coming or going): the overlay hands
   * deck.gl the new instances then. */
  built: number;
  hasRed: boolean;
};

type Built = { byId: Record<string, CaseSummary>; filter: CaseFilter; level: number; cellPx: number; scale: number; seq: number; built: number };

/** The map's view for the spot layers at the spots' grid (null: no map yet, every spot held). */
function viewOf(map: MaplibreMap | null, level: number, cellPx: number): SpotView | null {
  if (!map) return null;
  const b = map.getBounds();
  return { west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth(), level, cellPx };
}

/** The spots of the wall's cases at `level`, `cellPx` screen pixels a cell, and their layers at `scale`. */
export function useWallSpots(level: number, scale: number): WallSpots {
  const byId = useCases(selectCasesById);
  const filter = useCases(selectFilter);
  const changes = useCases(selectChanges);
  const map = useMapHandle();
  const spotsRef = useRef<CaseSpots | null>(null);
  spotsRef.current ??= new CaseSpots();
  const layersRef = useRef<SpotLayerSet | null>(null);
  layersRef.current ??= new SpotLayerSet();
  const builtRef = useRef<Built | null>(null);
  const cellPx = Math.round(SPOT_CELL_PX * scale);
  // Bumped when the view leaves the held spots' margin (checked at every move: two projections, no allocation of spots).
  const [viewTick, viewLeft] = useReducer((n: number) => n + 1, 0);

  const built = useMemo(() => next(), [byId, filter, level, cellPx, scale, changes, map, viewTick]); // eslint-disable-line react-hooks/exhaustive-deps
  function next(): number {
    const spots = spotsRef.current!;
    const layers = layersRef.current!;
    const seq = changes[changes.length - 1]?.seq ?? 0;
    const last = builtRef.current;
    const view = viewOf(map, level, cellPx);
    if (last && last.filter === filter && last.level === level && last.cellPx === cellPx && last.scale === scale) {
      let n = last.built;
      if (layers.setView(view)) n++; // the view left the margin: the spots near it
      if (last.byId === byId && last.seq === seq) { builtRef.current = { ...last, built: n }; return n; } // byId is updated in place: the log says what changed
      const ids = last.byId === byId ? changedSince(changes, last.seq) : null;
      const rows = ids ? spots.updateMany(ids.map((id) => [id, byId[id] ?? null])) : null;
      if (rows) {
        if (layers.restyle(rows)) n++; // the urged ring came or went, new count labels: a new list of layers for deck.gl
        builtRef.current = { ...last, seq, built: n };
        return n;
      }
    }
    spots.rebuild(Object.values(byId), { zoom: level, cellPx, visible: (c) => wallVisible(c, filter) });
    layers.build(spots.spots, null, scale, view);
    const n = (last?.built ?? 0) + 1;
    builtRef.current = { byId, filter, level, cellPx, scale, seq, built: n };
    return n;
  }

  useEffect(() => {
    if (!map) return;
    const check = () => {
      const spots = spotsRef.current!;
      if (!layersRef.current!.covers(viewOf(map, spots.level, spots.cellPx))) viewLeft();
    };
    map.on('move', check);
    map.on('resize', check);
    return () => { map.off('move', check); map.off('resize', check); };
  }, [map]);

  const hasRed = layersRef.current.hasRed; // a red spot near the view: the pulse animates
  useEffect(() => {
    const spots = spotsRef.current!;
    window.__gridlineWall = {
      casesOf: (spot) => spots.casesOf(spot as Spot), cases: useCases, spots, layers: layersRef.current!, SpotLayerSet,
      loadWall: loadWallCases, getJson,
    };
    return () => { delete window.__gridlineWall; };
  }, []);
  return { spots: spotsRef.current, layers: layersRef.current, built, hasRed };
}
