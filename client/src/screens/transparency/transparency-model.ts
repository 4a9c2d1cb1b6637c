// Pure helpers of the transparency page.

/** The month `n` months after `month` (YYYY-MM). @example addMonths('2026-01', -1) // '2025-12' */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** A rate as a percentage with at most one decimal: 0.955 → '95.5%'. */
export const percent = (r: number) => `${Math.round(r * 1000) / 10}%`;
