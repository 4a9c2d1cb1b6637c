// The wall's side list: counts per light (click to filter), the status filter, and the cases red → yellow → green.
import { useShallow } from 'zustand/react/shallow';
import type { CaseSummary, Light } from '../../api/types.js';
import { caseStatusKey, tOr } from '../../i18n/index.js';
import { openCase, selectDetailId, useCaseDetail } from '../../state/case-detail-store.js';
import {
  loadCases, selectCasesError, selectCasesStatus, selectFilter, selectFlash, selectLightCounts, selectNow, selectSetFilter, selectToggleLight,
  selectWallCases, useCases, WALL_STATUSES, type StatusFilter,
} from '../../state/cases-store.js';
import { LIGHT_ORDER } from '../../state/case-lights.js';
import { showPoint } from '../../map/map-handle.js';
import { Bilingual, useT } from '../../components/Bilingual.js';
import { CaseCard, LightDot } from '../../components/case/CaseBits.js';

export function openOnMap(c: CaseSummary): void {
  void openCase(c.id);
  showPoint(c.lon, c.lat, 15);
}

export function LightCounts() {
  const counts = useCases(useShallow(selectLightCounts));
  const filter = useCases(selectFilter);
  const toggle = useCases(selectToggleLight);
  const { t } = useT();
  const all = LIGHT_ORDER.every((l) => filter.lights[l]);
  return (
    <div className="light-counts" data-testid="light-counts">
      <div className="light-total">
        <span className="light-total-n mono" data-testid="count-total">{counts.total}</span>
        <Bilingual k="open_cases" />
      </div>
      {LIGHT_ORDER.map((l: Light) => (
        <button key={l} type="button" className={`light-count light-${l} ${filter.lights[l] ? 'on' : 'off'} ${all ? '' : 'filtering'}`}
          onClick={() => toggle(l)} aria-pressed={filter.lights[l]} data-testid={`count-${l}`}>
          <span className="light-count-n mono">{counts[l]}</span>
          <span className="light-count-label"><LightDot light={l} size={8} />{t(`light_${l}_short`)}</span>
        </button>
      ))}
    </div>
  );
}

/** The list shows at most this many cases, the most pressing (the map shows them all: up to 100,000). */
export const LIST_MAX = 300;

export function CaseListPanel() {
  const cases = useCases(useShallow(selectWallCases));
  const status = useCases(selectCasesStatus);
  const error = useCases(selectCasesError);
  const now = useCases(selectNow);
  const flash = useCases(selectFlash);
  const filter = useCases(selectFilter);
  const setFilter = useCases(selectSetFilter);
  const selectedId = useCaseDetail(selectDetailId);
  const { t, lang } = useT();
  return (
    <section className="case-list-panel">
      <div className="panel-bar">
        <span className="panel-bar-title"><Bilingual k="wall_title" /></span>
        <select className="status-filter" value={filter.status} aria-label={t('filter_status')} data-testid="status-filter"
          onChange={(e) => setFilter({ status: e.target.value as StatusFilter })}>
          <option value="open">{t('all_open')}</option>
          {WALL_STATUSES.map((s) => <option key={s} value={s}>{tOr(lang, caseStatusKey(s), s)}</option>)}
        </select>
      </div>
      <LightCounts />
      <p className="list-hint">{t('click_case_hint')}</p>
      {status === 'loading' ? <div className="panel-msg"><span className="spinner" /> {t('cases_loading')}</div> : null}
      {status === 'error' ? (
        <div className="panel-msg error"><strong>{t('cases_failed')}</strong><div>{error}</div>
          <button type="button" onClick={() => void loadCases()}>{t('retry')}</button></div>
      ) : null}
      {status === 'ready' && cases.length === 0 ? <div className="empty-list">{t('list_empty')}</div> : null}
      <ul className="case-list" data-testid="case-list">
        {cases.slice(0, LIST_MAX).map((c) => (
          <CaseCard key={c.id} c={c} now={now} selected={c.id === selectedId} fresh={flash[c.id] !== undefined} onOpen={openOnMap} />
        ))}
        {cases.length > LIST_MAX ? <li className="list-more" data-testid="list-more">{t('wl_list_more').replace('{n}', String(LIST_MAX))}</li> : null}
      </ul>
    </section>
  );
}
