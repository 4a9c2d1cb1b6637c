// Admin console: the district's time zone and working calendar (issue 10). Shows the version in force, the district's
// time now, the holidays and 调休 working days it skips, every version; saves a change as a new version from a
// valid_from given in the district's local time. Each save is recorded in the audit log by the server.
import { useEffect, useState } from 'react';
import { useT } from '../../components/Bilingual.js';
import { fetchCalendar, saveCalendar, type CalendarView } from '../../api/admin-rules.js';
import type { MessageKey } from '../../i18n/index.js';
import { calendarProblem, holidayRanges, validFromInstant, type CalendarForm } from './admin-rules.js';
import { PanelWaiting, SaveMessage, saveOutcome, useRuleSettings, ValidFromCell } from './RuleBits.js';
import './admin-rules.css';

const ZONES = ['Asia/Shanghai', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Europe/London', 'UTC'];
const SETS = ['cn', 'us', 'none'] as const;

function formOf(v: CalendarView['in_force']): CalendarForm {
  return { time_zone: v.time_zone, holiday_set: v.holiday_set, periods: v.periods.map(([a, b]) => [a, b]), weekend: [...v.weekend], working_day_hours: v.working_day_hours };
}

/** The time in `zone` now, ticking. */
function ZoneClock({ zone }: { zone: string }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(id);
  }, []);
  let text = '—';
  try {
    text = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' })
      .format(now).replace(',', '');
  } catch { /* an unknown zone while typing */ }
  return <span className="mono" data-testid="ar-zone-clock">{text}</span>;
}

export function CalendarPanel() {
  const { t, lang } = useT();
  const [form, setForm] = useState<CalendarForm | null>(null);
  const { view, setView, validFrom, setValidFrom, note, setNote, busy, setBusy, message, setMessage } =
    useRuleSettings<CalendarView>(fetchCalendar, (v) => setForm(formOf(v.in_force)));

  if (!view || !form) {
    return <PanelWaiting testid="calendar-panel" message={message} />;
  }
  const problem = calendarProblem(form);
  const zone = view.in_force.time_zone;
  const set = <K extends keyof CalendarForm>(k: K, v: CalendarForm[K]) => { setForm({ ...form, [k]: v }); setMessage(null); };
  const nowMs = Date.now();

  const save = async () => {
    if (problem) { setMessage({ kind: 'error', key: problem }); return; }
    setBusy(true);
    setMessage(await saveOutcome(async () => {
      const r = await saveCalendar({ ...form, time_zone: form.time_zone.trim(), valid_from: validFromInstant(validFrom, zone), ...(note.trim() ? { note: note.trim() } : {}) });
      setView(r);
      setForm(formOf(r.versions[r.versions.length - 1]));
      setValidFrom('');
      setNote('');
      return r;
    }));
    setBusy(false);
  };

  return (
    <section className="ar-panel" data-testid="calendar-panel">
      <div className="ar-head">
        <h2>{t('ar_calendar_tab')}</h2>
        <span className="dim">{t('ar_in_force')}: {t('ar_version')} {view.in_force.version}{view.in_force.version === 0 ? ` · ${t('ar_default_version')}` : ''}</span>
        <span className="grow" />
        <span className="dim">{t('ar_local_now')}</span> <ZoneClock zone={zone} />
      </div>
      <p className="ar-note">{t('ar_keep_rule')}</p>

      <div className="ar-columns">
        <div className="ar-form">
          <label className="ar-field">
            <span>{t('ar_time_zone')}</span>
            <input list="ar-zones" value={form.time_zone} onChange={(e) => set('time_zone', e.target.value)} aria-invalid={problem === 'ar_time_zone_bad'} data-testid="ar-time-zone" />
            <datalist id="ar-zones">{ZONES.map((z) => <option key={z} value={z} />)}</datalist>
          </label>
          <label className="ar-field">
            <span>{t('ar_holiday_set')}</span>
            <select value={form.holiday_set} onChange={(e) => set('holiday_set', e.target.value as CalendarForm['holiday_set'])} data-testid="ar-holiday-set">
              {SETS.map((s) => <option key={s} value={s}>{t(`ar_set_${s}` as MessageKey)}</option>)}
            </select>
          </label>
          <div className="ar-field">
            <span>{t('ar_periods')}</span>
            <div className="ar-periods">
              {form.periods.map(([a, b], i) => (
                <div key={i} className="ar-period">
                  <input type="time" value={a} onChange={(e) => set('periods', form.periods.map((p, j) => (j === i ? [e.target.value, p[1]] : p)))} />
                  <span className="dim">–</span>
                  <input type="time" value={b} onChange={(e) => set('periods', form.periods.map((p, j) => (j === i ? [p[0], e.target.value] : p)))} />
                  {form.periods.length > 1 ? <button type="button" className="link-btn" onClick={() => set('periods', form.periods.filter((_, j) => j !== i))}>{t('ar_period_remove')}</button> : null}
                </div>
              ))}
              {form.periods.length < 6 ? <button type="button" className="link-btn" onClick={() => set('periods', [...form.periods, ['19:00', '21:00']])}>+ {t('ar_period_add')}</button> : null}
            </div>
          </div>
          <div className="ar-field">
            <span>{t('ar_weekend')}</span>
            <div className="ar-days">
              {[1, 2, 3, 4, 5, 6, 0].map((d) => (
                <label key={d} className={`ar-day ${form.weekend.includes(d) ? 'on' : ''}`}>
                  <input type="checkbox" checked={form.weekend.includes(d)}
                    onChange={(e) => set('weekend', e.target.checked ? [...form.weekend, d].sort() : form.weekend.filter((x) => x !== d))} />
                  {t(`ar_day_${d}` as MessageKey)}
                </label>
              ))}
            </div>
          </div>
          <label className="ar-field">
            <span>{t('ar_day_hours')}</span>
            <input type="number" min={0.5} max={24} step={0.5} value={form.working_day_hours} onChange={(e) => set('working_day_hours', Number(e.target.value))} />
          </label>
          <label className="ar-field">
            <span>{t('ar_valid_from')} <small className="dim">({zone})</small></span>
            <input type="datetime-local" value={validFrom} onChange={(e) => setValidFrom(e.target.value)} data-testid="ar-valid-from" />
            <small className="dim">{t('ar_valid_from_hint')}</small>
          </label>
          <label className="ar-field">
            <span>{t('ar_note')}</span>
            <input value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
          </label>
          <div className="ar-actions">
            <button type="button" className="ar-save" disabled={busy} onClick={() => void save()} data-testid="ar-save-calendar">{busy ? t('ar_saving') : t('ar_save')}</button>
            <SaveMessage message={message} problem={problem} />
          </div>
        </div>

        <div className="ar-side">
          <h3>{t('ar_holidays_list')} <small className="dim">{t('ar_years')}: {view.years.join(', ') || t('ar_no_holidays')}</small></h3>
          <ul className="ar-dates" data-testid="ar-holidays">
            {view.holidays.length ? holidayRanges(view.holidays).map((h) => (
              <li key={h.date}><span className="mono">{h.date}{h.days > 1 ? ` – ${h.to.slice(5)}` : ''}</span> {lang === 'en' ? h.name_en ?? h.name_zh : h.name_zh}</li>
            )) : <li className="dim">{t('ar_no_holidays')}</li>}
          </ul>
          {view.workdays.length ? (
            <>
              <h3>{t('ar_workdays_list')}</h3>
              <ul className="ar-dates" data-testid="ar-workdays">
                {view.workdays.map((w) => <li key={w.date}><span className="mono">{w.date}</span> {w.for ?? ''}</li>)}
              </ul>
            </>
          ) : null}
        </div>
      </div>

      <h3>{t('ar_versions')}</h3>
      <table className="ar-table" data-testid="ar-calendar-versions">
        <thead><tr><th>{t('ar_version')}</th><th>{t('ar_valid_from')}</th><th>{t('ar_time_zone')}</th><th>{t('ar_holiday_set')}</th><th>{t('ar_periods')}</th><th>{t('ar_by')}</th><th>{t('ar_note')}</th></tr></thead>
        <tbody>
          {[...view.versions].reverse().map((v) => (
            <tr key={v.version} className={v.version === view.in_force.version ? 'ar-current' : ''}>
              <td className="mono">{v.version}</td>
              <ValidFromCell version={v.version} valid_from={v.valid_from} now={nowMs} />
              <td>{v.time_zone}</td>
              <td>{v.holiday_set}</td>
              <td className="mono">{v.periods.map(([a, b]) => `${a}–${b}`).join(', ')}</td>
              <td>{v.created_by ?? '—'}</td>
              <td className="dim">{v.version === 0 ? t('ar_default_version') : v.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
