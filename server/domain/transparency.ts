// The transparency page (政务公开, issue 11): the month asked for, the figures' rates, and which photos of a closed case
// may be shown to the public. Pure.
import { DomainError } from './errors.js';

export const TRANSPARENCY_LEVELS = ['street', 'community'] as const;
export type TransparencyLevel = (typeof TRANSPARENCY_LEVELS)[number];

/**
 * A month YYYY-MM (default: the month of `today`, a local date YYYY-MM-DD), not after the current month: its first day
 * and the first day of the next month, as local dates.
 * @throws DomainError bad_request naming `month`
 */
export function parseMonth(month: string | undefined, today: string): { month: string; first: string; next: string } {
  const m = month === undefined || month === '' ? today.slice(0, 7) : month;
  const ok = /^(\d{4})-(\d{2})$/.exec(m);
  const y = ok ? Number(ok[1]) : 0;
  const mo = ok ? Number(ok[2]) : 0;
  if (!ok || mo < 1 || mo > 12 || y < 2000) {
    throw new DomainError('bad_request', `month must be a month YYYY-MM from 2000-01 on, e.g. ${today.slice(0, 7)}; got "${m}"`, { month: 'must be YYYY-MM' });
  }
  if (m > today.slice(0, 7)) {
    throw new DomainError('bad_request', `month ${m} has not begun yet; choose ${today.slice(0, 7)} or an earlier month`, { month: 'must not be in the future' });
  }
  const next = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  return { month: m, first: `${m}-01`, next: `${next}-01` };
}

/** closed_on_time ÷ closed, or null when nothing was closed ("no data", docs/evaluation.md §Rules). */
export const onTimeRate = (closed: number, on_time: number): number | null => (closed > 0 ? on_time / closed : null);

/**
 * Whether the public may see a photo of a closed case: it is a before-photo (the report's) or an after-photo (a
 * feedback's) of that case, and, where the district withholds public photos until an operator approves them
 * (public_settings, migrations/0035), it has been approved for that case.
 */
export function photoIsPublic(p: { cited: boolean; withhold: boolean; approved: boolean }): boolean {
  return p.cited && (!p.withhold || p.approved);
}
