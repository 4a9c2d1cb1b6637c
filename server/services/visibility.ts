// The district a request's user is kept to (issue 12, several districts in one database; users.region_code, 0047)
// and the region its reads cover: what routes ask before they call a read. The SQL is db/visibility.ts districtOf,
// the rule for a region asked for is domain/exports.ts keptRegion (one rule for every read, export and the report).
import type { Queryable } from '../db/types.js';
import { districtOf } from '../db/visibility.js';
import { keptRegion } from '../domain/exports.js';

/** A request's user (it carries region_code, read with its session: no query), or null for the anonymous. */
export type ScopedUser = { id: number; region_code?: string | null } | null | undefined;

/**
 * The district a user is kept to (the first six digits of its region), or null for a user of every district and for
 * the anonymous public: what the case tiles, the OGC `cases` collection, supervision and patrol filter on.
 */
export function userDistrict(db: Queryable, user: ScopedUser): Promise<string | null> {
  return districtOf(db, user);
}

/**
 * The region a read by `user` covers: for a user kept to a district, the region asked for within it, else the whole
 * district; for a user of every district, what it asked for (undefined: every district).
 * @throws DomainError forbidden (403) for a region of another district, naming both
 */
export async function keptRegionOf(db: Queryable, user: ScopedUser, asked: string | undefined, field = 'region'): Promise<string | undefined> {
  return keptRegion(await districtOf(db, user), asked, field);
}
