// Facts from a trail (domain/facts.ts): steps with their deadlines and who ended them, dispatches with returns,
// extensions, suspensions, rework and sending on.
import { describe, expect, test } from 'vitest';
import { caseFacts, type FactEntry } from '../../../server/domain/facts.js';

const T = (h: number) => new Date(Date.UTC(2026, 2, 2, h)); // hours after 2026-03-02 00:00Z
let seq = 0;
const e = (h: number, action: string, from: string | null, to: string, p: Partial<FactEntry> = {}): FactEntry =>
  ({ seq: ++seq, at: T(h), actor: p.actor ?? '1', role: p.role ?? 'x', action, from_status: from, to_status: to, deadline_at: p.deadline_at ?? null, data: p.data ?? null });
const ctx = { source: 'public' as const, suggested_department_id: 7, workingHours: (a: Date, b: Date) => (b.getTime() - a.getTime()) / 3_600_000 / 2 };

describe('caseFacts', () => {
  test('a public report through verify, rework after a failed check, a return and a re-dispatch', () => {
    seq = 0;
    const trail = [
      e(0, 'report', null, 'pending_acceptance', { actor: null, deadline_at: T(1) }),
      e(1, 'send_verify', 'pending_acceptance', 'verifying', { actor: '2', deadline_at: T(3) }),     // send_verify on time (deadline 1)
      e(4, 'verify', 'verifying', 'pending_acceptance', { actor: '3', deadline_at: T(5), data: { fields: { found: true } } }), // verify late (3)
      e(5, 'accept', 'pending_acceptance', 'pending_filing', { actor: '2', deadline_at: T(6) }),
      e(6, 'file', 'pending_filing', 'pending_dispatch', { actor: '4', deadline_at: T(7) }),
      e(7, 'dispatch', 'pending_dispatch', 'handling', { actor: '5', deadline_at: T(20), data: { department_id: 7, fields: {} } }),
      e(8, 'apply_return', 'handling', 'handling', { actor: '9', deadline_at: T(20), data: { fields: { reason: 'x' } } }),
      e(9, 'approve_return', 'handling', 'pending_dispatch', { actor: '5', deadline_at: T(10), data: { department_id: null, fields: {} } }),
      e(10, 'dispatch', 'pending_dispatch', 'handling', { actor: '5', deadline_at: T(30), data: { department_id: 8, fields: { department_id: '8' } } }),
      e(11, 'apply_extension', 'handling', 'handling', { actor: '9', deadline_at: T(30), data: { fields: { hours: 4 } } }),
      e(12, 'approve_extension', 'handling', 'handling', { actor: '5', deadline_at: T(34), data: { fields: {} } }),
      e(33, 'feedback', 'handling', 'pending_check', { actor: '9', deadline_at: T(34) }),            // on time thanks to the extension
      e(34, 'send_check', 'pending_check', 'checking', { actor: '2', deadline_at: T(35) }),
      e(35, 'check', 'checking', 'pending_dispatch', { actor: '3', deadline_at: T(36), data: { fields: { passed: false } } }),
      e(36, 'dispatch', 'pending_dispatch', 'handling', { actor: '5', deadline_at: T(40), data: { department_id: 8, fields: {} } }),
      e(41, 'feedback', 'handling', 'pending_check', { actor: '9', deadline_at: T(42) }),            // late
    ];
    const f = caseFacts(trail, ctx);
    expect(f.dispatches.map((d) => [d.department_id, d.outcome, d.on_time, d.rework, d.sent_on, d.suggested])).toEqual([
      [7, 'returned', null, false, true, true],
      [8, 'feedback', true, true, false, false],
      [8, 'feedback', false, false, false, false],
    ]);
    expect(f.dispatches[1]).toMatchObject({ extension_count: 1, extension_hours: 4, deadline_at: T(34), natural_hours: 23, working_hours: 11.5 });
    expect(f.dispatches[0].late_return).toBe(false);
    const steps = f.steps.map((s) => [s.step, s.actor_id, s.action, s.on_time]);
    expect(steps).toEqual([
      ['send_verify', 2, 'send_verify', true],
      ['verify', 3, 'verify', false],
      ['accept', 2, 'accept', true],
      ['file', 4, 'file', true],
      ['dispatch', 5, 'dispatch', true],
      ['handling', 5, 'approve_return', true],
      ['dispatch', 5, 'dispatch', true],
      ['handling', 9, 'feedback', true],
      ['send_check', 2, 'send_check', true],
      ['check', 3, 'check', true],
      ['dispatch', 5, 'dispatch', true],
      ['handling', 9, 'feedback', false],
      ['send_check', null, null, null],
    ]);
  });

  test('a suspension pauses handling in one step and moves its deadline; voiding ends the dispatch', () => {
    seq = 0;
    const trail = [
      e(0, 'report', null, 'pending_acceptance', { deadline_at: T(1) }),
      e(1, 'accept', 'pending_acceptance', 'pending_filing', { deadline_at: T(2) }),
      e(2, 'file', 'pending_filing', 'pending_dispatch', { deadline_at: T(3) }),
      e(3, 'dispatch', 'pending_dispatch', 'handling', { deadline_at: T(10), data: { department_id: 7 } }),
      e(4, 'apply_suspension', 'handling', 'handling', { deadline_at: T(10) }),
      e(5, 'approve_suspension', 'handling', 'suspended', { deadline_at: T(10) }),
      e(9, 'resume', 'suspended', 'handling', { deadline_at: T(14) }),
      e(12, 'apply_return', 'handling', 'handling', { deadline_at: T(14) }),
      e(16, 'void', 'handling', 'void', { deadline_at: T(14), data: { fields: { reason: 'twice' } } }),
    ];
    const f = caseFacts(trail, { ...ctx, source: 'inspector' });
    expect(f.steps.filter((s) => s.step === 'handling')).toHaveLength(1);
    expect(f.steps.find((s) => s.step === 'handling')).toMatchObject({ deadline_at: T(14), action: 'void', on_time: false });
    expect(f.dispatches).toHaveLength(1);
    expect(f.dispatches[0]).toMatchObject({ outcome: 'void', suspension_count: 1, deadline_at: T(14), late_return: false, on_time: null });
  });
});
