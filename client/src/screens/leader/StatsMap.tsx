// The statistics map: unit grids, communities or streets filled by the cases of the period (count, per 10,000 m²,
// change against the previous period on a diverging scale) or by their Getis–Ord Gi* hot-spot class, filtered by
// class, major class and channel; a legend that states the method; an area's card on click. The map owns the camera
// (MapView); this component only hands it layers built from the store.
import { useCallback, useEffect, useMemo } from 'react';
import type { Feature } from 'geojson';
import type { MessageKey } from '../../i18n/index.js';
import { useT } from '../../components/Bilingual.js';
import { selectTrack, usePatrol } from '../../state/patrol-store.js';
import { trackLayers } from '../../map/layers/patrol.js';
import { MapFrame } from '../../components/MapFrame.js';
import type { MapClick, OverlayBuilder } from '../../map/MapView.js';
import { fitBox } from '../../map/map-handle.js';
import { CHOROPLETH_LAYER, choroplethLayers, choroplethScale, type ChoroplethScale, type MapMetric } from '../../map/layers/choropleth.js';
import { choroplethExportUrl, type Channel, type ChoroplethProps, type HotspotMethod, type StatsLevel } from '../../api/leader.js';
import { selectClassList, useReference } from '../../state/reference-store.js';
import { selectCommunities, selectStreets, useRegions } from '../../state/regions-store.js';
import { selectDistrict, useConfig } from '../../state/config-store.js';
import {
  loadChoropleth, openCard, selectCard, selectChoropleth, selectFilters, selectMetric, selectPeriod, selectRegion, selectStatsLevel, useLeader,
} from '../../state/leader-store.js';
import { DIVERGING, divergingEdges, HOTSPOT_CLASSES, HOTSPOT_COLORS, SEQUENTIAL, sequentialColor, ZERO_COLOR } from './scales.js';
import { formatCount, formatDecimal } from './numbers.js';
import { previousPeriod } from './period.js';
import { DownloadButton } from './LeaderBits.js';
import { AreaCardPanel } from './AreaCard.js';
import { CaseDetailPanel } from '../../components/case/CaseDetailPanel.js';
import { selectDetailId, useCaseDetail } from '../../state/case-detail-store.js';

const LEVELS: StatsLevel[] = ['grid', 'community', 'street'];
const METRICS: MapMetric[] = ['count', 'per_10k_m2', 'change', 'hotspot'];
const CHANNELS: Channel[] = ['inspector', 'public', 'hotline', 'other'];
const FIT_PADDING = { top: 96, bottom: 40, left: 40, right: 40 };

function Seg<T extends string>({ value, options, label, onChange, testId }: { value: T; options: readonly T[]; label: (v: T) => string; onChange: (v: T) => void; testId: string }) {
  return (
    <div className="ld-segs" role="group" data-testid={testId}>
      {options.map((o) => (
        <button key={o} type="button" className={`ld-seg ${o === value ? 'active' : ''}`} aria-pressed={o === value} onClick={() => onChange(o)} data-value={o}>{label(o)}</button>
      ))}
    </div>
  );
}

function Filters() {
  const filters = useLeader(selectFilters);
  const setFilters = useLeader((s) => s.setFilters);
  const classList = useReference(selectClassList);
  const { t, lang } = useT();
  const majors = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of classList) if (!m.has(c.major_code)) m.set(c.major_code, lang === 'zh' ? c.major_name_zh : c.major_name_en);
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }, [classList, lang]);
  const classes = useMemo(() => classList.filter((c) => !filters.major || c.major_code === filters.major), [classList, filters.major]);
  return (
    <div className="ld-filters">
      <select value={filters.major ?? ''} onChange={(e) => setFilters({ ...filters, major: e.target.value || undefined, class: undefined })} data-testid="ld-filter-major" aria-label={t('ld_all_majors')}>
        <option value="">{t('ld_all_majors')}</option>
        {majors.map(([code, name]) => <option key={code} value={code}>{code} {name}</option>)}
      </select>
      <select value={filters.class ?? ''} onChange={(e) => setFilters({ ...filters, class: e.target.value || undefined })} data-testid="ld-filter-class" aria-label={t('ld_all_classes')}>
        <option value="">{t('ld_all_classes')}</option>
        {classes.map((c) => <option key={c.code} value={c.code}>{c.code} {lang === 'zh' ? c.name_zh : c.name_en}</option>)}
      </select>
      <select value={filters.channel ?? ''} onChange={(e) => setFilters({ ...filters, channel: (e.target.value || undefined) as Channel | undefined })} data-testid="ld-filter-channel" aria-label={t('ld_all_channels')}>
        <option value="">{t('ld_all_channels')}</option>
        {CHANNELS.map((c) => <option key={c} value={c}>{t(`ld_channel_${c}` as MessageKey)}</option>)}
      </select>
    </div>
  );
}

/** Legend rows for the sequential classes: "0", "1–2", "3–5", "> 9" (integers for counts, decimals for density). */
function sequentialRows(breaks: readonly number[], integer: boolean): { color: string; text: string }[] {
  const f = (v: number) => (integer ? formatCount(v) : formatDecimal(v, 2));
  const rows: { color: string; text: string }[] = [];
  let lo: number | null = null;
  for (const b of breaks) {
    const text = lo === null ? `≤ ${f(b)}` : `${integer ? f(Math.floor(lo) + 1) : `> ${f(lo)}`}${integer ? '–' : ' … '}${f(b)}`;
    rows.push({ color: sequentialColor(b, breaks), text });
    lo = b;
  }
  rows.push({ color: sequentialColor((lo ?? 0) + 1e9, breaks), text: lo === null ? '> 0' : `> ${f(lo)}` });
  return rows;
}

/** The statistic's own name and thresholds from the server, e.g. 'getis_ord_gi_star · z 1.645 / 1.96 / 2.576'. */
function methodName(m: HotspotMethod | null): string {
  if (!m) return '';
  if (typeof m === 'string') return m;
  const z = m.thresholds ? Object.values(m.thresholds).sort((a, b) => a - b).join(' / ') : '';
  return [m.statistic, z ? `z ${z}` : ''].filter(Boolean).join(' · ');
}

function MapLegend({ scale, total, method, serverPrev }: { scale: ChoroplethScale; total: number | null; method: HotspotMethod | null; serverPrev: { from?: string; to?: string } }) {
  const { t } = useT();
  const period = useLeader(selectPeriod);
  const prev = serverPrev.from && serverPrev.to ? { from: serverPrev.from, to: serverPrev.to } : previousPeriod(period);
  return (
    <section className="legend ld-legend" data-testid="ld-legend" data-metric={scale.metric}>
      <h3>{t(`ld_metric_${scale.metric}` as MessageKey)}{total != null ? <span className="ld-legend-total"> · {t('ld_total')} <b className="mono">{formatCount(total)}</b></span> : null}</h3>
      {scale.metric === 'count' || scale.metric === 'per_10k_m2' ? (
        <ul className="legend-list">
          <li><span className="swatch-box filled" style={{ background: ZERO_COLOR, borderColor: '#2a3d5a' }} />{t('ld_no_cases')}</li>
          {sequentialRows(scale.breaks, scale.metric === 'count').map((r) => (
            <li key={r.text}><span className="swatch-box filled" style={{ background: r.color, borderColor: r.color }} /><span className="mono">{r.text}</span></li>
          ))}
        </ul>
      ) : null}
      {scale.metric === 'change' ? (
        <>
          <div className="ld-ramp">{DIVERGING.map((c) => <i key={c} style={{ background: c }} />)}</div>
          <div className="ld-ramp-labels mono">
            <span>−{formatCount(scale.maxAbs)}</span><span>0</span><span>+{formatCount(scale.maxAbs)}</span>
          </div>
          <div className="ld-ramp-labels"><span>{t('ld_fewer')}</span><span>{t('ld_unchanged')}</span><span>{t('ld_more')}</span></div>
          <p className="ld-legend-note">{t('ld_change_vs')}<br /><span className="mono">{prev.from} — {prev.to}</span>
            {scale.maxAbs > 0 ? <span className="dim"> · {divergingEdges(scale.maxAbs).slice(1).map((e) => `±${e}`).join(' ')}</span> : null}</p>
        </>
      ) : null}
      {scale.metric === 'hotspot' ? (
        <>
          <ul className="legend-list">
            {HOTSPOT_CLASSES.map((h) => (
              <li key={h}><span className="swatch-box filled" style={{ background: HOTSPOT_COLORS[h], borderColor: HOTSPOT_COLORS[h] }} />{t(`ld_${h === 'none' ? 'hot_none' : h}` as MessageKey)}</li>
            ))}
          </ul>
          <p className="ld-legend-note" data-testid="ld-hot-method">{t('ld_hot_method')}{methodName(method) ? <span className="dim"> · {methodName(method)}</span> : null}</p>
        </>
      ) : null}
    </section>
  );
}

export function StatsMap() {
  const slot = useLeader(selectChoropleth);
  const level = useLeader(selectStatsLevel);
  const metric = useLeader(selectMetric);
  const filters = useLeader(selectFilters);
  const period = useLeader(selectPeriod);
  const region = useLeader(selectRegion);
  const card = useLeader(selectCard);
  const drillOpen = useLeader((s) => s.drill !== null);
  const detailId = useCaseDetail(selectDetailId) !== null && !drillOpen;
  const setLevel = useLeader((s) => s.setStatsLevel);
  const setMetric = useLeader((s) => s.setMetric);
  const district = useConfig(selectDistrict);
  const streets = useRegions(selectStreets);
  const communities = useRegions(selectCommunities);
  const { t } = useT();

  const fc = slot.data;
  const scale = useMemo(() => choroplethScale(fc, metric), [fc, metric]);
  const selectedCode = card?.code ?? null;
  const track = usePatrol(selectTrack); // an inspector's day picked in the patrol coverage table (issue 9)
  const overlay = useCallback<OverlayBuilder>(() => [...choroplethLayers(fc, scale, selectedCode), ...trackLayers(track)], [fc, scale, selectedCode, track]);
  const onClick = useCallback((click: MapClick) => {
    if (click.picked?.layerId === CHOROPLETH_LAYER.fill) void openCard((click.picked.object as Feature<never, ChoroplethProps>).properties);
    else useLeader.getState().closeCard();
    return true;
  }, []);

  // The scope's region comes into view when it changes (the map owns the camera; this is a command, not state).
  useEffect(() => {
    const r = region ? [...streets, ...communities].find((x) => x.code === region) : null;
    const box = r?.bbox ?? district?.bbox;
    if (box) fitBox(box, 16, FIT_PADDING);
  }, [region, streets, communities, district]);

  const exportQuery = { ...period, level, ...filters, region: region ?? undefined };
  return (
    <div className="ld-map" data-testid="ld-map" data-status={slot.status} data-features={fc?.features.length ?? 0}>
      <MapFrame overlay={overlay} pickLayerIds={[CHOROPLETH_LAYER.fill]} onClick={onClick} fitPadding={FIT_PADDING} wholeDistrict readout={false}>
        <div className="ld-map-bar">
          <div className="ld-map-row">
            <Seg value={level} options={LEVELS} label={(l) => t(`ld_level_${l}` as MessageKey)} onChange={setLevel} testId="ld-level" />
            <Seg value={metric} options={METRICS} label={(m) => t(`ld_metric_${m}` as MessageKey)} onChange={setMetric} testId="ld-metric" />
            <DownloadButton url={choroplethExportUrl(exportQuery)} name={`gridline-${level}-${period.from}-${period.to}.geojson`} testId="ld-export-geojson"
              label={<>⤓ {t('ld_export_geojson')}</>} />
          </div>
          <Filters />
        </div>
        {slot.status === 'loading' ? <div className="ld-map-busy"><span className="spinner" /> {t('ld_map_loading')}</div> : null}
        {slot.status === 'error' ? (
          <div className="ld-map-busy error" role="alert" title={slot.error ?? ''}>{t('ld_load_failed')} <button type="button" className="ld-btn" onClick={() => void loadChoropleth()}>{t('retry')}</button></div>
        ) : null}
        {fc ? <MapLegend scale={scale} total={fc.total ?? fc.features.reduce((s, f) => s + f.properties.count, 0)} method={fc.method ?? null} serverPrev={{ from: fc.prev_from, to: fc.prev_to }} /> : null}
        {card ? <AreaCardPanel card={card} /> : null}
        {!card && fc ? <div className="ld-map-hint">{t('ld_grid_hint')}</div> : null}
        {detailId ? <CaseDetailPanel className="drawer" /> : null}
      </MapFrame>
    </div>
  );
}
