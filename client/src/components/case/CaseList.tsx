// A paged table of cases from any `{ items, total }` source (the case search, a figure's drill-down): case number
// with its origin, status with light, class, grid, address, department, reported at. A row opens the case
// (case-detail-store: fields, trail, photos) unless the caller decides otherwise.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../../api/http.js';
import type { CasePage, CaseOrigin, SearchCase } from '../../api/search.js';
import type { MessageKey } from '../../i18n/index.js';
import { formatFull, formatShort } from '../../i18n/format.js';
import { openCase, selectDetailId, useCaseDetail } from '../../state/case-detail-store.js';
import { useT } from '../Bilingual.js';
import { CaseStatusChip, LightDot, useClassName, useDepartmentName } from './CaseBits.js';

export type FetchCasePage = (page: { limit: number; offset: number }, signal: AbortSignal) => Promise<CasePage>;

/** Fills `{n}`-style slots of a dictionary text. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

/** "导入 / Imported" or "模拟 / Simulated" (nothing for a live case): wherever a case shows, so history is never taken for today's. */
export function OriginBadge({ origin, showLive = false }: { origin: CaseOrigin | null | undefined; showLive?: boolean }) {
  const { t } = useT();
  if (!origin || origin === 'live') return showLive ? <span className="origin-badge origin-live" data-testid="origin-badge" data-origin="live">{t('sr_origin_live')}</span> : null;
  return (
    <span className={`origin-badge origin-${origin}`} data-testid="origin-badge" data-origin={origin} title={t(`sr_origin_${origin}_title`)}>
      {t(`sr_origin_${origin}`)}
    </span>
  );
}

/** The default words for a failed page: what happened and what to do, in the UI's language. */
function DefaultError({ error }: { error: unknown }) {
  const { t } = useT();
  return <>{t(error instanceof ApiError && error.isNetwork ? 'sr_network' : 'sr_failed_other')}</>;
}

type Loaded = { key: string; offset: number; page: CasePage };

export function CaseList({
  fetchPage, queryKey, pageSize = 25, onOpen, describeError, onLoaded, className, emptyText = 'sr_empty', testId = 'case-table',
}: {
  /** Fetches one page; called again when `queryKey` or the page changes (not when the function's identity does). */
  fetchPage: FetchCasePage;
  /** Identifies the query: a new key starts again at the first page. */
  queryKey: string;
  pageSize?: number;
  /** What a row does; default: open the case in the case panel. */
  onOpen?: (c: SearchCase) => void;
  /** Words for a failed request (e.g. naming the filter that is wrong). */
  describeError?: (error: unknown) => ReactNode;
  onLoaded?: (page: CasePage, offset: number) => void;
  className?: string;
  emptyText?: MessageKey;
  testId?: string;
}) {
  const { t, lang } = useT();
  const nameOf = useClassName();
  const deptOf = useDepartmentName();
  const selectedId = useCaseDetail(selectDetailId);
  const [offset, setOffset] = useState(0);
  const [key, setKey] = useState(queryKey);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const loadedRef = useRef(onLoaded);
  loadedRef.current = onLoaded;

  // a new query starts at the first page (adjusted while rendering: no flash of the old page number)
  if (key !== queryKey) { setKey(queryKey); setOffset(0); }
  const current = key === queryKey ? offset : 0;

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    fetchRef.current({ limit: pageSize, offset: current }, ac.signal).then(
      (page) => {
        if (ac.signal.aborted) return;
        setLoaded({ key: queryKey, offset: current, page });
        loadedRef.current?.(page, current);
      },
      (e: unknown) => {
        if (ac.signal.aborted || (e instanceof DOMException && e.name === 'AbortError')) return;
        setError(e);
      },
    );
    return () => ac.abort();
  }, [queryKey, current, pageSize, attempt]);

  const fresh = loaded && loaded.key === queryKey && loaded.offset === current;
  const loading = !fresh && !error;
  const page = loaded?.key === queryKey ? loaded.page : null;
  const total = page?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const at = Math.floor(current / pageSize) + 1;
  const open = onOpen ?? ((c: SearchCase) => { void openCase(c.id); });
  const go = (p: number) => setOffset(Math.min(Math.max(0, (p - 1) * pageSize), Math.max(0, (pages - 1) * pageSize)));

  return (
    <section className={`case-table-wrap ${className ?? ''}`} data-testid={testId} aria-busy={loading} data-total={page ? total : undefined}>
      <div className="case-table-bar">
        <span className="case-table-total" data-testid="case-table-total">
          {page ? (total === 1 ? t('sr_total_one') : fill(t('sr_total'), { n: total.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en') })) : '\u00a0'}
          {page && total > 0 ? <span className="dim"> · {fill(t('sr_range'), { a: current + 1, b: Math.min(current + pageSize, total) })}</span> : null}
          {page?.events !== undefined && page.events !== total ? <span className="dim"> · {page.events}</span> : null}
        </span>
        {loading ? <span className="case-table-loading"><span className="spinner" /> {t('sr_loading')}</span> : null}
      </div>
      {error ? (
        <div className="panel-msg error" role="alert" data-testid="case-table-error">
          <strong>{t('sr_failed')}</strong>
          <div>{describeError ? describeError(error) : <DefaultError error={error} />}</div>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>{t('retry')}</button>
        </div>
      ) : null}
      <div className={`case-table-scroll ${loading && page ? 'stale' : ''}`}>
        {page && !page.items.length && !loading ? <div className="empty-list" data-testid="case-table-empty">{t(emptyText)}</div> : null}
        {page && page.items.length ? (
          <table className="case-table">
            <thead>
              <tr>
                <th className="col-no">{t('sr_col_case_no')}</th>
                <th className="col-status">{t('sr_col_status')}</th>
                <th className="col-class">{t('sr_col_class')}</th>
                <th className="col-grid">{t('sr_col_grid')}</th>
                <th className="col-address">{t('sr_col_address')}</th>
                <th className="col-dept">{t('sr_col_department')}</th>
                <th className="col-reported">{t('sr_col_reported')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((c) => (
                <tr key={c.id} className={`light-${c.light ?? 'none'} ${c.id === selectedId ? 'selected' : ''}`} tabIndex={0}
                  onClick={() => open(c)} onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(c); } }}
                  aria-selected={c.id === selectedId} data-testid="case-row" data-id={c.id} data-case-no={c.case_no} data-status={c.status} data-origin={c.origin ?? 'live'}>
                  <td className="col-no"><span className="mono case-no">{c.case_no}</span><OriginBadge origin={c.origin} /></td>
                  <td className="col-status"><span className="status-cell"><LightDot light={c.light} size={8} /><CaseStatusChip status={c.status} /></span></td>
                  <td className="col-class" title={c.description ?? undefined}><span className="cell-text">{nameOf(c.class_code)}</span></td>
                  <td className="col-grid mono">{c.grid_code}</td>
                  <td className="col-address" title={c.address ?? undefined}><span className="cell-text">{c.address || <span className="dim">—</span>}</span></td>
                  <td className="col-dept"><span className="cell-text">{c.department_id ? deptOf(c.department_id) : <span className="dim">—</span>}</span></td>
                  <td className="col-reported mono" title={formatFull(c.created_at)}>{formatShortDate(c.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
      {page && total > pageSize ? (
        <nav className="case-table-pager" aria-label={fill(t('sr_page'), { p: at, pages })}>
          <button type="button" className="pager-btn" onClick={() => go(at - 1)} disabled={at <= 1 || loading} data-testid="page-prev">‹ {t('sr_prev')}</button>
          <span className="pager-at" data-testid="page-at">{fill(t('sr_page'), { p: at, pages })}</span>
          <button type="button" className="pager-btn" onClick={() => go(at + 1)} disabled={at >= pages || loading} data-testid="page-next">{t('sr_next')} ›</button>
        </nav>
      ) : null}
    </section>
  );
}

/** '2026-11-23 10:05' (district time): a search spans years, so the year shows. */
function formatShortDate(iso: string | null | undefined): string {
  const full = formatFull(iso);
  return full === '—' ? formatShort(iso) : full.slice(0, 16);
}
