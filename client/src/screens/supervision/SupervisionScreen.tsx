// Electronic supervision (电子监察, issue 10) for the supervision centre and leaders: the alerts in force, a count per
// category (overdue, urged, stockpiled, late returns, extensions), overdue cases as a department × step table (worst
// first), the list of a category (each row opens the case beside it, with its trail), and the alert thresholds
// (editable by leaders and admin). Read again on live case changes and every minute.
import { useCallback, useEffect, useState } from 'react';
import {
  fetchSupervisionSummary, type ListFilter, type SupervisionCategory, type SupervisionSummary,
} from '../../api/supervision.js';
import { useT } from '../../components/Bilingual.js';
import { CaseDetailPanel } from '../../components/case/CaseDetailPanel.js';
import { formatFull } from '../../i18n/format.js';
import { stepKey, tOr, type MessageKey } from '../../i18n/index.js';
import { selectDetailId, useCaseDetail } from '../../state/case-detail-store.js';
import { localName } from '../../state/reference-store.js';
import { SUPERVISION_CATEGORIES } from '../../../../server/domain/supervision.js';
import { alertText, failureKey, fill } from './supervision-model.js';
import { SupervisionList } from './SupervisionList.js';
import { ThresholdsPanel } from './ThresholdsPanel.js';
import { SatisfactionReviews } from './SatisfactionReviews.js';
import { useSupervisionRefresh } from './use-refresh.js';
import './supervision.css';

const WINDOWS = [7, 30, 90] as const;

function countOf(s: SupervisionSummary, c: SupervisionCategory): { n: number; sub: string | null } {
  switch (c) {
    case 'overdue': return { n: s.counts.overdue, sub: null };
    case 'urged': return { n: s.counts.urged, sub: String(s.counts.unanswered_urges) };
    case 'stockpiled': return { n: s.counts.stockpiled, sub: null };
    case 'late_returns': return { n: s.counts.late_returns, sub: null };
    case 'extensions': return { n: s.counts.extensions, sub: String(Math.round(s.counts.extension_hours * 10) / 10) };
  }
}

function Tiles({ summary, category, onPick }: { summary: SupervisionSummary; category: SupervisionCategory; onPick: (c: SupervisionCategory) => void }) {
  const { t } = useT();
  return (
    <div className="sv-tiles" role="tablist" aria-label={t('sv_title')}>
      {SUPERVISION_CATEGORIES.map((c) => {
        const { n, sub } = countOf(summary, c);
        return (
          <button key={c} type="button" role="tab" aria-selected={c === category} data-testid={`sv-tile-${c}`}
            className={`sv-tile sv-tile-${c} ${c === category ? 'active' : ''} ${n > 0 && c !== 'extensions' ? 'has-any' : ''}`} onClick={() => onPick(c)}>
            <span className="sv-tile-n mono">{n}</span>
            <span className="sv-tile-label">{t(`sv_cat_${c}` as MessageKey)}</span>
            <span className="sv-tile-sub">
              {c === 'urged' && sub ? <>{sub} {t('sv_unanswered')}</> : c === 'extensions' && sub ? fill(t('sv_hours_total'), { n: sub }) : t(`sv_hint_${c}` as MessageKey)}
            </span>
          </button>
        );
      })}
    </div>
  );
}

function OverdueTable({ summary, filter, onPick }: { summary: SupervisionSummary; filter: ListFilter; onPick: (f: ListFilter) => void }) {
  const { t, lang } = useT();
  const { steps, departments } = summary;
  return (
    <section className="sv-card sv-table-card" aria-label={t('sv_table_title')}>
      <h2 className="sv-card-title">{t('sv_table_title')}</h2>
      {departments.length === 0 ? <p className="sv-empty">{t('sv_table_empty')}</p> : (
        <div className="sv-table-wrap">
          <table className="sv-table" data-testid="sv-overdue-table">
            <thead>
              <tr>
                <th scope="col" className="sv-dept">{t('sv_table_dept')}</th>
                {steps.map((s) => <th key={s} scope="col" className="num">{tOr(lang, stepKey(s), s)}</th>)}
                <th scope="col" className="num">{t('sv_table_total')}</th>
              </tr>
            </thead>
            <tbody>
              {departments.map((r) => {
                const dept = r.department_id === null ? 'centre' : String(r.department_id);
                const name = r.department_id === null ? t('sv_centre') : localName(r.department_name, lang);
                return (
                  <tr key={dept} className={filter.department === dept ? 'picked' : ''}>
                    <th scope="row" className="sv-dept" title={name}>{name}</th>
                    {steps.map((s) => {
                      const n = r.by_step[s] ?? 0;
                      const picked = filter.department === dept && filter.step === s;
                      return (
                        <td key={s} className="num">
                          {n ? <button type="button" className={`sv-cell ${picked ? 'picked' : ''}`} onClick={() => onPick({ department: dept, step: s })}
                            aria-label={`${name} · ${tOr(lang, stepKey(s), s)}: ${n}`}>{n}</button> : <span className="dim">·</span>}
                        </td>
                      );
                    })}
                    <td className="num"><button type="button" className="sv-cell total" onClick={() => onPick({ department: dept })}>{r.total}</button></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p className="sv-note dim">{t('sv_table_hint')}</p>
    </section>
  );
}

export function SupervisionScreen() {
  const { t, lang } = useT();
  const detailId = useCaseDetail(selectDetailId);
  const [days, setDays] = useState<number>(30);
  const [summary, setSummary] = useState<SupervisionSummary | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const [category, setCategory] = useState<SupervisionCategory>('overdue');
  const [filter, setFilter] = useState<ListFilter>({});
  const [round, setRound] = useState(0);

  const load = useCallback(() => {
    fetchSupervisionSummary(days).then((s) => { setSummary(s); setError(null); }, (e) => setError(failureKey(e)));
  }, [days]);
  useEffect(() => { load(); }, [load, round]);
  const refresh = useCallback(() => setRound((n) => n + 1), []);
  useSupervisionRefresh(refresh);

  useEffect(() => () => useCaseDetail.getState().close(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') useCaseDetail.getState().close(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const pick = (c: SupervisionCategory) => { setCategory(c); setFilter({}); };

  return (
    <main className={`supervision-screen ${detailId ? 'with-detail' : ''}`} data-testid="supervision-screen">
      <div className="sv-bar">
        <h1 className="sv-title">{t('sv_title')}</h1>
        <label className="sv-window">
          <span className="dim">{t('sv_window')}</span>
          <select value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="sv-days">
            {WINDOWS.map((d) => <option key={d} value={d}>{fill(t('sv_days'), { n: d })}</option>)}
          </select>
        </label>
        <span className="sv-note dim">{t('sv_window_note')}</span>
        <span className="sv-bar-right">
          {summary ? <span className="dim">{t('sv_updated')} {formatFull(summary.now)}</span> : null}
          <button type="button" className="sv-btn" onClick={refresh}>{t('sv_refresh')}</button>
        </span>
      </div>
      {error ? <p className="sv-error" role="alert" data-testid="sv-error">{t(error)}</p> : null}
      {summary ? (
        <>
          {summary.alerts.length ? (
            <ul className="sv-alerts" aria-label={t('sv_alerts')} data-testid="sv-alerts">
              {summary.alerts.map((a) => (
                <li key={a.key} data-kind={a.kind}>
                  <button type="button" className="sv-alert" onClick={() => {
                    setCategory(a.category);
                    setFilter(a.kind === 'department_overdue' ? { department: String(a.department_id) } : a.kind === 'step_overdue' ? { step: a.step ?? undefined }
                      : a.kind === 'unanswered_urges' ? { answered: 'no' } : {});
                  }}><i aria-hidden="true" />{alertText(a, lang)}</button>
                </li>
              ))}
            </ul>
          ) : <p className="sv-alerts-none dim">{t('sv_alerts_none')}</p>}
          <Tiles summary={summary} category={category} onPick={pick} />
        </>
      ) : error ? null : <p className="sv-loading dim">{t('sv_loading')}</p>}
      <div className="sv-body">
        <div className="sv-side">
          {summary ? <OverdueTable summary={summary} filter={category === 'overdue' ? filter : {}} onPick={(f) => { setCategory('overdue'); setFilter(f); }} /> : null}
          <SatisfactionReviews round={round} />
          <ThresholdsPanel onSaved={refresh} />
        </div>
        <SupervisionList category={category} filter={filter} days={days} round={round} onFilter={setFilter} />
        {detailId ? <CaseDetailPanel className="sv-detail" /> : null}
      </div>
    </main>
  );
}
