import { describe, expect, test } from 'vitest';
import {
  CASE_ACTIONS, CASE_STATUSES, OPEN_STATUSES, RULES, ROLES, applyDecision, availableActions, decide, decideReport, stepOf,
  type Actor, type CaseAction, type CaseState, type CaseStatus, type Decision, type Role,
} from '../../../server/domain/workflow.js';
import { errorOf } from '../../helpers/errors.js';

const NOW = new Date('2026-03-10T02:00:00Z'); // Tuesday 10:00 in Beijing
const LATER = new Date('2026-03-10T06:00:00Z');
const DEPT = '7';

const USER_IDS: Record<Role, number> = { public: 0, inspector: 11, operator: 12, shift_leader: 13, dispatcher: 14, department: 15, leader: 16, admin: 17 };
const actor = (role: Role, department_id: string | null = DEPT): Actor => ({ id: USER_IDS[role], roles: [role], department_id: department_id === null ? null : Number(department_id) });

/** A case in `status` on which `action` is otherwise allowed. */
function stateFor(action: CaseAction, status: CaseStatus): CaseState {
  const rule = RULES[action];
  return {
    status,
    source: 'inspector',
    pending_application: rule.pending && rule.pending !== 'none' ? rule.pending : null,
    pending_extension_hours: rule.pending === 'extension' ? 4 : null,
    verify_found: null,
    department_id: DEPT,
    overdue_after: new Date('2026-03-12T10:00:00Z'),
    suspended_at: status === 'suspended' ? new Date('2026-03-09T02:00:00Z') : null,
  };
}

function expectedTo(action: CaseAction, from: CaseStatus): CaseStatus {
  const to = RULES[action].to;
  if (to === 'same') return from;
  if (typeof to === 'string') return to;
  return RULES[action].example[to.field] ? to.if_true : to.if_false;
}

const allowed = CASE_ACTIONS.flatMap((action) =>
  RULES[action].by.flatMap((role) => RULES[action].from.map((status) => [action, role, status] as const)));
const wrongRoles = CASE_ACTIONS.flatMap((action) =>
  ROLES.filter((r) => !RULES[action].by.includes(r)).map((role) => [action, role] as const));
const wrongStates = CASE_ACTIONS.flatMap((action) =>
  CASE_STATUSES.filter((s) => !RULES[action].from.includes(s)).map((status) => [action, status] as const));

describe('the rule table', () => {
  test('has one rule per action, rows 2–19 of workflow.md (and 20: reopen after a dissatisfied call-back, issue 11), and only known roles', () => {
    expect(Object.keys(RULES).sort()).toEqual([...CASE_ACTIONS].sort());
    expect(new Set(Object.values(RULES).map((r) => r.row))).toEqual(new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20]));
    for (const rule of Object.values(RULES)) for (const role of rule.by) expect(ROLES).toContain(role);
  });

  test('admin and the public perform no case actions; every post of the loop performs some', () => {
    const roles = new Set(Object.values(RULES).flatMap((r) => r.by));
    expect(roles.has('admin')).toBe(false);
    expect(roles.has('public')).toBe(false);
    for (const r of ['inspector', 'operator', 'shift_leader', 'dispatcher', 'department', 'leader'] as const) expect(roles.has(r)).toBe(true);
  });

  test('verify (核实) and check (核查) are different steps done by the inspector', () => {
    expect(RULES.verify).toMatchObject({ from: ['verifying'], by: ['inspector'], to: 'pending_acceptance' });
    expect(RULES.check).toMatchObject({ from: ['checking'], by: ['inspector'] });
  });

  test.each(allowed)('%s by %s from %s is allowed', (action, role, status) => {
    const state = stateFor(action, status);
    const d = decide(state, action, actor(role), RULES[action].example, NOW);
    expect(d).toMatchObject({ action, from: status, to: expectedTo(action, status), role });
  });

  test.each(wrongRoles)('%s by %s is refused with role_not_allowed', (action, role) => {
    const status = RULES[action].from[0];
    expect(errorOf(() => decide(stateFor(action, status), action, actor(role), RULES[action].example, NOW)))
      .toMatchObject({ code: 'role_not_allowed' });
  });

  test.each(wrongStates)('%s from %s is refused with not_allowed_in_state', (action, status) => {
    const role = RULES[action].by[0];
    expect(errorOf(() => decide(stateFor(action, status), action, actor(role), RULES[action].example, NOW)))
      .toMatchObject({ code: 'not_allowed_in_state' });
  });

  test('an unknown action is unprocessable', () => {
    expect(errorOf(() => decide(stateFor('accept', 'pending_acceptance'), 'approve' as CaseAction, actor('operator'), {}, NOW)))
      .toMatchObject({ code: 'unprocessable' });
  });

  test('a user with several roles acts in the first role the rule allows', () => {
    const d = decide(stateFor('approve_suspension', 'handling'), 'approve_suspension', { roles: ['leader', 'dispatcher'] }, {}, NOW);
    expect(d.role).toBe('dispatcher');
  });
});

describe('pending applications are a sub-state of handling', () => {
  const applies = ['apply_return', 'apply_extension', 'apply_suspension'] as const;
  const answers = ['approve_return', 'deny_return', 'approve_extension', 'deny_extension', 'approve_suspension', 'deny_suspension'] as const;

  test.each(applies.flatMap((a) => (['return', 'extension', 'suspension'] as const).map((p) => [a, p] as const)))(
    '%s is refused while an application to %s is pending', (action, pending) => {
      const state = { ...stateFor(action, 'handling'), pending_application: pending };
      expect(errorOf(() => decide(state, action, actor('department'), RULES[action].example, NOW))).toMatchObject({ code: 'not_allowed_in_state' });
    });

  test.each(answers.flatMap((a) => ([null, 'return', 'extension', 'suspension'] as const).filter((p) => p !== RULES[a].pending).map((p) => [a, p] as const)))(
    '%s is refused when the pending application is %s', (action, pending) => {
      const state = { ...stateFor(action, 'handling'), pending_application: pending };
      expect(errorOf(() => decide(state, action, actor('dispatcher'), {}, NOW))).toMatchObject({ code: 'not_allowed_in_state' });
    });
});

describe('fields', () => {
  const h = stateFor('apply_extension', 'handling');
  test.each([
    ['verify', 'verifying', {}, 'found'],
    ['verify', 'verifying', { found: 'yes' }, 'found'],
    ['check', 'checking', {}, 'passed'],
    ['check', 'checking', { passed: 1 }, 'passed'],
    ['check', 'checking', { passed: false }, 'photo_ids'],
    ['check', 'checking', { passed: false, photo_ids: [] }, 'photo_ids'],
    ['check', 'checking', { passed: false, note: 'still there' }, 'photo_ids'],
    ['apply_extension', 'handling', {}, 'hours'],
    ['apply_extension', 'handling', { hours: 0 }, 'hours'],
    ['apply_extension', 'handling', { hours: -2 }, 'hours'],
    ['apply_extension', 'handling', { hours: '4' }, 'hours'],
    ['void', 'handling', {}, 'reason'],
    ['void', 'handling', { reason: '   ' }, 'reason'],
    ['apply_return', 'handling', {}, 'reason'],
    ['apply_suspension', 'handling', {}, 'reason'],
    ['close', 'pending_closing', { closing_type: 'late' }, 'closing_type'],
    ['dispatch', 'pending_dispatch', { department_id: 'roads' }, 'department_id'],
    ['dispatch', 'pending_dispatch', { department_id: 0 }, 'department_id'],
    ['file', 'pending_filing', { class_code: '0601' }, 'class_code'],
    ['file', 'pending_filing', { condition: 'Main Road' }, 'condition'],
    ['feedback', 'handling', {}, 'photo_ids'],
    ['feedback', 'handling', { photo_ids: [] }, 'photo_ids'],
    ['feedback', 'handling', { photo_ids: [''] }, 'photo_ids'],
    ['accept', 'pending_acceptance', { descripton: 'typo' }, 'descripton'],
    ['accept', 'pending_acceptance', { hours: 3 }, 'hours'],
    ['accept', 'pending_acceptance', { note: 42 }, 'note'],
  ] as const)('%s from %s with %j is unprocessable on %s', (action, status, input, field) => {
    const state = { ...stateFor(action, status), ...(action === 'accept' ? { verify_found: true } : {}) };
    const e = errorOf(() => decide(state, action, actor(RULES[action].by[0]), input, NOW));
    expect(e).toMatchObject({ code: 'unprocessable' });
    expect(e.details).toHaveProperty(field);
    expect(e.message).toContain(field);
  });

  test('a failed check (核查) needs an after-photo; a passed one does not', () => {
    const c = stateFor('check', 'checking');
    expect(decide(c, 'check', actor('inspector'), { passed: false, photo_ids: ['after-1'] }, NOW)).toMatchObject({ to: 'pending_dispatch', fields: { photo_ids: ['after-1'] } });
    expect(decide(c, 'check', actor('inspector'), { passed: true }, NOW).to).toBe('pending_closing');
    expect(errorOf(() => decide(c, 'check', actor('inspector'), { passed: false }, NOW)).details).toEqual({ photo_ids: 'a failed check needs at least one after-photo' });
  });

  test('all problems are reported at once', () => {
    const e = errorOf(() => decide(h, 'apply_extension', actor('department'), { hours: 0, reason: '', extra: 1 }, NOW));
    expect(Object.keys(e.details).sort()).toEqual(['extra', 'hours', 'reason']);
  });

  test('the envelope (action, version) is ignored, note and photo ids are accepted everywhere', () => {
    const d = decide(stateFor('urge', 'pending_check'), 'urge', actor('leader'), { action: 'urge', version: 3, note: 'today', photo_ids: ['p1', 2] }, NOW);
    expect(d.fields).toEqual({ note: 'today', photo_ids: ['p1', '2'] });
  });

  test('a numeric department id is normalised to text; the reason is trimmed', () => {
    expect(decide(stateFor('dispatch', 'pending_dispatch'), 'dispatch', actor('dispatcher'), { department_id: 12 }, NOW).effects.set.department_id).toBe('12');
    expect(decide(h, 'void', actor('shift_leader'), { reason: '  duplicate ' }, NOW).effects.set.void_reason).toBe('duplicate');
  });
});

/** Applies actions in turn and returns every decision and the state after each. */
function walk(start: CaseState, steps: [CaseAction, Role, Record<string, unknown>?, Date?][]): { state: CaseState; decisions: Decision[]; states: CaseState[] } {
  let state = start;
  const decisions: Decision[] = [];
  const states: CaseState[] = [];
  for (const [action, role, input, at] of steps) {
    const d = decide(state, action, actor(role), input ?? {}, at ?? NOW);
    decisions.push(d);
    state = applyDecision(state, d);
    if (d.action === 'dispatch') state = { ...state, overdue_after: new Date('2026-03-10T10:00:00Z') };
    states.push(state);
  }
  return { state, decisions, states };
}

const reported = (source: CaseState['source'] = 'inspector'): CaseState => ({ status: decideReport(actor(source === 'inspector' ? 'inspector' : 'operator'), { source }).to, source });

describe('paths through the table', () => {
  test('normal loop: report, accept, file, dispatch, feedback, check task, check, close', () => {
    const { state, decisions, states } = walk(reported(), [
      ['accept', 'operator'],
      ['file', 'shift_leader', { class_code: '06010', condition: 'main_road' }],
      ['dispatch', 'dispatcher', { department_id: DEPT }],
      ['feedback', 'department', { note: 'cleaned', photo_ids: ['after-1'] }],
      ['send_check', 'operator'],
      ['check', 'inspector', { passed: true }],
      ['close', 'shift_leader'],
    ]);
    expect(decisions.map((d) => d.to)).toEqual(['pending_filing', 'pending_dispatch', 'handling', 'pending_check', 'checking', 'pending_closing', 'closed']);
    expect(states.map(stepOf)).toEqual(['file', 'dispatch', 'handling', 'send_check', 'check', 'close', null]);
    expect(state).toMatchObject({ status: 'closed', closing_type: 'normal', class_code: '06010', condition: 'main_road', department_id: DEPT, handled_late: false });
  });

  test('a public report must be verified (核实) before it is accepted', () => {
    const start = reported('public');
    expect(stepOf(start)).toBe('send_verify');
    expect(errorOf(() => decide(start, 'accept', actor('operator'), {}, NOW))).toMatchObject({ code: 'not_allowed_in_state' });
    const { state, decisions, states } = walk(start, [['send_verify', 'operator'], ['verify', 'inspector', { found: true }], ['accept', 'operator']]);
    expect(decisions.map((d) => d.to)).toEqual(['verifying', 'pending_acceptance', 'pending_filing']);
    expect(decisions[1].effects).toMatchObject({ set: { verify_found: true } });
    expect(states.map(stepOf)).toEqual(['verify', 'accept', 'file']);
    expect(state.status).toBe('pending_filing');
  });

  test('a verified "not found" goes back to acceptance, cannot be accepted, and is rejected or verified again', () => {
    const { state } = walk(reported('hotline'), [['send_verify', 'operator'], ['verify', 'inspector', { found: false }]]);
    expect(state).toMatchObject({ status: 'pending_acceptance', verify_found: false });
    expect(errorOf(() => decide(state, 'accept', actor('operator'), {}, NOW))).toMatchObject({ code: 'not_allowed_in_state' });
    expect(walk(state, [['reject', 'operator', { reason: 'nothing there' }]]).state).toMatchObject({ status: 'void', void_reason: 'nothing there' });
    const again = walk(state, [['send_verify', 'operator'], ['verify', 'inspector', { found: true }], ['accept', 'operator']]);
    expect(again.state.status).toBe('pending_filing');
  });

  test('an inspector report is accepted directly; filing can be refused', () => {
    expect(walk(reported(), [['accept', 'operator'], ['refuse', 'shift_leader']]).state.status).toBe('void');
  });

  test('return: applied by the department, approved by the dispatcher, re-dispatched elsewhere', () => {
    const { state, decisions } = walk({ ...reported(), suggested_department_id: DEPT }, [
      ['accept', 'operator'], ['file', 'shift_leader'], ['dispatch', 'dispatcher'],
      ['apply_return', 'department', { reason: 'the cover belongs to the gas company' }],
      ['approve_return', 'dispatcher'],
    ]);
    expect(decisions[3]).toMatchObject({ to: 'handling', effects: { set: { pending_application: 'return' } } });
    expect(decisions[2].effects.set.department_id).toBe(DEPT); // the suggestion
    expect(decisions[4].effects).toMatchObject({ add: { return_count: 1 } });
    expect(state).toMatchObject({ status: 'pending_dispatch', return_count: 1, department_id: null, pending_application: null });
    expect(stepOf(state)).toBe('dispatch');
    expect(decide({ ...state, suggested_department_id: '6' }, 'dispatch', actor('dispatcher'), {}, NOW).effects.set.department_id).toBe('6'); // the suggestion, not the old one
    expect(decide(state, 'dispatch', actor('dispatcher'), {}, NOW).effects.set.department_id).toBe(DEPT);
    expect(decide(state, 'dispatch', actor('dispatcher'), { department_id: '9' }, NOW).effects.set.department_id).toBe('9');
    expect(decide({ ...state, suggested_department_id: null }, 'dispatch', actor('dispatcher'), {}, NOW).effects.set.department_id).toBeNull(); // nowhere: transition refuses
  });

  test('a denied return leaves the case with the department', () => {
    const { state } = walk(stateFor('apply_return', 'handling'), [['apply_return', 'department', { reason: 'not ours' }], ['deny_return', 'dispatcher', { reason: 'it is' }]]);
    expect(state).toMatchObject({ status: 'handling', pending_application: null, department_id: DEPT });
  });

  test('extension: N hours asked, approved (or fewer), added; a second one denied', () => {
    const { state, decisions } = walk(stateFor('apply_extension', 'handling'), [
      ['apply_extension', 'department', { hours: 8, reason: 'parts on order' }],
      ['approve_extension', 'dispatcher'],
      ['apply_extension', 'department', { hours: 4 }],
      ['approve_extension', 'dispatcher', { hours: 2 }],
      ['apply_extension', 'department', { hours: 4 }],
      ['deny_extension', 'dispatcher'],
    ]);
    expect(decisions.every((d) => d.to === 'handling')).toBe(true);
    expect(state).toMatchObject({ extension_hours: 10, extension_count: 2, pending_application: null, pending_extension_hours: null });
  });

  test('an extension larger than asked for is not approved', () => {
    const s = { ...stateFor('approve_extension', 'handling'), pending_extension_hours: 4 };
    expect(errorOf(() => decide(s, 'approve_extension', actor('dispatcher'), { hours: 6 }, NOW))).toMatchObject({ code: 'unprocessable' });
  });

  test('no extension once overdue; at the deadline itself it is still allowed', () => {
    const s = { ...stateFor('apply_extension', 'handling'), overdue_after: NOW };
    expect(decide(s, 'apply_extension', actor('department'), { hours: 2 }, NOW).to).toBe('handling');
    const e = errorOf(() => decide(s, 'apply_extension', actor('department'), { hours: 2 }, new Date(NOW.getTime() + 1)));
    expect(e).toMatchObject({ code: 'not_allowed_in_state' });
    expect(e.message).toContain('overdue');
    expect(availableActions(s, actor('department'), LATER)).not.toContain('apply_extension');
  });

  test('suspension (挂账): applied, approved by the leader, the clock pauses; resume restarts it', () => {
    const { state, decisions } = walk(stateFor('apply_suspension', 'handling'), [
      ['apply_suspension', 'department', { reason: 'needs a budget' }],
      ['approve_suspension', 'leader', {}, NOW],
      ['resume', 'dispatcher', {}, LATER],
      ['feedback', 'department', { photo_ids: ['p'] }, LATER],
    ]);
    expect(decisions[1]).toMatchObject({ to: 'suspended', effects: { suspension: { start: NOW }, add: { suspension_count: 1 } } });
    expect(decisions[2]).toMatchObject({ to: 'handling', effects: { suspension: { start: NOW, end: LATER } } });
    expect(state).toMatchObject({ status: 'pending_check', suspended_at: null, suspension_count: 1 });
  });

  test('a suspension can be denied', () => {
    const { state } = walk(stateFor('apply_suspension', 'handling'), [['apply_suspension', 'department', { reason: 'x' }], ['deny_suspension', 'dispatcher']]);
    expect(state).toMatchObject({ status: 'handling', pending_application: null });
  });

  test('rework: a failed check (核查) goes back to dispatch, counted, to the same department', () => {
    const { state, decisions, states } = walk(stateFor('send_check', 'pending_check'), [
      ['send_check', 'operator'],
      ['check', 'inspector', { passed: false, note: 'still there', photo_ids: ['after-1'] }],
      ['dispatch', 'dispatcher'],
      ['feedback', 'department', { photo_ids: ['after-2'] }],
      ['send_check', 'operator'],
      ['check', 'inspector', { passed: true }],
      ['close', 'shift_leader'],
    ]);
    expect(decisions[1]).toMatchObject({ to: 'pending_dispatch', effects: { add: { rework_count: 1 } } });
    expect(stepOf(states[1])).toBe('dispatch');
    expect(decisions[2].effects.set.department_id).toBe(DEPT);
    expect(state).toMatchObject({ status: 'closed', rework_count: 1 });
  });

  test.each(OPEN_STATUSES)('urge (督办) flags a %s case and leaves its state', (status) => {
    const d = decide(stateFor('urge', status), 'urge', actor('leader'), {}, NOW);
    expect(d).toMatchObject({ from: status, to: status, effects: { set: { urged: true }, add: { urge_count: 1 } } });
  });

  test('urging twice counts twice', () => {
    expect(walk(stateFor('urge', 'handling'), [['urge', 'leader'], ['urge', 'shift_leader']]).state).toMatchObject({ urged: true, urge_count: 2 });
  });

  test('void needs a reason, stops the current clock and closes an open suspension', () => {
    const s = { ...stateFor('void', 'suspended'), suspended_at: NOW };
    const d = decide(s, 'void', actor('shift_leader'), { reason: 'duplicate of 2026-000123' }, LATER);
    expect(d).toMatchObject({ to: 'void', effects: { set: { void_reason: 'duplicate of 2026-000123', suspended_at: null }, suspension: { start: NOW, end: LATER } } });
    expect(errorOf(() => decide(s, 'void', actor('shift_leader'), {}, LATER))).toMatchObject({ code: 'unprocessable' });
  });

  test('a pending application is withdrawn by feedback and by void', () => {
    const s = { ...stateFor('feedback', 'handling'), pending_application: 'extension' as const, pending_extension_hours: 4 };
    expect(decide(s, 'feedback', actor('department'), { photo_ids: ['p'] }, NOW).effects.set).toMatchObject({ pending_application: null, pending_extension_hours: null });
    expect(decide(s, 'void', actor('shift_leader'), { reason: 'x' }, NOW).effects.set).toMatchObject({ pending_application: null });
  });

  test('late feedback is recorded and the case closes as overdue, never as normal', () => {
    const s = { ...stateFor('feedback', 'handling'), overdue_after: NOW };
    const { state } = walk(s, [['feedback', 'department', { photo_ids: ['p'] }, LATER], ['send_check', 'operator'], ['check', 'inspector', { passed: true }]]);
    expect(state.handled_late).toBe(true);
    expect(decide(state, 'close', actor('shift_leader'), {}, LATER).effects.set.closing_type).toBe('overdue');
    expect(decide(state, 'close', actor('shift_leader'), { closing_type: 'special' }, LATER).effects.set.closing_type).toBe('special');
    expect(errorOf(() => decide(state, 'close', actor('shift_leader'), { closing_type: 'normal' }, LATER))).toMatchObject({ code: 'unprocessable' });
  });

  test('feedback at the deadline is on time', () => {
    const s = { ...stateFor('feedback', 'handling'), overdue_after: NOW };
    expect(decide(s, 'feedback', actor('department'), { photo_ids: ['p'] }, NOW).effects.set.handled_late).toBe(false);
  });

  test('self-handled (自处置): an inspector reports it fixed; the operator closes it or finds it invalid', () => {
    const r = decideReport(actor('inspector'), { source: 'inspector', self_handled: true, photo_ids: ['before', 'after'] });
    expect(r).toEqual({ to: 'pending_review', role: 'inspector', step: 'review' });
    for (const photo_ids of [undefined, [], ['only-one']]) {
      const e = errorOf(() => decideReport(actor('inspector'), { source: 'inspector', self_handled: true, photo_ids }));
      expect(e).toMatchObject({ code: 'unprocessable', details: { photo_ids: expect.any(String) } });
      expect(e.message).toContain('before-photo and an after-photo');
    }
    const start: CaseState = { status: r.to, source: 'inspector' };
    expect(walk(start, [['approve_self_handled', 'operator']]).state).toMatchObject({ status: 'closed', closing_type: 'normal' });
    expect(walk(start, [['reject_self_handled', 'operator', { reason: 'after-photo shows nothing' }]]).state).toMatchObject({ status: 'void', void_reason: 'after-photo shows nothing' });
    expect(errorOf(() => decideReport(actor('operator'), { source: 'inspector', self_handled: true }))).toMatchObject({ code: 'role_not_allowed' });
    expect(errorOf(() => decide(start, 'urge', actor('leader'), {}, NOW))).toMatchObject({ code: 'not_allowed_in_state' });
  });
});

describe('who acts', () => {
  test('only the department the case is dispatched to acts on it', () => {
    const s = stateFor('feedback', 'handling');
    expect(errorOf(() => decide(s, 'feedback', actor('department', '8'), { photo_ids: ['p'] }, NOW))).toMatchObject({ code: 'role_not_allowed' });
    expect(decide(s, 'feedback', actor('department', DEPT), { photo_ids: ['p'] }, NOW).to).toBe('pending_check');
  });

  test('a dispatcher resumes any case whatever their department', () => {
    expect(decide(stateFor('resume', 'suspended'), 'resume', actor('dispatcher', '99'), {}, NOW).to).toBe('handling');
  });

  test.each([
    ['inspector', 'inspector', 'pending_acceptance'], ['public', 'public', 'pending_acceptance'], ['public', 'operator', 'pending_acceptance'],
    ['hotline', 'operator', 'pending_acceptance'], ['video', 'operator', 'pending_acceptance'], ['leader', 'leader', 'pending_acceptance'],
  ] as const)('a %s report by %s starts %s', (source, role, to) => {
    expect(decideReport(actor(role), { source }).to).toBe(to);
  });

  test.each([['hotline', 'public'], ['inspector', 'operator'], ['public', 'department']] as const)('a %s report by %s is refused', (source, role) => {
    expect(errorOf(() => decideReport(actor(role), { source }))).toMatchObject({ code: 'role_not_allowed' });
  });

  test('available actions of a handling case, per role', () => {
    const s = stateFor('apply_return', 'handling');
    expect(availableActions(s, actor('department'), NOW)).toEqual(['apply_return', 'apply_extension', 'apply_suspension', 'feedback']);
    expect(availableActions(s, actor('dispatcher'), NOW)).toEqual([]);
    expect(availableActions({ ...s, pending_application: 'return' }, actor('dispatcher'), NOW)).toEqual(['approve_return', 'deny_return']);
    expect(availableActions(s, actor('shift_leader'), NOW)).toEqual(['urge', 'void']);
    expect(availableActions(s, actor('admin'), NOW)).toEqual([]);
  });
});
