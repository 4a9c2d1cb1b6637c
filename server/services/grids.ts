// Reads of unit grids for the routes (the map's grid list, locate, a grid's card, OGC `grids`): routes call
// services, and only db/ holds SQL (docs/style.md, the rings).
import type { Queryable } from '../db/types.js';
import * as gridsDb from '../db/grids.js';
import type { BboxPredicate, GridDetail, GridFeature, GridRef } from '../db/grids.js';
import type { Bbox } from '../domain/coords.js';
import { districtsCovering, type DistrictExtents } from './district-extents.js';

export type { BboxPredicate, GridDetail, GridFeature, GridRef };

/** Current grids in a bbox (`predicate`: `bbox` overlap by default, `intersects` for OGC), by code, paged. */
export function inBbox(
  db: Queryable,
  p: { bbox?: Bbox; limit: number; offset: number; community_code?: string; predicate?: BboxPredicate },
): Promise<{ items: GridFeature[]; total: number }> {
  return gridsDb.inBbox(db, p);
}

/**
 * The current unit grid covering a WGS84 point, the lowest code on an edge; null outside every grid. With `extents`
 * (app.ts's one instance), asked first of the districts whose extent holds the point alone (issue 12: on Citus one
 * shard inside a district, two on the edge of two, instead of all 32), then, when none of their grids covers it, of
 * every district, so that a grid the extents do not know yet (written without moving the grids generation: psql) is
 * found all the same. The same answer as without: a district's extent holds each of its current grids, so every grid
 * covering the point is of a district named, and the lowest code among theirs is the lowest of all (only a grid written
 * outside the application beyond its district's extent, over a grid of a district named, could be missed until the
 * grids generation moves).
 */
export async function locate(db: Queryable, lon: number, lat: number, extents?: DistrictExtents | null): Promise<GridRef | null> {
  if (!extents) return gridsDb.locate(db, lon, lat);
  const near = districtsCovering(await extents.current(db), lon, lat);
  return (await gridsDb.locateIn(db, lon, lat, near)) ?? (await gridsDb.locate(db, lon, lat));
}

/** A grid's card: the current version of the code, else its latest ended one; null when no grid ever had it. */
export function get(db: Queryable, code: string): Promise<GridDetail | null> {
  return gridsDb.get(db, code);
}

/** One current grid as a feature (OGC single feature); null when no current grid has the code. */
export function currentFeature(db: Queryable, code: string): Promise<GridFeature | null> {
  return gridsDb.currentFeature(db, code);
}

/** Bounding box of the current grids (OGC collection extent); null when there are none. */
export function currentExtent(db: Queryable): Promise<Bbox | null> {
  return gridsDb.currentExtent(db);
}

export type { PatrolFeature } from '../db/grids.js';

/** An inspector's responsibility grids (outlines) and their unit grids. */
export function patrolFeatures(db: Queryable, inspectorId: number): Promise<gridsDb.PatrolFeature[]> {
  return gridsDb.patrolFeatures(db, inspectorId);
}
