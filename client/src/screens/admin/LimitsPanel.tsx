// Admin console: the district's time limits (issue 10): step limits and handling limits per (class, filing condition).
// Edits are collected and saved together as one new version from valid_from (district local time); only changed
// limits are sent, the server copies the rest. Each save is recorded in the audit log by the server.
import { useMemo, useState } from 'react';
import { useT } from '../../components/Bilingual.js';
import { fetchLimits, saveLimits, type LimitsChange, type LimitsView } from '../../api/admin-rules.js';
import { displayZone } from '../../i18n/format.js';
import { stepKey } from '../../i18n/index.js';
import { CENTRE_STEPS } from '../../../../server/domain/limits.js';
import { UNITS, unitKey, validFromInstant, type Unit } from './admin-rules.js';
import { PanelWaiting, SaveMessage, saveOutcome, useRuleSettings, ValidFromCell } from './RuleBits.js';
import './admin-rules.css';

type Limit = { value: number; unit: Unit };
type Table = {
  steps: Record<string, Limit & { urgent?: Limit }>;
  handling: { class_code: string; condition: string; condition_zh: string; condition_en?: string; limit: Limit; urgent?: boolean }[];
  fallback_handling: Limit; late_return_after: Limit; stockpile_after: Limit;
};
const OTHER = [['fallback_handling', 'ar_fallback'], ['late_return_after', 'ar_late_return'], ['stockpile_after', 'ar_stockpile']] as const;

/** Edits by key: `step:<step>`, `h:<class>/<condition>`, or one of OTHER. */
type Edits = Record<string, { value: string; unit: Unit }>;

function LimitInput({ id, base, edits, onEdit }: { id: string; base: Limit; edits: Edits; onEdit: (id: string, v: { value: string; unit: Unit } | null) => void }) {
  const { t } = useT();
  const e = edits[id];
  const value = e ? e.value : String(base.value);
  const unit = e ? e.unit : base.unit;
  const bad = !(Number(value) > 0);
  const change = (v: string, u: Unit) => onEdit(id, Number(v) === base.value && u === base.unit ? null : { value: v, unit: u });
  return (
    <span className={`ar-limit ${e ? 'ar-edited' : ''}`}>
      <input type="number" min={0} step="any" value={value} aria-invalid={bad} aria-label={t('ar_limit')} data-testid={`ar-limit-${id}`}
        onChange={(ev) => change(ev.target.value, unit)} />
      <select value={unit} aria-label={t('ar_unit')} onChange={(ev) => change(value, ev.target.value as Unit)}>
        {UNITS.map((u) => <option key={u} value={u}>{t(unitKey(u))}</option>)}
      </select>
    </span>
  );
}

export function LimitsPanel() {
  const { t, lang } = useT();
  const [edits, setEdits] = useState<Edits>({});
  const [filter, setFilter] = useState('');
  const { view, setView, validFrom, setValidFrom, note, setNote, busy, setBusy, message, setMessage } = useRuleSettings<LimitsView>(fetchLimits);

  const table = view?.in_force.limits as Table | undefined;
  const rows = useMemo(() => {
    if (!table) return [];
    const q = filter.trim().toLowerCase();
    return table.handling.filter((h) => !q || h.class_code.includes(q) || h.condition.includes(q) || h.condition_zh.includes(q) || (h.condition_en ?? '').toLowerCase().includes(q));
  }, [table, filter]);

  if (!view || !table) {
    return <PanelWaiting testid="limits-panel" message={message} />;
  }
  const onEdit = (id: string, v: { value: string; unit: Unit } | null) => {
    setMessage(null);
    setEdits((old) => {
      const next = { ...old };
      if (v) next[id] = v; else delete next[id];
      return next;
    });
  };
  const changed = Object.keys(edits).length;
  const invalid = Object.values(edits).some((e) => !(Number(e.value) > 0));

  const save = async () => {
    if (!changed) { setMessage({ kind: 'error', key: 'ar_nothing_changed' }); return; }
    if (invalid) { setMessage({ kind: 'error', key: 'ar_value_bad' }); return; }
    const body: LimitsChange = {};
    const steps: Record<string, Limit> = {};
    for (const [id, e] of Object.entries(edits)) {
      const limit = { value: Number(e.value), unit: e.unit };
      if (id.startsWith('step:')) steps[id.slice(5)] = limit;
      else if (id.startsWith('h:')) {
        const [class_code, condition] = id.slice(2).split('/');
        body.handling = [...(body.handling ?? []), { class_code, condition, limit }];
      } else body[id as (typeof OTHER)[number][0]] = limit;
    }
    if (Object.keys(steps).length) body.steps = steps as LimitsChange['steps'];
    setBusy(true);
    setMessage(await saveOutcome(async () => {
      const r = await saveLimits({ ...body, valid_from: validFromInstant(validFrom, displayZone()), ...(note.trim() ? { note: note.trim() } : {}) });
      setView(r);
      setEdits({});
      setValidFrom('');
      setNote('');
      return r;
    }));
    setBusy(false);
  };
  const nowMs = Date.now();

  return (
    <section className="ar-panel" data-testid="limits-panel">
      <div className="ar-head">
        <h2>{t('ar_limits_tab')}</h2>
        <span className="dim">{t('ar_in_force')}: {t('ar_version')} {view.in_force.version}{view.in_force.version === 0 ? ` · ${t('ar_default_version')}` : ''}</span>
      </div>
      <p className="ar-note">{t('ar_keep_rule')}</p>

      <div className="ar-columns">
        <div>
          <h3>{t('ar_step_limits')}</h3>
          <table className="ar-table">
            <thead><tr><th>{t('ar_step')}</th><th>{t('ar_limit')}</th></tr></thead>
            <tbody>
              {CENTRE_STEPS.filter((s) => table.steps[s]).map((step) => [step, table.steps[step]] as const).map(([step, l]) => (
                <tr key={step}>
                  <td>{t(stepKey(step) ?? 'ar_step')}{l.urgent ? <small className="dim"> · {t('ar_urgent_suffix')} {l.urgent.value} {t(unitKey(l.urgent.unit))}</small> : null}</td>
                  <td><LimitInput id={`step:${step}`} base={l} edits={edits} onEdit={onEdit} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('ar_other_limits')}</h3>
          <table className="ar-table">
            <tbody>
              {OTHER.map(([k, label]) => (
                <tr key={k}><td>{t(label)}</td><td><LimitInput id={k} base={table[k]} edits={edits} onEdit={onEdit} /></td></tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="ar-handling">
          <h3>{t('ar_handling_limits')}</h3>
          <input className="ar-filter" placeholder={t('ar_filter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
          <div className="ar-scroll">
            <table className="ar-table">
              <thead><tr><th>{t('ar_class')}</th><th>{t('ar_condition')}</th><th>{t('ar_limit')}</th></tr></thead>
              <tbody>
                {rows.map((h) => (
                  <tr key={`${h.class_code}/${h.condition}`}>
                    <td className="mono">{h.class_code}</td>
                    <td>{lang === 'en' ? h.condition_en ?? h.condition_zh : h.condition_zh}{h.urgent ? <span className="tag ar-tag">{t('ar_urgent_suffix')}</span> : null}</td>
                    <td><LimitInput id={`h:${h.class_code}/${h.condition}`} base={h.limit} edits={edits} onEdit={onEdit} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </div>

      <div className="ar-form ar-inline">
        <label className="ar-field">
          <span>{t('ar_valid_from')} <small className="dim">({displayZone()})</small></span>
          <input type="datetime-local" value={validFrom} onChange={(e) => setValidFrom(e.target.value)} />
        </label>
        <label className="ar-field grow">
          <span>{t('ar_note')}</span>
          <input value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
        </label>
        <div className="ar-actions">
          <span className="dim">{changed ? `${changed} ${t('ar_changed_n')}` : t('ar_nothing_changed')}</span>
          <button type="button" className="ar-save" disabled={busy || !changed} onClick={() => void save()} data-testid="ar-save-limits">{busy ? t('ar_saving') : t('ar_save')}</button>
          <SaveMessage message={message} problem={invalid ? 'ar_value_bad' : null} />
        </div>
      </div>

      <h3>{t('ar_versions')}</h3>
      <table className="ar-table" data-testid="ar-limits-versions">
        <thead><tr><th>{t('ar_version')}</th><th>{t('ar_valid_from')}</th><th>{t('ar_by')}</th><th>{t('ar_note')}</th></tr></thead>
        <tbody>
          {[...view.versions].reverse().map((v) => (
            <tr key={v.version} className={v.version === view.in_force.version ? 'ar-current' : ''}>
              <td className="mono">{v.version}</td>
              <ValidFromCell version={v.version} valid_from={v.valid_from} now={nowMs} />
              <td>{v.created_by ?? '—'}</td>
              <td className="dim">{v.version === 0 ? t('ar_default_version') : v.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
