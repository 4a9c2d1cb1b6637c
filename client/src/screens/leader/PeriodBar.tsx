// The leader screen's toolbar: period presets and a custom range (checked before it is asked for), the region scope
// (for a leader kept to a district, street or community, issue 12: only its own regions), the history banner
// (simulated / imported cases in the period), and the monthly report.
import { fetchConfig } from '../../api/config.js';
import type { HistoryLoad } from '../../api/types.js';
import { useEffect, useMemo, useState } from 'react';
import type { MessageKey } from '../../i18n/index.js';
import { useT } from '../../components/Bilingual.js';
import { monthlyReportUrl } from '../../api/leader.js';
import { localName } from '../../state/reference-store.js';
import { selectCommunities, selectStreets, useRegions } from '../../state/regions-store.js';
import { keptRegion, keptScope, regionsWithin } from '../../state/kept-region.js';
import { selectUser, useSession } from '../../state/session-store.js';
import { selectHistory, selectPeriod, selectPreset, selectRegion, useLeader } from '../../state/leader-store.js';
import { checkPeriod, periodDays, PRESETS, presetPeriod, reportMonth, todayIn, type PeriodProblem } from './period.js';
import { formatCount } from './numbers.js';
import { DownloadButton } from './LeaderBits.js';

function CustomRange({ onDone }: { onDone: () => void }) {
  const period = useLeader(selectPeriod);
  const setPeriod = useLeader((s) => s.setPeriod);
  const { t } = useT();
  const [from, setFrom] = useState(period.from);
  const [to, setTo] = useState(period.to);
  const [problem, setProblem] = useState<PeriodProblem | null>(null);
  useEffect(() => { setFrom(period.from); setTo(period.to); }, [period]);
  const apply = () => {
    const p = checkPeriod({ from, to });
    setProblem(p);
    if (!p) { setPeriod({ from, to }, 'custom'); onDone(); }
  };
  return (
    <form className="ld-custom" onSubmit={(e) => { e.preventDefault(); apply(); }} data-testid="ld-custom">
      <label className={problem?.field === 'from' ? 'bad' : ''}><span>{t('ld_from')}</span>
        <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="ld-from" aria-invalid={problem?.field === 'from'} /></label>
      <label className={problem?.field === 'to' ? 'bad' : ''}><span>{t('ld_to')}</span>
        <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="ld-to" aria-invalid={problem?.field === 'to'} /></label>
      <button type="submit" className="ld-btn primary" data-testid="ld-apply">{t('ld_apply')}</button>
      {problem ? <span className="ld-field-error" role="alert" data-testid="ld-period-error">{t(problem.key)}</span> : null}
    </form>
  );
}

/** While the server still loads the demo's simulated history: how far it got (polled), so moving figures are explained. */
function useHistoryLoad(): HistoryLoad | null {
  const [load, setLoad] = useState<HistoryLoad | null>(null);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const h = (await fetchConfig()).history ?? null;
        if (stop) return;
        setLoad(h);
        if (h?.state === 'loading') timer = setTimeout(() => void poll(), 5000);
      } catch { /* the banner is a hint: without it the screen still works */ }
    };
    void poll();
    return () => { stop = true; clearTimeout(timer); };
  }, []);
  return load?.state === 'loading' ? load : null;
}

function HistoryBanner() {
  const history = useLeader(selectHistory);
  const load = useHistoryLoad();
  const { t } = useT();
  const h = history.data;
  if (load) {
    return (
      <div className="ld-banners">
        <span className="ld-banner simulated" data-testid="ld-history-loading">
          <i aria-hidden="true">◆</i>{t('ld_history_loading')} {load.loaded_days}/{load.days} {t('ld_days')}
        </span>
      </div>
    );
  }
  if (!h || (!h.simulated && !h.imported)) return null;
  return (
    <div className="ld-banners">
      {h.simulated ? (
        <span className="ld-banner simulated" data-testid="ld-simulated-banner" title={t('ld_simulated_hint')}>
          <i aria-hidden="true">◆</i>{t('ld_simulated_banner')} · {formatCount(h.simulated)} {t('ld_cases_n')}
        </span>
      ) : null}
      {h.imported ? (
        <span className="ld-banner imported" data-testid="ld-imported-banner" title={t('ld_imported_hint')}>
          <i aria-hidden="true">⇪</i>{t('ld_imported_banner')} · {formatCount(h.imported)} {t('ld_cases_n')}
        </span>
      ) : null}
    </div>
  );
}

export function PeriodBar() {
  const period = useLeader(selectPeriod);
  const preset = useLeader(selectPreset);
  const region = useLeader(selectRegion);
  const setPeriod = useLeader((s) => s.setPeriod);
  const setRegion = useLeader((s) => s.setRegion);
  const kept = keptRegion(useSession(selectUser));
  const allStreets = useRegions(selectStreets);
  const allCommunities = useRegions(selectCommunities);
  const streets = useMemo(() => regionsWithin(allStreets, kept), [allStreets, kept]);
  const communities = useMemo(() => regionsWithin(allCommunities, kept), [allCommunities, kept]);
  const wholeDistrict = keptScope(null, kept) === null; // a leader kept to a street or community has no whole district to pick
  const { t, lang } = useT();
  const [custom, setCustom] = useState(preset === 'custom');
  const month = reportMonth(period);
  return (
    <div className="ld-toolbar" data-testid="ld-toolbar">
      <div className="ld-presets" role="group" aria-label={t('ld_period')}>
        <span className="ld-label">{t('ld_period')}</span>
        {PRESETS.map((p) => (
          <button key={p} type="button" className={`ld-seg ${preset === p && !custom ? 'active' : ''}`} aria-pressed={preset === p && !custom}
            data-testid={`ld-preset-${p}`}
            onClick={() => { setCustom(false); setPeriod(presetPeriod(p, todayIn(new Date())), p); }}>
            {t(`ld_preset_${p}` as MessageKey)}
          </button>
        ))}
        <button type="button" className={`ld-seg ${custom || preset === 'custom' ? 'active' : ''}`} aria-pressed={custom} onClick={() => setCustom((c) => !c)} data-testid="ld-preset-custom">
          {t('ld_preset_custom')}
        </button>
      </div>
      {custom ? <CustomRange onDone={() => undefined} /> : (
        <span className="ld-period-text mono" data-testid="ld-period">{period.from} — {period.to} <span className="dim">({periodDays(period)} {t('ld_days')})</span></span>
      )}
      <label className="ld-scope">
        <span className="ld-label">{t('ld_scope')}</span>
        <select value={region ?? ''} onChange={(e) => setRegion(e.target.value || null)} data-testid="ld-scope">
          {wholeDistrict ? <option value="">{t('ld_scope_all')}</option> : null}
          {streets.length ? (
            <optgroup label={t('ld_level_street')}>
              {streets.map((s) => <option key={s.code} value={s.code}>{localName(s.name, lang)}</option>)}
            </optgroup>
          ) : null}
          {communities.length ? (
            <optgroup label={t('ld_level_community')}>
              {communities.map((c) => <option key={c.code} value={c.code}>{localName(c.name, lang)}</option>)}
            </optgroup>
          ) : null}
        </select>
      </label>
      <span className="grow" />
      <HistoryBanner />
      <DownloadButton url={monthlyReportUrl(month, region ?? undefined)} name={`gridline-report-${month}.pdf`} testId="ld-report-pdf"
        className="primary" label={<>{t('ld_report_pdf')} <span className="mono">{month}</span></>} />
    </div>
  );
}
