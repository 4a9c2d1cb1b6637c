// Reads of components (管理部件) for the routes (the map's component list, a component's card, OGC `components`):
// routes call services, and only db/ holds SQL (docs/style.md, the rings).
import type { Queryable } from '../db/types.js';
import * as componentsDb from '../db/components.js';
import type { BboxPredicate, ComponentDetail, ComponentFeature } from '../db/components.js';
import type { Bbox } from '../domain/coords.js';

export type { BboxPredicate, ComponentDetail, ComponentFeature };

/** Components in a bbox (`predicate`: `bbox` overlap by default, `intersects` for OGC), optionally of one class, paged. */
export function inBbox(
  db: Queryable,
  p: { bbox?: Bbox; class_code?: string; limit: number; offset: number; predicate?: BboxPredicate },
): Promise<{ items: ComponentFeature[]; total: number }> {
  return componentsDb.inBbox(db, p);
}

/** A component's card with its community and street names; null when there is none. */
export function get(db: Queryable, id: string): Promise<ComponentDetail | null> {
  return componentsDb.get(db, id);
}

/** One component as a feature (OGC single feature); null when there is none. */
export function feature(db: Queryable, id: string): Promise<ComponentFeature | null> {
  return componentsDb.feature(db, id);
}

/** Bounding box of all components (OGC collection extent); null when there are none. */
export function extent(db: Queryable): Promise<Bbox | null> {
  return componentsDb.extent(db);
}

export type { NearComponent } from '../db/components.js';

/** Components within `radius_m` metres of a WGS84 point, nearest first (the inspector's "what is here"). */
export function near(db: Queryable, p: { lon: number; lat: number; radius_m: number; limit: number }): Promise<componentsDb.NearComponent[]> {
  return componentsDb.near(db, p);
}
