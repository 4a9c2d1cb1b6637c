// The one decision of a case action (domain/workflow.ts transition): the whole patch of the stored case, with the
// step's deadline and its yellow and red instants computed from the limits and the calendar passed in as data.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  CASE_ACTIONS, RULES, STEPS, decideMerge, decideReport, openCase, stepOf, transition,
  type Actor, type CaseAction, type CaseRecord, type CaseStatus, type Role, type Transition, type TransitionFacts,
} from '../../../server/domain/workflow.js';
import { buildCalendar } from '../../../server/domain/calendar.js';
import { CENTRE_STEPS, loadLimits } from '../../../server/domain/limits.js';
import { entryHash, GENESIS_HASH } from '../../../server/domain/trail.js';
import { errorOf } from '../../helpers/errors.js';

const calendar = buildCalendar([JSON.parse(readFileSync(new URL('../../../data/calendars/cn-2026.json', import.meta.url), 'utf8'))], { time_zone: '+08:00' });
const m = (value: number, unit = 'minutes') => ({ value, unit });
const limits = loadLimits({
  source: 'transition tests',
  steps: {
    send_verify: m(30), verify: m(30, 'working_minutes'), accept: m(15), file: { ...m(30), urgent: m(10) }, dispatch: m(15),
    send_check: m(30), check: m(30, 'working_minutes'), close: m(30), review: m(30),
  },
  late_return_after: m(2, 'working_hours'), stockpile_after: m(60, 'natural_days'), fallback_handling: m(3, 'working_days'),
  handling: [
    { class_code: '01037', condition: 'single_out', condition_zh: '单灯不亮', limit: m(1, 'working_days'), default: true, closing_zh: '亮灯' },
    { class_code: '01037', condition: 'three_in_a_row_out', condition_zh: '连续三灯不亮', limit: m(4, 'working_hours'), closing_zh: '亮灯' },
    { class_code: '01001', condition: 'cover_missing', condition_zh: '井盖缺失', limit: m(2, 'urgent_hours'), urgent: true, default: true, closing_zh: '补齐' },
  ],
});
const rules = { calendar, limits };

const NOW = new Date('2026-03-10T02:00:00Z'); // Tuesday 10:00 in Beijing; working periods 08–12 and 14–18
const iso = (d: Date | null | undefined) => (d == null ? d : d.toISOString());
const at = (s: string) => new Date(s);
const LAST = { seq: 3, hash: 'a'.repeat(64) };

const USER_IDS: Record<Role, number> = { public: 0, inspector: 11, operator: 12, shift_leader: 13, dispatcher: 14, department: 15, leader: 16, admin: 17 };
const actor = (role: Role, department_id: string | null = '7'): Actor => ({ id: USER_IDS[role], roles: [role], department_id: department_id === null ? null : Number(department_id) });

function record(o: Partial<CaseRecord> = {}): CaseRecord {
  return {
    id: 'case-1', status: 'pending_acceptance', source: 'inspector', class_code: '01037', condition: null, urgent: false,
    department_id: null, suggested_department_id: 5, suggestion_taken: null, pending_application: null, pending_extension_hours: null,
    verify_found: null, handled_late: false, urged: false, suspended_at: null, closing_type: null, void_reason: null,
    step: 'accept', step_deadline_at: at('2026-03-10T02:15:00Z'), handling_started_at: null, overdue_after: null,
    return_count: 0, rework_count: 0, urge_count: 0, extension_count: 0, extension_hours: 0, suspension_count: 0,
    ...o,
  };
}

const facts = (o: Partial<TransitionFacts> = {}): TransitionFacts => ({ rules, suspensions: [], last_entry: LAST, ...o });

function act(c: CaseRecord, action: CaseAction, role: Role, input: Record<string, unknown> = {}, when = NOW, f: Partial<TransitionFacts> = {}): Transition {
  return transition(c, action, actor(role), input, when, facts(f));
}

/** The case after the transition was saved. */
const saved = (c: CaseRecord, t: Transition): CaseRecord => ({ ...c, ...t.patch } as CaseRecord);

/** A case dispatched at NOW to department 7 (class 01037, default condition: 1 working day). */
const handling = (o: Partial<CaseRecord> = {}) => saved(record({ status: 'pending_dispatch', step: 'dispatch', ...o }),
  act(record({ status: 'pending_dispatch', step: 'dispatch', ...o }), 'dispatch', 'dispatcher', { department_id: 7 }));

describe('the step clock comes with the decision', () => {
  test('accept starts the file step at once: 30 min, yellow at 80 %; an urgent case has 10 min', () => {
    const t = act(record(), 'accept', 'operator');
    expect(t.patch).toMatchObject({ status: 'pending_filing', updated_at: NOW, step: 'file', step_started_at: NOW });
    expect([iso(t.patch.step_deadline_at), iso(t.patch.yellow_at), iso(t.patch.red_at)])
      .toEqual(['2026-03-10T02:30:00.000Z', '2026-03-10T02:24:00.000Z', '2026-03-10T02:30:00.000Z']);
    const u = act(record({ urgent: true }), 'accept', 'operator');
    expect([iso(u.patch.step_deadline_at), iso(u.patch.yellow_at)]).toEqual(['2026-03-10T02:10:00.000Z', '2026-03-10T02:08:00.000Z']);
  });

  test('send_verify starts the verify step in working minutes; verify returns to acceptance with its own clock', () => {
    const pub = record({ source: 'public', step: 'send_verify' });
    const sent = act(pub, 'send_verify', 'operator', {}, at('2026-03-10T03:50:00Z')); // 11:50: 10 working minutes before lunch
    expect(sent.patch).toMatchObject({ status: 'verifying', step: 'verify', verify_found: null });
    expect(iso(sent.patch.step_deadline_at)).toBe('2026-03-10T06:20:00.000Z'); // 14:20, lunch excluded
    const verified = act(saved(pub, sent), 'verify', 'inspector', { found: true }, at('2026-03-10T06:10:00Z'));
    expect(verified.patch).toMatchObject({ status: 'pending_acceptance', verify_found: true, step: 'accept' });
    expect(iso(verified.patch.step_deadline_at)).toBe('2026-03-10T06:25:00.000Z');
  });

  test('file records the filing time and condition and starts dispatch; a condition the class lacks is refused', () => {
    const c = record({ status: 'pending_filing', step: 'file' });
    const t = act(c, 'file', 'shift_leader', { condition: 'three_in_a_row_out' });
    expect(t.patch).toMatchObject({ status: 'pending_dispatch', filed_at: NOW, condition: 'three_in_a_row_out', step: 'dispatch' });
    expect(iso(t.patch.step_deadline_at)).toBe('2026-03-10T02:15:00.000Z');
    expect(act(c, 'file', 'shift_leader').patch).not.toHaveProperty('condition');
    expect(errorOf(() => act(c, 'file', 'shift_leader', { condition: 'no_such' }))).toMatchObject({ code: 'unprocessable', details: { condition: expect.any(String) } });
    expect(errorOf(() => act(c, 'file', 'shift_leader', { class_code: '06010', condition: 'main_road' })))
      .toMatchObject({ code: 'unprocessable', details: { condition: expect.any(String) } }); // 06010 has no conditions here
  });

  test('dispatch starts handling: deadline, yellow and red from the class and condition on the working calendar', () => {
    const c = record({ status: 'pending_dispatch', step: 'dispatch' });
    const t = act(c, 'dispatch', 'dispatcher');
    expect(t.patch).toMatchObject({
      status: 'handling', department_id: 5, suggestion_taken: true, dispatched_at: NOW, handling_started_at: NOW,
      step: 'handling', step_started_at: NOW,
    });
    // 1 working day = 8 h: Tue 10–12, 14–18, Wed 08–10 → Wed 10:00; 80 % = 6 h 24 min → Wed 08:24
    expect([iso(t.patch.step_deadline_at), iso(t.patch.yellow_at), iso(t.patch.red_at), iso(t.patch.handling_deadline_at), iso(t.patch.overdue_after)])
      .toEqual(['2026-03-11T02:00:00.000Z', '2026-03-11T00:24:00.000Z', '2026-03-11T02:00:00.000Z', '2026-03-11T02:00:00.000Z', '2026-03-11T02:00:00.000Z']);
    const three = act({ ...c, condition: 'three_in_a_row_out' }, 'dispatch', 'dispatcher'); // 4 working hours → Tue 16:00
    expect([iso(three.patch.step_deadline_at), iso(three.patch.yellow_at)]).toEqual(['2026-03-10T08:00:00.000Z', '2026-03-10T07:12:00.000Z']);
    const urgent = act({ ...c, class_code: '01001' }, 'dispatch', 'dispatcher'); // 2 urgent hours: the clock runs through lunch
    expect([iso(urgent.patch.step_deadline_at), iso(urgent.patch.yellow_at)]).toEqual(['2026-03-10T04:00:00.000Z', '2026-03-10T03:36:00.000Z']);
    const fallback = act({ ...c, class_code: '06010' }, 'dispatch', 'dispatcher'); // 3 working days → Fri 10:00
    expect(iso(fallback.patch.step_deadline_at)).toBe('2026-03-13T02:00:00.000Z');
  });

  test('dispatch goes to the department named, else back to the last one (rework), else to the suggestion; nowhere is refused', () => {
    const c = record({ status: 'pending_dispatch', step: 'dispatch' });
    expect(act(c, 'dispatch', 'dispatcher', { department_id: 9 }).patch).toMatchObject({ department_id: 9, suggestion_taken: false });
    const rework = act({ ...c, department_id: 7, rework_count: 1, suggestion_taken: false }, 'dispatch', 'dispatcher');
    expect(rework.patch.department_id).toBe(7);
    expect(rework.patch).not.toHaveProperty('suggestion_taken'); // the first dispatch's answer stands
    expect(rework.entry.data).toMatchObject({ department_id: 7 });
    const e = errorOf(() => act({ ...c, suggested_department_id: null }, 'dispatch', 'dispatcher'));
    expect(e).toMatchObject({ code: 'unprocessable', details: { department_id: expect.any(String) } });
    expect(e.message).toContain('give department_id');
  });

  test('an approved extension moves deadline, yellow and red by working hours from the dispatch', () => {
    const h = handling({ pending_application: 'extension', pending_extension_hours: 4 });
    const t = act(h, 'approve_extension', 'dispatcher', {}, at('2026-03-10T06:00:00Z'));
    expect(t.patch).toMatchObject({ extension_hours: 4, extension_count: 1, pending_application: null, pending_extension_hours: null, step: 'handling', step_started_at: NOW });
    // 8 + 4 working hours from Tue 10:00 → Wed 16:00; 80 % = 9 h 36 min → Wed 11:36
    expect([iso(t.patch.step_deadline_at), iso(t.patch.yellow_at), iso(t.patch.overdue_after)])
      .toEqual(['2026-03-11T08:00:00.000Z', '2026-03-11T03:36:00.000Z', '2026-03-11T08:00:00.000Z']);
  });

  test('a suspension pauses the light; resume closes it and moves the deadline by the working time suspended', () => {
    const h = handling({ pending_application: 'suspension' });
    const T1 = at('2026-03-10T06:00:00Z'); // Tue 14:00
    const T2 = at('2026-03-11T06:00:00Z'); // Wed 14:00: a working day suspended
    const s = act(h, 'approve_suspension', 'leader', {}, T1);
    expect(s.suspension).toEqual({ open: T1 });
    expect(s.patch).toMatchObject({ status: 'suspended', suspended_at: T1, suspension_count: 1, step: 'handling', yellow_at: null, red_at: null });
    expect(iso(s.patch.step_deadline_at)).toBe('2026-03-11T02:00:00.000Z');
    const r = act(saved(h, s), 'resume', 'dispatcher', {}, T2, { suspensions: [{ started_at: T1, ended_at: null }] });
    expect(r.suspension).toEqual({ close: T2 });
    expect(r.patch).toMatchObject({ status: 'handling', suspended_at: null, step: 'handling', step_started_at: NOW });
    // 2 h before, 6 h after: Wed 14–18, Thu 08–10 → Thu 10:00; yellow after 6 h 24 min → Thu 08:24
    expect([iso(r.patch.step_deadline_at), iso(r.patch.yellow_at), iso(r.patch.red_at)])
      .toEqual(['2026-03-12T02:00:00.000Z', '2026-03-12T00:24:00.000Z', '2026-03-12T02:00:00.000Z']);
  });

  test('late feedback is recorded on the case and in the trail entry; the check step starts', () => {
    const h = handling({ pending_application: 'return' });
    const late = at('2026-03-11T02:00:01Z');
    const t = act(h, 'feedback', 'department', { photo_ids: ['p1'] }, late);
    expect(t.patch).toMatchObject({ status: 'pending_check', handled_late: true, pending_application: null, step: 'send_check', step_started_at: late });
    expect(iso(t.patch.step_deadline_at)).toBe('2026-03-11T02:30:01.000Z');
    expect(t.entry.data).toMatchObject({ late: true, fields: { photo_ids: ['p1'] } });
    const onTime = act(h, 'feedback', 'department', { photo_ids: ['p1'] }, at('2026-03-11T02:00:00Z'));
    expect([onTime.patch.handled_late, onTime.entry.data?.late]).toEqual([false, false]);
  });

  test('a failed check is rework: counted, back to dispatch with a fresh dispatch clock', () => {
    const c = record({ status: 'checking', step: 'check', department_id: 7 });
    const t = act(c, 'check', 'inspector', { passed: false, photo_ids: ['after-1'] }, at('2026-03-12T02:00:00Z'));
    expect(t.patch).toMatchObject({ status: 'pending_dispatch', rework_count: 1, step: 'dispatch' });
    expect(iso(t.patch.step_deadline_at)).toBe('2026-03-12T02:15:00.000Z');
    expect(t.patch).not.toHaveProperty('department_id');
  });

  test('an approved return clears the department and starts dispatch; the trail names the department it left', () => {
    const h = handling({ pending_application: 'return' });
    const t = act(h, 'approve_return', 'dispatcher', {}, at('2026-03-10T03:00:00Z'));
    expect(t.patch).toMatchObject({ status: 'pending_dispatch', department_id: null, return_count: 1, step: 'dispatch' });
    expect(t.entry.data).toMatchObject({ department_id: 7 });
  });

  test('close and void end the clock: closed_at, no step, no deadline, no light', () => {
    const c = record({ status: 'pending_closing', step: 'close' });
    const t = act(c, 'close', 'shift_leader', {}, at('2026-03-12T02:00:00Z'));
    expect(t.patch).toMatchObject({ status: 'closed', closing_type: 'normal', closed_at: at('2026-03-12T02:00:00Z'), step: null, step_started_at: null, step_deadline_at: null, yellow_at: null, red_at: null });
    const T1 = at('2026-03-10T06:00:00Z');
    const susp = record({ status: 'suspended', step: 'handling', suspended_at: T1, department_id: 7, handling_started_at: NOW });
    const v = act(susp, 'void', 'shift_leader', { reason: 'reported twice' }, at('2026-03-12T02:00:00Z'), { suspensions: [{ started_at: T1, ended_at: null }] });
    expect(v.suspension).toEqual({ close: at('2026-03-12T02:00:00Z') });
    expect(v.patch).toMatchObject({ status: 'void', void_reason: 'reported twice', suspended_at: null, step: null, red_at: null });
  });

  test('urge keeps the step: no new clock outside handling; in handling the same deadline again', () => {
    const filing = act(record({ status: 'pending_filing', step: 'file' }), 'urge', 'leader');
    expect(filing.patch).toMatchObject({ status: 'pending_filing', urged: true, urge_count: 1 });
    expect(filing.patch).not.toHaveProperty('step');
    expect(filing.patch).not.toHaveProperty('step_deadline_at');
    const h = handling();
    const u = act(h, 'urge', 'shift_leader', {}, at('2026-03-10T09:00:00Z'));
    expect(u.patch).toMatchObject({ urged: true, step: 'handling', step_started_at: NOW, step_deadline_at: h.step_deadline_at });
  });

  test('the trail entry is chained after the last one and its hash is the new trail head', () => {
    const t = act(record(), 'accept', 'operator', { note: 'ok' });
    expect(t.entry).toMatchObject({ case_id: 'case-1', seq: 4, at: NOW, actor: '12', role: 'operator', action: 'accept', from_status: 'pending_acceptance', to_status: 'pending_filing', note: 'ok', prev_hash: LAST.hash });
    expect(t.entry.deadline_at).toEqual(t.patch.step_deadline_at);
    const { prev_hash: _p, hash, ...entry } = t.entry;
    expect(hash).toBe(entryHash(LAST.hash, entry));
    expect(t.patch.trail_head).toBe(hash);
    expect(transition(record(), 'accept', { roles: ['operator'] }, {}, NOW, facts()).entry.actor).toBeNull();
  });
});

/** A stored case in `status` on which `action` is allowed. */
function recordFor(action: CaseAction): CaseRecord {
  const rule = RULES[action];
  const status = rule.from[0];
  return record({
    status, step: stepOf({ status, source: 'inspector' }), department_id: 7, handling_started_at: NOW,
    pending_application: rule.pending && rule.pending !== 'none' ? rule.pending : null,
    pending_extension_hours: rule.pending === 'extension' ? 4 : null,
    overdue_after: at('2026-03-11T02:00:00Z'), suspended_at: status === 'suspended' ? at('2026-03-10T06:00:00Z') : null,
  });
}

describe('every action', () => {
  test.each(CASE_ACTIONS)('%s: status, updated_at and trail head always; step fields only with the step they belong to', (action) => {
    const c = recordFor(action);
    const when = at('2026-03-10T08:00:00Z');
    const t = transition(c, action, actor(RULES[action].by[0]), RULES[action].example, when,
      facts({ suspensions: c.status === 'suspended' ? [{ started_at: c.suspended_at!, ended_at: null }] : [] }));
    const rule = RULES[action].to;
    const to: CaseStatus = typeof rule === 'object' ? (RULES[action].example.passed ? rule.if_true : rule.if_false)
      : rule === 'same' ? c.status as CaseStatus : rule;
    expect(t.patch).toMatchObject({ status: to, updated_at: when, trail_head: t.entry.hash });
    expect(t.entry).toMatchObject({ action, from_status: c.status, to_status: to, seq: LAST.seq + 1 });
    const after = saved(c, t);
    const step = stepOf({ status: to, source: 'inspector', verify_found: after.verify_found });
    if ('step' in t.patch) expect(t.patch.step).toBe(step);
    else expect(step).toBe(c.step); // no new clock: the step did not change
    if (step === null) expect(t.patch).toMatchObject({ step_deadline_at: null, yellow_at: null, red_at: null });
    if (step === 'handling') expect(t.patch.step_started_at).toEqual(action === 'dispatch' ? when : NOW); // the handling clock runs from the dispatch
    if (step !== null && step !== 'handling' && 'step' in t.patch) expect(t.patch.step_started_at).toEqual(when);
    if (to === 'closed' || to === 'void') expect(t.patch.closed_at).toEqual(when);
  });
});

test('limits.ts writes out the centre steps (so that workflow.ts may import it): every step but handling, in order', () => {
  expect(CENTRE_STEPS).toEqual(STEPS.filter((s) => s !== 'handling'));
});

describe('a new report and a merge', () => {
  test('openCase starts the first step at the report and chains the first entry from the genesis hash', () => {
    const first = decideReport(actor('inspector'), { source: 'inspector' });
    const o = openCase(first, actor('inspector'), { id: 'c9', source: 'inspector', self_handled: false, class_code: '01037', urgent: false, grid_code: 'g', note: 'n', photo_ids: null, data: { simulated: true } }, NOW, rules);
    expect(o.times).toMatchObject({ step: 'accept', step_started_at: NOW });
    expect(iso(o.times.step_deadline_at)).toBe('2026-03-10T02:15:00.000Z');
    expect(o.entry).toMatchObject({ seq: 1, action: 'report', to_status: 'pending_acceptance', actor: '11', prev_hash: GENESIS_HASH, deadline_at: o.times.step_deadline_at,
      data: { source: 'inspector', self_handled: false, class_code: '01037', grid_code: 'g', simulated: true } });
  });

  test('decideMerge voids the duplicate without a step and gives both an entry naming the other', () => {
    const a = { id: 'a', status: 'pending_acceptance', class_code: '01037', case_no: 'N-A', merged_into: null };
    const b = { id: 'b', status: 'handling', class_code: '01037', case_no: 'N-B', merged_into: null };
    const r = decideMerge(a, b, actor('operator'), 'same lamp', NOW, { source: { seq: 1, hash: 'b'.repeat(64) }, target: { seq: 5, hash: 'c'.repeat(64) } });
    expect(r.source.patch).toMatchObject({ status: 'void', merged_into: 'b', void_reason: 'merged into N-B', closed_at: NOW, step: null, red_at: null, trail_head: r.source.entry.hash });
    expect(r.source.entry).toMatchObject({ seq: 2, action: 'merge', from_status: 'pending_acceptance', to_status: 'void', role: 'operator', note: 'same lamp', data: { merged_into: 'b' } });
    expect(r.target.patch).not.toHaveProperty('status');
    expect(r.target.entry).toMatchObject({ seq: 6, action: 'merged_from', from_status: 'handling', to_status: 'handling', data: { merged_from: 'a', merged_from_case_no: 'N-A' } });
    expect(errorOf(() => decideMerge(a, b, actor('dispatcher'), null, NOW, { source: LAST, target: LAST }))).toMatchObject({ code: 'role_not_allowed' });
  });
});
