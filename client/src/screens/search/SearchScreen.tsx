// Case search (案卷查询) for every role that may see cases: text (case number, description, address), class, place,
// department, status chips, channel, origin and report dates; the paged result table (CaseList), and the open case
// beside it with its trail and photos (on a phone: over it). Closed and void cases are found like open ones; the
// server shows each role only what it may see. The search lives in the address bar, so a link or reload keeps it.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError } from '../../api/http.js';
import { CASE_CHANNELS, CASE_ORIGINS, searchCases, type CaseSearchQuery } from '../../api/search.js';
import { useT } from '../../components/Bilingual.js';
import { CaseDetailPanel } from '../../components/case/CaseDetailPanel.js';
import { CaseList, type FetchCasePage } from '../../components/case/CaseList.js';
import { sourceKey, tOr, type MessageKey } from '../../i18n/index.js';
import { selectDetailId, useCaseDetail } from '../../state/case-detail-store.js';
import { departmentName, selectClassList, selectDepartmentList, useReference } from '../../state/reference-store.js';
import { selectCommunities, selectLoadRegions, selectRegionsStatus, selectStreets, useRegions } from '../../state/regions-store.js';
import { PATHS } from '../../state/route-store.js';
import { selectUser, useSession } from '../../state/session-store.js';
import {
  checkForm, EMPTY_FORM, fieldsOf, filterCount, fromLocationSearch, queryOf, STATUS_CHIPS, toLocationSearch, type FormField, type SearchForm,
} from './search-form.js';
import { SEE_ALL_ROLES } from '../../../../server/domain/visibility.js';
import './search.css';

const PAGE_SIZE = 25;

const FIELD_LABEL: Record<FormField, MessageKey> = {
  q: 'sr_q', class: 'sr_class', major: 'sr_major', grid: 'sr_grid', community: 'sr_community', street: 'sr_street',
  department: 'sr_department', status: 'sr_status', source: 'sr_source', origin: 'sr_origin', from: 'sr_from', to: 'sr_to', sort: 'sr_sort',
};

/** What to tell the user about a field the server refused (its hint is English; the words here are the UI's). */
function serverProblem(field: FormField, hint: string): MessageKey {
  if (field === 'q') return 'sr_err_q_long';
  if (field === 'from') return /after/.test(hint) ? 'sr_err_from_after_to' : 'sr_err_date';
  if (field === 'to') return /five years/.test(hint) ? 'sr_err_range_long' : 'sr_err_date';
  if (field === 'grid' && /digit/.test(hint)) return 'sr_err_grid';
  return 'sr_err_unknown';
}

function Labeled({ k, children, error, className }: { k: MessageKey; children: ReactNode; error?: MessageKey; className?: string }) {
  const { t } = useT();
  return (
    <label className={`sr-field ${error ? 'has-error' : ''} ${className ?? ''}`}>
      <span className="sr-label">{t(k)}</span>
      {children}
      {error ? <span className="field-error" role="alert">{t(error)}</span> : null}
    </label>
  );
}

export function SearchScreen() {
  const { t, lang } = useT();
  const user = useSession(selectUser);
  const classList = useReference(selectClassList);
  const departments = useReference(selectDepartmentList);
  const streets = useRegions(selectStreets);
  const communities = useRegions(selectCommunities);
  const regionsStatus = useRegions(selectRegionsStatus);
  const loadRegions = useRegions(selectLoadRegions);
  const detailId = useCaseDetail(selectDetailId);
  const initial = useMemo(() => fromLocationSearch(typeof window === 'undefined' ? '' : window.location.search), []);
  const [form, setForm] = useState<SearchForm>(initial);
  const [applied, setApplied] = useState<SearchForm>(initial);
  const [more, setMore] = useState(false);
  const errors = checkForm(form);

  useEffect(() => { if (regionsStatus === 'idle') void loadRegions(); }, [regionsStatus, loadRegions]);
  useEffect(() => () => useCaseDetail.getState().close(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') useCaseDetail.getState().close(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const apply = useCallback((next: SearchForm) => {
    if (Object.keys(checkForm(next)).length) return;
    setApplied(next);
    if (typeof window !== 'undefined' && window.location.pathname === PATHS.search) {
      window.history.replaceState(null, '', `${PATHS.search}${toLocationSearch(next)}`);
    }
  }, []);
  /** Changes the form; selects, chips and dates search at once, typed text waits for Enter or the button. */
  const update = (patch: Partial<SearchForm>, now = true) => {
    const next = { ...form, ...patch };
    setForm(next);
    if (now) apply(next);
  };

  const query: CaseSearchQuery = useMemo(() => queryOf(applied), [applied]);
  const queryKey = JSON.stringify(query);
  const fetchPage = useCallback<FetchCasePage>((page, signal) => searchCases(query, page, signal), [query]);

  const majors = useMemo(() => {
    const seen = new Map<string, { code: string; zh: string; en: string }>();
    for (const c of classList) if (!seen.has(c.major_code)) seen.set(c.major_code, { code: c.major_code, zh: c.major_name_zh, en: c.major_name_en });
    return [...seen.values()];
  }, [classList]);
  const classes = useMemo(() => classList.filter((c) => !form.major || c.major_code === form.major), [classList, form.major]);
  const shownCommunities = useMemo(() => communities.filter((c) => !form.street || c.parent_code === form.street), [communities, form.street]);
  const seesAll = !!user?.roles.some((r) => (SEE_ALL_ROLES as readonly string[]).includes(r));
  const extra = filterCount(form);

  const describeError = (e: unknown): ReactNode => {
    if (e instanceof ApiError && e.status === 400) {
      const fields = fieldsOf(e.details);
      if (fields.length) {
        const details = (e.details && typeof e.details === 'object' && !Array.isArray(e.details) ? e.details : {}) as Record<string, unknown>;
        return (
          <>
            {t('sr_bad_fields')}
            <ul className="sr-problems" data-testid="search-problems">
              {fields.map((f) => <li key={f} data-field={f}><b>{t(FIELD_LABEL[f])}</b>：{t(serverProblem(f, String(details[f] ?? '')))}</li>)}
            </ul>
          </>
        );
      }
    }
    return t(e instanceof ApiError && e.isNetwork ? 'sr_network' : 'sr_failed_other');
  };

  return (
    <main className={`search-screen ${detailId ? 'with-detail' : ''}`} data-testid="search-screen">
      <form className="sr-form" onSubmit={(e) => { e.preventDefault(); apply(form); }} role="search" aria-label={t('sr_filters')}>
        <div className="sr-row sr-main">
          <h1 className="sr-title">{t('sr_title')}</h1>
          <div className={`sr-q ${errors.q ? 'has-error' : ''}`}>
            <input type="search" value={form.q} placeholder={t('sr_q_placeholder')} aria-label={t('sr_q')} maxLength={120}
              onChange={(e) => update({ q: e.target.value }, false)} data-testid="search-q" />
            <button type="submit" className="action-btn tone-primary sr-submit" disabled={Object.keys(errors).length > 0} data-testid="search-submit">{t('sr_search')}</button>
          </div>
          <button type="button" className={`sr-more-toggle ${more ? 'open' : ''}`} onClick={() => setMore((m) => !m)} aria-expanded={more} data-testid="search-more">
            {t(more ? 'sr_less' : 'sr_more')}{extra ? <span className="sr-count">{extra}</span> : null}
          </button>
          <button type="button" className="link-btn sr-reset" onClick={() => update({ ...EMPTY_FORM })} data-testid="search-reset">{t('sr_reset')}</button>
        </div>
        {errors.q ? <div className="field-error sr-q-error" role="alert">{t(errors.q)}</div> : null}
        <div className={`sr-more ${more ? 'open' : ''}`}>
          <div className="sr-grid">
            <Labeled k="sr_major">
              <select value={form.major} onChange={(e) => update({ major: e.target.value, class: '' })} data-testid="search-major">
                <option value="">{t('sr_all_majors')}</option>
                {majors.map((m) => <option key={m.code} value={m.code}>{m.code} {lang === 'zh' ? m.zh : m.en}</option>)}
              </select>
            </Labeled>
            <Labeled k="sr_class">
              <select value={form.class} onChange={(e) => update({ class: e.target.value })} data-testid="search-class">
                <option value="">{t('sr_all_classes')}</option>
                {classes.map((c) => <option key={c.code} value={c.code}>{c.code} {lang === 'zh' ? c.name_zh : c.name_en}</option>)}
              </select>
            </Labeled>
            <Labeled k="sr_street">
              <select value={form.street} onChange={(e) => update({ street: e.target.value, community: '' })} data-testid="search-street">
                <option value="">{t('sr_all_streets')}</option>
                {streets.map((s) => <option key={s.code} value={s.code}>{s.name}</option>)}
              </select>
            </Labeled>
            <Labeled k="sr_community">
              <select value={form.community} onChange={(e) => update({ community: e.target.value })} data-testid="search-community">
                <option value="">{t('sr_all_communities')}</option>
                {shownCommunities.map((c) => <option key={c.code} value={c.code}>{c.name}</option>)}
              </select>
            </Labeled>
            <Labeled k="sr_grid" error={errors.grid}>
              <input type="text" inputMode="numeric" value={form.grid} placeholder={t('sr_grid_placeholder')} maxLength={15}
                onChange={(e) => update({ grid: e.target.value.replace(/\D/g, '') }, false)}
                onBlur={() => { if (!form.grid || /^[0-9]{15}$/.test(form.grid)) apply(form); }} data-testid="search-grid" />
            </Labeled>
            <Labeled k="sr_department">
              <select value={form.department} onChange={(e) => update({ department: e.target.value })} data-testid="search-department">
                <option value="">{t('sr_all_departments')}</option>
                {departments.map((d) => <option key={d.id} value={d.id}>{departmentName(d.name, lang)}</option>)}
              </select>
            </Labeled>
            <Labeled k="sr_source">
              <select value={form.source} onChange={(e) => update({ source: e.target.value })} data-testid="search-source">
                <option value="">{t('sr_all_sources')}</option>
                {CASE_CHANNELS.map((s) => <option key={s} value={s}>{tOr(lang, sourceKey(s), s)}</option>)}
              </select>
            </Labeled>
            <Labeled k="sr_origin">
              <select value={form.origin} onChange={(e) => update({ origin: e.target.value })} data-testid="search-origin">
                <option value="">{t('sr_all_origins')}</option>
                {CASE_ORIGINS.map((o) => <option key={o} value={o}>{t(`sr_origin_${o}`)}</option>)}
              </select>
            </Labeled>
            <div className={`sr-field sr-dates ${errors.from || errors.to ? 'has-error' : ''}`}>
              <span className="sr-label">{t('sr_dates')}</span>
              <span className="sr-date-pair">
                <input type="date" value={form.from} max={form.to || undefined} aria-label={t('sr_from')} onChange={(e) => update({ from: e.target.value })} data-testid="search-from" />
                <span className="dim">{t('sr_date_sep')}</span>
                <input type="date" value={form.to} min={form.from || undefined} aria-label={t('sr_to')} onChange={(e) => update({ to: e.target.value })} data-testid="search-to" />
              </span>
              {errors.from || errors.to ? <span className="field-error" role="alert" data-testid="search-date-error">{t((errors.from ?? errors.to)!)}</span> : null}
            </div>
          </div>
        </div>
        <div className="sr-row sr-chips" role="group" aria-label={t('sr_status')}>
          <span className="sr-label">{t('sr_status')}</span>
          {STATUS_CHIPS.map((c) => {
            const on = form.chips.includes(c.id);
            return (
              <button key={c.id} type="button" className={`sr-chip chip-${c.id} ${on ? 'on' : ''}`} aria-pressed={on} data-testid={`chip-${c.id}`}
                onClick={() => update({ chips: on ? form.chips.filter((x) => x !== c.id) : [...form.chips, c.id] })}>
                {t(c.label)}
              </button>
            );
          })}
          <span className="grow" />
          <span className="sr-hint dim">{t('sr_hint')}{seesAll ? '' : ` · ${t('sr_scope_note')}`}</span>
          <label className="sr-sort">
            <span className="sr-label">{t('sr_sort')}</span>
            <select value={form.sort} onChange={(e) => update({ sort: e.target.value as SearchForm['sort'] })} data-testid="search-sort">
              <option value="newest">{t('sr_sort_newest')}</option>
              <option value="oldest">{t('sr_sort_oldest')}</option>
              <option value="light">{t('sr_sort_light')}</option>
            </select>
          </label>
        </div>
      </form>
      <div className="sr-body">
        <CaseList fetchPage={fetchPage} queryKey={queryKey} pageSize={PAGE_SIZE} describeError={describeError} className="sr-results" testId="search-results" />
        {detailId
          ? <CaseDetailPanel className="sr-detail" />
          : <aside className="sr-detail-empty"><span className="sr-detail-icon" aria-hidden="true" />{t('sr_pick_case')}</aside>}
      </div>
    </main>
  );
}
