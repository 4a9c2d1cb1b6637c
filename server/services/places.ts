// Where a point is, for the inspector's report before it is sent (the nearest street address, the unit grid and its
// community and street): routes call services, and only db/ holds SQL (docs/style.md, the rings). docs/domain.md §5.
import type { Queryable } from '../db/types.js';
import * as placesDb from '../db/places.js';
import type { PlaceGrid } from '../db/places.js';

export type { PlaceGrid };

export type NearestPlace = {
  /** The nearest named road or lane and its distance (m); null when the district has no roads. */
  road: { name: string; distance_m: number } | null;
  /** The unit grid at the point; null outside every grid of the district. */
  grid: PlaceGrid | null;
};

/** The nearest street address of a WGS84 point and the unit grid it lies in. */
export async function nearest(db: Queryable, lon: number, lat: number): Promise<NearestPlace> {
  const [road, grid] = [await placesDb.nearestRoad(db, lon, lat), await placesDb.gridAt(db, lon, lat)];
  return { road, grid };
}

/** Named places whose name contains the text, for finding a caller's address on the map (GET /api/places/search). */
export async function search(db: Queryable, text: string, limit = 8) {
  return placesDb.search(db, text.trim(), limit);
}
