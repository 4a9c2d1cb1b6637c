// Ranked evaluation tables (docs/evaluation.md): regions (by level), departments, posts (by post). Every indicator cell
// shows its rate or count and its score, numerator / denominator on hover, "no data" when the denominator is 0; then
// the composite and the grade A–E. A click on any figure lists the cases behind it (its numerator; the list switches
// to the denominator). The weights and bands in force are stated (settings version).
import { useMemo, useState } from 'react';
import type { MessageKey } from '../../i18n/index.js';
import { roleKey, tOr } from '../../i18n/index.js';
import { useT } from '../../components/Bilingual.js';
import {
  evaluationExportUrl, gradeBands, type EvaluationObject, type EvaluationResult, type EvaluationRow, type IndicatorCell, type IndicatorMeta, type PostType, type RegionLevel,
} from '../../api/leader.js';
import { localName } from '../../state/reference-store.js';
import {
  evaluationScope, loadEvaluation, openDrill, selectEvalObject, selectEvaluation, selectPeriod, selectPost, selectRegion, selectRegionLevel, useLeader,
} from '../../state/leader-store.js';
import { formatCount, formatDecimal, formatRate, formatScore, fraction, noData } from './numbers.js';
import { DownloadButton, GradeBadge, SlotState } from './LeaderBits.js';
import { hasCases, rankRows, type SortKey } from './ranking.js';

const OBJECTS: EvaluationObject[] = ['regions', 'departments', 'posts'];
const LEVELS: RegionLevel[] = ['street', 'community', 'grid', 'district'];
const POSTS: PostType[] = ['inspector', 'operator', 'shift_leader', 'dispatcher'];
const EXTRAS = ['pending', 'pending_overdue', 'returns', 'extensions'] as const;
const EXTRA_LABEL: Record<(typeof EXTRAS)[number], MessageKey> = {
  pending: 'ld_pending', pending_overdue: 'ld_pending_overdue', returns: 'ld_returns', extensions: 'ld_extensions',
};

type Scope = { object: EvaluationObject; level?: RegionLevel; parent?: string; post?: PostType };

function Cell({ row, meta, cell, scope }: { row: EvaluationRow; meta: IndicatorMeta; cell: IndicatorCell | undefined; scope: Scope }) {
  const { t, lang } = useT();
  if (!cell) return <td className="ld-cell nodata">{noData(lang)}</td>;
  const band = meta.kind === 'count_band';
  const nodata = cell.score == null;
  const label = lang === 'zh' ? meta.label_zh : meta.label_en;
  const hover = [
    `${label} — ${localName(row.name, lang)}`,
    band ? `${t('ld_numerator')}: ${formatCount(cell.numerator)}${cell.rate != null && cell.denominator != null ? ` (${formatCount(cell.denominator)} ${t('ld_level_grid')}, ${formatDecimal(cell.rate, 2)}/${t('ld_per_grid')})` : ''}`
      : `${t('ld_numerator')} / ${t('ld_denominator')}: ${fraction(cell.numerator, cell.denominator)}`,
    `${t('ld_score')}: ${formatScore(cell.score, lang)} · ${t('ld_weight')} ${formatDecimal(cell.used_weight, 3)}${cell.used_weight !== cell.weight ? ` (${formatDecimal(cell.weight, 3)})` : ''}`,
    nodata ? t('ld_no_data_hint') : t('hl_click'),
  ].join('\n');
  const open = () => void openDrill({
    kind: 'evaluation', ...scope, key: row.key, row_name: localName(row.name, lang), indicator: meta.key, label, has_denominator: !band,
  });
  return (
    <td className={`ld-cell ${nodata ? 'nodata' : ''}`} data-testid="ev-cell" data-indicator={meta.key} data-key={row.key}>
      <button type="button" onClick={open} title={hover} data-num={cell.numerator} data-den={cell.denominator ?? ''}>
        <span className="ld-cell-main mono">{band ? formatCount(cell.numerator) : formatRate(cell.rate, lang)}</span>
        <span className="ld-cell-sub mono">{nodata ? '—' : formatScore(cell.score, lang)}
          {band ? (cell.rate != null && cell.denominator != null ? <span className="ld-cell-frac"> · {formatDecimal(cell.rate, 2)}/{t('ld_per_grid')}</span> : null)
            : <span className="ld-cell-frac"> · {fraction(cell.numerator, cell.denominator)}</span>}</span>
      </button>
    </td>
  );
}

function Table({ result, scope, activeOnly }: { result: EvaluationResult; scope: Scope; activeOnly: boolean }) {
  const { t, lang } = useT();
  const [sort, setSort] = useState<SortKey>({ by: 'composite', desc: true });
  const rows = useMemo(() => rankRows(activeOnly ? result.rows.filter((r) => hasCases(r, result.indicators)) : result.rows, sort), [result, sort, activeOnly]);
  const hasExtra = result.object === 'departments' && result.rows.some((r) => r.extra);
  const hasSatisfaction = result.rows.some((r) => r.satisfaction);
  const head = (by: string, children: React.ReactNode, title?: string) => (
    <th key={by} className={`sortable ${sort.by === by ? 'sorted' : ''}`} title={title}>
      <button type="button" onClick={() => setSort((s) => ({ by, desc: s.by === by ? !s.desc : true }))}>
        {children}{sort.by === by ? <i aria-hidden="true">{sort.desc ? '▼' : '▲'}</i> : null}
      </button>
    </th>
  );
  if (!rows.length) {
    return <div className="ld-empty"><strong>{t('ld_no_rows')}</strong><span className="dim">{t('ld_no_rows_hint')}</span></div>;
  }
  return (
    <div className="ld-table-wrap">
      <table className="ld-table" data-testid="ev-table" data-object={result.object}>
        <thead>
          <tr>
            <th className="ld-rank">{t('ld_rank')}</th>
            <th className="ld-name">{t('ld_name')}</th>
            {result.indicators.map((m) => head(m.key, (
              <span className="ld-th"><span>{lang === 'zh' ? m.label_zh : m.label_en}</span><span className="ld-th-w mono">{Math.round(m.weight * 100)}%</span></span>
            ), `${lang === 'zh' ? m.label_zh : m.label_en} · ${t('ld_weight')} ${formatDecimal(m.weight, 3)}`))}
            {head('composite', <span className="ld-th"><span>{t('ld_composite')}</span><span className="ld-th-w">&nbsp;</span></span>)}
            <th className="ld-grade-col">{t('ld_grade')}</th>
            {hasSatisfaction ? <th className="ld-extra" title={t('ev_satisfaction_note')}>{t('ev_satisfaction_avg')} / {t('ev_satisfaction_count')}</th> : null}
            {hasExtra ? EXTRAS.map((x) => <th key={x} className="ld-extra">{t(EXTRA_LABEL[x])}</th>) : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.key} data-testid="ev-row" data-key={r.key}>
              <td className="ld-rank mono">{r.composite == null ? '—' : i + 1}</td>
              <td className="ld-name" title={`${r.name} (${r.key})`}>
                {result.object === 'posts' ? <span className="ld-name-text">{r.name}</span> : <span className="ld-name-text">{localName(r.name, lang)}</span>}
                {result.object === 'regions' ? <span className="ld-name-code mono">{r.key}</span> : null}
              </td>
              {result.indicators.map((m) => <Cell key={m.key} row={r} meta={m} cell={r.indicators[m.key]} scope={scope} />)}
              <td className="ld-composite mono" data-testid="ev-composite">{r.composite == null ? <span className="dim">{noData(lang)}</span> : formatScore(r.composite, lang)}</td>
              <td className="ld-grade-col"><GradeBadge grade={r.grade} /></td>
              {hasSatisfaction ? (
                <td className="ld-extra mono" data-testid="ev-satisfaction" title={t('ev_satisfaction_note')}>
                  {r.satisfaction?.average_score == null ? <span className="dim">{noData(lang)}</span> : formatScore(r.satisfaction.average_score, lang)}
                  <span className="dim"> / {formatCount(r.satisfaction?.count ?? 0)}</span>
                </td>
              ) : null}
              {hasExtra ? EXTRAS.map((x) => <td key={x} className="ld-extra mono">{formatCount(r.extra?.[x] ?? null)}</td>) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function EvaluationPanel() {
  const slot = useLeader(selectEvaluation);
  const object = useLeader(selectEvalObject);
  const level = useLeader(selectRegionLevel);
  const post = useLeader(selectPost);
  const period = useLeader(selectPeriod);
  const region = useLeader(selectRegion);
  const { setEvalObject, setRegionLevel, setPost } = useLeader.getState();
  const { t, lang } = useT();
  const result = slot.data && slot.data.object === object ? slot.data : null;
  const scope = useMemo<Scope>(() => ({ object, ...evaluationScope({ evalObject: object, regionLevel: level, post, region }) }), [object, level, post, region]);
  const query = { ...period, level: scope.level, parent: scope.parent, post: scope.post };
  const settings = result?.settings;
  const [activeOnly, setActiveOnly] = useState(true);
  const hidden = result && activeOnly ? result.rows.length - result.rows.filter((r) => hasCases(r, result.indicators)).length : 0;
  return (
    <section className="ld-panel ld-eval" data-testid="ld-evaluation">
      <div className="ld-panel-head">
        <div className="ld-tabs" role="tablist">
          {OBJECTS.map((o) => (
            <button key={o} type="button" role="tab" aria-selected={o === object} className={`ld-tab ${o === object ? 'active' : ''}`} onClick={() => setEvalObject(o)} data-testid={`ev-tab-${o}`}>
              {t(`ld_obj_${o}` as MessageKey)}
            </button>
          ))}
        </div>
        {object === 'regions' ? (
          <select value={level} onChange={(e) => setRegionLevel(e.target.value as RegionLevel)} data-testid="ev-level" aria-label={t('ld_scope')}>
            {LEVELS.map((l) => <option key={l} value={l}>{t(`ld_level_${l}` as MessageKey)}</option>)}
          </select>
        ) : null}
        {object === 'posts' ? (
          <select value={post} onChange={(e) => setPost(e.target.value as PostType)} data-testid="ev-post" aria-label={t('ld_obj_posts')}>
            {POSTS.map((p) => <option key={p} value={p}>{tOr(lang, roleKey(p), p)}</option>)}
          </select>
        ) : null}
        <label className="ld-check" title={t('ld_active_only_hint')}>
          <input type="checkbox" checked={activeOnly} onChange={(e) => setActiveOnly(e.target.checked)} data-testid="ev-active-only" />
          {t('ld_active_only')}{hidden ? <span className="dim"> ({t('ld_hidden')} {hidden})</span> : null}
        </label>
        <span className="grow" />
        {slot.status === 'loading' && slot.data ? <span className="spinner" /> : null}
        <span className="ld-export-group">
          <DownloadButton url={evaluationExportUrl(object, 'csv', query)} name={`gridline-${object}-${period.from}-${period.to}.csv`} label={t('ld_export_csv')} testId="ev-export-csv" />
          <DownloadButton url={evaluationExportUrl(object, 'xlsx', query)} name={`gridline-${object}-${period.from}-${period.to}.xlsx`} label={t('ld_export_xlsx')} testId="ev-export-xlsx" />
        </span>
      </div>
      <div className="ld-panel-body">
        <SlotState slot={slot} retry={() => void loadEvaluation()}>
          {result ? <Table result={result} scope={scope} activeOnly={activeOnly} /> : slot.status === 'loading' ? <div className="ld-state"><span className="spinner" /> {t('ld_loading')}</div> : null}
        </SlotState>
      </div>
      {settings ? (
        <div className="ld-panel-foot dim" data-testid="ev-settings" title={JSON.stringify({ weights: settings.weights, bands: settings.bands }, null, 1)}>
          {t('ld_settings_version')} v{settings.version} · {gradeBands(settings).map(([g, min]) => `${g} ≥${min}`).join(' · ')} · {t('ld_no_data_hint')}
        </div>
      ) : null}
    </section>
  );
}
