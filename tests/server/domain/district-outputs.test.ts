// The pure rules that keep a district's exports and Open311 calls within it (issue 12): domain/exports.ts keptRegion
// and domain/open311.ts open311District. tests/server/http/multi-district-outputs.test.ts runs them end to end.
import { describe, expect, test } from 'vitest';
import { keptRegion } from '../../../server/domain/exports.js';
import { open311District } from '../../../server/domain/open311.js';
import { DomainError } from '../../../server/domain/errors.js';

describe('keptRegion', () => {
  test('a user of every district gets what it asked for, nothing included', () => {
    expect(keptRegion(null, undefined, 'region')).toBeUndefined();
    expect(keptRegion(null, '110102001', 'region')).toBe('110102001');
  });
  test('a user kept to a district: the district when none is asked for, a region of it as asked', () => {
    expect(keptRegion('110101', undefined, 'region')).toBe('110101');
    expect(keptRegion('110101', '', 'region')).toBe('110101');
    expect(keptRegion('110101', '110101', 'region')).toBe('110101');
    expect(keptRegion('110101', '110101001002', 'parent')).toBe('110101001002');
  });
  test('a region of another district is a forbidden naming both and the field', () => {
    let err: unknown;
    try { keptRegion('110101', '110102001', 'parent'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'forbidden', details: { parent: 'outside your district 110101', district_code: '110101' } });
    expect((err as Error).message).toMatch(/parent 110102001 lies outside your district 110101/);
  });
});

describe('open311District', () => {
  test('a key bound to a district keeps to it; a jurisdiction_id picks one; neither: every district', () => {
    expect(open311District(undefined, '110102')).toBe('110102');
    expect(open311District('110102', '110102')).toBe('110102');
    expect(open311District('110101', null)).toBe('110101');
    expect(open311District('', null)).toBeNull();
    expect(open311District(null, undefined)).toBeNull();
  });
  test('a jurisdiction_id other than the key\'s district is a bad request naming the key\'s', () => {
    expect(() => open311District('110101', '110102')).toThrow(/jurisdiction_id "110101" is not the district of this API key \(110102\)/);
  });
});
