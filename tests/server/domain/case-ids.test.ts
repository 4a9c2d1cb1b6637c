import { describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import { districtOfCaseId, newCaseId } from '../../../server/domain/case-ids.js';

const bytes = (b: number) => new Uint8Array(16).fill(b);

describe('case ids that name their district (UUIDv8)', () => {
  test('the district as the first six hex digits, version 8, variant 10, the rest from the random bytes', () => {
    expect(newCaseId('110101', bytes(0xff))).toBe('110101ff-ffff-8fff-bfff-ffffffffffff');
    expect(newCaseId('900001', bytes(0x00))).toBe('90000100-0000-8000-8000-000000000000');
    const id = newCaseId('110101');
    expect(id).toMatch(/^110101[0-9a-f]{2}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('98 random bits: two ids of one district differ', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newCaseId('110101')));
    expect(ids.size).toBe(1000);
  });

  test('round trip: the id gives its district back, upper case too', () => {
    for (const d of ['110101', '900001', '000000', '999999']) {
      const id = newCaseId(d);
      expect(districtOfCaseId(id)).toBe(d);
      expect(districtOfCaseId(id.toUpperCase())).toBe(d);
    }
  });

  test('a v4 or v7 id never names a district', () => {
    for (let i = 0; i < 2000; i++) expect(districtOfCaseId(randomUUID())).toBeNull();
    expect(districtOfCaseId('11010100-0000-4000-8000-000000000000')).toBeNull(); // six leading digits, version 4
    expect(districtOfCaseId('01931f2e-8a40-7c3d-9e11-223344556677')).toBeNull(); // version 7 (the simulated history before 0068)
  });

  test('no district from a v8 id of another variant or without six leading digits, nor from what is no uuid', () => {
    expect(districtOfCaseId('11010a00-0000-8000-8000-000000000000')).toBeNull();
    expect(districtOfCaseId('11010100-0000-8000-c000-000000000000')).toBeNull(); // variant 110, not 10
    expect(districtOfCaseId('11010100-0000-8000-7000-000000000000')).toBeNull(); // variant 0
    for (const s of ['', '110101', 'not-a-uuid', '110101ff-ffff-8fff-bfff-fffffffffff', '110101ff-ffff-8fff-bfff-fffffffffffff',
      '110101ffffff8fffbfffffffffffffff', '110101ff-ffff-8fff-bfff-fffffffffffg']) expect(districtOfCaseId(s)).toBeNull();
  });

  test('refuses a district that is not six digits and random bytes that are not 16', () => {
    expect(() => newCaseId('11010')).toThrow(/six-digit district/);
    expect(() => newCaseId('11010a')).toThrow(/six-digit district/);
    expect(() => newCaseId('110101', new Uint8Array(15))).toThrow(/16 random bytes/);
  });
});
