// Admin console, Imports: upload a GeoJSON or CSV file of components or past cases, choose the defaults, watch the
// job's progress (polled), then see the rejected rows and download all of them as CSV. A retried upload carries the
// same Idempotency-Key, so it never imports twice.
import { useCallback, useEffect, useRef, useState } from 'react';
import { downloadRejected, getImport, listClassDefaults, listImports, startImport, type ClassDefault, type ImportJob, type ImportKind } from '../../api/admin.js';
import { ApiError } from '../../api/http.js';
import { useT } from '../../components/Bilingual.js';
import type { MessageKey } from '../../i18n/index.js';
import { formatFull } from '../../i18n/format.js';
import { newIdempotencyKey } from '../../state/report-store.js';
import { selectToken, useSession } from '../../state/session-store.js';
import { adminErrorKey } from './admin-errors.js';
import { rejectionText } from '../../../../server/domain/import/reasons.js';

const POLL_MS = 700;

/** The media type the server expects for a file, by its name; null when it is neither CSV nor GeoJSON. */
export function importContentType(name: string): string | null {
  const n = name.toLowerCase();
  if (n.endsWith('.csv')) return 'text/csv';
  if (n.endsWith('.geojson') || n.endsWith('.json')) return 'application/geo+json';
  return null;
}

type Form = {
  class_code: string; id_field: string; source: string; lon_field: string; lat_field: string;
  source_system: string; map: string; type_map: string; time_zone: string;
};
const EMPTY: Form = { class_code: '', id_field: 'id', source: '', lon_field: '', lat_field: '', source_system: '', map: '', type_map: '', time_zone: '' };

const opt = (s: string) => (s.trim() ? s.trim() : undefined);

function Counts({ job }: { job: ImportJob }) {
  const { t } = useT();
  const c = job.result ?? job.progress;
  if (!c) return null;
  return (
    <div className="adm-counts" data-testid="admin-import-counts">
      <div><b data-count="rows">{c.rows}</b><span>{t('adm_imp_rows')}</span></div>
      <div><b data-count="imported">{c.imported}</b><span>{t('adm_imp_imported')}</span></div>
      <div><b data-count="updated">{c.updated}</b><span>{t('adm_imp_updated')}</span></div>
      <div><b data-count="rejected">{c.rejected}</b><span>{t('adm_imp_rejected')}</span></div>
    </div>
  );
}

function JobView({ job }: { job: ImportJob }) {
  const { t, lang } = useT();
  const token = useSession(selectToken);
  const [error, setError] = useState<MessageKey | null>(null);
  const pct = job.status === 'running'
    ? (job.progress?.total_bytes ? Math.min(99, Math.round((job.progress.bytes / job.progress.total_bytes) * 100)) : 5)
    : 100;
  const download = async () => {
    setError(null);
    try {
      const { blob, name } = await downloadRejected(job.id, token, lang);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url; a.download = name ?? `rejected-${job.id.slice(0, 8)}.csv`;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) { setError(adminErrorKey(e, 'import')); }
  };
  const statusKey: MessageKey = job.status === 'running' ? 'adm_imp_running' : job.status === 'done' ? 'adm_imp_done' : 'adm_imp_failed';
  const failure: MessageKey | null = job.status !== 'failed' ? null
    : job.error?.code === 'interrupted' ? 'adm_imp_interrupted' : job.error?.code === 'internal' ? 'adm_err_other' : 'adm_imp_file_refused';
  return (
    <div className="adm-card" data-testid="admin-import-job" data-status={job.status}>
      <div className="adm-row">
        <h3 className="grow">{job.file_name ?? job.id} · {t(job.kind === 'components' ? 'adm_imp_components' : 'adm_imp_cases')}</h3>
        <span className={`adm-tag ${job.status === 'failed' ? 'off' : job.status === 'done' ? 'on' : ''}`}>{t(statusKey)}</span>
      </div>
      <div className="adm-progress" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}><i style={{ width: `${pct}%` }} /></div>
      <Counts job={job} />
      {failure ? <p className="adm-error" role="alert">{t(failure)}</p> : null}
      {error ? <p className="adm-error" role="alert">{t(error)}</p> : null}
      {job.status === 'done' ? (
        job.result && job.result.rejected > 0 ? (
          <>
            <div className="adm-row">
              <h3 className="grow">{t('adm_imp_rejected_rows')} ({job.result.rejected})</h3>
              <button type="button" className="adm-btn" onClick={() => void download()} data-testid="admin-import-download">{t('adm_imp_download')}</button>
            </div>
            <div className="adm-table-wrap" style={{ maxHeight: 260 }}>
              <table className="adm-table" data-testid="admin-import-rejected">
                <thead><tr><th className="num">{t('adm_imp_row')}</th><th>{t('adm_imp_reason')}</th></tr></thead>
                <tbody>{job.rejected_preview.map((r) => (
                  // The reason in the UI's language from its code and params; the importer's English sentence on hover.
                  <tr key={r.row}><td className="num">{r.row}</td><td title={r.reason}><span className="adm-tag">{r.reason_code ?? r.code}</span>{rejectionText(lang, { code: r.reason_code ?? r.code, params: r.params, reason: r.reason })}</td></tr>
                ))}</tbody>
              </table>
            </div>
            {job.result.rejected > job.rejected_preview.length ? <p className="adm-note">{t('adm_imp_more')}</p> : null}
          </>
        ) : <p className="adm-ok">{t('adm_imp_no_rejected')}</p>
      ) : null}
    </div>
  );
}

export function ImportsPanel() {
  const { t } = useT();
  const [kind, setKind] = useState<ImportKind>('components');
  const [file, setFile] = useState<File | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [classes, setClasses] = useState<ClassDefault[]>([]);
  const [jobs, setJobs] = useState<ImportJob[]>([]);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);
  const key = useRef<string | null>(null);

  const loadJobs = useCallback(async () => {
    try { setJobs((await listImports()).items); } catch (e) { setError(adminErrorKey(e)); }
  }, []);
  useEffect(() => {
    void loadJobs();
    listClassDefaults('component').then((r) => setClasses(r.items), (e) => setError(adminErrorKey(e)));
  }, [loadJobs]);

  // Poll the open job while it runs.
  useEffect(() => {
    if (!job || job.status !== 'running') return;
    const ctl = new AbortController();
    const id = setTimeout(() => {
      getImport(job.id, ctl.signal).then((j) => { setJob(j); if (j.status !== 'running') void loadJobs(); },
        (e) => { if (!(e instanceof DOMException)) setError(adminErrorKey(e, 'import')); });
    }, POLL_MS);
    return () => { clearTimeout(id); ctl.abort(); };
  }, [job, loadJobs]);

  const set = (k: keyof Form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const start = async () => {
    setError(null);
    if (!file) { setError('adm_imp_pick_file'); return; }
    const type = importContentType(file.name);
    if (!type) { setError('adm_imp_bad_type'); return; }
    if (kind === 'components' ? !form.class_code || !form.id_field.trim() : !form.source_system.trim() || !form.map.trim() || !form.type_map.trim()) {
      setError('adm_imp_need_fields'); return;
    }
    const query = kind === 'components'
      ? { class_code: form.class_code, id_field: form.id_field.trim(), source: opt(form.source), lon_field: opt(form.lon_field), lat_field: opt(form.lat_field), file_name: file.name }
      : { source_system: form.source_system.trim(), map: form.map.trim(), type_map: form.type_map.trim(), time_zone: opt(form.time_zone), file_name: file.name };
    key.current ??= newIdempotencyKey(); // the same key until this upload is answered: a retry returns the same job
    setUploading(true);
    try {
      const j = await startImport(kind, file, type, query, key.current);
      key.current = null;
      setJob(j);
      void loadJobs();
    } catch (e) {
      if (!(e instanceof ApiError && e.isNetwork)) key.current = null; // a network failure keeps the key: the retry may replay
      setError(adminErrorKey(e, 'import'));
    } finally { setUploading(false); }
  };

  return (
    <section className="adm-panel" data-testid="admin-imports">
      {error ? <p className="adm-error" role="alert">{t(error)}</p> : null}
      <div className="adm-cols">
        <form className="adm-card" onSubmit={(e) => { e.preventDefault(); void start(); }}>
          <div className="adm-field"><span>{t('adm_imp_kind')}</span>
            <div className="adm-roles" role="radiogroup">
              {(['components', 'cases'] as const).map((k) => (
                <label key={k}><input type="radio" name="import-kind" checked={kind === k} onChange={() => { setKind(k); key.current = null; }} />{t(k === 'components' ? 'adm_imp_components' : 'adm_imp_cases')}</label>
              ))}
            </div></div>
          <label className="adm-field"><span>{t('adm_imp_file')} *</span>
            <input type="file" name="import-file" accept=".csv,.geojson,.json,text/csv,application/geo+json" onChange={(e) => { setFile(e.target.files?.[0] ?? null); key.current = null; }} />
            <small>{t('adm_imp_file_hint')}</small></label>
          {kind === 'components' ? (
            <>
              <label className="adm-field"><span>{t('adm_imp_class')} *</span>
                <select name="class_code" value={form.class_code} onChange={set('class_code')}>
                  <option value="">—</option>
                  {classes.map((c) => <option key={c.class_code} value={c.class_code}>{c.class_code} {c.name_zh}{c.name_en ? ` · ${c.name_en}` : ''}</option>)}
                </select></label>
              <div className="adm-row">
                <label className="adm-field grow"><span>{t('adm_imp_id_field')} *</span><input name="id_field" value={form.id_field} onChange={set('id_field')} /></label>
                <label className="adm-field grow"><span>{t('adm_imp_source')}</span><input name="source" value={form.source} placeholder="city:hydrants" onChange={set('source')} /></label>
              </div>
              <div className="adm-row">
                <label className="adm-field grow"><span>{t('adm_imp_lon_field')}</span><input value={form.lon_field} placeholder="lon" onChange={set('lon_field')} /></label>
                <label className="adm-field grow"><span>{t('adm_imp_lat_field')}</span><input value={form.lat_field} placeholder="lat" onChange={set('lat_field')} /></label>
              </div>
            </>
          ) : (
            <>
              <label className="adm-field"><span>{t('adm_imp_source_system')} *</span><input value={form.source_system} placeholder="boston311" onChange={set('source_system')} /></label>
              <label className="adm-field"><span>{t('adm_imp_map')} *</span><input value={form.map} placeholder="source_id=case_id,type=type,opened=open_dt,lon=longitude,lat=latitude" onChange={set('map')} /></label>
              <label className="adm-field"><span>{t('adm_imp_type_map')} *</span><input value={form.type_map} placeholder="boston311-types" onChange={set('type_map')} /></label>
              <label className="adm-field"><span>{t('adm_imp_time_zone')}</span><input value={form.time_zone} placeholder="America/New_York" onChange={set('time_zone')} /></label>
            </>
          )}
          <div className="adm-row">
            <button type="submit" className="adm-btn primary" disabled={uploading || job?.status === 'running'} data-testid="admin-import-start">{uploading ? t('adm_imp_uploading') : t('adm_imp_start')}</button>
          </div>
        </form>
        <div className="adm-panel" style={{ padding: 0 }}>
          {job ? <JobView job={job} /> : null}
          <div className="adm-card">
            <h3>{t('adm_imp_history')}</h3>
            {jobs.length === 0 ? <p className="adm-note">{t('adm_empty')}</p> : (
              <table className="adm-table">
                <tbody>{jobs.map((j) => (
                  <tr key={j.id} className={job?.id === j.id ? 'selected' : ''}>
                    <td>{formatFull(j.created_at)}</td>
                    <td><button type="button" className="link-btn" onClick={() => void getImport(j.id).then(setJob, (e) => setError(adminErrorKey(e)))}>{j.file_name ?? j.id.slice(0, 8)}</button></td>
                    <td>{t(j.kind === 'components' ? 'adm_imp_components' : 'adm_imp_cases')}</td>
                    <td><span className={`adm-tag ${j.status === 'failed' ? 'off' : j.status === 'done' ? 'on' : ''}`}>{t(j.status === 'running' ? 'adm_imp_running' : j.status === 'done' ? 'adm_imp_done' : 'adm_imp_failed')}</span></td>
                    <td className="num">{j.result ? `${j.result.imported + j.result.updated} / ${j.result.rows}` : ''}</td>
                  </tr>
                ))}</tbody>
              </table>
            )}
          </div>
        </div>
      </div>
    </section>
  );
}
