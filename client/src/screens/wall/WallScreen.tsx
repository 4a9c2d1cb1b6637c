// The command centre's wall map (指挥大屏): every open case on the map, coloured by its light, pulsing when red,
// ringed when urged, flashing when new; the list beside it; the open case in a drawer over the map.
import { useCallback, useEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { CaseStatus, CaseSummary } from '../../api/types.js';
import type { MessageKey } from '../../i18n/index.js';
import { MapFrame } from '../../components/MapFrame.js';
import { CaseDetailPanel } from '../../components/case/CaseDetailPanel.js';
import { useT } from '../../components/Bilingual.js';
import { CASE_LAYER, caseLayers, groupCases } from '../../map/layers/cases.js';
import type { MapClick, OverlayBuilder } from '../../map/MapView.js';
import { CASE_RING_COLORS, LIGHT_COLORS } from '../../map/colors.js';
import { setMapCover } from '../../map/map-handle.js';

/** The case drawer's width and margin (styles.css .case-detail.drawer). */
const DRAWER_PX = 460;
/** Fitting the district: clear of the stage strip above and the legend at the bottom left. */
const FIT_PADDING = { top: 84, bottom: 24, left: 48, right: 48 };
import { openCase, selectDetailId, useCaseDetail } from '../../state/case-detail-store.js';
import {
  loadCases, selectCasesById, selectFilter, selectFlash, selectSetFilter, selectWallCases, stageCounts, useCases, WALL_STATUSES,
} from '../../state/cases-store.js';
import { useHideComponents } from '../useHideComponents.js';
import { CaseListPanel } from './CaseListPanel.js';
import { patrolLayers, placedInspectors, PATROL_COLORS } from '../../map/layers/patrol.js';
import { selectPositions, startLastPositions, usePatrol } from '../../state/patrol-store.js';

function WallLegend() {
  const { t } = useT();
  return (
    <section className="legend case-legend" aria-label={t('legend_cases')}>
      <h3>{t('legend_cases')}</h3>
      <ul className="legend-list">
        <li><span className="swatch-dot pulse" style={{ background: LIGHT_COLORS.red }} />{t('light_red')}</li>
        <li><span className="swatch-dot" style={{ background: LIGHT_COLORS.yellow }} />{t('light_yellow')}</li>
        <li><span className="swatch-dot" style={{ background: LIGHT_COLORS.green }} />{t('light_green')}</li>
        <li><span className="swatch-dot" style={{ background: LIGHT_COLORS.none }} />{t('light_none')}</li>
        <li><span className="swatch-ring big" style={{ borderColor: CASE_RING_COLORS.urged }} />{t('legend_urged')}</li>
        <li><span className="swatch-ring big" style={{ borderColor: CASE_RING_COLORS.flash }} />{t('legend_new')}</li>
        <li><span className="swatch-dot" style={{ background: `rgb(${PATROL_COLORS.fresh.fill.slice(0, 3).join(',')})`, border: '2px solid #fff' }} />{t('pt_layer')} · {t('pt_fresh')}</li>
        <li><span className="swatch-dot" style={{ background: `rgba(${PATROL_COLORS.stale.fill.slice(0, 3).join(',')},0.4)`, border: '2px solid #64748b' }} />{t('pt_layer')} · {t('pt_stale')}</li>
      </ul>
    </section>
  );
}

/** The stages of the loop shown on the strip (statuses merged where the centre sees one queue). */
const STAGES: { status: CaseStatus; label: MessageKey }[] = [
  { status: 'pending_acceptance', label: 'case_status_pending_acceptance' },
  { status: 'verifying', label: 'case_status_verifying' },
  { status: 'pending_filing', label: 'case_status_pending_filing' },
  { status: 'pending_dispatch', label: 'case_status_pending_dispatch' },
  { status: 'handling', label: 'case_status_handling' },
  { status: 'suspended', label: 'case_status_suspended' },
  { status: 'pending_check', label: 'case_status_pending_check' },
  { status: 'checking', label: 'case_status_checking' },
  { status: 'pending_closing', label: 'case_status_pending_closing' },
];

/** Open cases per stage of the loop (red ones beneath); a click filters the list and the map to that stage. */
function StageStrip() {
  const byId = useCases(selectCasesById);
  const filter = useCases(selectFilter);
  const setFilter = useCases(selectSetFilter);
  const { t } = useT();
  const counts = useMemo(() => stageCounts(byId), [byId]);
  return (
    <nav className="stage-strip" aria-label={t('filter_status')} data-testid="stage-strip">
      {STAGES.map(({ status, label }) => (
        <button key={status} type="button" className={`stage ${filter.status === status ? 'active' : ''}`} data-testid={`stage-${status}`}
          onClick={() => setFilter({ status: filter.status === status ? 'open' : status })} aria-pressed={filter.status === status}>
          <span className={`stage-n ${counts[status].red ? 'has-red' : ''}`}>{counts[status].n}</span>
          <span className="stage-label">{t(label)}</span>
          <span className="stage-red">{counts[status].red ? `▲${counts[status].red}` : ''}</span>
        </button>
      ))}
    </nav>
  );
}

export function WallScreen() {
  const cases = useCases(useShallow(selectWallCases));
  const flash = useCases(selectFlash);
  const selectedId = useCaseDetail(selectDetailId);
  useHideComponents();

  useEffect(() => { void loadCases({ status: WALL_STATUSES }); }, []);
  useEffect(() => () => useCaseDetail.getState().close(), []);
  // The case drawer floats over the right of the map: points are brought into view left of it.
  useEffect(() => { setMapCover({ right: DRAWER_PX }); return () => setMapCover({}); }, []);

  const groups = useMemo(() => groupCases(cases, selectedId, flash), [cases, selectedId, flash]);
  // Inspectors' last positions (issue 9), refreshed every interval the city set; drawn above the cases.
  useEffect(() => startLastPositions(), []);
  const positions = usePatrol(selectPositions);
  const inspectors = useMemo(() => placedInspectors(positions), [positions]);
  const overlay = useCallback<OverlayBuilder>(({ phase }) => [...caseLayers(groups, phase), ...patrolLayers(inspectors)], [groups, inspectors]);
  const onClick = useCallback((click: MapClick) => {
    if (click.picked?.layerId === CASE_LAYER.points) void openCase((click.picked.object as CaseSummary).id);
    else useCaseDetail.getState().close();
    return true;
  }, []);

  return (
    <main className="app-body wall" data-testid="wall">
      <MapFrame overlay={overlay} animate={groups.red.length > 0 || groups.fresh.length > 0} pickLayerIds={[CASE_LAYER.points]} onClick={onClick}
        fitPadding={FIT_PADDING} wholeDistrict>
        <StageStrip />
        <WallLegend />
        {selectedId ? <CaseDetailPanel className="drawer" /> : null}
      </MapFrame>
      <aside className="side-panel">
        <CaseListPanel />
      </aside>
    </main>
  );
}
