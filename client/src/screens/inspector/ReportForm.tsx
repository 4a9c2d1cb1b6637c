// The inspector's report (上报): class, location (map click or the device's position), description, photos; sent with
// one Idempotency-Key per report and retried by itself on network failures (state/report-store.ts).
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Bilingual, useT } from '../../components/Bilingual.js';
import type { MessageKey } from '../../i18n/index.js';
import { CaseStatusChip } from '../../components/case/CaseBits.js';
import { showPoint } from '../../map/map-handle.js';
import { openCase } from '../../state/case-detail-store.js';
import {
  addPhotos, draftProblems, pickPoint, selectDraft, selectDraftActions, selectReportAttempt, selectReportError, selectReportPhase, selectReportResult,
  selectUploadError, selectUploading, submitReport, useReport,
} from '../../state/report-store.js';
import { ClassPicker } from './ClassPicker.js';
import { NearbyComponents, PlaceInfo } from './FieldPlace.js';
import { setPosition } from '../../state/field-store.js';

function useGeolocation() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const locate = () => {
    if (!('geolocation' in navigator)) { setError('geolocation'); return; }
    setBusy(true);
    setError(null);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setBusy(false);
        const { longitude: lon, latitude: lat, accuracy } = pos.coords; // the browser gives WGS84
        setPosition({ lon, lat, accuracy_m: Math.round(accuracy) }); // the map's own-position dot
        void pickPoint({ lon, lat, by: 'gps', accuracy_m: Math.round(accuracy) });
        showPoint(lon, lat, 16);
      },
      (err) => { setBusy(false); setError(err.message || 'geolocation'); },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 5_000 }, // walking, 30 s is ~40 m: more than the 30 m of 'nearby'
    );
  };
  return { busy, error, locate };
}

export function ReportForm() {
  const draft = useReport(selectDraft);
  const phase = useReport(selectReportPhase);
  const attempt = useReport(selectReportAttempt);
  const error = useReport(selectReportError);
  const result = useReport(selectReportResult);
  const uploading = useReport(selectUploading);
  const uploadError = useReport(selectUploadError);
  const { setClass, setDescription, removePhoto, reset } = useReport(useShallow(selectDraftActions));
  const gps = useGeolocation();
  const { t } = useT();
  const problems = draftProblems(draft);
  const sending = phase === 'submitting' || phase === 'retrying';

  if (phase === 'queued') { // no network: kept in the outbox (state/outbox.ts), sent when it returns
    return (
      <div className="report-done" data-testid="report-queued">
        <div className="report-done-icon" aria-hidden="true">⇪</div>
        <h3>{t('of_queued_title')}</h3>
        <p className="dim">{t('of_queued_body')}</p>
        <div className="form-buttons">
          <button type="button" className="action-btn tone-primary" onClick={reset} data-testid="report-another">{t('report_another')}</button>
        </div>
      </div>
    );
  }

  if (phase === 'done' && result) {
    return (
      <div className="report-done" data-testid="report-done">
        <div className="report-done-icon" aria-hidden="true">✓</div>
        <h3>{t('report_done')}</h3>
        <div className="report-done-no mono" data-testid="report-case-no">{result.case_no}</div>
        <div className="report-done-meta"><CaseStatusChip status={result.status} /> <span className="mono dim">{result.grid_code}</span></div>
        {result.possible_duplicates?.length ? (
          <div className="panel-note warning">
            <strong>{t('possible_duplicates')}</strong>
            <ul className="dup-list">
              {result.possible_duplicates.map((d) => <li key={d.id}><span className="mono">{d.case_no}</span> · {d.distance_m} m</li>)}
            </ul>
          </div>
        ) : null}
        <div className="form-buttons">
          <button type="button" className="action-btn tone-secondary" onClick={() => void openCase(result.id)}>{t('view_case')} →</button>
          <button type="button" className="action-btn tone-primary" onClick={reset} data-testid="report-another">{t('report_another')}</button>
        </div>
      </div>
    );
  }

  return (
    <form className="report-form" data-testid="report-form" onSubmit={(e) => { e.preventDefault(); void submitReport(); }}>
      <div className="form-block">
        <h4 className="form-head"><Bilingual k="f_case_class" /><em className="req">*</em></h4>
        <ClassPicker value={draft.cls} onChange={(c) => setClass(c ? { code: c.code, name_zh: c.name_zh, name_en: c.name_en, matter_kind: c.matter_kind } : null)}
          suggested={draft.component ? [draft.component.class_code] : []} />
      </div>

      <div className="form-block">
        <h4 className="form-head"><Bilingual k="f_location" /><em className="req">*</em></h4>
        {draft.point ? (
          <div className="point-readout" data-testid="report-point">
            <span className="mono">{draft.point.lon.toFixed(6)}, {draft.point.lat.toFixed(6)}</span>
            <span className="tag">{t(draft.point.by === 'gps' ? 'loc_by_gps' : 'loc_by_map')}{draft.point.accuracy_m ? ` ±${draft.point.accuracy_m} m` : ''}</span>
            <span className="point-grid mono">{draft.point.grid === undefined ? '…' : draft.point.grid ?? '—'}</span>
          </div>
        ) : <div className="hint-box">{t('loc_hint')}</div>}
        <button type="button" className="action-btn tone-secondary" onClick={gps.locate} disabled={gps.busy}>
          {gps.busy ? <><span className="spinner" /> {t('locating')}</> : <><svg className="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><circle cx="8" cy="8" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.5" /><circle cx="8" cy="8" r="1.6" fill="currentColor" /><path d="M8 0.5v3M8 12.5v3M0.5 8h3M12.5 8h3" stroke="currentColor" strokeWidth="1.5" /></svg> {t('use_gps')}</>}
        </button>
        {gps.error ? <div className="field-error">{t('gps_unavailable')}</div> : null}
        <PlaceInfo />
        <NearbyComponents />
      </div>

      <div className="form-block">
        <h4 className="form-head"><Bilingual k="f_description" /></h4>
        <textarea rows={3} value={draft.description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} data-testid="report-description" />
      </div>

      <div className="form-block">
        <h4 className="form-head"><Bilingual k="f_photos" /></h4>
        <div className="photo-strip">
          {draft.photos.map((p) => (
            <span key={p.id} className="photo-thumb">
              <img src={p.url} alt="" />
              <button type="button" onClick={() => removePhoto(p.id)} aria-label={t('remove')}>×</button>
            </span>
          ))}
          <label className={`photo-add ${uploading ? 'busy' : ''}`}>
            <input type="file" accept="image/jpeg,image/png,image/webp" multiple capture="environment" data-testid="report-photo-input"
              onChange={(e) => { const files = [...(e.target.files ?? [])]; e.target.value = ''; void addPhotos(files); }} />
            {uploading ? <span className="spinner" /> : <span className="plus">＋</span>}
            <span>{uploading ? t('uploading') : t('add_photo')}</span>
          </label>
        </div>
        {uploadError ? <div className="field-error">{t(uploadError as MessageKey)}</div> : null}
      </div>

      {phase === 'retrying' ? <div className="panel-note warning" role="status">{t('retrying')}（{attempt}）{error ? <div className="dim">{error}</div> : null}</div> : null}
      {phase === 'failed' ? <div className="panel-note error" role="alert"><strong>{t('report_failed')}</strong><div data-testid="report-failed-reason">{error ? t(error as MessageKey) : null}</div></div> : null}

      <div className="submit-row">
        {problems.length && !sending ? <span className="dim">{problems.map((p) => t(p)).join(' · ')}</span> : <span />}
        <button type="submit" className="action-btn tone-primary big" disabled={problems.length > 0 || sending || uploading > 0} data-testid="report-submit">
          {sending ? <><span className="spinner" /> {t('submitting')}</> : phase === 'failed' ? t('retry') : t('submit_report')}
        </button>
      </div>
    </form>
  );
}
