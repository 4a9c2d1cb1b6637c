// Electronic supervision rules (domain/supervision.ts): overdue, urge answers, stockpile, late returns, thresholds
// and alerts, on fixed clocks and the default calendar and limits (data/).
import { describe, expect, test } from 'vitest';
import {
  DEFAULT_THRESHOLDS, answeringRoles, evaluateAlerts, isLateReturn, isOverdue, isStockpiled, naturalDays, overdueTable,
  responsibleDepartment, urgeAnswers, urgeOverdue, validateThresholds, type UrgeTrailEntry,
} from '../../../server/domain/supervision.js';
import { DomainError } from '../../../server/domain/errors.js';
import { workRules } from '../../helpers/cases.js';

const at = (iso: string) => new Date(iso);
const errorOf = (fn: () => unknown): unknown => { try { fn(); } catch (e) { return e; } return null; };

describe('overdue', () => {
  const red = at('2026-11-23T06:00:00Z');
  test.each([
    ['handling', '2026-11-23T06:00:01Z', true],
    ['handling', '2026-11-23T06:00:00Z', false], // red only after the red instant, as lights.ts
    ['pending_dispatch', '2026-11-24T00:00:00Z', true],
    ['pending_review', '2026-11-24T00:00:00Z', true], // a self-handled report's review is timed too
    ['suspended', '2026-11-24T00:00:00Z', false], // the clock is paused
    ['closed', '2026-11-24T00:00:00Z', false],
    ['void', '2026-11-24T00:00:00Z', false],
  ] as const)('a %s case at %s is overdue: %s', (status, now, expected) => {
    expect(isOverdue({ status, red_at: red }, at(now))).toBe(expected);
  });

  test('a case with no step clock is never overdue', () => {
    expect(isOverdue({ status: 'handling', red_at: null }, at('2030-01-01T00:00:00Z'))).toBe(false);
  });

  test('the handling step counts against the department, every other step against the centre', () => {
    expect(responsibleDepartment('handling', 7)).toBe(7);
    expect(responsibleDepartment('dispatch', 7)).toBeNull();
    expect(responsibleDepartment('check', null)).toBeNull();
  });

  test('the department × step table puts the worst department first and lists steps in workflow order', () => {
    const t = overdueTable([
      { department_id: 1, department_name: 'Roads', step: 'handling', count: 2 },
      { department_id: null, department_name: null, step: 'check', count: 1 },
      { department_id: null, department_name: null, step: 'dispatch', count: 4 },
      { department_id: 2, department_name: 'Parks', step: 'handling', count: 3 },
      { department_id: 3, department_name: 'Water', step: 'handling', count: 0 },
    ]);
    expect(t.steps).toEqual(['dispatch', 'handling', 'check']);
    expect(t.rows.map((r) => [r.department_id, r.total])).toEqual([[null, 5], [2, 3], [1, 2]]);
    expect(t.rows[0].by_step).toEqual({ dispatch: 4, check: 1 });
  });
});

describe('urges and their answers', () => {
  test.each([
    ['handling', ['department']],
    ['suspended', ['department']],
    ['pending_dispatch', ['dispatcher']],
    ['pending_filing', ['shift_leader']],
    ['checking', ['inspector']],
    ['pending_acceptance', ['operator']],
  ])('an urge while %s is answered by %j', (status, roles) => {
    expect(answeringRoles(status)).toEqual(roles);
  });

  const e = (seq: number, iso: string, action: string, role: string | null, status = 'handling'): UrgeTrailEntry =>
    ({ seq, at: at(iso), action, role, from_status: status, to_status: status });

  test('the first later action of the handling side answers an urge; the dispatcher or another urge does not', () => {
    const trail = [
      e(1, '2026-11-23T02:00:00Z', 'dispatch', 'dispatcher'),
      e(2, '2026-11-23T03:00:00Z', 'urge', 'leader'),
      e(3, '2026-11-23T04:00:00Z', 'urge', 'shift_leader'),
      e(4, '2026-11-23T05:00:00Z', 'deny_extension', 'dispatcher'),
      e(5, '2026-11-23T06:00:00Z', 'apply_extension', 'department'),
    ];
    expect(urgeAnswers(trail)).toEqual([
      { urge_seq: 2, urged_at: at('2026-11-23T03:00:00Z'), status: 'handling', answered_at: at('2026-11-23T06:00:00Z'), answer_action: 'apply_extension' },
      { urge_seq: 3, urged_at: at('2026-11-23T04:00:00Z'), status: 'handling', answered_at: at('2026-11-23T06:00:00Z'), answer_action: 'apply_extension' },
    ]);
  });

  test('an urge with no answer yet is unanswered, and waits too long once past the hours threshold', () => {
    const [u] = urgeAnswers([e(1, '2026-11-23T02:00:00Z', 'urge', 'leader', 'pending_dispatch')]);
    expect(u.answered_at).toBeNull();
    expect(urgeOverdue(u.urged_at, u.answered_at, at('2026-11-24T02:00:00Z'), 24)).toBe(false);
    expect(urgeOverdue(u.urged_at, u.answered_at, at('2026-11-24T02:00:01Z'), 24)).toBe(true);
    expect(urgeOverdue(u.urged_at, at('2026-11-23T03:00:00Z'), at('2026-11-30T00:00:00Z'), 24)).toBe(false);
  });
});

describe('stockpile and late returns (default limits: 60 natural days, 2 working hours)', () => {
  const rules = workRules();
  test('a suspension becomes stockpiled after 60 natural days, not on the 60th', () => {
    const since = at('2026-01-05T02:00:00Z');
    expect(isStockpiled(rules, since, at('2026-03-06T02:00:00Z'))).toBe(false); // exactly 60 days
    expect(isStockpiled(rules, since, at('2026-03-06T02:01:00Z'))).toBe(true);
    expect(naturalDays(since, at('2026-03-10T02:00:00Z'))).toBe(64);
  });

  test('a return applied within 2 working hours of the dispatch is on time; later it is late', () => {
    const dispatched = at('2026-11-23T01:00:00Z'); // Monday 09:00 Beijing
    expect(isLateReturn(rules, dispatched, at('2026-11-23T03:00:00Z'))).toBe(false); // 11:00: exactly 2 h
    expect(isLateReturn(rules, dispatched, at('2026-11-23T03:01:00Z'))).toBe(true);
  });

  test('the lunch break does not count against the return limit', () => {
    const dispatched = at('2026-11-23T03:30:00Z'); // Monday 11:30 Beijing: 30 min before lunch
    expect(isLateReturn(rules, dispatched, at('2026-11-23T07:00:00Z'))).toBe(false); // 15:00: 1.5 working hours
    expect(isLateReturn(rules, dispatched, at('2026-11-23T07:31:00Z'))).toBe(true);
  });
});

describe('thresholds and alerts', () => {
  test('valid thresholds pass through', () => {
    expect(validateThresholds({ department_overdue: 3, step_overdue: 8, stockpiled: 1, unanswered_urge_hours: 12 }))
      .toEqual({ department_overdue: 3, step_overdue: 8, stockpiled: 1, unanswered_urge_hours: 12 });
  });

  test.each([
    [{ ...DEFAULT_THRESHOLDS, department_overdue: 0 }, 'department_overdue'],
    [{ ...DEFAULT_THRESHOLDS, step_overdue: 2.5 }, 'step_overdue'],
    [{ ...DEFAULT_THRESHOLDS, unanswered_urge_hours: 9000 }, 'unanswered_urge_hours'],
    [{ department_overdue: 1, step_overdue: 1, stockpiled: 1 }, 'unanswered_urge_hours'],
    [{ ...DEFAULT_THRESHOLDS, colour: 'red' }, 'colour'],
  ])('%j is refused, naming %s', (input, field) => {
    const err = errorOf(() => validateThresholds(input)) as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('bad_request');
    expect(err.details).toHaveProperty(field);
  });

  test('counts at or above a threshold raise alerts, worst first; below they do not', () => {
    const t = { department_overdue: 2, step_overdue: 3, stockpiled: 1, unanswered_urge_hours: 24 };
    const alerts = evaluateAlerts({
      overdue: [
        { department_id: 1, department_name: 'Roads', step: 'handling', count: 2 },
        { department_id: 2, department_name: 'Parks', step: 'handling', count: 1 },
        { department_id: null, department_name: null, step: 'dispatch', count: 6 },
      ],
      stockpiled: 0,
      unanswered_urges: 1,
    }, t);
    expect(alerts.map((a) => a.key)).toEqual(['step_overdue:dispatch', 'department_overdue:1', 'step_overdue:handling', 'unanswered_urges']);
    expect(alerts[0]).toMatchObject({ kind: 'step_overdue', count: 6, threshold: 3, category: 'overdue' });
    expect(alerts[1]).toMatchObject({ department_id: 1, department_name: 'Roads', count: 2 });
  });

  test('nothing over any line gives no alert', () => {
    expect(evaluateAlerts({ overdue: [], stockpiled: 0, unanswered_urges: 0 }, DEFAULT_THRESHOLDS)).toEqual([]);
  });
});
