// Ranking of evaluation rows: by composite or by one indicator's score, rows without data last. Pure.
import type { EvaluationRow, IndicatorMeta } from '../../api/leader.js';

export type SortKey = { by: 'composite' | string; desc: boolean };

/**
 * Rows ranked by composite (or an indicator's score), rows without data last; ties by name.
 * @example rankRows(rows, { by: 'composite', desc: true })[0].grade // the best row's grade
 */
export function rankRows(rows: readonly EvaluationRow[], sort: SortKey): EvaluationRow[] {
  const val = (r: EvaluationRow) => (sort.by === 'composite' ? r.composite : r.indicators[sort.by]?.score ?? null);
  return [...rows].sort((a, b) => {
    const va = val(a), vb = val(b);
    if (va == null && vb == null) return a.name.localeCompare(b.name);
    if (va == null) return 1;
    if (vb == null) return -1;
    return (sort.desc ? vb - va : va - vb) || a.name.localeCompare(b.name);
  });
}

/**
 * Whether any case stands behind a row: a rate with a denominator, or a count above zero. (A count band's denominator
 * is the number of unit grids, not cases, so it does not count.) Rows without would rank by empty figures alone.
 */
export function hasCases(row: EvaluationRow, indicators: readonly IndicatorMeta[]): boolean {
  return indicators.some((m) => {
    const c = row.indicators[m.key];
    if (!c) return false;
    return m.kind === 'count_band' ? c.numerator > 0 : (c.denominator ?? 0) > 0;
  });
}
