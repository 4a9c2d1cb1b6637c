// The transparency page's pure helpers: month arithmetic across years and the percentage shown.
import { describe, expect, test } from 'vitest';
import { addMonths, percent } from '../../client/src/screens/transparency/transparency-model.js';
import { screenFor } from '../../client/src/state/route-store.js';

describe('transparency page helpers', () => {
  test('months step across year ends both ways', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2025-12', 1)).toBe('2026-01');
    expect(addMonths('2026-05', -17)).toBe('2024-12');
  });
  test('a rate as a percentage with at most one decimal', () => {
    expect(percent(0.955)).toBe('95.5%');
    expect(percent(1)).toBe('100%');
    expect(percent(0)).toBe('0%');
  });
  test('/public/transparency opens for everyone, signed in or not', () => {
    expect(screenFor('/public/transparency', null)).toBe('public_transparency');
    expect(screenFor('/public/transparency/', { id: 1, username: 'crew1', roles: ['department'], department_id: 2 } as never)).toBe('public_transparency');
  });
});
