// The hotline intake form's rules (client/src/screens/intake/intake-form.ts): what is missing, the phone, the body,
// and one Idempotency-Key per distinct call (a retry of the same call reuses it).
import { describe, expect, test } from 'vitest';
import { bodyOf, checkDraft, EMPTY_DRAFT, keyFor, type IntakeDraft } from '../../client/src/screens/intake/intake-form.js';
import { homeOf, screenFor, screensOf } from '../../client/src/state/route-store.js';
import type { SessionUser } from '../../client/src/api/types.js';

const full: IntakeDraft = {
  ...EMPTY_DRAFT, name: ' 王小明 ', phone: '+86 138 1234 5678', description: ' 垃圾桶满溢 ',
  place: { lon: -71.1, lat: 42.37, address: 'Main Street', grid_code: '110101001001001', checked: true },
  cls: { code: '06010', name_zh: '暴露垃圾', name_en: 'Exposed garbage', matter_kind: 'event' },
};

describe('intake form', () => {
  test('an empty form misses the place, the class and the description; a wrong phone and a place outside the district are flagged', () => {
    expect(checkDraft(EMPTY_DRAFT)).toEqual({ missing: ['in_need_place', 'in_need_class', 'in_need_description'], phone_error: false, outside: false });
    expect(checkDraft({ ...full, phone: '12345' }).phone_error).toBe(true);
    expect(checkDraft({ ...full, place: { ...full.place!, grid_code: null } }).outside).toBe(true);
    expect(checkDraft({ ...full, place: { ...full.place!, grid_code: null, checked: false } }).outside).toBe(false); // not known yet: the server decides
    expect(checkDraft(full)).toEqual({ missing: [], phone_error: false, outside: false });
  });

  test('the body: a hotline report with the caller trimmed and the phone in its stored form; optional parts only when given', () => {
    expect(bodyOf(full)).toEqual({
      kind: 'event', class_code: '06010', lon: -71.1, lat: 42.37, source: 'hotline', description: '垃圾桶满溢', address: 'Main Street',
      reporter_name: '王小明', reporter_phone: '13812345678',
    });
    const bare = bodyOf({ ...full, name: '', phone: '', place: { ...full.place!, address: null }, urgent: true, photo_ids: ['a'.repeat(64)] });
    expect(bare).not.toHaveProperty('reporter_name');
    expect(bare).not.toHaveProperty('reporter_phone');
    expect(bare).not.toHaveProperty('address');
    expect(bare).toMatchObject({ urgent: true, photo_ids: ['a'.repeat(64)] });
  });

  test('the same call keeps its key (a retry); a changed call gets a new one', () => {
    let n = 0;
    const fresh = () => `k${++n}`;
    const a = keyFor(null, bodyOf(full), fresh);
    expect(keyFor(a, bodyOf(full), fresh)).toBe(a);
    expect(keyFor(a, bodyOf({ ...full, description: 'other' }), fresh).key).toBe('k2');
  });
});

describe('the console\'s route', () => {
  const u = (...roles: string[]) => ({ id: 1, username: 'u', roles, department_id: null }) as unknown as SessionUser;
  test('the operator reaches /intake from the header, its home stays the wall; others are sent home', () => {
    expect(screensOf(u('operator')).slice(0, 2)).toEqual(['wall', 'intake']); // right beside the wall in the header
    expect(homeOf(u('operator'))).toBe('wall');
    expect(screenFor('/intake', u('operator'))).toBe('intake');
    for (const r of ['shift_leader', 'dispatcher', 'inspector', 'leader']) expect(screenFor('/intake', u(r)), r).not.toBe('intake');
    expect(screenFor('/intake', null)).toBe('login');
  });
});
