// Cases as OGC API – Features items (the `cases` collection, no personal data) for the OGC routes: routes call
// services, and only db/ holds SQL (docs/style.md, the rings).
import type { Queryable } from '../db/types.js';
import * as caseFeaturesDb from '../db/case-features.js';
import type { CaseFeature } from '../db/case-features.js';
import type { Bbox } from '../domain/coords.js';

export type { CaseFeature };

/**
 * Cases whose point intersects the bbox and whose report time lies in [start, end], oldest first, paged;
 * `district`: only that district's (null: every district).
 */
export function features(
  db: Queryable,
  p: { now: Date; bbox?: Bbox; start?: Date | null; end?: Date | null; limit: number; offset: number; district?: string | null },
): Promise<{ items: CaseFeature[]; total: number }> {
  return caseFeaturesDb.features(db, p);
}

/** One case as a feature, its light at `now`; null when no case has the id (or it is of another district than `district`). */
export function feature(db: Queryable, id: string, now: Date, district: string | null = null): Promise<CaseFeature | null> {
  return caseFeaturesDb.feature(db, id, now, district);
}
