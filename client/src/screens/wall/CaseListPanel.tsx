// The wall's side list: counts per light (click to filter), the status filter, and the cases red → yellow → green.
// The order is kept incrementally (state/case-order.ts: a one-case change moves that case, O(log n)) and a long list
// draws only the rows in view (100,000 cases: some twenty rows in the DOM).
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { CaseSummary, Light } from '../../api/types.js';
import { caseStatusKey, tOr } from '../../i18n/index.js';
import { openCase, selectDetailId, useCaseDetail } from '../../state/case-detail-store.js';
import {
  loadCases, selectCasesById, selectCasesError, selectCasesStatus, selectChanges, selectFilter, selectFlash, selectNow, selectSetFilter,
  selectToggleLight, useCases, wallVisible, WALL_STATUSES, type CaseFilter, type StatusFilter,
} from '../../state/cases-store.js';
import { WallOrder } from '../../state/case-order.js';
import type { LightCounts as Counts } from '../../state/case-lights.js';
import { LIGHT_ORDER } from '../../state/case-lights.js';
import { showPoint } from '../../map/map-handle.js';
import { Bilingual, useT } from '../../components/Bilingual.js';
import { CaseCard, LightDot } from '../../components/case/CaseBits.js';

export function openOnMap(c: CaseSummary): void {
  void openCase(c.id);
  showPoint(c.lon, c.lat, 15);
}

export function LightCounts({ counts }: { counts: Counts }) {
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

/** Lists up to this long are drawn whole; longer ones draw the rows in view (and OVERSCAN more either side). */
export const VIRTUAL_FROM = 200;
const OVERSCAN = 6;

/** The wall list's order, following the store's change log (one changed case: one move). */
function useWallOrder(): { order: WallOrder['order']; rev: number } {
  const byId = useCases(selectCasesById);
  const filter = useCases(selectFilter);
  const flash = useCases(selectFlash);
  const changes = useCases(selectChanges);
  const ref = useRef<WallOrder | null>(null);
  ref.current ??= new WallOrder();
  const status = filter.status;
  const shows = useMemo(() => (c: CaseSummary) => wallVisible(c, { status, lights: ALL_ON } as CaseFilter), [status]);
  const rev = useMemo(() => {
    ref.current!.sync({ byId, shows, showsKey: status, flash, changes });
    return ref.current!.order.rev;
  }, [byId, shows, status, flash, changes]);
  return { order: ref.current.order, rev };
}
const ALL_ON: Record<Light, boolean> = { red: true, yellow: true, green: true };

/** The part of a scrolled list in view: its top and height (px). */
function useViewport(ref: RefObject<HTMLElement | null>): { top: number; height: number } {
  const [view, setView] = useState({ top: 0, height: 1000 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
    update();
    el.addEventListener('scroll', update, { passive: true });
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => { el.removeEventListener('scroll', update); ro.disconnect(); };
  }, [ref]);
  return view;
}

export function CaseListPanel() {
  const { order, rev } = useWallOrder();
  const status = useCases(selectCasesStatus);
  const error = useCases(selectCasesError);
  const now = useCases(selectNow);
  const flash = useCases(selectFlash);
  const filter = useCases(selectFilter);
  const setFilter = useCases(selectSetFilter);
  const selectedId = useCaseDetail(selectDetailId);
  const { t, lang } = useT();
  const listRef = useRef<HTMLUListElement>(null);
  const view = useViewport(listRef);
  // Row pitch (a card and the gap after it), measured from the drawn rows: the type scale sets it.
  const [pitch, setPitch] = useState(0);
  const counts = useMemo(() => order.counts(), [order, rev]);
  const length = useMemo(() => order.shownRows(filter.lights, 0, 0).length, [order, rev, filter.lights]);
  const virtual = length > VIRTUAL_FROM && pitch > 0;
  const p = pitch || 1;
  const from = virtual ? Math.max(0, Math.floor(view.top / p) - OVERSCAN) : 0;
  const to = virtual ? Math.min(length, Math.ceil((view.top + view.height) / p) + OVERSCAN) : Math.min(length, VIRTUAL_FROM);
  const rows = useMemo(() => order.shownRows(filter.lights, from, to).rows, [order, rev, filter.lights, from, to]);
  const gap = useRef(0);
  useLayoutEffect(() => {
    const ul = listRef.current;
    const first = ul?.querySelector<HTMLElement>('li:not(.case-list-spacer)');
    if (!ul || !first) return;
    gap.current = parseFloat(getComputedStyle(ul).rowGap) || 0;
    const measured = first.getBoundingClientRect().height + gap.current;
    if (measured > 0 && Math.abs(measured - pitch) > 0.5) setPitch(measured);
  });
  const spacer = (rowsOut: number, key: string) => (rowsOut > 0
    ? <li key={key} aria-hidden="true" className="case-list-spacer" style={{ height: rowsOut * p - gap.current }} /> : null);
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
      <LightCounts counts={counts} />
      <p className="list-hint">{t('click_case_hint')}</p>
      {status === 'loading' ? <div className="panel-msg"><span className="spinner" /> {t('cases_loading')}</div> : null}
      {status === 'error' ? (
        <div className="panel-msg error"><strong>{t('cases_failed')}</strong><div>{error}</div>
          <button type="button" onClick={() => void loadCases()}>{t('retry')}</button></div>
      ) : null}
      {status === 'ready' && length === 0 ? <div className="empty-list">{t('list_empty')}</div> : null}
      <ul className="case-list" data-testid="case-list" data-rows={length} ref={listRef}>
        {virtual ? spacer(from, 'above') : null}
        {rows.map((c) => (
          <CaseCard key={c.id} c={c} now={now} selected={c.id === selectedId} fresh={flash[c.id] !== undefined} onOpen={openOnMap} />
        ))}
        {virtual ? spacer(length - to, 'below') : null}
      </ul>
    </section>
  );
}
