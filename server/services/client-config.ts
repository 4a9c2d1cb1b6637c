// What GET /api/config tells the web client about the district to show: the district, its bbox (the map starts over
// it) and its time zone (every time on screen is shown in it). A user kept to a district (issue 12, users.region_code)
// gets its own district; the anonymous public and users of every district get the first district, as before.
import type { Queryable } from '../db/types.js';
import * as regionsDb from '../db/regions.js';
import * as rulesDb from '../db/district-rules.js';
import { CN_CALENDAR, versionAt } from '../domain/district-rules.js';
import type { Bbox } from '../domain/coords.js';
import { userDistrict, type ScopedUser } from './visibility.js';

export type ClientDistrict = { district: { code: string; name: string; bbox: Bbox | null } | null; time_zone: string };

export type ClientDistrictDeps = {
  db: Queryable;
  clock: { now(): Date };
  /** The first district's time zone in force (the rule book's calendar: services/district-rules.ts). */
  time_zone: () => string;
};

/**
 * The district the client shows to `user`, and its time zone: the calendar version in force for that district
 * (district_calendars), China's default when it has none, like the rule book's version 0.
 */
export async function clientDistrict(deps: ClientDistrictDeps, user: ScopedUser): Promise<ClientDistrict> {
  const first = await regionsDb.firstDistrict(deps.db);
  const kept = await userDistrict(deps.db, user);
  const d = kept === null || kept === first?.code ? first : await regionsDb.get(deps.db, kept);
  const view = d ? { code: d.code, name: d.name, bbox: d.bbox } : null;
  if (kept === null || kept === first?.code) return { district: view, time_zone: deps.time_zone() };
  const version = versionAt(await rulesDb.calendars(deps.db, kept), deps.clock.now());
  // A region_code whose district is not loaded (checked when set, so only after a region was removed): no district.
  return { district: view, time_zone: version?.body.time_zone ?? CN_CALENDAR.time_zone };
}
