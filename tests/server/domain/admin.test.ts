// Pure rules of the admin console (server/domain/admin.ts): generated passwords, department fields, change records,
// responsibility-grid codes.
import { describe, expect, test } from 'vitest';
import { changes, checkResponsibilityCodes, creditCode, departmentName, generatedPassword } from '../../../server/domain/admin.js';
import { checkPassword } from '../../../server/domain/auth.js';
import { DomainError } from '../../../server/domain/errors.js';

const code = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as DomainError).code; } return null; };

describe('generatedPassword', () => {
  test('16 unambiguous characters in groups of four, passing the password policy', () => {
    for (let i = 0; i < 50; i++) {
      const bytes = new Uint8Array(16).map(() => Math.floor(Math.random() * 256));
      const p = generatedPassword(bytes);
      expect(p).toMatch(/^[a-km-np-zA-HJ-NP-Z2-9]{4}(-[a-km-np-zA-HJ-NP-Z2-9]{4}){3}$/);
      expect(() => checkPassword(p, 'someone')).not.toThrow();
    }
    expect(generatedPassword(new Uint8Array(16))).toBe('aaaa-aaaa-aaaa-aaaa');
    expect(() => generatedPassword(new Uint8Array(8))).toThrow();
  });
});

describe('department fields', () => {
  test('a name is trimmed, spaces collapsed, 1–100 characters', () => {
    expect(departmentName('  Roads   道路 ')).toBe('Roads 道路');
    expect(code(() => departmentName('   '))).toBe('bad_request');
    expect(code(() => departmentName('x'.repeat(101)))).toBe('bad_request');
  });
  test.each([
    ['', null], [null, null], [' 91110101mA01abcd2x ', '91110101MA01ABCD2X'],
  ])('credit code %j → %j', (given, want) => expect(creditCode(given)).toBe(want));
  test('a credit code of the wrong length or alphabet is refused', () => {
    expect(code(() => creditCode('123'))).toBe('bad_request');
    expect(code(() => creditCode('91110101MA01ABCD2I'))).toBe('bad_request'); // I is not in the alphabet
  });
});

describe('changes', () => {
  test('only the fields that differ, as before and after', () => {
    expect(changes({ a: 1, b: [1, 2], c: 'x' }, { a: 1, b: [1, 3], c: 'y' })).toEqual({ before: { b: [1, 2], c: 'x' }, after: { b: [1, 3], c: 'y' } });
    expect(changes({ a: null }, { a: null })).toEqual({ before: {}, after: {} });
  });
});

describe('checkResponsibilityCodes', () => {
  const known = new Set(['110101001001R01', '110101001002R01']);
  test('de-duplicated and sorted', () => {
    expect(checkResponsibilityCodes(['110101001002R01', '110101001001R01', '110101001002R01'], known)).toEqual(['110101001001R01', '110101001002R01']);
  });
  test('a malformed code is bad_request, an unknown one unprocessable naming it', () => {
    expect(code(() => checkResponsibilityCodes(['110101001001'], known))).toBe('bad_request');
    try { checkResponsibilityCodes(['110101001001R01', '110101009999R09'], known); } catch (e) {
      expect((e as DomainError).code).toBe('unprocessable');
      expect((e as DomainError).details).toEqual({ codes: ['110101009999R09'] });
    }
  });
});
