// The header's screen links (components/ScreenNav.tsx): as many as fit in the room, the rest under "More".
import { describe, expect, test } from 'vitest';
import { linksThatFit } from '../../client/src/components/ScreenNav.js';

describe('linksThatFit', () => {
  const widths = [100, 80, 120, 90];
  const all = widths.reduce((s, w) => s + w, 0) + 2 * (widths.length - 1); // links and the 2 px gaps between them

  test('every link when all fit, with no room kept for "More"', () => {
    expect(linksThatFit(widths, all, 70)).toBe(4);
    expect(linksThatFit(widths, all + 500, 70)).toBe(4);
  });

  test('one pixel short: the links that fit beside the "More" button, in order', () => {
    // 70 (More) + 102 + 82 + 122 = 376 ≤ 395; a fourth (+92) would not fit.
    expect(linksThatFit(widths, all - 1, 70)).toBe(3);
    expect(linksThatFit(widths, 250, 70)).toBe(1);
    expect(linksThatFit(widths, 60, 70)).toBe(0); // only "More"
  });
});
