// What GET /api/config tells the web client about the district to show: the district, its bbox (the map starts over
// it) and its time zone (every time on screen is shown in it). A user kept to a district (issue 12, users.region_code)
// gets its own district; the anonymous public and users of every district get the first district, as before. The
// time zone is the rule book's (services/district-rules.ts), the one source of every district's calendar.
import type { Queryable } from '../db/types.js';
import * as regionsDb from '../db/regions.js';
import type { Bbox } from '../domain/coords.js';
import type { RuleBook } from './district-rules.js';
import { userDistrict, type ScopedUser } from './visibility.js';

export type ClientDistrict = { district: { code: string; name: string; bbox: Bbox | null } | null; time_zone: string };

export type ClientDistrictDeps = {
  db: Queryable;
  /** Every district's calendar versions; its clock says which version is in force. */
  book: RuleBook;
};

/**
 * The district the client shows to `user`, and its time zone: the district's calendar version in force in the rule
 * book (the defaults, China's, for a district with none: version 0), after a refresh (RuleBook.refresh), so a calendar
 * saved since the book was read, by an admin on another server process too, is what the client is told.
 */
export async function clientDistrict(deps: ClientDistrictDeps, user: ScopedUser): Promise<ClientDistrict> {
  const first = await regionsDb.firstDistrict(deps.db);
  const kept = await userDistrict(deps.db, user);
  // A region_code whose district is not loaded (checked when set, so only after a region was removed): no district.
  const d = kept === null || kept === first?.code ? first : await regionsDb.get(deps.db, kept);
  const view = d ? { code: d.code, name: d.name, bbox: d.bbox } : null;
  const book = await deps.book.refresh(deps.db);
  return { district: view, time_zone: book.calendarAt(book.clock(), kept ?? first?.code ?? null).body.time_zone };
}
