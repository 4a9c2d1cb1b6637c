// Reads of districts, streets and communities for the routes (the regions list, /api/config, OGC `streets` and
// `communities`): routes call services, and only db/ holds SQL (docs/style.md, the rings).
import type { Queryable } from '../db/types.js';
import * as regionsDb from '../db/regions.js';
import type { RegionFeature, RegionView } from '../db/regions.js';
import type { RegionLevel } from '../domain/codes.js';
import type { Bbox } from '../domain/coords.js';

export type { RegionFeature, RegionView };

/** Regions of a level and/or under a parent, by code. */
export function list(db: Queryable, p: { level?: RegionLevel; parent_code?: string }): Promise<RegionView[]> {
  return regionsDb.list(db, p);
}

/** The first district (the demo and single-district deployments have exactly one); null on an empty database. */
export function firstDistrict(db: Queryable): Promise<RegionView | null> {
  return regionsDb.firstDistrict(db);
}

/** Regions of a level with GeoJSON geometry, paged; a bbox keeps those whose geometry intersects it. */
export function features(
  db: Queryable,
  p: { level: RegionLevel; bbox?: Bbox; limit: number; offset: number; code?: string },
): Promise<{ items: RegionFeature[]; total: number }> {
  return regionsDb.features(db, p);
}

/** Bounding box of a level's regions; null when there are none. */
export function extent(db: Queryable, level: RegionLevel): Promise<Bbox | null> {
  return regionsDb.extent(db, level);
}
