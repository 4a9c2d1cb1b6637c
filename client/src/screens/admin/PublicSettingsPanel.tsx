// Admin console, Public pages (issue 11): whether photos on the public tracking page wait for an operator's approval
// (faces and number plates are the city's call). GET/PUT /api/admin/public-settings; the change is audited.
import { useEffect, useState } from 'react';
import { getJson, sendJson } from '../../api/http.js';
import { useT } from '../../components/Bilingual.js';
import type { MessageKey } from '../../i18n/index.js';
import { adminErrorKey } from './admin-errors.js';

type Settings = { district_code: string; withhold_photos: boolean };

export function PublicSettingsPanel() {
  const { t } = useT();
  const [s, setS] = useState<Settings | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => { getJson<Settings>('/api/admin/public-settings').then(setS).catch((e) => setError(adminErrorKey(e))); }, []);
  const set = async (withhold_photos: boolean) => {
    setBusy(true); setError(null); setSaved(false);
    try {
      setS(await sendJson<Settings>('PUT', '/api/admin/public-settings', { withhold_photos }));
      setSaved(true);
    } catch (e) {
      setError(adminErrorKey(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="adm-panel" data-testid="admin-public">
      <h3>{t('pb_admin_title')}</h3>
      <p className="dim">{t('pb_admin_hint')}</p>
      {s ? (
        <label className="adm-check">
          <input type="checkbox" checked={s.withhold_photos} disabled={busy} onChange={(e) => void set(e.target.checked)} data-testid="admin-withhold-photos" />
          {' '}{t('pb_admin_withhold')}
        </label>
      ) : null}
      {saved ? <div className="dim" role="status">{t('pb_staff_saved')}</div> : null}
      {error ? <div className="field-error" role="alert">{t(error)}</div> : null}
      <p className="dim">{t('pb_admin_pages')} <a href="/public/report">/public/report</a> · <a href="/public/track">/public/track</a></p>
    </section>
  );
}
