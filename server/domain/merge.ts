// Merging a duplicate report into the case it repeats (issue 4: "merging keeps both trails"). Pure.
import { DomainError } from './errors.js';
import { OPEN_STATUSES, type CaseStatus, type Role } from './workflow.js';

/** Who may merge: the centre staff who see both reports. */
export const MERGE_ROLES: readonly Role[] = ['operator', 'shift_leader'];

/**
 * Checks a merge of `source` into `target`: both open, different, not already merged, same class.
 * The source becomes void ("merged into …"); the target keeps its status and gains a trail entry.
 * @example assertMerge({ id: 'a', status: 'pending_acceptance', class_code: '06010', merged_into: null },
 *   { id: 'b', status: 'handling', class_code: '06010', merged_into: null }, ['operator'])
 */
export function assertMerge(
  source: { id: string; status: CaseStatus; class_code: string; merged_into: string | null },
  target: { id: string; status: CaseStatus; class_code: string; merged_into: string | null },
  roles: readonly Role[],
): Role {
  const role = MERGE_ROLES.find((r) => roles.includes(r));
  if (!role) throw new DomainError('role_not_allowed', `Only ${MERGE_ROLES.join(' or ')} may merge cases`);
  if (source.id === target.id) throw new DomainError('unprocessable', 'A case cannot be merged into itself');
  for (const [which, c] of [['case', source], ['target case', target]] as const) {
    if (!OPEN_STATUSES.includes(c.status)) throw new DomainError('not_allowed_in_state', `The ${which} is ${c.status}; only open cases are merged`);
    if (c.merged_into) throw new DomainError('not_allowed_in_state', `The ${which} was already merged into another case`);
  }
  if (source.class_code !== target.class_code) {
    throw new DomainError('unprocessable', `Only reports of the same class are merged (${source.class_code} ≠ ${target.class_code})`);
  }
  return role;
}
