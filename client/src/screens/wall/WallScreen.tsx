// The command centre's wall map (指挥大屏): every open case on the map (up to 100,000), cases at one place clustered
// into a spot with their count in the worst light (wall-spots.ts), pulsing when red, ringed when urged, flashing when
// new; today's ticker and the sound alert; the list beside it; the open case in a drawer over the map. Sizes follow
// the wall's type scale (wall.css), readable across the room at 1920×1080 and at 3840×2160.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CaseStatus, CaseSummary } from '../../api/types.js';
import type { MessageKey } from '../../i18n/index.js';
import { MapFrame } from '../../components/MapFrame.js';
import { CaseDetailPanel } from '../../components/case/CaseDetailPanel.js';
import { useT } from '../../components/Bilingual.js';
import { flashRing, selectedRing, SPOT_LAYER } from '../../map/layers/cases.js';
import type { Spot } from '../../map/case-spots.js';
import type { MapClick, OverlayBuilder } from '../../map/MapView.js';
import { CASE_RING_COLORS, LIGHT_COLORS } from '../../map/colors.js';
import { setMapCover, useMapHandle } from '../../map/map-handle.js';

/** The case drawer's width and margin at 1920 px wide (wall.css --wl-drawer; it grows with the wall's scale). */
const DRAWER_PX = 460;
/** Fitting the district at 1920 px wide: clear of the stage strip above (two lines of labels on a laptop) and the legend at the bottom left (× the wall's scale). */
const FIT_PADDING = { top: 116, bottom: 24, left: 48, right: 48 };
/** Map labels on the wall: none under the type scale's minimum (wall.css --wl-small, 15 px at 1920), all × its scale. */
export const WALL_LABEL_MIN_PX = 15;
import { openCase, selectDetailId, useCaseDetail } from '../../state/case-detail-store.js';
import {
  loadWallCases, selectCasesById, selectChanges, selectFilter, selectFlash, selectNow, selectSetFilter, useCases, wallVisible, WALL_STATUSES,
} from '../../state/cases-store.js';
import { useHideComponents } from '../useHideComponents.js';
import { StageTally } from '../../state/case-order.js';
import { CaseListPanel, openOnMap } from './CaseListPanel.js';
import { useWallScale, useWallSpots, useZoomLevel } from './wall-spots.js';
import { WallTicker } from './WallTicker.js';
import { SupervisionAlerts } from '../supervision/SupervisionAlerts.js';
import { useUrgentAlert } from './urgent-alert.js';
import { CaseCard } from '../../components/case/CaseBits.js';
import './wall.css';
import { patrolLayers, placedInspectors, PATROL_COLORS } from '../../map/layers/patrol.js';
import { selectPositions, startLastPositions, usePatrol } from '../../state/patrol-store.js';

function WallLegend() {
  const { t } = useT();
  return (
    <section className="legend case-legend" aria-label={t('legend_cases')}>
      <h3>{t('legend_cases')}</h3>
      <ul className="legend-list">
        <li><span className="swatch-cluster" style={{ background: LIGHT_COLORS.red }}>6</span>{t('wl_legend_cluster')}</li>
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
  const changes = useCases(selectChanges);
  const filter = useCases(selectFilter);
  const setFilter = useCases(selectSetFilter);
  const { t } = useT();
  const tally = useRef<StageTally | null>(null);
  tally.current ??= new StageTally(WALL_STATUSES);
  const counts = useMemo(() => tally.current!.sync(byId, changes), [byId, changes]); // one changed case: one count moves
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

/** The cases of a spot that zooming in cannot part (one place, or the deepest zoom): listed over the map. */
function SpotCases({ cases, onClose }: { cases: readonly CaseSummary[]; onClose: () => void }) {
  const now = useCases(selectNow);
  const selectedId = useCaseDetail(selectDetailId);
  const { t } = useT();
  return (
    <section className="spot-cases" data-testid="spot-cases" aria-label={t('wl_spot_title')}>
      <div className="panel-bar">
        <span className="panel-bar-title">{t('wl_spot_title')} · <span className="mono">{cases.length}</span></span>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('close')} title={t('close')}>×</button>
      </div>
      <ul className="case-list">
        {cases.map((c) => <CaseCard key={c.id} c={c} now={now} selected={c.id === selectedId} fresh={false} onOpen={openOnMap} />)}
      </ul>
    </section>
  );
}

/** Zooming in parts cases further than this many metres apart (at the deepest zoom they still may not part). */
const SAME_PLACE_M = 3;
const SPOT_MAX_ZOOM = 19;

function samePlace(cases: readonly CaseSummary[]): boolean {
  const [a] = cases;
  const mPerDeg = 111_320;
  return cases.every((c) => Math.hypot((c.lon - a.lon) * mPerDeg * Math.cos((a.lat * Math.PI) / 180), (c.lat - a.lat) * mPerDeg) <= SAME_PLACE_M);
}

/** `cases`, or the previous array when it holds the same case objects in the same order. */
function useSameCases(cases: CaseSummary[]): CaseSummary[] {
  const ref = useRef(cases);
  const prev = ref.current;
  if (prev !== cases && (prev.length !== cases.length || cases.some((c, i) => c !== prev[i]))) ref.current = cases;
  return ref.current;
}

export function WallScreen() {
  const flash = useCases(selectFlash);
  const byId = useCases(selectCasesById);
  const changes = useCases(selectChanges);
  const filter = useCases(selectFilter);
  const selectedId = useCaseDetail(selectDetailId);
  const map = useMapHandle();
  const scale = useWallScale();
  const fitPadding = useMemo(() => ({ top: FIT_PADDING.top * scale, bottom: FIT_PADDING.bottom * scale, left: FIT_PADDING.left * scale, right: FIT_PADDING.right * scale }), [scale]);
  const labelScale = useMemo(() => ({ scale, min_px: WALL_LABEL_MIN_PX }), [scale]);
  const level = useZoomLevel(map);
  const { spots, layers, built, hasRed } = useWallSpots(level, scale);
  const [listed, setListed] = useState<string[] | null>(null);
  useHideComponents();
  useUrgentAlert();

  useEffect(() => { void loadWallCases(); }, []); // every open case the user may see (GET /api/cases/wall)
  useEffect(() => () => useCaseDetail.getState().close(), []);
  // The case drawer floats over the right of the map: points are brought into view left of it.
  useEffect(() => { setMapCover({ right: Math.round(DRAWER_PX * scale) }); return () => setMapCover({}); }, [scale]);

  // byId is updated in place (cases-store.ts): `changes` is what moves when a case does.
  // The same arrays while their cases are the same objects: a live event elsewhere gives the overlay nothing new.
  const fresh = useSameCases(useMemo(() => Object.keys(flash).map((id) => byId[id]).filter((c): c is CaseSummary => !!c && wallVisible(c, filter)), [flash, byId, filter, changes])); // eslint-disable-line react-hooks/exhaustive-deps
  const selected = useSameCases(useMemo(() => (selectedId && byId[selectedId] ? [byId[selectedId]] : []), [selectedId, byId, changes])); // eslint-disable-line react-hooks/exhaustive-deps
  // Inspectors' last positions (issue 9), refreshed every interval the city set; drawn above the cases.
  useEffect(() => startLastPositions(), []);
  const positions = usePatrol(selectPositions);
  const inspectors = useMemo(() => placedInspectors(positions), [positions]);
  // The spot layers are kept instances (a one-case change restyles their rows, no new overlay): new ones when `built` moves.
  const overlay = useCallback<OverlayBuilder>(({ phase }) => [
    ...layers.frame(phase, hasRed),
    ...(fresh.length ? [flashRing(fresh, phase, scale)] : []),
    ...(selected.length ? [selectedRing(selected, scale)] : []),
    ...patrolLayers(inspectors),
  ], [layers, built, scale, hasRed, fresh, selected, inspectors]); // eslint-disable-line react-hooks/exhaustive-deps
  // A case opens; a cluster zooms in two levels on its cell, or lists its cases when zooming cannot part them.
  const onClick = useCallback((click: MapClick) => {
    setListed(null);
    if (click.picked?.layerId !== SPOT_LAYER.points) { useCaseDetail.getState().close(); return true; }
    const spot = click.picked.object as Spot;
    const members = spots.casesOf(spot);
    if (members.length === 1) void openCase(members[0].id);
    else if (members.length > 1) {
      const m = map;
      if (!m || m.getZoom() >= SPOT_MAX_ZOOM - 0.5 || samePlace(members)) setListed(members.map((c) => c.id));
      else m.easeTo({ center: [spot.lon, spot.lat], zoom: Math.min(SPOT_MAX_ZOOM, Math.floor(m.getZoom()) + 2), duration: 600 });
    }
    return true;
  }, [spots, map]);

  return (
    <main className="app-body wall" data-testid="wall">
      <MapFrame overlay={overlay} animate={hasRed || fresh.length > 0} pickLayerIds={[SPOT_LAYER.points]} onClick={onClick}
        fitPadding={fitPadding} labelScale={labelScale} wholeDistrict>
        <div className="wall-top">
          <StageStrip />
          <SupervisionAlerts />
        </div>
        <WallTicker />
        <WallLegend />
        {listed ? <SpotCases cases={listed.map((id) => byId[id]).filter((c): c is CaseSummary => !!c)} onClose={() => setListed(null)} /> : null}
        {selectedId ? <CaseDetailPanel className="drawer" /> : null}
      </MapFrame>
      <aside className="side-panel">
        <CaseListPanel />
      </aside>
    </main>
  );
}
