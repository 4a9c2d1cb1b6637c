// The wall's supervision banner (电子监察预警, issue 10): the alerts in force, worst first, each a sentence, and a link
// to the supervision screen. Self-contained: reads GET /api/supervision/alerts itself, again on live case changes and
// every minute; shows nothing when there is no alert, when the post may not read supervision, or while unreachable.
import { useCallback, useEffect, useState } from 'react';
import { fetchSupervisionAlerts, type SupervisionAlert } from '../../api/supervision.js';
import { useT } from '../../components/Bilingual.js';
import { PATHS, selectNavigate, useRoute } from '../../state/route-store.js';
import { selectUser, useSession } from '../../state/session-store.js';
import { SUPERVISION_READERS } from '../../../../server/domain/supervision.js';
import { alertText, fill } from './supervision-model.js';
import { useSupervisionRefresh } from './use-refresh.js';
import './supervision.css';

/** Alerts shown in the banner; the rest are counted ("3 more"). */
const SHOWN = 3;

export function SupervisionAlerts() {
  const user = useSession(selectUser);
  const navigate = useRoute(selectNavigate);
  const { t, lang } = useT();
  const [alerts, setAlerts] = useState<SupervisionAlert[]>([]);
  const may = !!user?.roles.some((r) => (SUPERVISION_READERS as readonly string[]).includes(r));

  const load = useCallback(() => {
    if (!may) return;
    // A failed read keeps the last alerts: the banner is a hint, the supervision screen reports errors.
    fetchSupervisionAlerts().then((r) => setAlerts(r.alerts), () => {});
  }, [may]);
  useEffect(() => { load(); }, [load]);
  useSupervisionRefresh(load);

  if (!may || alerts.length === 0) return null;
  return (
    <aside className="sv-banner" role="alert" aria-label={t('sv_alerts')} data-testid="supervision-alerts">
      <span className="sv-banner-title"><i aria-hidden="true" />{t('sv_alerts')} <b className="mono">{alerts.length}</b></span>
      <ul className="sv-banner-list">
        {alerts.slice(0, SHOWN).map((a) => <li key={a.key} data-kind={a.kind}>{alertText(a, lang)}</li>)}
        {alerts.length > SHOWN ? <li className="dim">{fill(t('sv_alerts_more'), { n: alerts.length - SHOWN })}</li> : null}
      </ul>
      <a className="sv-banner-link" href={PATHS.supervision} onClick={(e) => { e.preventDefault(); navigate(PATHS.supervision); }}>{t('sv_alerts_open')} →</a>
    </aside>
  );
}
