// Colour mapping of component majors and statuses.
import { describe, expect, test } from 'vitest';
import {
  hexToRgba, MAJOR_CODES, MAJOR_COLORS, majorColor, normalizeMajor, STATUS_COLORS, statusColor, UNKNOWN_COLOR,
} from '../../client/src/map/colors.js';

describe('majorColor', () => {
  test('each of the five component majors has its own colour', () => {
    const colours = MAJOR_CODES.map((c) => majorColor(c));
    expect(new Set(colours).size).toBe(5);
    expect(colours).not.toContain(UNKNOWN_COLOR);
  });

  test.each([['01', '01'], [1, '01'], ['5', '05'], [4, '04'], ['1x', ''], [null, ''], [1.5, '']])(
    'normalizeMajor(%j) is %j', (input, expected) => {
      expect(normalizeMajor(input)).toBe(expected);
    },
  );

  test('a number major (leading zero lost by an encoder) maps to the same colour', () => {
    expect(majorColor(2)).toBe(MAJOR_COLORS['02']);
  });

  test('an unknown major is grey', () => {
    expect(majorColor('06')).toBe(UNKNOWN_COLOR);
    expect(majorColor(undefined)).toBe(UNKNOWN_COLOR);
  });
});

describe('statusColor', () => {
  test('damaged and missing stand out from intact', () => {
    expect(statusColor('damaged')).toBe(STATUS_COLORS.damaged);
    expect(statusColor('missing')).not.toBe(statusColor('intact'));
    expect(statusColor('mystery')).toBe(UNKNOWN_COLOR);
  });
});

describe('hexToRgba', () => {
  test('parses #rrggbb with an alpha', () => {
    expect(hexToRgba('#4f9cf9', 128)).toEqual([79, 156, 249, 128]);
  });
  test('rejects anything else', () => {
    expect(() => hexToRgba('blue')).toThrow(RangeError);
  });
});
