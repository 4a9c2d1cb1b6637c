// The layout of the field screens (inspector, crew): the map with the user's cases, and a tabbed panel beside it (on a
// phone: below it). An open case replaces the tab's content until it is closed.
import { useCallback, useMemo, type ReactNode } from 'react';
import type { CaseSummary } from '../api/types.js';
import { MapFrame } from '../components/MapFrame.js';
import { CaseDetailPanel } from '../components/case/CaseDetailPanel.js';
import { CaseCard } from '../components/case/CaseBits.js';
import { useT } from '../components/Bilingual.js';
import type { MessageKey } from '../i18n/index.js';
import { CASE_LAYER, caseLayers, groupCases, reportPointLayers } from '../map/layers/cases.js';
import type { MapClick, OverlayBuilder } from '../map/MapView.js';
import type { Layer } from '@deck.gl/core';
import { showPoint } from '../map/map-handle.js';
import { openCase, selectDetailId, useCaseDetail } from '../state/case-detail-store.js';
import { selectFlash, selectNow, useCases } from '../state/cases-store.js';

export type FieldTab = { id: string; label: MessageKey; count?: number; testId?: string };

export function CaseCards({ cases, empty }: { cases: readonly CaseSummary[]; empty: MessageKey }) {
  const now = useCases(selectNow);
  const flash = useCases(selectFlash);
  const selectedId = useCaseDetail(selectDetailId);
  const { t } = useT();
  if (!cases.length) return <div className="empty-list">{t(empty)}</div>;
  return (
    <ul className="case-list" data-testid="case-list">
      {cases.map((c) => (
        <CaseCard key={c.id} c={c} now={now} selected={c.id === selectedId} fresh={flash[c.id] !== undefined}
          onOpen={(x) => { void openCase(x.id); showPoint(x.lon, x.lat, 16); }} />
      ))}
    </ul>
  );
}

export function FieldLayout({ name, cases, point, tabs, tab, onTab, onEmptyClick, onPick, pickUnder, cursor, under, children }: {
  name: string;
  /** The cases drawn on the map. */
  cases: readonly CaseSummary[];
  /** A marker (the report's point), kept as the same one-element array between renders. */
  point: readonly { lon: number; lat: number }[];
  tabs: readonly FieldTab[];
  tab: string;
  onTab: (id: string) => void;
  /** A click on the map away from any case; return whether it was used. */
  onEmptyClick?: (lngLat: [number, number]) => boolean;
  /** A click on an object of one of the `pickUnder` layers (under the cases); return whether it was used. */
  onPick?: (picked: NonNullable<MapClick['picked']>) => boolean;
  pickUnder?: readonly string[];
  cursor?: string;
  /** The screen's own layers, drawn under the cases (the inspector's grids, nearby components, position). */
  under?: readonly Layer[];
  children: ReactNode;
}) {
  const flash = useCases(selectFlash);
  const selectedId = useCaseDetail(selectDetailId);
  const { t } = useT();
  const groups = useMemo(() => groupCases(cases, selectedId, flash), [cases, selectedId, flash]);
  const overlay = useCallback<OverlayBuilder>(({ phase }) => [...(under ?? []), ...caseLayers(groups, phase), ...reportPointLayers(point, phase)], [groups, point, under]);
  const onClick = useCallback((click: MapClick) => {
    if (click.picked?.layerId === CASE_LAYER.points) { void openCase((click.picked.object as CaseSummary).id); return true; }
    if (click.picked && onPick?.(click.picked)) return true;
    if (onEmptyClick?.(click.lngLat)) return true;
    useCaseDetail.getState().close();
    return true;
  }, [onEmptyClick, onPick]);
  const pickIds = useMemo(() => [CASE_LAYER.points, ...(pickUnder ?? [])], [pickUnder]);

  return (
    <main className={`app-body field-layout ${name}`} data-testid={name}>
      <MapFrame overlay={overlay} animate={groups.red.length > 0 || groups.fresh.length > 0 || point.length > 0}
        pickLayerIds={pickIds} onClick={onClick} cursor={cursor} readout={false} wholeDistrict />
      <aside className="side-panel field-panel">
        {selectedId ? <CaseDetailPanel /> : (
          <>
            <div className="tabs" role="tablist">
              {tabs.map((x) => (
                <button key={x.id} type="button" role="tab" aria-selected={tab === x.id} className={`tab ${tab === x.id ? 'active' : ''}`}
                  onClick={() => onTab(x.id)} data-testid={x.testId ?? `tab-${x.id}`}>
                  {t(x.label)}{x.count !== undefined ? <span className="tab-count">{x.count}</span> : null}
                </button>
              ))}
            </div>
            <div className="tab-body">{children}</div>
          </>
        )}
      </aside>
    </main>
  );
}
