// The wall's markers as state: the type scale's factor for the map (markers grow with the screen like the panels'
// type, styles in wall.css), the map's zoom level, and the spots (map/case-spots.ts) kept in step with the cases
// store by its change log, so a live change restyles one spot and a new list, filter or zoom level rebuilds them.
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Map as MaplibreMap } from 'maplibre-gl';
import { CaseSpots, type Spot, type SpotView } from '../../map/case-spots.js';
import { SPOT_CELL_PX, spotLayers } from '../../map/layers/cases.js';
import {
  changedSince, loadWallCases, selectCasesById, selectChanges, selectFilter, useCases, wallVisible, type CaseFilter,
} from '../../state/cases-store.js';
import { getJson } from '../../api/http.js';
import type { CaseSummary } from '../../api/types.js';

declare global {
  interface Window {
    /** Test and benchmark hook of the wall (tests/browser/wall.test.ts, scripts/bench/wall.ts): the cases of a picked
     * spot, the cases store, the spot layers' builder and the spots themselves. */
    __gridlineWall?: {
      casesOf(spot: unknown): CaseSummary[];
      cases: typeof useCases;
      spots: CaseSpots;
      spotLayers: typeof spotLayers;
      /** Loads the wall's cases from the bulk feed (GET /api/cases/wall), as the wall does when it opens. */
      loadWall: typeof loadWallCases;
      /** GET with the session's token (the bench's side-by-side paged load). */
      getJson: typeof getJson;
    };
  }
}

/** Width the wall is designed at; at 3840 px everything is twice as big. */
export const WALL_BASE_WIDTH = 1920;

/** The wall's scale: 1 up to 1920 px wide, growing with the window to 2 at 3840 px (as --wall-scale in wall.css). */
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
  /** The rows for the spot layers (a new array per change, the changed rows in __diff). */
  view: SpotView;
  /** Spots of two or more visible cases: the count labels. */
  clusters: readonly Spot[];
  hasRed: boolean;
};

type Built = { byId: Record<string, CaseSummary>; filter: CaseFilter; level: number; cellPx: number; seq: number };

/** The spots of the wall's cases at `level`, `cellPx` screen pixels a cell. */
export function useWallSpots(level: number, scale: number): WallSpots {
  const byId = useCases(selectCasesById);
  const filter = useCases(selectFilter);
  const changes = useCases(selectChanges);
  const spotsRef = useRef<CaseSpots | null>(null);
  spotsRef.current ??= new CaseSpots();
  const builtRef = useRef<Built | null>(null);
  const viewRef = useRef<SpotView>([]);
  const cellPx = Math.round(SPOT_CELL_PX * scale);

  const view = useMemo(() => (viewRef.current = nextView()), [byId, filter, level, cellPx, changes]); // eslint-disable-line react-hooks/exhaustive-deps
  function nextView(): SpotView {
    const spots = spotsRef.current!;
    const seq = changes[changes.length - 1]?.seq ?? 0;
    const last = builtRef.current;
    builtRef.current = { byId, filter, level, cellPx, seq };
    if (last && last.filter === filter && last.level === level && last.cellPx === cellPx) {
      if (last.byId === byId && last.seq === seq) return viewRef.current; // byId is updated in place: the log says what changed
      const ids = last.byId === byId ? changedSince(changes, last.seq) : null;
      if (ids) {
        const next = spots.updateMany(ids.map((id) => [id, byId[id] ?? null]));
        if (next) return next;
      }
    }
    return spots.rebuild(Object.values(byId), { zoom: level, cellPx, visible: (c) => wallVisible(c, filter) });
  }

  const countRev = spotsRef.current.countRev;
  const clusters = useMemo(() => spotsRef.current!.spots.filter((s) => s.count > 1), [countRev, view.length]); // eslint-disable-line react-hooks/exhaustive-deps
  const hasRed = useMemo(() => {
    for (let i = view.length - 1; i >= 0; i--) if (view[i].count && view[i].worst === 'red') return true;
    return false;
  }, [view]);
  useEffect(() => {
    const spots = spotsRef.current!;
    window.__gridlineWall = { casesOf: (spot) => spots.casesOf(spot as Spot), cases: useCases, spots, spotLayers, loadWall: loadWallCases, getJson };
    return () => { delete window.__gridlineWall; };
  }, []);
  return { spots: spotsRef.current, view, clusters, hasRed };
}
