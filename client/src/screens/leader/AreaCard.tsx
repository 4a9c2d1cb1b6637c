// The card of an area clicked on the statistics map: its figures for the period (count, density, previous period,
// change, Gi* z-score); for a unit grid also its classes, statuses, components and recent cases (GET
// /api/stats/grids/{code}), each case opening with its trail and photos.
import type { MessageKey } from '../../i18n/index.js';
import { caseStatusKey, tOr } from '../../i18n/index.js';
import { useT } from '../../components/Bilingual.js';
import { formatShort } from '../../i18n/format.js';
import { openCase } from '../../state/case-detail-store.js';
import { className as classNameOf, localName, selectClasses, useReference } from '../../state/reference-store.js';
import { openCard, useLeader, type AreaCard } from '../../state/leader-store.js';
import type { GridCard } from '../../api/leader.js';
import { formatChange, formatCount, formatDecimal } from './numbers.js';
import { HOTSPOT_COLORS } from './scales.js';
import { OriginTag, SlotState } from './LeaderBits.js';

const nameOf = (v: GridCard['community']) => (v == null ? null : typeof v === 'string' ? v : v.name || v.code);

function statusRows(s: GridCard['by_status']): { status: string; count: number }[] {
  return Array.isArray(s) ? s : Object.entries(s ?? {}).map(([status, count]) => ({ status, count }));
}

function Bars({ rows, label }: { rows: { key: string; text: string; count: number }[]; label: MessageKey }) {
  const { t } = useT();
  if (!rows.length) return null;
  const max = Math.max(...rows.map((r) => r.count), 1);
  return (
    <div className="ld-card-sec">
      <h4>{t(label)}</h4>
      <ul className="ld-minibars">
        {rows.map((r) => (
          <li key={r.key} title={`${r.text}: ${r.count}`}>
            <span className="ld-minibar-text">{r.text}</span>
            <span className="ld-minibar"><i style={{ width: `${(r.count / max) * 100}%` }} /></span>
            <span className="mono">{formatCount(r.count)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function AreaCardPanel({ card }: { card: AreaCard }) {
  const { t, lang } = useT();
  const classes = useReference(selectClasses);
  const close = useLeader((s) => s.closeCard);
  const p = card.props;
  const g = card.slot.data;
  const cls = (code: string, zh?: string, en?: string) => (lang === 'zh' ? zh : en) ?? classNameOf(classes, code, lang);
  return (
    <section className="ld-card" data-testid="ld-area-card" data-code={card.code}>
      <div className="panel-bar">
        <span className="panel-bar-title">{t(`ld_level_${card.level}` as MessageKey)} <span className="mono">{card.code}</span></span>
        <button type="button" className="icon-button" onClick={close} aria-label={t('close')} title={t('close')}>×</button>
      </div>
      <div className="ld-card-body">
        {p.name ? <div className="ld-card-name">{localName(p.name, lang)}</div> : null}
        {g ? <div className="ld-card-sub dim">{[nameOf(g.street), nameOf(g.community)].filter(Boolean).map((n) => localName(n, lang)).join(' · ')}</div> : null}
        <div className="ld-card-stats">
          <div><span className="mono ld-big" data-testid="ld-card-count">{formatCount(p.count)}</span><span className="dim">{t('ld_metric_count')}</span></div>
          <div><span className="mono">{formatDecimal(p.per_10k_m2, 2)}</span><span className="dim">{t('ld_metric_per_10k_m2')}</span></div>
          <div><span className="mono">{formatCount(p.prev_count)}</span><span className="dim">{t('ld_prev')}</span></div>
          <div><span className={`mono ${p.change > 0 ? 'up' : p.change < 0 ? 'down' : ''}`}>{formatChange(p.change)}</span><span className="dim">{t('ld_change')}</span></div>
          <div><span className="mono">{formatDecimal(p.gi_z, 2)}</span><span className="dim">{t('ld_gi_z')}</span></div>
          <div><span className="ld-hot-chip" style={{ background: HOTSPOT_COLORS[p.hotspot] }} />
            <span className="dim">{t(`ld_${p.hotspot === 'none' ? 'hot_none' : p.hotspot}` as MessageKey)}</span></div>
        </div>
        {card.level === 'grid' ? (
          <SlotState slot={card.slot} retry={() => void openCard(p)} compact>
            {g ? (
              <>
                <Bars label="ld_by_class" rows={g.by_class.slice(0, 6).map((c) => ({ key: c.class_code, text: cls(c.class_code, c.name_zh, c.name_en), count: c.count }))} />
                <Bars label="ld_by_status" rows={statusRows(g.by_status).map((s) => ({ key: s.status, text: tOr(lang, caseStatusKey(s.status), s.status), count: s.count }))} />
                <Bars label="ld_components" rows={g.components.slice(0, 6).map((c) => ({ key: c.class_code, text: cls(c.class_code, c.name_zh, c.name_en), count: c.count }))} />
                {g.recent_cases.length ? (
                  <div className="ld-card-sec">
                    <h4>{t('ld_recent')}</h4>
                    <ul className="ld-recent">
                      {g.recent_cases.map((c) => (
                        <li key={c.id}>
                          <button type="button" className="ld-recent-row" onClick={() => void openCase(c.id)} data-testid="ld-recent-case">
                            <span className="mono">{c.case_no}</span>
                            <span className="ld-recent-class">{classNameOf(classes, c.class_code, lang)}</span>
                            <OriginTag origin={c.origin} />
                            <span className="dim mono">{formatShort(c.created_at)}</span>
                          </button>
                        </li>
                      ))}
                    </ul>
                  </div>
                ) : null}
              </>
            ) : null}
          </SlotState>
        ) : null}
      </div>
    </section>
  );
}
