// Trend (reported / filed / closed per day, week or month) and top classes, drawn as plain SVG and HTML bars sized to
// their box (no chart library). A click on a class bar filters the map to that class.
import { useEffect, useRef, useState } from 'react';
import type { MessageKey } from '../../i18n/index.js';
import { useT } from '../../components/Bilingual.js';
import type { TrendBucket, TrendPoint } from '../../api/leader.js';
import { majorColor, UNKNOWN_COLOR } from '../../map/colors.js';

/** A bar's colour: the component major's colour for 01–05, the accent for the matter majors. */
const barColor = (major: string) => { const c = majorColor(major); return c === UNKNOWN_COLOR ? '#38d0e0' : c; };
import {
  effectiveBucket, loadTop, loadTrend, selectBucket, selectFilters, selectPeriod, selectTop, selectTrend, useLeader,
} from '../../state/leader-store.js';
import { niceTicks } from './scales.js';
import { formatCount } from './numbers.js';
import { SlotState } from './LeaderBits.js';

const SERIES = [
  { key: 'reported', label: 'ld_reported', color: '#4f9cf9' },
  { key: 'filed', label: 'ld_filed', color: '#ffc53d' },
  { key: 'closed', label: 'ld_closed', color: '#3ddc84' },
] as const satisfies readonly { key: keyof TrendPoint; label: MessageKey; color: string }[];

function useBoxSize<T extends HTMLElement>(): [React.RefObject<T | null>, { w: number; h: number }] {
  const ref = useRef<T>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setSize({ w: Math.floor(e.contentRect.width), h: Math.floor(e.contentRect.height) }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, size];
}

/** Axis label of a bucket's start: '03-15' for days and weeks, '2026-03' for months. */
function tickLabel(start: string, bucket: TrendBucket): string {
  return bucket === 'month' ? start.slice(0, 7) : start.slice(5);
}

function TrendSvg({ points, bucket, w, h }: { points: TrendPoint[]; bucket: TrendBucket; w: number; h: number }) {
  const { t } = useT();
  const [hover, setHover] = useState<number | null>(null);
  const pad = { l: 40, r: 12, t: 10, b: 22 };
  const iw = Math.max(10, w - pad.l - pad.r), ih = Math.max(10, h - pad.t - pad.b);
  const max = Math.max(1, ...points.flatMap((p) => [p.reported, p.filed, p.closed]));
  const ticks = niceTicks(max, ih > 120 ? 4 : 2);
  const top = ticks[ticks.length - 1];
  const x = (i: number) => pad.l + (points.length <= 1 ? iw / 2 : (i / (points.length - 1)) * iw);
  const y = (v: number) => pad.t + ih - (v / top) * ih;
  const every = Math.max(1, Math.ceil(points.length / Math.max(2, Math.floor(iw / 64))));
  const hp = hover != null ? points[hover] : null;
  return (
    <svg width={w} height={h} className="ld-trend-svg" data-testid="ld-trend-svg" data-points={points.length}
      onMouseLeave={() => setHover(null)}
      onMouseMove={(e) => {
        const r = (e.currentTarget as SVGSVGElement).getBoundingClientRect();
        const i = points.length <= 1 ? 0 : Math.round(((e.clientX - r.left - pad.l) / iw) * (points.length - 1));
        setHover(Math.max(0, Math.min(points.length - 1, i)));
      }}>
      {ticks.map((v) => (
        <g key={v}>
          <line x1={pad.l} x2={pad.l + iw} y1={y(v)} y2={y(v)} className="ld-grid-line" />
          <text x={pad.l - 6} y={y(v) + 3.5} textAnchor="end" className="ld-axis">{formatCount(v)}</text>
        </g>
      ))}
      {points.map((p, i) => (i % every === 0 ? (
        <text key={p.start} x={x(i)} y={h - 6} className="ld-axis"
          textAnchor={x(i) > pad.l + iw - 30 ? 'end' : x(i) < pad.l + 30 ? 'start' : 'middle'}>{tickLabel(p.start, bucket)}</text>
      ) : null))}
      {SERIES.map((s) => (
        <polyline key={s.key} fill="none" stroke={s.color} strokeWidth={1.8} strokeLinejoin="round"
          points={points.map((p, i) => `${x(i).toFixed(1)},${y(p[s.key]).toFixed(1)}`).join(' ')} />
      ))}
      {points.length <= 40 ? SERIES.map((s) => points.map((p, i) => <circle key={`${s.key}${i}`} cx={x(i)} cy={y(p[s.key])} r={2.2} fill={s.color} />)) : null}
      {hp && hover != null ? (
        <g className="ld-trend-hover">
          <line x1={x(hover)} x2={x(hover)} y1={pad.t} y2={pad.t + ih} />
          <foreignObject x={Math.min(x(hover) + 8, w - 150)} y={pad.t} width={142} height={74}>
            <div className="ld-tip">
              <b className="mono">{hp.start}</b>
              {SERIES.map((s) => <div key={s.key}><i style={{ background: s.color }} />{t(s.label)} <span className="mono">{formatCount(hp[s.key])}</span></div>)}
            </div>
          </foreignObject>
        </g>
      ) : null}
    </svg>
  );
}

export function TrendChart() {
  const slot = useLeader(selectTrend);
  const bucket = useLeader(selectBucket);
  const period = useLeader(selectPeriod);
  const setBucket = useLeader((s) => s.setBucket);
  const { t } = useT();
  const [ref, size] = useBoxSize<HTMLDivElement>();
  const points = slot.data?.points ?? [];
  const empty = slot.data && points.every((p) => !p.reported && !p.filed && !p.closed);
  const shown = effectiveBucket({ bucket, period });
  return (
    <section className="ld-panel ld-trend" data-testid="ld-trend">
      <div className="ld-panel-head">
        <h3 className="ld-panel-title">{t('ld_trend')}</h3>
        <span className="ld-series">{SERIES.map((s) => <span key={s.key}><i style={{ background: s.color }} />{t(s.label)}</span>)}</span>
        <span className="grow" />
        <div className="ld-segs small" role="group" data-testid="ld-bucket">
          {(['auto', 'day', 'week', 'month'] as const).map((b) => (
            <button key={b} type="button" className={`ld-seg ${bucket === b ? 'active' : ''}`} aria-pressed={bucket === b} onClick={() => setBucket(b)}
              title={b === 'auto' ? t(`ld_bucket_${shown}` as MessageKey) : undefined}>{t(`ld_bucket_${b}` as MessageKey)}</button>
          ))}
        </div>
      </div>
      <div className="ld-chart-box" ref={ref}>
        <SlotState slot={slot} retry={() => void loadTrend()} compact>
          {empty ? <div className="ld-empty small">{t('ld_empty_period')}</div>
            : slot.data && size.w > 0 ? <TrendSvg points={points} bucket={slot.data.bucket} w={size.w} h={size.h} /> : null}
        </SlotState>
      </div>
    </section>
  );
}

export function TopClasses() {
  const slot = useLeader(selectTop);
  const filters = useLeader(selectFilters);
  const setFilters = useLeader((s) => s.setFilters);
  const { t, lang } = useT();
  const rows = slot.data ?? [];
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <section className="ld-panel ld-top" data-testid="ld-top">
      <div className="ld-panel-head"><h3 className="ld-panel-title">{t('ld_top_classes')}</h3></div>
      <div className="ld-chart-box scroll">
        <SlotState slot={slot} retry={() => void loadTop()} compact>
          {slot.data && !rows.length ? <div className="ld-empty small">{t('ld_empty_period')}</div> : null}
          <ol className="ld-bars">
            {rows.map((r) => {
              const active = filters.class === r.class_code;
              const name = lang === 'zh' ? r.name_zh : r.name_en;
              return (
                <li key={r.class_code}>
                  <button type="button" className={`ld-bar-row ${active ? 'active' : ''}`} title={`${r.class_code} ${name} — ${t('ld_top_click')}`} data-testid="ld-top-row"
                    onClick={() => setFilters({ ...filters, class: active ? undefined : r.class_code, major: active ? filters.major : undefined })}>
                    <span className="ld-bar-name">{name}</span>
                    <span className="ld-bar"><i style={{ width: `${(r.count / max) * 100}%`, background: barColor(r.major_code) }} /></span>
                    <span className="ld-bar-n mono">{formatCount(r.count)}</span>
                  </button>
                </li>
              );
            })}
          </ol>
        </SlotState>
      </div>
    </section>
  );
}
