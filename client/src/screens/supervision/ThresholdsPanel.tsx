// The alert thresholds (预警阈值): shown to every reader, editable by leaders and admin (PUT /api/supervision/thresholds;
// the server records each change in the audit log). Checked here first, field by field; the server checks again.
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../api/http.js';
import { fetchThresholds, putThresholds, type SupervisionThresholds } from '../../api/supervision.js';
import { useT } from '../../components/Bilingual.js';
import { formatShort } from '../../i18n/format.js';
import type { MessageKey } from '../../i18n/index.js';
import { selectUser, useSession } from '../../state/session-store.js';
import { THRESHOLD_BOUNDS, THRESHOLD_EDITORS, THRESHOLD_KEYS, type Thresholds } from '../../../../server/domain/supervision.js';
import { checkThresholdForm, failureKey, fill, formOf, type ThresholdForm } from './supervision-model.js';

/** What the panel says under the form: a message key and its placeholders (the text follows the UI's language). */
type Status = { level: 'ok' | 'error'; key: MessageKey; vars?: Record<string, string | number>; why?: MessageKey } | null;

export function ThresholdsPanel({ onSaved }: { onSaved: () => void }) {
  const { t } = useT();
  const user = useSession(selectUser);
  const editable = !!user?.roles.some((r) => (THRESHOLD_EDITORS as readonly string[]).includes(r));
  const [stored, setStored] = useState<SupervisionThresholds | null>(null);
  const [form, setForm] = useState<ThresholdForm | null>(null);
  const [bad, setBad] = useState<(keyof Thresholds)[]>([]);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState<Status>(null);

  const load = useCallback(() => {
    fetchThresholds().then((s) => { setStored(s); setForm(formOf(s)); }, (e) => setStatus({ level: 'error', key: failureKey(e) }));
  }, []);
  useEffect(() => { load(); }, [load]);

  const save = async () => {
    if (!form) return;
    const checked = checkThresholdForm(form);
    if ('bad' in checked) { setBad(checked.bad); setStatus({ level: 'error', key: 'sv_th_fix' }); return; }
    setBad([]);
    setSaving(true);
    setStatus(null);
    try {
      const s = await putThresholds(checked.value);
      setStored(s);
      setForm(formOf(s));
      setStatus({ level: 'ok', key: 'sv_th_saved', vars: { n: s.version } });
      onSaved();
    } catch (e) {
      let why: MessageKey = failureKey(e);
      if (e instanceof ApiError && e.status === 403) why = 'sv_th_forbidden';
      if (e instanceof ApiError && e.status === 400 && e.details && typeof e.details === 'object') {
        const fields = THRESHOLD_KEYS.filter((k) => k in (e.details as object));
        if (fields.length) { setBad(fields); why = 'sv_th_fix'; }
      }
      setStatus({ level: 'error', key: 'sv_th_failed', why });
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="sv-card sv-thresholds" aria-label={t('sv_thresholds')} data-testid="sv-thresholds">
      <h2 className="sv-card-title">{t('sv_thresholds')}</h2>
      {stored ? (
        <p className="sv-note dim">
          {stored.version === 0 ? t('sv_th_default')
            : fill(t('sv_th_version'), { n: stored.version, who: stored.updated_by_name ?? '—', at: formatShort(stored.updated_at) })}
        </p>
      ) : null}
      {form ? (
        <form className="sv-th-form" noValidate onSubmit={(e) => { e.preventDefault(); void save(); }}>
          {THRESHOLD_KEYS.map((k) => (
            <label key={k} className={`sv-th-field ${bad.includes(k) ? 'has-error' : ''}`}>
              <span>{t(`sv_th_${k}` as MessageKey)}</span>
              <input type="number" min={THRESHOLD_BOUNDS[k][0]} max={THRESHOLD_BOUNDS[k][1]} step={1} inputMode="numeric" name={k}
                value={form[k]} disabled={!editable || saving} aria-invalid={bad.includes(k)}
                onChange={(e) => setForm({ ...form, [k]: e.target.value })} />
              {bad.includes(k) ? <span className="field-error">{fill(t('sv_th_bad'), { max: THRESHOLD_BOUNDS[k][1] })}</span> : null}
            </label>
          ))}
          {editable ? (
            <button type="submit" className="sv-btn primary" disabled={saving} data-testid="sv-th-save">{t(saving ? 'sv_th_saving' : 'sv_th_save')}</button>
          ) : <p className="sv-note dim">{t('sv_th_readonly')}</p>}
        </form>
      ) : null}
      {status ? <p className={status.level === 'ok' ? 'sv-ok' : 'sv-error'} role={status.level === 'error' ? 'alert' : 'status'} data-testid="sv-th-status">{fill(t(status.key), { ...status.vars, ...(status.why ? { why: t(status.why) } : {}) })}</p> : null}
    </section>
  );
}
