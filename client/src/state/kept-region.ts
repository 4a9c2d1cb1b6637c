// What a user kept to a district, street or community (users.region_code, issue 12) is offered: the server refuses
// reads of another district (403), so the screens offer only the user's own regions. Pure: used by the leader's scope
// picker (screens/leader/PeriodBar.tsx) and the district overview (components/Overview.tsx).
import type { Region, SessionUser } from '../api/types.js';

/** The region the user is kept to, or null for a user of every district (and the signed-out). */
export function keptRegion(user: Pick<SessionUser, 'region_code'> | null): string | null {
  return user?.region_code ?? null;
}

/**
 * The regions of `list` within the region the user is kept to (its own and those under it, by code prefix); all of
 * them for a user of every district.
 * @example regionsWithin(streets, '110102')   // the streets of district 110102
 * @example regionsWithin(streets, '110102001') // that one street
 */
export function regionsWithin<R extends Pick<Region, 'code'>>(list: readonly R[], kept: string | null): R[] {
  return kept === null ? [...list] : list.filter((r) => r.code.startsWith(kept));
}

/**
 * The scope a kept user may have picked: `region` when it lies within its region; otherwise its own region, where
 * null stands for its whole district (the server keeps a user with no region asked for to its district). A user of
 * every district keeps whatever it picked.
 * @example keptScope('110101001', '110102')    // null: the whole district 110102
 * @example keptScope(null, '110102001')         // '110102001': a street-kept user starts on its street
 * @example keptScope('110102001002', '110102001') // '110102001002'
 */
export function keptScope(region: string | null, kept: string | null): string | null {
  if (kept === null) return region;
  if (region !== null && region.startsWith(kept)) return region;
  return kept.length > 6 ? kept : null;
}
