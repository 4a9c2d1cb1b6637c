// Who may see a case, as SQL: the twin of domain/visibility.ts `maySee` (the rule is decided there, by
// `visibilityRule`; this only writes it out). tests/server/db/visibility.test.ts checks both agree on a table of
// cases × viewers, on both engines.
import { visibilityRule, type Viewer } from '../domain/visibility.js';
import type { Queryable } from './types.js';

/**
 * A boolean SQL condition over the case alias `c`: true for the cases `viewer` may see, or null when the viewer sees
 * every case (no condition). `p` adds a query parameter and returns its placeholder.
 * @example visibleWhere({ id: 5, roles: ['inspector'], department_id: null }, p)
 *   // (c.reporter_id = $2 or c.responsibility_code in (select code from responsibility_grids where inspector_id = $3))
 */
export function visibleWhere(viewer: Viewer, p: (v: unknown) => string, alias = 'c'): string | null {
  const rule = visibilityRule(viewer);
  if (rule === null) return null;
  const or: string[] = [];
  if (rule.department_id !== null) or.push(`${alias}.department_id = ${p(rule.department_id)}`);
  if (rule.reporter_id !== null) or.push(`${alias}.reporter_id = ${p(rule.reporter_id)}`);
  if (rule.patrols !== null) {
    // On Citus responsibility_grids is a reference table (db/distribute.ts): the subquery runs on the case's shard,
    // against that node's copy, so a district-scoped list stays one task.
    or.push(`${alias}.responsibility_code in (select code from responsibility_grids where inspector_id = ${p(rule.patrols)})`);
  }
  return or.length ? `(${or.join(' or ')})` : 'false';
}

/**
 * The district a user works in (issue 12, many districts in one database): the first six digits of its region
 * (users.region_code, 0047), or null for a user of every district (and for the anonymous public). The hot paths
 * filter on it (`districtWhere`), so on Citus they go to the district's shard only.
 */
export async function districtOf(db: Queryable, user: { id: number; region_code?: string | null } | null | undefined): Promise<string | null> {
  if (user == null) return null;
  // A request's user carries its region, read with its session (db/sessions.ts): no query on the hot paths.
  if (user.region_code !== undefined) return user.region_code === null ? null : user.region_code.slice(0, 6);
  const { rows } = await db.query<{ d: string | null }>('select left(region_code, 6) as d from users where id = $1', [user.id]);
  return rows[0]?.d ?? null;
}

/** `alias.district_code = $n` for a district, or null for every district (no condition). */
export function districtWhere(district: string | null | undefined, p: (v: unknown) => string, alias = 'c'): string | null {
  return district ? `${alias}.district_code = ${p(district)}` : null;
}
