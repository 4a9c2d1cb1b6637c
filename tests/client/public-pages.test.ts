// The public pages' client side (issue 11): reachable signed out and signed in without being anyone's home or in the
// staff navigation; each public step and stage worded in both languages; server refusals said in words.
import { describe, expect, test } from 'vitest';
import { PATHS, screenFor, screensOf } from '../../client/src/state/route-store.js';
import { DICTIONARY } from '../../client/src/i18n/index.js';
import { ApiError } from '../../client/src/api/http.js';
import { problemOf } from '../../client/src/screens/public/public-problems.js';
import { PUBLIC_STEPS } from '../../server/domain/public.js';
import type { SessionUser } from '../../client/src/api/types.js';

const u = (role: string) => ({ id: 1, username: 'x', roles: [role], department_id: null }) as unknown as SessionUser;

describe('public pages', () => {
  test('open to everyone at their paths, never a home, not in the staff navigation', () => {
    expect(screenFor('/public/report', null)).toBe('public_report');
    expect(screenFor('/public/track/', null)).toBe('public_track');
    expect(screenFor('/public/report', u('dispatcher'))).toBe('public_report');
    expect(PATHS.public_track).toBe('/public/track');
    expect(screensOf(null)).not.toContain('public_report');
    expect(screensOf(u('operator'))).not.toContain('public_track');
    expect(screenFor('/', null)).toBe('district');
  });

  test('every public step and stage has zh and en words', () => {
    const d = DICTIONARY as Record<string, { zh: string; en: string }>;
    for (const k of [...PUBLIC_STEPS.map((s) => `pb_step_${s}`), 'pb_stage_received', 'pb_stage_in_progress', 'pb_stage_closed']) {
      expect(d[k]?.zh, k).toMatch(/\S/);
      expect(d[k]?.en, k).toMatch(/\S/);
    }
  });

  test('refusals become words to act on', () => {
    expect(problemOf(new ApiError('too_many_requests', 'x', 429, '/api/public/reports', { retry_after_s: 130 }))).toEqual({ key: 'pb_err_quota', minutes: 3 });
    expect(problemOf(new ApiError('network', 'x', 0, '/api/public/reports'))).toEqual({ key: 'pb_err_network' });
    expect(problemOf(new ApiError('unprocessable', 'x', 422, '/', { 'contact.phone': 'not a phone number' }))).toEqual({ key: 'pb_err_phone' });
    expect(problemOf(new ApiError('unprocessable', 'x', 422, '/', { 'contact.notify': 'needs' }))).toEqual({ key: 'pb_err_notify' });
    expect(problemOf(new ApiError('unprocessable', 'x', 422, '/', { reason: 'outside_district' }))).toEqual({ key: 'pb_outside' });
    expect(problemOf(new ApiError('forbidden', 'x', 403, '/', { ticket: 'expired' }))).toEqual({ key: 'pb_err_ticket' });
    expect(problemOf(new ApiError('not_found', 'x', 404, '/api/public/track'))).toEqual({ key: 'pb_err_not_found' });
    expect(problemOf(new Error('boom'))).toEqual({ key: 'pb_err_other' });
  });
});
