// The map tiles of the inspector's own responsibility grids, fetched once after sign-in so that the service worker
// (client/public/sw.js, which caches every tile the page fetches) can draw those grids with no signal: the basemap
// and grid tiles from the district overview to full detail, the components' down to their own detail zoom.
import { bbox as turfBbox } from '@turf/turf';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { PatrolCollection } from '../api/field.js';
import { COMPONENT_DETAIL_MINZOOM, TILE_MAXZOOM } from '../map/style.js';

export type Bbox = [number, number, number, number];
export type TileRef = { set: 'basemap' | 'grids' | 'components'; z: number; x: number; y: number };

/** Tiles from this zoom on are fetched (the street-level overview an inspector starts from). */
export const OFFLINE_MIN_ZOOM = 12;
/** A cap, so a mis-drawn responsibility grid the size of a city cannot start thousands of requests. */
export const OFFLINE_MAX_TILES = 600;

const lon2x = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const lat2y = (lat: number, z: number) => {
  const r = (Math.max(-85.0511, Math.min(85.0511, lat)) * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

/** The XYZ tiles covering `b` at zoom z. */
export function tilesCovering(b: Bbox, z: number): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  const max = 2 ** z - 1;
  const [x0, x1] = [lon2x(b[0], z), lon2x(b[2], z)].map((v) => Math.max(0, Math.min(max, v)));
  const [y0, y1] = [lat2y(b[3], z), lat2y(b[1], z)].map((v) => Math.max(0, Math.min(max, v)));
  for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) out.push({ x, y });
  return out;
}

/** Every tile the map draws of `b` from OFFLINE_MIN_ZOOM to full detail, coarse first, at most OFFLINE_MAX_TILES. */
export function offlineTiles(b: Bbox): TileRef[] {
  const out: TileRef[] = [];
  for (let z = OFFLINE_MIN_ZOOM; z <= COMPONENT_DETAIL_MINZOOM; z++) {
    const sets: TileRef['set'][] = z <= TILE_MAXZOOM ? ['basemap', 'grids', 'components'] : ['components'];
    for (const { x, y } of tilesCovering(b, z)) for (const set of sets) out.push({ set, z, x, y });
  }
  return out.slice(0, OFFLINE_MAX_TILES);
}

export const tilePath = (t: TileRef) => `/api/tiles/${t.set}/${t.z}/${t.x}/${t.y}.mvt`;

/**
 * Fetches the tiles of the inspector's grids (a few at a time; failures are left to the next sign-in). Only when a
 * service worker controls the page: without one nothing would keep them.
 */
export async function prefetchGridTiles(grids: PatrolCollection, get: (path: string) => Promise<unknown> = (p) => fetch(p)): Promise<number> {
  if (typeof navigator === 'undefined' || !navigator.serviceWorker?.controller) return 0;
  const withGeometry: FeatureCollection = { type: 'FeatureCollection', features: grids.features.flatMap((f) => (f.geometry ? [{ ...f, geometry: f.geometry } as Feature<Geometry>] : [])) };
  if (!withGeometry.features.length) return 0;
  const tiles = offlineTiles(turfBbox(withGeometry) as Bbox);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < tiles.length) {
      const t = tiles[next++];
      try { await get(tilePath(t)); done++; } catch { /* offline or refused: the next sign-in tries again */ }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return done;
}
