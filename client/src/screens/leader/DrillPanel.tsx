// The cases behind a figure: a sheet over the screen with the figure's name, its numerator or denominator (switch),
// the list (paged; distinct cases, and the figure's own count when a case counts twice), and the open case with its
// trail and photos (CaseDetailPanel).
import { useCallback, useEffect, useState } from 'react';
import { useT } from '../../components/Bilingual.js';
import { CaseDetailPanel } from '../../components/case/CaseDetailPanel.js';
import { CaseList, type FetchCasePage } from '../../components/case/CaseList.js';
import type { CasePage } from '../../api/search.js';
import { selectDetailId, useCaseDetail } from '../../state/case-detail-store.js';
import { DRILL_PAGE, drillPage, moveDrill, selectDrill, useLeader } from '../../state/leader-store.js';
import { formatCount } from './numbers.js';

export function DrillPanel() {
  const drill = useLeader(selectDrill);
  const close = useLeader((s) => s.closeDrill);
  const selectedId = useCaseDetail(selectDetailId);
  const { t } = useT();
  const [counted, setCounted] = useState<{ key: string; total: number; events?: number } | null>(null);
  const queryKey = drill ? JSON.stringify([drill.source, drill.period, drill.part]) : '';
  const fetchPage = useCallback<FetchCasePage>((page, signal) => {
    const d = useLeader.getState().drill;
    return d ? drillPage(d, page, signal) as Promise<CasePage> : Promise.resolve({ items: [], total: 0 });
  }, []);
  useEffect(() => {
    if (!drill) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      if (useCaseDetail.getState().id) useCaseDetail.getState().close(); else close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drill, close]);
  if (!drill) return null;
  const src = drill.source;
  const list = counted?.key === queryKey ? counted : null;
  const closeAll = () => { useCaseDetail.getState().close(); close(); };
  return (
    <div className="ld-drill-backdrop" onClick={(e) => { if (e.target === e.currentTarget) closeAll(); }}>
      <section className={`ld-drill ${selectedId ? 'with-case' : ''}`} data-testid="drill" role="dialog" aria-label={t('ld_drill')}
        data-indicator={src.indicator} data-part={drill.part} data-status={list ? 'ready' : 'loading'}>
        <div className="ld-drill-main">
          <div className="panel-bar">
            <span className="panel-bar-title">
              {t('ld_drill')} · <b>{src.label}</b>{src.kind === 'evaluation' ? <> · {src.row_name}</> : null}
            </span>
            <button type="button" className="icon-button" onClick={closeAll} aria-label={t('close')} title={t('close')} data-testid="drill-close">×</button>
          </div>
          <div className="ld-drill-bar">
            <span className="mono dim">{drill.period.from} — {drill.period.to}</span>
            <div className="ld-segs" role="group">
              <button type="button" className={`ld-seg ${drill.part === 'numerator' ? 'active' : ''}`} aria-pressed={drill.part === 'numerator'}
                onClick={() => void moveDrill({ part: 'numerator' })} data-testid="drill-numerator">{t('ld_numerator')}</button>
              <button type="button" className={`ld-seg ${drill.part === 'denominator' ? 'active' : ''}`} aria-pressed={drill.part === 'denominator'}
                disabled={!src.has_denominator} onClick={() => void moveDrill({ part: 'denominator' })} data-testid="drill-denominator">{t('ld_denominator')}</button>
            </div>
            {list ? (
              <span className="ld-drill-count" data-testid="drill-total" data-total={list.total} data-events={list.events ?? ''}>
                <b className="mono">{formatCount(list.total)}</b> {t('ld_drill_distinct')}
                {list.events != null && list.events !== list.total ? <span className="dim"> · {t('ld_drill_events')} <span className="mono">{formatCount(list.events)}</span></span> : null}
              </span>
            ) : null}
            <span className="grow" />
            <span className="dim ld-hint-small">{t('ld_open_case_hint')}</span>
          </div>
          <div className="ld-drill-body">
            <CaseList fetchPage={fetchPage} queryKey={queryKey} pageSize={DRILL_PAGE} testId="drill-list" emptyText="ld_drill_empty"
              onLoaded={(p) => setCounted({ key: queryKey, total: p.total, events: p.events })} />
          </div>
        </div>
        {selectedId ? <CaseDetailPanel className="ld-drill-case" /> : null}
      </section>
    </div>
  );
}
