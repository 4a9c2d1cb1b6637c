// Satisfaction call-backs (回访, issue 11): the ratings and their scores, who may rate which case when, the trail entry a
// rating writes, the review of a dissatisfied rating; the workflow action `reopen` (row 20) and its facts; the
// satisfaction indicator of the evaluation (weight 0 by default, "no data" without ratings); the transparency month.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  RATING_SCORES, assertReviewable, decideRating, hasReporter, parseRating, ratingEntry, satisfactionOf,
} from '../../../server/domain/satisfaction.js';
import { availableActions, transition, type CaseRecord } from '../../../server/domain/workflow.js';
import { caseFacts, type FactEntry } from '../../../server/domain/facts.js';
import { DEFAULT_SETTINGS, INDICATORS, scoreRow, validateSettings } from '../../../server/domain/evaluation.js';
import { parseMonth, photoIsPublic } from '../../../server/domain/transparency.js';
import { buildCalendar } from '../../../server/domain/calendar.js';
import { loadLimits } from '../../../server/domain/limits.js';
import { entryHash } from '../../../server/domain/trail.js';
import { errorOf } from '../../helpers/errors.js';

const closedCase = { status: 'closed', source: 'public', reporter_phone: null, reporter_name: null };

describe('ratings', () => {
  test('the three answers score 100, 80 and 0 (docs/domain.md §3)', () => {
    expect(RATING_SCORES).toEqual({ satisfied: 100, basic: 80, dissatisfied: 0 });
  });

  test('parseRating trims the comment, drops an empty one and names every bad field', () => {
    expect(parseRating({ rating: 'basic', comment: '  ok  ' })).toEqual({ rating: 'basic', comment: 'ok' });
    expect(parseRating({ rating: 'satisfied', comment: '   ' })).toEqual({ rating: 'satisfied', comment: null });
    const e = errorOf(() => parseRating({ rating: 'great', comment: 'x'.repeat(501) }));
    expect(e.code).toBe('unprocessable');
    expect(Object.keys(e.details as object).sort()).toEqual(['comment', 'rating']);
  });

  test('a case is rated once it is closed, once; a retry with the same key and body is a replay', () => {
    expect(decideRating(closedCase, null, 'public', ['public'], null, 'h')).toBe('new');
    expect(errorOf(() => decideRating({ ...closedCase, status: 'pending_check' }, null, 'public', ['public'], null, 'h')).code).toBe('not_allowed_in_state');
    const existing = { channel: 'public' as const, idempotency_key: 'k1', request_hash: 'h' };
    expect(errorOf(() => decideRating(closedCase, existing, 'public', ['public'], null, 'h')).code).toBe('conflict');
    expect(errorOf(() => decideRating(closedCase, existing, 'callback', ['operator'], 'k2', 'h')).code).toBe('conflict');
    expect(decideRating(closedCase, existing, 'public', ['public'], 'k1', 'h')).toBe('replay');
    expect(errorOf(() => decideRating(closedCase, existing, 'public', ['public'], 'k1', 'other')).code).toBe('unprocessable');
  });

  test('call-backs: operators and shift leaders only, and only where there is a reporter to call', () => {
    expect(decideRating(closedCase, null, 'callback', ['shift_leader'], null, 'h')).toBe('new');
    expect(errorOf(() => decideRating(closedCase, null, 'callback', ['dispatcher'], null, 'h')).code).toBe('role_not_allowed');
    const inspectorCase = { ...closedCase, source: 'inspector' };
    expect(hasReporter(inspectorCase)).toBe(false);
    expect(errorOf(() => decideRating(inspectorCase, null, 'callback', ['operator'], null, 'h')).code).toBe('not_allowed_in_state');
    expect(hasReporter({ ...inspectorCase, reporter_phone: '13812345678' })).toBe(true);
    expect(hasReporter({ ...closedCase, source: 'hotline' })).toBe(true);
  });

  test('a rating is a chained trail entry that keeps the case closed: rate (public) or callback, dissatisfied marked for review', () => {
    const prev = { seq: 7, hash: 'b'.repeat(64) };
    const at = new Date('2026-11-23T02:00:00Z');
    const pub = ratingEntry(prev, { case_id: 'c1', channel: 'public', rating: 'dissatisfied', comment: 'still dirty', actor_id: null, role: 'public', at });
    expect(pub).toMatchObject({ seq: 8, action: 'rate', actor: null, from_status: 'closed', to_status: 'closed', note: 'still dirty', prev_hash: prev.hash });
    expect(pub.data).toEqual({ rating: 'dissatisfied', score: 0, channel: 'public', review: 'pending' });
    expect(pub.hash).toBe(entryHash(prev.hash, pub));
    const call = ratingEntry(prev, { case_id: 'c1', channel: 'callback', rating: 'basic', comment: null, actor_id: 12, role: 'operator', at });
    expect(call).toMatchObject({ action: 'callback', actor: '12', role: 'operator' });
    expect(call.data).toEqual({ rating: 'basic', score: 80, channel: 'callback' });
  });

  test('only a shift leader settles a pending dissatisfied rating, once', () => {
    expect(() => assertReviewable({ rating: 'dissatisfied', review_status: 'pending' }, ['shift_leader'])).not.toThrow();
    expect(errorOf(() => assertReviewable({ rating: 'dissatisfied', review_status: 'pending' }, ['operator'])).code).toBe('role_not_allowed');
    expect(errorOf(() => assertReviewable(null, ['shift_leader'])).code).toBe('not_found');
    expect(errorOf(() => assertReviewable({ rating: 'basic', review_status: null }, ['shift_leader'])).code).toBe('not_allowed_in_state');
    expect(errorOf(() => assertReviewable({ rating: 'dissatisfied', review_status: 'confirmed' }, ['shift_leader'])).code).toBe('not_allowed_in_state');
  });

  test('satisfaction figures: average score and satisfied rate, "no data" for no ratings', () => {
    expect(satisfactionOf({ count: 0, score_sum: 0, satisfied: 0 })).toEqual({ count: 0, average_score: null, satisfied_rate: null });
    expect(satisfactionOf({ count: 4, score_sum: 280, satisfied: 2 })).toEqual({ count: 4, average_score: 70, satisfied_rate: 0.5 });
  });
});

describe('reopen (row 20): a closed case back to dispatch after a dissatisfied call-back', () => {
  const calendar = buildCalendar([JSON.parse(readFileSync(new URL('../../../data/calendars/cn-2026.json', import.meta.url), 'utf8'))], { time_zone: '+08:00' });
  const m = (value: number, unit = 'minutes') => ({ value, unit });
  const limits = loadLimits({
    source: 'satisfaction tests',
    steps: { send_verify: m(30), verify: m(30), accept: m(15), file: { ...m(30), urgent: m(10) }, dispatch: m(15), send_check: m(30), check: m(30), close: m(30), review: m(30) },
    late_return_after: m(2, 'working_hours'), stockpile_after: m(60, 'natural_days'), fallback_handling: m(3, 'working_days'),
    handling: [{ class_code: '06010', condition: 'normal', condition_zh: '一般', limit: m(4, 'working_hours'), default: true, closing_zh: '清理' }],
  });
  const NOW = new Date('2026-03-10T02:00:00Z');
  const closed: CaseRecord = {
    id: 'case-1', status: 'closed', source: 'public', class_code: '06010', condition: 'normal', urgent: false,
    department_id: 7, suggested_department_id: 7, suggestion_taken: true, pending_application: null, pending_extension_hours: null,
    verify_found: true, handled_late: true, urged: false, suspended_at: null, closing_type: 'overdue', void_reason: null,
    step: null, step_deadline_at: null, handling_started_at: new Date('2026-03-09T01:00:00Z'), overdue_after: new Date('2026-03-09T05:00:00Z'),
    return_count: 0, rework_count: 0, urge_count: 0, extension_count: 0, extension_hours: 0, suspension_count: 0,
  };
  const facts = { rules: { calendar, limits }, suspensions: [], last_entry: { seq: 12, hash: 'c'.repeat(64) } };
  const shiftLead = { id: 13, roles: ['shift_leader' as const] };

  test('shift leader, with a reason: pending dispatch, same department, closing cleared, rework counted, a new dispatch deadline', () => {
    const t = transition(closed, 'reopen', shiftLead, { reason: 'reporter says it is still there' }, NOW, facts);
    expect(t.decision.to).toBe('pending_dispatch');
    expect(t.patch).toMatchObject({ status: 'pending_dispatch', closing_type: null, handled_late: false, closed_at: null, rework_count: 1, step: 'dispatch' });
    expect(t.patch.step_started_at).toEqual(NOW);
    expect(t.patch.step_deadline_at).toEqual(new Date(NOW.getTime() + 15 * 60_000));
    expect(t.patch.department_id).toBeUndefined(); // kept: the rework goes back to the department that handled it
    expect(t.entry).toMatchObject({ action: 'reopen', from_status: 'closed', to_status: 'pending_dispatch', role: 'shift_leader', seq: 13 });
    // and the next dispatch starts a new handling clock for the same department
    const after = { ...closed, ...t.patch } as CaseRecord;
    const d = transition(after, 'dispatch', { id: 14, roles: ['dispatcher'] }, {}, new Date(NOW.getTime() + 600_000), { ...facts, last_entry: { seq: 13, hash: t.entry.hash } });
    expect(d.patch).toMatchObject({ status: 'handling', department_id: 7 });
    expect(d.patch.handling_started_at).toEqual(new Date(NOW.getTime() + 600_000));
    expect(d.patch.overdue_after!.getTime()).toBeGreaterThan(NOW.getTime());
  });

  test('refused without a reason, to other posts, and for cases that are not closed', () => {
    expect(errorOf(() => transition(closed, 'reopen', shiftLead, {}, NOW, facts)).code).toBe('unprocessable');
    expect(errorOf(() => transition(closed, 'reopen', { id: 12, roles: ['operator'] }, { reason: 'x' }, NOW, facts)).code).toBe('role_not_allowed');
    expect(errorOf(() => transition({ ...closed, status: 'void' }, 'reopen', shiftLead, { reason: 'x' }, NOW, facts)).code).toBe('not_allowed_in_state');
    expect(availableActions({ status: 'closed', source: 'public' }, shiftLead, NOW)).toEqual(['reopen']);
    expect(availableActions({ status: 'closed', source: 'public' }, { id: 12, roles: ['operator'] }, NOW)).toEqual([]);
  });

  test('facts: the reopened handling counts as reworked; rating entries change no fact', () => {
    const e = (seq: number, action: string, from: string | null, to: string, data: Record<string, unknown> = {}): FactEntry =>
      ({ seq, at: new Date(NOW.getTime() + seq * 60_000), actor: '1', role: 'x', action, from_status: from, to_status: to, deadline_at: new Date(NOW.getTime() + 1e9), data });
    const trail = [
      e(1, 'report', null, 'pending_acceptance'), e(2, 'accept', 'pending_acceptance', 'pending_filing'), e(3, 'file', 'pending_filing', 'pending_dispatch'),
      e(4, 'dispatch', 'pending_dispatch', 'handling', { department_id: 7 }), e(5, 'feedback', 'handling', 'pending_check'),
      e(6, 'send_check', 'pending_check', 'checking'), e(7, 'check', 'checking', 'pending_closing', { fields: { passed: true } }),
      e(8, 'close', 'pending_closing', 'closed'),
    ];
    const ctx = { source: 'inspector' as const, suggested_department_id: 7, workingHours: () => 1 };
    const rated = caseFacts([...trail, e(9, 'rate', 'closed', 'closed')], ctx);
    expect(rated).toEqual(caseFacts(trail, ctx));
    expect(rated.dispatches[0].rework).toBe(false);
    expect(rated.steps.at(-1)!.step).toBe('close');
    const reopened = caseFacts([...trail, e(9, 'rate', 'closed', 'closed'), e(10, 'reopen', 'closed', 'pending_dispatch')], ctx);
    expect(reopened.dispatches[0].rework).toBe(true);
    expect(reopened.steps.at(-1)).toMatchObject({ step: 'dispatch', ended_at: null });
  });
});

describe('the satisfaction indicator of the evaluation', () => {
  test('shown for regions and departments with weight 0 by default: it does not move the composite', () => {
    expect(INDICATORS.regions.map((s) => s.key)).toContain('satisfaction_rate');
    expect(INDICATORS.departments.map((s) => s.key)).toContain('satisfaction_rate');
    const counts = { filed_count: { numerator: 10, denominator: null }, closing_rate: { numerator: 9, denominator: 10 }, on_time_handling_rate: { numerator: 8, denominator: 10 }, rework_rate: { numerator: 1, denominator: 10 } };
    const without = scoreRow(INDICATORS.departments, counts, DEFAULT_SETTINGS.weights.departments, DEFAULT_SETTINGS);
    const withRatings = scoreRow(INDICATORS.departments, { ...counts, satisfaction_rate: { numerator: 1, denominator: 4 } }, DEFAULT_SETTINGS.weights.departments, DEFAULT_SETTINGS);
    expect(withRatings.composite).toBeCloseTo(without.composite!, 9);
    expect(withRatings.indicators.satisfaction_rate).toMatchObject({ rate: 0.25, score: 25, weight: 0, used_weight: 0 });
    expect(without.indicators.satisfaction_rate).toMatchObject({ rate: null, score: null }); // no ratings: no data
  });

  test('a configured weight puts it in the composite; settings may leave it out (0)', () => {
    const s = structuredClone(DEFAULT_SETTINGS);
    s.weights.departments = { filed_count: 0.1, closing_rate: 0.3, on_time_handling_rate: 0.2, rework_rate: 0.2, satisfaction_rate: 0.2 };
    expect(validateSettings(s).weights.departments.satisfaction_rate).toBe(0.2);
    const counts = { filed_count: { numerator: 10, denominator: null }, closing_rate: { numerator: 10, denominator: 10 }, on_time_handling_rate: { numerator: 10, denominator: 10 }, rework_rate: { numerator: 0, denominator: 10 }, satisfaction_rate: { numerator: 0, denominator: 2 } };
    expect(scoreRow(INDICATORS.departments, counts, s.weights.departments, s).composite).toBeCloseTo(80, 9);
    const old = structuredClone(DEFAULT_SETTINGS);
    delete (old.weights.regions as Record<string, number>).satisfaction_rate;
    delete (old.weights.departments as Record<string, number>).satisfaction_rate;
    expect(() => validateSettings(old)).not.toThrow();
  });
});

describe('transparency', () => {
  test('a month YYYY-MM, default the current one, never in the future', () => {
    expect(parseMonth(undefined, '2026-12-04')).toEqual({ month: '2026-12', first: '2026-12-01', next: '2027-01-01' });
    expect(parseMonth('2026-02', '2026-12-04')).toEqual({ month: '2026-02', first: '2026-02-01', next: '2026-03-01' });
    for (const bad of ['2026-13', '2026-1', 'May', '1999-12', '2027-01']) expect(errorOf(() => parseMonth(bad, '2026-12-04')).code).toBe('bad_request');
  });

  test('a photo is public when its case cites it and, where the district withholds photos, it was approved', () => {
    expect(photoIsPublic({ cited: true, withhold: false, approved: false })).toBe(true);
    expect(photoIsPublic({ cited: true, withhold: true, approved: false })).toBe(false);
    expect(photoIsPublic({ cited: true, withhold: true, approved: true })).toBe(true);
    expect(photoIsPublic({ cited: false, withhold: false, approved: true })).toBe(false);
  });
});

