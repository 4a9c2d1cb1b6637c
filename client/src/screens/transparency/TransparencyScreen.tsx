// The transparency page (政务公开, issue 11), /public/transparency: no login, zh/en, phone first. For a month (picker,
// previous/next): the district's totals and each street's (or community's) cases received, solved, solved on time and
// average handling time; then the latest solved cases with their public before/after photos. Nothing personal is
// shown or even fetched (server/services/transparency.ts).
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../api/http.js';
import { fetchMonthFigures, fetchRecentClosed, type ClosedItem, type MonthFigures } from '../../api/transparency.js';
import { useT } from '../../components/Bilingual.js';
import { formatShort, todayInDistrict } from '../../i18n/format.js';
import type { MessageKey } from '../../i18n/index.js';
import { selectConfig, useConfig } from '../../state/config-store.js';
import { useLang } from '../../state/lang-store.js';
import { localName } from '../../state/reference-store.js';
import { PATHS, useRoute } from '../../state/route-store.js';
import { addMonths, percent } from './transparency-model.js';
import './transparency.css';

type Level = 'street' | 'community';

const failure = (e: unknown): MessageKey => (e instanceof ApiError && e.isNetwork ? 'tp_network' : 'tp_failed');

function Header() {
  const { t } = useT();
  const config = useConfig(selectConfig);
  const navigate = useRoute((s) => s.navigate);
  const link = (screen: 'public_report' | 'public_track', key: MessageKey) => (
    <a href={PATHS[screen]} onClick={(e) => { e.preventDefault(); navigate(PATHS[screen]); }}>{t(key)}</a>
  );
  return (
    <header className="tp-header">
      <div className="tp-brand">
        <span className="tp-city">{config?.district?.name ?? ''}</span>
        <span className="tp-site">{t('nav_transparency')}</span>
      </div>
      <nav className="tp-nav">
        {link('public_report', 'tp_report_link')}
        {link('public_track', 'tp_track_link')}
        <button type="button" className="tp-lang" onClick={() => useLang.getState().toggle()} data-testid="tp-lang">{t('tp_lang')}</button>
      </nav>
    </header>
  );
}

function hours(t: (k: MessageKey) => string, v: number | null) {
  return v === null ? <span className="tp-nodata">{t('tp_no_data')}</span> : t('tp_hours').replace('{n}', v.toFixed(1));
}

function Totals({ data }: { data: MonthFigures }) {
  const { t } = useT();
  const x = data.total;
  const card = (key: MessageKey, value: React.ReactNode, sub?: React.ReactNode, id?: string) => (
    <div className="tp-stat" data-testid={id}>
      <span className="tp-stat-label">{t(key)}</span>
      <span className="tp-stat-value">{value}</span>
      {sub ? <span className="tp-stat-sub">{sub}</span> : null}
    </div>
  );
  return (
    <section className="tp-stats" aria-label={t('tp_total')}>
      {card('tp_received', x.received, null, 'tp-total-received')}
      {card('tp_closed', x.closed, null, 'tp-total-closed')}
      {card('tp_on_time_rate', x.on_time_rate === null ? <span className="tp-nodata">{t('tp_no_data')}</span> : percent(x.on_time_rate),
        x.closed ? `${x.closed_on_time} / ${x.closed}` : null, 'tp-total-on-time')}
      {card('tp_avg_hours', hours(t, x.avg_handling_hours), null, 'tp-total-hours')}
    </section>
  );
}

function RegionTable({ data }: { data: MonthFigures }) {
  const { t, lang } = useT();
  return (
    <section className="tp-card" aria-label={t(data.level === 'street' ? 'tp_street' : 'tp_community')}>
      <table className="tp-table" data-testid="tp-table">
        <thead>
          <tr>
            <th scope="col">{t('tp_region')}</th>
            <th scope="col" className="num">{t('tp_received')}</th>
            <th scope="col" className="num">{t('tp_closed')}</th>
            <th scope="col" className="num">{t('tp_on_time')}</th>
            <th scope="col" className="num">{t('tp_avg_hours')}</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((r) => (
            <tr key={r.code} data-code={r.code}>
              <th scope="row">
                <span className="tp-region">{localName(r.name, lang)}</span>
                {data.level === 'community' && r.parent_name ? <span className="tp-parent">{localName(r.parent_name, lang)}</span> : null}
              </th>
              <td className="num" data-label={t('tp_received')}>{r.received}</td>
              <td className="num" data-label={t('tp_closed')}>{r.closed}</td>
              <td className="num" data-label={t('tp_on_time')}>
                {r.on_time_rate === null ? <span className="tp-nodata">{t('tp_no_data')}</span> : <span>{r.closed_on_time} <span className="tp-dim">({percent(r.on_time_rate)})</span></span>}
              </td>
              <td className="num" data-label={t('tp_avg_hours')}>{hours(t, r.avg_handling_hours)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Photo({ url, label }: { url: string | null; label: string }) {
  const { t } = useT();
  return (
    <figure className="tp-photo">
      {url ? <img src={url} alt={label} loading="lazy" /> : <span className="tp-photo-none">{t('tp_no_photo')}</span>}
      <figcaption>{label}</figcaption>
    </figure>
  );
}

function Recent({ items }: { items: ClosedItem[] }) {
  const { t, lang } = useT();
  if (!items.length) return <p className="tp-dim">{t('tp_recent_none')}</p>;
  return (
    <ul className="tp-recent" data-testid="tp-recent">
      {items.map((c) => (
        <li key={c.case_no} className="tp-case">
          <div className="tp-case-head">
            <span className="tp-class">{(lang === 'zh' ? c.class_name_zh : c.class_name_en) ?? c.class_name_zh ?? c.class_code}</span>
            <span className={`tp-badge ${c.on_time ? 'ok' : 'late'}`}>{t(c.on_time ? 'tp_in_time' : 'tp_late')}</span>
          </div>
          <div className="tp-place">{[localName(c.street_name, lang), localName(c.community_name, lang)].filter(Boolean).join(' · ')}</div>
          <div className="tp-photos">
            <Photo url={c.before_photos[0]?.url ?? null} label={t('tp_before')} />
            <Photo url={c.after_photos[0]?.url ?? null} label={t('tp_after')} />
          </div>
          <dl className="tp-facts">
            <div><dt>{t('tp_reported')}</dt><dd>{formatShort(c.reported_at)}</dd></div>
            <div><dt>{t('tp_solved')}</dt><dd>{formatShort(c.closed_at)}</dd></div>
            {c.department_name ? <div className="wide"><dt>{t('tp_by')}</dt><dd>{localName(c.department_name, lang)}</dd></div> : null}
          </dl>
        </li>
      ))}
    </ul>
  );
}

export function TransparencyScreen() {
  const { t } = useT();
  const current = todayInDistrict(new Date()).slice(0, 7);
  const [month, setMonth] = useState(current);
  const [level, setLevel] = useState<Level>('street');
  const [data, setData] = useState<MonthFigures | null>(null);
  const [recent, setRecent] = useState<ClosedItem[] | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const [round, setRound] = useState(0);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    fetchMonthFigures(month, level, ac.signal).then(setData, (e) => { if (!ac.signal.aborted) setError(failure(e)); });
    return () => ac.abort();
  }, [month, level, round]);
  useEffect(() => {
    const ac = new AbortController();
    fetchRecentClosed(12, ac.signal).then((r) => setRecent(r.items), (e) => { if (!ac.signal.aborted) setError(failure(e)); });
    return () => ac.abort();
  }, [round]);
  const retry = useCallback(() => setRound((n) => n + 1), []);
  const shown = data && data.month === month && data.level === level ? data : null;

  return (
    <div className="tp-page" data-testid="transparency-screen">
      <Header />
      <main className="tp-main">
        <h1>{t('tp_title')}</h1>
        <p className="tp-intro">{t('tp_intro')}</p>
        <div className="tp-controls">
          <div className="tp-month">
            <button type="button" className="tp-btn" aria-label={t('tp_prev')} onClick={() => setMonth(addMonths(month, -1))} data-testid="tp-prev">‹</button>
            <label>
              <span className="tp-sr">{t('tp_month')}</span>
              <input type="month" value={month} max={current} min="2000-01" data-testid="tp-month"
                onChange={(e) => { if (/^\d{4}-\d{2}$/.test(e.target.value) && e.target.value <= current) setMonth(e.target.value); }} />
            </label>
            <button type="button" className="tp-btn" aria-label={t('tp_next')} disabled={month >= current} onClick={() => setMonth(addMonths(month, 1))} data-testid="tp-next">›</button>
          </div>
          <div className="tp-level" role="radiogroup" aria-label={t('tp_level')}>
            {(['street', 'community'] as const).map((l) => (
              <button key={l} type="button" role="radio" aria-checked={level === l} className={`tp-chip ${level === l ? 'on' : ''}`}
                onClick={() => setLevel(l)} data-testid={`tp-level-${l}`}>{t(l === 'street' ? 'tp_street' : 'tp_community')}</button>
            ))}
          </div>
        </div>
        {error ? (
          <p className="tp-error" role="alert">{t(error)} <button type="button" className="tp-btn" onClick={retry}>{t('tp_retry')}</button></p>
        ) : null}
        {shown ? (
          <>
            <Totals data={shown} />
            <RegionTable data={shown} />
          </>
        ) : error ? null : <p className="tp-dim">{t('tp_loading')}</p>}
        <p className="tp-defs">{t('tp_definitions')}</p>
        <h2>{t('tp_recent')}</h2>
        {recent ? <Recent items={recent} /> : error ? null : <p className="tp-dim">{t('tp_loading')}</p>}
      </main>
    </div>
  );
}
