// Who may see a case (domain/visibility.ts): the rule on a table of viewers × cases.
import { describe, expect, test } from 'vitest';
import { inSight, maySee, needsPatrolledCodes, sightOf, visibilityRule, type Viewer, type VisibleCase } from '../../../server/domain/visibility.js';

const RG = '110101001001R01';
const patrolled = new Set([RG]);
const c = (department_id: number | null, reporter_id: number | null, responsibility_code: string | null): VisibleCase => ({ department_id, reporter_id, responsibility_code });
const user = (id: number, roles: string[], department_id: number | null = null): Viewer => ({ id, roles, department_id });

const CASES = {
  deptCase: c(7, null, null), ownReport: c(null, 5, null), gridCase: c(null, null, RG), otherGrid: c(null, null, '110101001001R02'), nobody: c(null, null, null),
};
type Name = keyof typeof CASES;

describe('maySee', () => {
  test.each<[string, Viewer, Name[]]>([
    ['an operator', user(1, ['operator']), ['deptCase', 'ownReport', 'gridCase', 'otherGrid', 'nobody']],
    ['a shift leader', user(1, ['shift_leader']), ['deptCase', 'ownReport', 'gridCase', 'otherGrid', 'nobody']],
    ['a dispatcher', user(1, ['dispatcher']), ['deptCase', 'ownReport', 'gridCase', 'otherGrid', 'nobody']],
    ['a leader', user(1, ['leader']), ['deptCase', 'ownReport', 'gridCase', 'otherGrid', 'nobody']],
    ['an admin', user(1, ['admin']), ['deptCase', 'ownReport', 'gridCase', 'otherGrid', 'nobody']],
    ['a crew of department 7', user(9, ['department'], 7), ['deptCase']],
    ['a crew of department 8', user(9, ['department'], 8), []],
    ['a crew without a department', user(9, ['department'], null), []],
    ['the reporter (public account)', user(5, ['public']), ['ownReport']],
    ['an inspector patrolling the grid', user(9, ['inspector']), ['gridCase']],
    ['an inspector who reported it and patrols the grid', user(5, ['inspector']), ['ownReport', 'gridCase']],
    ['a department member of 7 in department 7 who is also an inspector', user(9, ['inspector', 'department'], 7), ['deptCase', 'gridCase']],
    ['someone of department 7 without the department role', user(9, ['public'], 7), []],
    ['the anonymous public', null, []],
  ])('%s', (_who, viewer, expected) => {
    const seen = (Object.keys(CASES) as Name[]).filter((n) => maySee(viewer, patrolled, CASES[n]));
    expect(seen).toEqual(expected);
  });

  test('patrolled codes count only for inspectors', () => {
    expect(maySee(user(9, ['public']), patrolled, CASES.gridCase)).toBe(false);
    expect(needsPatrolledCodes(user(9, ['public']))).toBe(false);
    expect(needsPatrolledCodes(user(9, ['inspector']))).toBe(true);
    expect(needsPatrolledCodes(user(9, ['inspector', 'operator']))).toBe(false); // sees everything anyway
    expect(needsPatrolledCodes(null)).toBe(false);
  });

  test('the sight (what a live stream keeps) gives the same answers as maySee', () => {
    for (const viewer of [null, user(1, ['operator']), user(9, ['department'], 7), user(5, ['inspector']), user(5, ['public'])]) {
      const sight = sightOf(viewer, patrolled);
      for (const k of Object.values(CASES)) expect(inSight(sight, k)).toBe(maySee(viewer, patrolled, k));
    }
    expect(sightOf(user(1, ['leader']), patrolled)).toBeNull();
    expect(visibilityRule(null)).toEqual({ department_id: null, reporter_id: null, patrols: null });
  });
});
