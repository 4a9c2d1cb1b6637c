import { describe, expect, test } from 'vitest';
import {
  assertGridCode, componentId, eventCodeToLegacy, gridCode, isCreditCode, legacyEventCode, levelOfCode, parentCode,
  parseComponentId, streetKind,
} from '../../../server/domain/codes.js';
import { errorOf } from '../../helpers/errors.js';
import { readFileSync } from 'node:fs';
import { parseCsvObjects } from '../../../server/domain/csv.js';

describe('region and grid codes', () => {
  test.each([
    ['110101', 'district'], ['110101001', 'street'], ['110101001001', 'community'], ['110101001001007', 'grid'],
    ['11010', null], ['11010100100a', null],
  ])('%s is a %s code', (code, level) => expect(levelOfCode(code)).toBe(level));

  test('the parent of a grid is its community, of a community its street', () => {
    expect(parentCode('110101001001007')).toBe('110101001001');
    expect(parentCode('110101001001')).toBe('110101001');
    expect(parentCode('110101')).toBeNull();
  });

  test('a grid code must start with its community code', () => {
    expect(() => assertGridCode('110101001001007', '110101001001')).not.toThrow();
    expect(errorOf(() => assertGridCode('110101001002007', '110101001001'))).toMatchObject({ code: 'invalid_code' });
  });

  test.each(['11010100100100', '1101010010010071', '110101001001000', 'abcdefghijklmno'])('%s is not a grid code', (code) => {
    expect(errorOf(() => assertGridCode(code))).toMatchObject({ code: 'invalid_code' });
  });

  test('grid codes pad the sequence to three digits', () => {
    expect(gridCode('110101001001', 7)).toBe('110101001001007');
    expect(errorOf(() => gridCode('110101001001', 1000))).toMatchObject({ code: 'invalid_code' });
  });

  test('street kinds follow GB/T 10114', () => {
    expect(streetKind('110101001')).toBe('subdistrict');
    expect(streetKind('110101100')).toBe('town');
    expect(streetKind('110101200')).toBe('township');
    expect(streetKind('110101400')).toBeNull();
  });
});

describe('component identifiers', () => {
  test('17 digits: district, class, sequence', () => {
    const id = componentId('110101', '01001', 42);
    expect(id).toBe('11010101001000042');
    expect(parseComponentId(id)).toEqual({ district_code: '110101', class_code: '01001', seq: 42 });
  });
  test.each([['1101010100100004', 'too short'], ['11010101001000000', 'sequence zero'], ['1101010100100004x', 'not digits']])(
    '%s is refused (%s)', (id) => expect(errorOf(() => parseComponentId(id))).toMatchObject({ code: 'invalid_code' }),
  );
});

describe('legacy 2013 event codes', () => {
  const matters = parseCsvObjects(readFileSync('data/standard/matters.csv', 'utf8'));
  const events = new Set(matters.filter((m) => m.kind === 'event').map((m) => m.code));

  test('the spec example: 0406 is 09006 占道经营', () => {
    expect(legacyEventCode('0406', events)).toBe('09006');
    expect(matters.find((m) => m.code === '09006' && m.kind === 'event')?.name_zh).toBe('占道经营');
    expect(eventCodeToLegacy('09006')).toBe('0406');
  });
  test('every event class with a minor below 100 maps to a legacy code and back', () => {
    for (const code of events) {
      const legacy = eventCodeToLegacy(code);
      if (legacy) expect(legacyEventCode(legacy, events)).toBe(code);
    }
  });
  test('codes with no 2026 counterpart are reported as unmapped (null)', () => {
    expect(legacyEventCode('0699', events)).toBeNull();
    expect(legacyEventCode('0101x', events)).toBeNull();
  });
});

describe('unified social credit code', () => {
  test('a valid code passes its check character and a changed one fails', () => {
    expect(isCreditCode('91350100M000100Y43')).toBe(true);
    expect(isCreditCode('91350100M000100Y44')).toBe(false);
    expect(isCreditCode('91350100M000100Y4')).toBe(false);
  });
});
