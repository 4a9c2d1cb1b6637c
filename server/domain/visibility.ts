// Who may see a case (docs/workflow.md §Roles, docs/api.md): written once. The centre's posts and leaders see every case; a
// crew (department) its department's cases; an inspector the cases of the responsibility grids it patrols; every
// user the cases it reported; the anonymous public none. Pure: the viewer's patrolled grid codes are data. The SQL
// twin (the same rule as a where clause, for lists) is db/visibility.ts; tests/server/db/visibility.test.ts checks
// that both agree on a table of cases × viewers.

import type { UserRole } from './auth.js';

/** Who is looking: a logged-in user (roles as stored), or null for the anonymous public. */
export type Viewer = { id: number; roles: readonly string[]; department_id: number | null } | null;

/** What visibility depends on: the fields of a case row, of a live event's payload, of a photo's case. */
export type VisibleCase = { department_id: number | null; reporter_id: number | null; responsibility_code: string | null };

/** Roles that see every case (the case tiles, the OGC cases collection, statistics and the client's search follow it). */
export const SEE_ALL_ROLES: readonly UserRole[] = ['operator', 'shift_leader', 'dispatcher', 'leader', 'admin'];

/**
 * The rule for one viewer: null = every case; otherwise the cases of this department, reported by this user, or in
 * the responsibility grids this inspector patrols (each null when it does not apply). db/visibility.ts writes it
 * as SQL; `sightOf` below resolves the patrolled grids to their codes.
 */
export type VisibilityRule = null | { department_id: number | null; reporter_id: number | null; patrols: number | null };

export function visibilityRule(viewer: Viewer): VisibilityRule {
  if (viewer && viewer.roles.some((r) => (SEE_ALL_ROLES as readonly string[]).includes(r))) return null;
  if (!viewer) return { department_id: null, reporter_id: null, patrols: null };
  return {
    department_id: viewer.roles.includes('department') ? viewer.department_id : null,
    reporter_id: viewer.id,
    patrols: viewer.roles.includes('inspector') ? viewer.id : null,
  };
}

/** Whether the viewer patrols grids: only then do its patrolled grid codes need to be read. */
export function needsPatrolledCodes(viewer: Viewer): boolean {
  return visibilityRule(viewer)?.patrols != null;
}

/**
 * A viewer's sight with its patrolled grids resolved to codes (what the live hub keeps per stream): null = every
 * case.
 */
export type Sight = null | { department_id: number | null; reporter_id: number | null; responsibility_codes: ReadonlySet<string> };

const NO_CODES: ReadonlySet<string> = new Set();

/** `patrolled`: the responsibility-grid codes the viewer patrols (db/grids.ts patrolledCodes; ignored unless an inspector). */
export function sightOf(viewer: Viewer, patrolled: ReadonlySet<string>): Sight {
  const rule = visibilityRule(viewer);
  if (rule === null) return null;
  return { department_id: rule.department_id, reporter_id: rule.reporter_id, responsibility_codes: rule.patrols === null ? NO_CODES : patrolled };
}

/** Whether case `c` is in sight. */
export function inSight(sight: Sight, c: VisibleCase): boolean {
  if (sight === null) return true;
  if (sight.department_id != null && c.department_id === sight.department_id) return true;
  if (sight.reporter_id != null && c.reporter_id === sight.reporter_id) return true;
  return typeof c.responsibility_code === 'string' && sight.responsibility_codes.has(c.responsibility_code);
}

/**
 * A sight kept within one district (users.region_code, issue 12): a user scoped to a district hears only that
 * district's cases, whatever its role. A plain Sight is a user of every district.
 */
export type DistrictSight = { sight: Sight; district_code: string };

/** Whether case `c` (with its district) is in a sight that may be kept within one district. */
export function inDistrictSight(scope: Sight | DistrictSight, c: VisibleCase & { district_code?: unknown }): boolean {
  if (scope !== null && 'sight' in scope) return c.district_code === scope.district_code && inSight(scope.sight, c);
  return inSight(scope, c);
}

/**
 * Whether `viewer` may see case `c`; `patrolled` are the responsibility-grid codes the viewer patrols.
 * @example maySee({ id: 5, roles: ['department'], department_id: 7 }, new Set(), { department_id: 7, reporter_id: null, responsibility_code: null }) // true
 */
export function maySee(viewer: Viewer, patrolled: ReadonlySet<string>, c: VisibleCase): boolean {
  return inSight(sightOf(viewer, patrolled), c);
}
