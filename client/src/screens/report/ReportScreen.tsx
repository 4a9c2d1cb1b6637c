// The printable monthly report (/report?month=YYYY-MM[&region=][&lang=]): headline indicators, the month's choropleth,
// trend and top classes as SVG, ranked evaluation tables with grades; laid out for A4 (ReportScreen.css). The server
// prints it with headless Chromium (GET /api/reports/monthly.pdf, npm run report) once <html data-report-state="ready">:
// every figure loaded and the map idle and copied into an image.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Map as MaplibreMap, setWorkerUrl, type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { MessageKey } from '../../i18n/index.js';
import { useT } from '../../components/Bilingual.js';
import { useLang } from '../../state/lang-store.js';
import { selectToken, useSession } from '../../state/session-store.js';
import { selectConfig, useConfig } from '../../state/config-store.js';
import {
  countCases, fetchChoropleth, fetchDownload, fetchEvaluation, fetchHeadline, fetchTopClasses, fetchTrend, monthlyReportUrl,
  type Choropleth, type EvaluationResult, type Headline, type Ratio, type TopClass, type Trend,
} from '../../api/leader.js';
import { fetchRegions } from '../../api/regions.js';
import { todayInDistrict } from '../../i18n/format.js';
import { formatCount, formatHours, formatRate, formatScore, fraction } from '../leader/numbers.js';
import {
  bboxOf, legendOf, linePath, mapLevel, monthRange, parseReportParams, printBreaks, printColor, ticks,
} from './report-model.js';
import './ReportScreen.css';

setWorkerUrl(workerUrl);

type Data = {
  headline: Headline; choropleth: Choropleth; trend: Trend; top: TopClass[];
  regions: EvaluationResult; departments: EvaluationResult; posts: EvaluationResult;
  simulated: number; imported: number; regionName: string | null;
};

const today = () => todayInDistrict(new Date());

/** Tells the PDF renderer where the page stands (services/report-pdf.ts waits for ready or error). */
function setState(state: 'loading' | 'ready' | 'error', error?: string) {
  const el = document.documentElement;
  el.dataset.reportState = state;
  if (error) el.dataset.reportError = error; else delete el.dataset.reportError;
}

const fill = (s: string, v: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(v[k] ?? ''));

export function ReportScreen() {
  const { t, lang } = useT();
  const token = useSession(selectToken);
  const config = useConfig(selectConfig);
  const params = useMemo(() => parseReportParams(window.location.search, today()), []);
  const { from, to } = monthRange(params.month);
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mapDone, setMapDone] = useState(false);
  const [pdf, setPdf] = useState<'idle' | 'busy' | string>('idle');

  // The page is paper while it is shown: light colours, the header hidden in print.
  useEffect(() => {
    document.documentElement.classList.add('report-page');
    setState('loading');
    return () => { document.documentElement.classList.remove('report-page'); delete document.documentElement.dataset.reportState; };
  }, []);
  useEffect(() => { if (params.lang) useLang.getState().setLang(params.lang); }, [params.lang]);

  useEffect(() => {
    if (!token) return;
    const ctl = new AbortController();
    const s = ctl.signal;
    const region = params.region ?? undefined;
    const p = { from, to };
    const regionsQuery = region ? { level: (region.length >= 12 ? 'grid' : 'community') as 'grid' | 'community', parent: region } : { level: 'street' as const };
    Promise.all([
      fetchHeadline({ ...p, region }, s),
      fetchChoropleth({ ...p, level: mapLevel(params.region), region }, s),
      fetchTrend({ ...p, bucket: 'day', region }, s),
      fetchTopClasses({ ...p, limit: 10, region }, s),
      fetchEvaluation('regions', { ...p, ...regionsQuery }, s),
      fetchEvaluation('departments', p, s),
      fetchEvaluation('posts', { ...p, post: 'inspector' }, s),
      countCases({ ...p, origin: 'simulated', ...(region ? { [region.length >= 12 ? 'community' : 'street']: region } : {}) }, s),
      countCases({ ...p, origin: 'imported', ...(region ? { [region.length >= 12 ? 'community' : 'street']: region } : {}) }, s),
      region ? fetchRegions(region.length >= 12 ? 'community' : 'street', s).then((rs) => rs.find((r) => r.code === region)?.name ?? null) : Promise.resolve(null),
    ]).then(([headline, choropleth, trend, top, regions, departments, posts, simulated, imported, regionName]) => {
      setData({ headline, choropleth, trend, top, regions, departments, posts, simulated, imported, regionName });
    }).catch((e: unknown) => {
      if ((e as Error).name === 'AbortError') return;
      const msg = (e as Error).message;
      setError(msg);
      setState('error', msg);
    });
    return () => ctl.abort();
  }, [token, from, to, params.region]);

  useEffect(() => {
    if (!data || !mapDone) return;
    // two frames: the last layout (tables, charts) is painted before the renderer prints
    requestAnimationFrame(() => requestAnimationFrame(() => setState('ready')));
  }, [data, mapDone]);

  const download = async () => {
    setPdf('busy');
    try {
      const { blob, name } = await fetchDownload(`${monthlyReportUrl(params.month, params.region ?? undefined)}&lang=${lang}`, token);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = name ?? `report_${params.month}.pdf`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      setPdf('idle');
    } catch (e) {
      setPdf((e as Error).message);
    }
  };

  const scope = params.region ? `${data?.regionName ?? ''} ${params.region}`.trim() : (config?.district?.name ?? t('rp_whole_district'));

  return (
    <div className="rp-scroll" data-testid="report">
      <div className="rp-toolbar">
        <a href="/leader" className="rp-btn">{t('rp_back')}</a>
        <span className="rp-toolbar-gap" />
        <button type="button" className="rp-btn" onClick={() => window.print()}>{t('rp_print')}</button>
        <button type="button" className="rp-btn primary" disabled={pdf === 'busy' || !data} onClick={() => void download()} data-testid="report-pdf">
          {pdf === 'busy' ? t('rp_pdf_busy') : t('rp_pdf')}
        </button>
        {pdf !== 'idle' && pdf !== 'busy' ? <span className="rp-toolbar-error" role="alert">{t('rp_pdf_failed')}{pdf}</span> : null}
      </div>
      <article className="rp-paper" lang={lang === 'zh' ? 'zh-CN' : 'en'}>
        <header className="rp-head">
          <h1>{t('rp_title')}</h1>
          <div className="rp-head-month mono">{params.month}</div>
          <dl className="rp-head-meta">
            <div><dt>{t('rp_scope')}</dt><dd>{scope}</dd></div>
            <div><dt>{t('rp_period')}</dt><dd className="mono">{from} – {to}</dd></div>
            <div><dt>{t('rp_generated')}</dt><dd className="mono">{today()}</dd></div>
          </dl>
          {params.month_invalid ? <p className="rp-note warn">{t('rp_bad_month')}</p> : null}
          {data && data.simulated > 0 ? <p className="rp-note sim" data-testid="report-simulated">{t('rp_simulated')}{formatCount(data.simulated)} {t('rp_cases')}</p> : null}
          {data && data.imported > 0 ? <p className="rp-note imp">{t('rp_imported')}{formatCount(data.imported)} {t('rp_cases')}</p> : null}
        </header>
        {error ? <p className="rp-error" role="alert">{t('rp_failed')}{error}</p> : null}
        {!data && !error ? <p className="rp-loading">{t('rp_loading')}</p> : null}
        {data ? (
          <>
            <section className="rp-section">
              <h2>{t('rp_s_headline')}</h2>
              <HeadlineGrid h={data.headline} />
            </section>
            <section className="rp-section">
              <h2>{t('rp_s_map')}</h2>
              <ReportMap fc={data.choropleth} level={mapLevel(params.region)} onDone={() => setMapDone(true)} />
            </section>
            <section className="rp-section rp-break-before">
              <h2>{t('rp_s_trend')}</h2>
              <TrendChart trend={data.trend} />
            </section>
            <section className="rp-section">
              <h2>{t('rp_s_top')}</h2>
              <TopClasses top={data.top} />
            </section>
            <section className="rp-section">
              <h2>{t('rp_s_regions')}</h2>
              <EvalTable r={data.regions} max={40} />
            </section>
            <section className="rp-section">
              <h2>{t('rp_s_departments')}</h2>
              <EvalTable r={data.departments} max={40} />
            </section>
            <section className="rp-section">
              <h2>{t('rp_s_posts')}</h2>
              <EvalTable r={data.posts} max={30} />
            </section>
          </>
        ) : null}
      </article>
    </div>
  );
}

// ---- Headline ---------------------------------------------------------------------------------------------------

function RateCell({ label, ratio, reference }: { label: MessageKey; ratio: Ratio; reference?: number }) {
  const { t, lang } = useT();
  const stand = reference === undefined || ratio.rate == null ? null : ratio.rate >= reference ? 'meets' : 'below';
  return (
    <div className={`rp-hl ${ratio.rate == null ? 'nodata' : ''}`}>
      <div className="rp-hl-label">{t(label)}</div>
      <div className="rp-hl-value mono">{formatRate(ratio.rate, lang)}</div>
      <div className="rp-hl-frac mono">{fraction(ratio.numerator, ratio.denominator)}</div>
      {reference !== undefined ? (
        <div className={`rp-hl-ref ${stand ?? ''}`}>
          {t('rp_reference')} {formatRate(reference, lang, 0)}{stand ? ` · ${t((stand === 'meets' ? 'rp_meets' : 'rp_below'))}` : ''}
        </div>
      ) : <div className="rp-hl-ref" />}
    </div>
  );
}

function HeadlineGrid({ h }: { h: Headline }) {
  const { t, lang } = useT();
  const a = h.avg_handling_hours;
  const ref = h.reference;
  const stand = a.natural == null ? null : a.natural <= ref.avg_handling_hours ? 'meets' : 'below';
  return (
    <div className="rp-hl-grid" data-testid="report-headline">
      <RateCell label={'rp_discovery' as MessageKey} ratio={h.discovery_rate} reference={ref.discovery_rate} />
      <RateCell label={'rp_dispatch_accuracy' as MessageKey} ratio={h.dispatch_accuracy} reference={ref.dispatch_accuracy} />
      <div className={`rp-hl ${a.natural == null ? 'nodata' : ''}`}>
        <div className="rp-hl-label">{t('rp_avg_hours')}</div>
        <div className="rp-hl-value mono">{formatHours(a.natural, lang)}</div>
        <div className="rp-hl-frac mono">{formatHours(a.working, lang)} {t('rp_working_hours')} · {formatCount(a.count)} {t('rp_dispatches')}</div>
        <div className={`rp-hl-ref ${stand ?? ''}`}>
          {t('rp_reference')} {formatHours(ref.avg_handling_hours, lang)}{stand ? ` · ${t((stand === 'meets' ? 'rp_meets' : 'rp_below'))}` : ''}
        </div>
      </div>
      <RateCell label={'rp_closing' as MessageKey} ratio={h.closing_rate} reference={ref.closing_rate} />
      <RateCell label={'rp_on_time_closing' as MessageKey} ratio={h.on_time_closing_rate} />
      <RateCell label={'rp_suggestion_accuracy' as MessageKey} ratio={h.suggestion_accuracy} />
    </div>
  );
}

// ---- Map --------------------------------------------------------------------------------------------------------

const PAPER_STYLE: StyleSpecification = { version: 8, sources: {}, layers: [{ id: 'paper', type: 'background', paint: { 'background-color': '#ffffff' } }] };

/** The month's choropleth: maplibre draws it once, then the canvas is copied into an image (prints crisply, no WebGL in print). */
function ReportMap({ fc, level, onDone }: { fc: Choropleth; level: 'community' | 'grid'; onDone: () => void }) {
  const { t } = useT();
  const box = useRef<HTMLDivElement>(null);
  const [image, setImage] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const counts = fc.features.map((f) => f.properties.count);
  const breaks = printBreaks(counts);
  const max = Math.max(0, ...counts);
  const hot = fc.features.filter((f) => f.properties.hotspot === 'hot_99' || f.properties.hotspot === 'hot_95')
    .sort((a, b) => (b.properties.gi_z ?? 0) - (a.properties.gi_z ?? 0));

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let map: MaplibreMap;
    try {
      map = new MaplibreMap({
        container: el, style: PAPER_STYLE, interactive: false, attributionControl: false, fadeDuration: 0,
        canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
      });
    } catch {
      setFailed(true);
      onDone();
      return;
    }
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      try { setImage(map.getCanvas().toDataURL('image/png')); } catch { /* keep the live canvas */ }
      onDone();
    };
    map.on('load', () => {
      const data = {
        ...fc,
        features: fc.features.map((f) => ({
          ...f, properties: { ...f.properties, fill: printColor(f.properties.count, breaks), hot: f.properties.hotspot === 'hot_99' || f.properties.hotspot === 'hot_95' },
        })),
      };
      map.addSource('choropleth', { type: 'geojson', data: data as GeoJSON.FeatureCollection });
      map.addLayer({ id: 'fill', type: 'fill', source: 'choropleth', paint: { 'fill-color': ['get', 'fill'], 'fill-opacity': 1 } });
      map.addLayer({ id: 'line', type: 'line', source: 'choropleth', paint: { 'line-color': '#8a8a8a', 'line-width': level === 'grid' ? 0.3 : 0.6 } });
      map.addLayer({ id: 'hot', type: 'line', source: 'choropleth', filter: ['==', ['get', 'hot'], true], paint: { 'line-color': '#1b1b1b', 'line-width': 1.8 } });
      const b = bboxOf(fc.features.map((f) => f.geometry as { type: string; coordinates: unknown } | null));
      if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 14, animate: false });
      map.once('idle', finish);
    });
    map.on('error', () => { /* a failed style piece still ends in idle; the timeout covers the rest */ });
    const timer = setTimeout(finish, 20_000);
    return () => { clearTimeout(timer); map.remove(); };
    // the choropleth is fixed for the page's life
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const total = fc.total ?? counts.reduce((a, b) => a + b, 0);
  return (
    <figure className="rp-map-figure">
      <div className="rp-map-frame">
        <div ref={box} className={`rp-map ${image ? 'has-image' : ''}`} />
        {image ? <img className="rp-map-image" src={image} alt="" data-testid="report-map-image" /> : null}
        {failed ? <p className="rp-error">{t('rp_map_failed')}</p> : null}
      </div>
      <figcaption>
        <div className="rp-legend">
          {legendOf(breaks, max).map((l) => (
            <span key={l.label} className="rp-legend-item"><i style={{ background: l.color }} />{l.label}</span>
          ))}
          <span className="rp-legend-item"><i className="hot" />{t('rp_hotspots')}</span>
        </div>
        <div className="rp-caption">
          {fill(t('rp_map_caption'), { level: t((level === 'grid' ? 'rp_level_grid' : 'rp_level_community')), total: formatCount(total) })}
        </div>
        <div className="rp-caption">
          {t('rp_hot_list')}: {hot.length ? hot.slice(0, 8).map((f) => `${f.properties.name ?? f.properties.code} (z ${f.properties.gi_z?.toFixed(2) ?? '—'})`).join('、') : t('rp_none')}
        </div>
      </figcaption>
    </figure>
  );
}

// ---- Charts -----------------------------------------------------------------------------------------------------

const SERIES = [
  { key: 'reported', label: 'rp_reported', color: '#2b6cb0' },
  { key: 'filed', label: 'rp_filed', color: '#d69e2e' },
  { key: 'closed', label: 'rp_closed', color: '#2f855a' },
] as const;

function TrendChart({ trend }: { trend: Trend }) {
  const { t } = useT();
  const W = 680;
  const H = 220;
  const box = { left: 40, top: 12, width: W - 56, height: H - 44 };
  const pts = trend.points;
  const yMax = Math.max(1, ...pts.flatMap((p) => [p.reported, p.filed, p.closed]));
  const ys = ticks(yMax, 4);
  const top = ys[ys.length - 1];
  const dx = pts.length > 1 ? box.width / (pts.length - 1) : 0;
  const every = Math.max(1, Math.ceil(pts.length / 10));
  if (!pts.length) return <p className="rp-empty">{t('rp_empty')}</p>;
  return (
    <figure className="rp-chart">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={t('rp_s_trend')} data-testid="report-trend">
        {ys.map((v) => {
          const y = box.top + box.height - (v / top) * box.height;
          return (
            <g key={v}>
              <line x1={box.left} x2={box.left + box.width} y1={y} y2={y} className="rp-grid-line" />
              <text x={box.left - 6} y={y + 3} textAnchor="end" className="rp-axis">{v}</text>
            </g>
          );
        })}
        {pts.map((p, i) => ((i % every === 0 && pts.length - 1 - i >= every / 2) || i === pts.length - 1 ? (
          <text key={p.start} x={box.left + i * dx} y={H - 14} textAnchor="middle" className="rp-axis">{p.start.slice(5)}</text>
        ) : null))}
        {SERIES.map((s) => (
          <path key={s.key} d={linePath(pts.map((p) => p[s.key]), box, top)} fill="none" stroke={s.color} strokeWidth={1.8} strokeLinejoin="round" />
        ))}
      </svg>
      <figcaption className="rp-legend">
        {SERIES.map((s) => (
          <span key={s.key} className="rp-legend-item"><i className="line" style={{ background: s.color }} />
            {t(s.label)} {formatCount(pts.reduce((a, p) => a + p[s.key], 0))}</span>
        ))}
      </figcaption>
    </figure>
  );
}

function TopClasses({ top }: { top: TopClass[] }) {
  const { t, lang } = useT();
  if (!top.length) return <p className="rp-empty">{t('rp_empty')}</p>;
  const max = Math.max(...top.map((c) => c.count));
  const sum = top.reduce((a, c) => a + c.count, 0);
  const W = 680;
  const row = 22;
  const labelW = 230;
  const barW = W - labelW - 90;
  return (
    <svg viewBox={`0 0 ${W} ${top.length * row + 4}`} width="100%" role="img" aria-label={t('rp_s_top')} data-testid="report-top">
      {top.map((c, i) => {
        const y = i * row + 2;
        const w = Math.max(1, (c.count / max) * barW);
        const name = (lang === 'zh' ? c.name_zh : c.name_en) || c.name_zh;
        return (
          <g key={c.class_code}>
            <text x={0} y={y + 15} className="rp-bar-label">{`${i + 1}. ${name}`}</text>
            <text x={labelW - 8} y={y + 15} textAnchor="end" className="rp-axis mono">{c.class_code}</text>
            <rect x={labelW} y={y + 4} width={w} height={row - 8} rx={2} className="rp-bar" />
            <text x={labelW + w + 6} y={y + 15} className="rp-bar-value mono">{`${formatCount(c.count)} · ${((c.count / sum) * 100).toFixed(0)}%`}</text>
          </g>
        );
      })}
    </svg>
  );
}

/** Grade thresholds as text, best first: "A ≥ 90, B ≥ 75, …" (settings state them as {grade, min} or [grade, min]). */
function gradesText(grades: unknown): string {
  if (!Array.isArray(grades)) return '';
  const list = grades.map((g: unknown) => (Array.isArray(g) ? { grade: String(g[0]), min: Number(g[1]) } : g as { grade: string; min: number }));
  return list.map((g, i) => (g.min === 0 && i > 0 ? `${g.grade} < ${list[i - 1].min}` : `${g.grade} ≥ ${g.min}`)).join(', ');
}

// ---- Tables -----------------------------------------------------------------------------------------------------

function EvalTable({ r, max }: { r: EvaluationResult; max: number }) {
  const { t, lang } = useT();
  if (!r.rows.length) return <p className="rp-empty">{t('rp_empty')}</p>;
  const rows = r.rows.slice(0, max);
  return (
    <>
      <table className="rp-table" data-testid={`report-table-${r.object}`}>
        <thead>
          <tr>
            <th className="num">{t('rp_rank')}</th>
            <th>{t('rp_name')}</th>
            {r.indicators.map((i) => (
              <th key={i.key} className="num">{lang === 'zh' ? i.label_zh : i.label_en}<small>{Math.round(i.weight * 100)}%</small></th>
            ))}
            <th className="num">{t('rp_composite')}</th>
            <th className="num">{t('rp_grade')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, n) => (
            <tr key={row.key}>
              <td className="num mono">{n + 1}</td>
              <td className="name">{row.name}</td>
              {r.indicators.map((i) => {
                const f = row.indicators[i.key];
                const main = !f ? '—' : i.kind === 'count_band' ? formatCount(f.numerator) : formatRate(f.rate, lang);
                return (
                  <td key={i.key} className={`num mono ${f && f.score == null ? 'nodata' : ''}`}>
                    {main}<small>{f ? (i.kind === 'count_band' ? formatScore(f.score, lang) : fraction(f.numerator, f.denominator)) : ''}</small>
                  </td>
                );
              })}
              <td className="num mono strong">{formatScore(row.composite, lang)}</td>
              <td className="num"><span className={`rp-grade g-${row.grade ?? 'none'}`}>{row.grade ?? '—'}</span></td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="rp-foot">
        {r.rows.length > max ? `${fill(t('rp_more_rows'), { n: r.rows.length - max })} · ` : ''}
        {fill(t('rp_settings'), { version: r.settings.version, grades: gradesText(r.settings.grades as unknown) })}
      </p>
    </>
  );
}
