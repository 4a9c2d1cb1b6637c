// One supervision list (GET /api/supervision/cases/{category}), paged: the columns the category needs; a click on a
// row opens the case in the detail panel (components/case/CaseDetailPanel.tsx), as the search screen does.
import { useEffect, useState } from 'react';
import { fetchSupervisionList, type ListFilter, type SupervisionCategory, type SupervisionRow } from '../../api/supervision.js';
import { useT } from '../../components/Bilingual.js';
import { formatShort } from '../../i18n/format.js';
import { actionKey, caseStatusKey, stepKey, tOr, type MessageKey } from '../../i18n/index.js';
import { openCase, selectDetailId, useCaseDetail } from '../../state/case-detail-store.js';
import { localName } from '../../state/reference-store.js';
import { failureKey, fill } from './supervision-model.js';

const PAGE = 50;

type Column = { key: string; label: MessageKey; cell: (r: SupervisionRow, now: number) => React.ReactNode; className?: string };

function daysSince(iso: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(iso)) / 86_400_000));
}

export function SupervisionList({ category, filter, days, round, onFilter }: {
  category: SupervisionCategory; filter: ListFilter; days: number; round: number; onFilter: (f: ListFilter) => void;
}) {
  const { t, lang } = useT();
  const openId = useCaseDetail(selectDetailId);
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ items: SupervisionRow[]; total: number; now: string } | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const filterKey = JSON.stringify(filter);

  useEffect(() => { setOffset(0); }, [category, filterKey, days]);
  useEffect(() => {
    const ctl = new AbortController();
    fetchSupervisionList(category, { ...filter, days, limit: PAGE, offset }, ctl.signal).then(
      (r) => { setPage({ items: r.items, total: r.total, now: r.now }); setError(null); },
      (e) => { if (!(e instanceof DOMException && e.name === 'AbortError')) setError(failureKey(e) === 'sv_failed' ? 'sv_list_failed' : failureKey(e)); },
    );
    return () => ctl.abort();
  }, [category, filterKey, days, offset, round]); // filterKey stands for filter

  const dept = (r: SupervisionRow) => (r.department_id === null ? (category === 'overdue' ? t('sv_centre') : '—') : localName(r.department_name, lang));
  const base: Column[] = [
    { key: 'case', label: 'sv_col_case', className: 'mono', cell: (r) => <>{r.case_no}{r.urgent ? <span className="tag sv-urgent">{t('sv_urgent')}</span> : null}</> },
    { key: 'status', label: 'sv_col_status', cell: (r) => tOr(lang, caseStatusKey(r.status), r.status) },
    { key: 'dept', label: 'sv_col_dept', cell: dept },
  ];
  const byCategory: Record<SupervisionCategory, Column[]> = {
    overdue: [
      { key: 'step', label: 'sv_col_step', cell: (r) => tOr(lang, stepKey(r.step), r.step) },
      { key: 'since', label: 'sv_col_overdue_since', className: 'mono', cell: (r) => formatShort(r.event_at) },
    ],
    urged: [
      { key: 'urged', label: 'sv_col_urged_at', className: 'mono', cell: (r) => formatShort(r.event_at) },
      { key: 'answer', label: 'sv_col_answer', cell: (r) => (r.answered_at
        ? <span className="sv-ok">{tOr(lang, actionKey(r.answer_action), r.answer_action)} · <span className="mono">{formatShort(r.answered_at)}</span></span>
        : <span className="sv-bad">{t('sv_not_answered')}</span>) },
    ],
    stockpiled: [
      { key: 'since', label: 'sv_col_suspended_since', className: 'mono', cell: (r) => formatShort(r.event_at) },
      { key: 'days', label: 'sv_col_days', className: 'mono num', cell: (r, now) => daysSince(r.event_at, now) },
    ],
    late_returns: [
      { key: 'dispatched', label: 'sv_col_dispatched_at', className: 'mono', cell: (r) => formatShort(r.dispatched_at) },
      { key: 'applied', label: 'sv_col_applied_at', className: 'mono', cell: (r) => formatShort(r.event_at) },
      { key: 'outcome', label: 'sv_col_outcome', cell: (r) => (r.return_outcome ? t(`sv_outcome_${r.return_outcome}` as MessageKey) : '—') },
    ],
    extensions: [
      { key: 'granted', label: 'sv_col_granted_at', className: 'mono', cell: (r) => formatShort(r.event_at) },
      { key: 'hours', label: 'sv_col_hours', className: 'mono num', cell: (r) => (r.extension_hours ?? '—') },
    ],
  };
  const columns = [...base, ...byCategory[category], { key: 'address', label: 'sv_col_address' as MessageKey, className: 'sv-address', cell: (r: SupervisionRow) => r.address ?? r.grid_code }];
  const now = page ? Date.parse(page.now) : 0;
  const filtered = !!(filter.department || filter.step || filter.answered);

  return (
    <section className="sv-card sv-list" aria-label={t(`sv_cat_${category}` as MessageKey)} data-testid="sv-list" data-category={category}>
      <div className="sv-list-bar">
        <h2 className="sv-card-title">{t(`sv_cat_${category}` as MessageKey)} <span className="dim">· {t(`sv_hint_${category}` as MessageKey)}</span></h2>
        {category === 'urged' ? (
          <span className="sv-seg" role="group" aria-label={t('sv_list_filter')}>
            {([undefined, 'no', 'yes'] as const).map((a) => (
              <button key={a ?? 'all'} type="button" className={filter.answered === a ? 'active' : ''} aria-pressed={filter.answered === a}
                onClick={() => onFilter(a ? { answered: a } : {})}>{t(a === 'no' ? 'sv_answered_no' : a === 'yes' ? 'sv_answered_yes' : 'sv_all')}</button>
            ))}
          </span>
        ) : null}
        {category === 'overdue' && filtered ? (
          <span className="sv-filter">
            {filter.department ? <span className="tag">{filter.department === 'centre' ? t('sv_centre') : localName(page?.items[0]?.department_name ?? `#${filter.department}`, lang)}</span> : null}
            {filter.step ? <span className="tag">{tOr(lang, stepKey(filter.step), filter.step)}</span> : null}
            <button type="button" className="link-btn" onClick={() => onFilter({})}>{t('sv_clear_filter')}</button>
          </span>
        ) : null}
      </div>
      {error ? <p className="sv-error" role="alert">{t(error)}</p> : null}
      {page && page.items.length === 0 && !error ? <p className="sv-empty">{t('sv_list_empty')}</p> : null}
      {page && page.items.length ? (
        <div className="sv-table-wrap">
          <table className="sv-table sv-rows">
            <thead><tr>{columns.map((c) => <th key={c.key} scope="col" className={c.className}>{t(c.label)}</th>)}</tr></thead>
            <tbody>
              {page.items.map((r, i) => (
                <tr key={`${r.id}-${r.event_at}-${i}`} className={r.id === openId ? 'open' : ''} tabIndex={0} data-case-id={r.id}
                  onClick={() => { void openCase(r.id); }} onKeyDown={(e) => { if (e.key === 'Enter') void openCase(r.id); }}>
                  {columns.map((c) => <td key={c.key} className={c.className}>{c.cell(r, now)}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {page && page.total > PAGE ? (
        <div className="sv-pager">
          <span className="dim">{fill(t('sv_page'), { from: offset + 1, to: Math.min(offset + PAGE, page.total), n: page.total })}</span>
          <button type="button" className="sv-btn" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>{t('sv_prev')}</button>
          <button type="button" className="sv-btn" disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>{t('sv_next')}</button>
        </div>
      ) : null}
      {!openId && page && page.items.length ? <p className="sv-note dim">{t('sv_pick_case')}</p> : null}
    </section>
  );
}
