// Buttons for the actions the server says this user may take now (available_actions). Dispatch is one click to the
// suggested department (named on the button), with a picker for another; verify and check are two buttons each
// (found / not found, fixed / rework); actions that need more (a reason, hours, a closing type, after-photos) open a
// small form. The rules' required and optional fields come from the pure workflow table.
import { useState, type FormEvent } from 'react';
import { CLOSING_TYPES, type FieldName } from '../../../../server/domain/workflow.js';
import { formFieldsOf, toneOf } from './action-forms.js';
import type { ActionFields } from '../../api/cases.js';
import type { CaseAction, CaseDetail, ClosingType, PhotoRef } from '../../api/types.js';
import { actionKey, tOr, type MessageKey } from '../../i18n/index.js';
import { performAction, selectActing, useCaseDetail } from '../../state/case-detail-store.js';
import { departmentName, selectDepartmentList, useReference } from '../../state/reference-store.js';
import { uploadFiles } from '../../state/photo-upload.js';
import type { StoredPhoto } from '../../state/field-db.js';
import { newIdempotencyKey } from '../../state/report-store.js';
import { useT } from '../Bilingual.js';
import { useDepartmentName } from './CaseBits.js';

function ActionButton({ action, label, onClick, tone, disabled, testId }: {
  action: CaseAction; label: string; onClick: () => void; tone?: string; disabled?: boolean; testId?: string;
}) {
  const acting = useCaseDetail(selectActing);
  return (
    <button
      type="button"
      className={`action-btn tone-${tone ?? toneOf(action)}`}
      onClick={onClick}
      disabled={disabled || acting !== null}
      data-testid={testId ?? `action-${action}`}
    >
      {acting === action ? <span className="spinner" /> : null}
      {label}
    </button>
  );
}

function DispatchControl({ detail }: { detail: CaseDetail }) {
  const { t, lang } = useT();
  // Deactivated departments keep their names on old cases but are never offered (the server refuses them too).
  const departments = useReference(selectDepartmentList).filter((d) => d.active !== false);
  const active = (id: number | null | undefined) => id != null && departments.some((d) => d.id === Number(id));
  const deptOf = useDepartmentName();
  const [picking, setPicking] = useState(false);
  const [other, setOther] = useState<number | ''>('');
  // Rework goes back to the same department by default (the server does the same when no department is named).
  const rework = (detail.rework_count ?? 0) > 0 && detail.department_id != null;
  const preferred = rework ? detail.department_id! : detail.suggested_department_id ?? null;
  const target = active(preferred) ? Number(preferred) : null;
  return (
    <div className="dispatch-control">
      <div className="split-btn">
        <ActionButton
          action="dispatch"
          tone="primary"
          disabled={target === null}
          label={target === null ? t('no_suggestion') : `${t('dispatch_to')} ${deptOf(target)}`}
          onClick={() => void performAction('dispatch', {})}
        />
        <button type="button" className="action-btn tone-primary split-toggle" aria-label={t('dispatch_other')} title={t('dispatch_other')}
          aria-expanded={picking || target === null} onClick={() => setPicking(!picking)} data-testid="dispatch-other">▾</button>
      </div>
      {target !== null ? <div className="dispatch-hint">{rework ? t('rework') : t('suggested')}: {deptOf(target)}</div> : null}
      {picking || target === null ? (
        <div className="dispatch-pick">
          <select value={other} onChange={(e) => setOther(e.target.value ? Number(e.target.value) : '')} data-testid="dispatch-select" aria-label={t('dispatch_other')}>
            <option value="">{t('choose_department')}</option>
            {departments.map((d) => (
              <option key={d.id} value={d.id}>{departmentName(d.name, lang)}{d.id === target ? ` (${t('suggested')})` : ''}</option>
            ))}
          </select>
          <ActionButton action="dispatch" tone="primary" testId="dispatch-confirm" disabled={other === ''} label={t('act_dispatch')}
            onClick={() => { if (other !== '') void performAction('dispatch', { department_id: other }).then((ok) => ok && setPicking(false)); }} />
        </div>
      ) : null}
    </div>
  );
}

/** A photo taken when the upload found no network: kept on the phone, sent with the result (state/outbox.ts). */
type WaitingPhoto = StoredPhoto & { url: string };

function PhotoField({ photos, onChange, onOffline }: {
  photos: PhotoRef[]; onChange: (p: PhotoRef[]) => void; onOffline?: (files: Blob[]) => void;
}) {
  const { t } = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="photo-field">
      <div className="photo-strip">
        {photos.map((p) => (
          <span key={p.id} className="photo-thumb">
            <img src={p.url} alt="" />
            <button type="button" onClick={() => onChange(photos.filter((x) => x.id !== p.id))} aria-label={t('remove')}>×</button>
          </span>
        ))}
        <label className={`photo-add ${busy ? 'busy' : ''}`}>
          <input type="file" accept="image/jpeg,image/png,image/webp" multiple capture="environment" data-testid="action-photo-input"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              if (!files.length) return;
              setBusy(true);
              setError(null);
              void uploadFiles(files).then((r) => {
                onChange([...photos, ...r.photos.filter((p) => !photos.some((x) => x.id === p.id))]);
                if (r.offline.length && onOffline) onOffline(r.offline);
                if (r.errors.length || (r.offline.length && !onOffline)) setError(t('fd_photo_failed')); // never the server's or the network's own text
                setBusy(false);
              });
            }} />
          {busy ? <span className="spinner" /> : <span className="plus">＋</span>}
          <span>{busy ? t('uploading') : t('add_photo')}</span>
        </label>
      </div>
      {error ? <div className="field-error">{error}</div> : null}
    </div>
  );
}

/**
 * 核查 (check): the inspector's photos of the site go with either answer; a failed check (rework) needs at least one
 * (workflow.ts: 422 without), so "not fixed" waits for a photo.
 */
function CheckControl({ label }: { label: string }) {
  const { t } = useT();
  const [photos, setPhotos] = useState<PhotoRef[]>([]);
  const [waiting, setWaiting] = useState<WaitingPhoto[]>([]); // taken in a basement: they go with the result
  const ids = photos.map((p) => p.id);
  const keep = (files: Blob[]) => void Promise.all(files.map(async (f): Promise<WaitingPhoto> => ({
    id: newIdempotencyKey(), type: f.type, bytes: await f.arrayBuffer(), url: URL.createObjectURL(f),
  }))).then((more) => setWaiting((w) => [...w, ...more]));
  const drop = (id: string) => setWaiting((w) => w.filter((p) => { if (p.id === id) URL.revokeObjectURL(p.url); return p.id !== id; }));
  const send = (passed: boolean) => void performAction('check', { passed, ...(ids.length ? { photo_ids: ids } : {}) }, undefined,
    waiting.map(({ id, type, bytes }) => ({ id, type, bytes })))
    .then((ok) => { if (ok) { setPhotos([]); waiting.forEach((p) => URL.revokeObjectURL(p.url)); setWaiting([]); } });
  const any = photos.length + waiting.length > 0;
  return (
    <div className="check-control" data-testid="check-control">
      <div className="form-row"><span className="form-label">{t('fd_check_photo')}</span><PhotoField photos={photos} onChange={setPhotos} onOffline={keep} /></div>
      {waiting.length ? (
        <div className="photo-strip" data-testid="check-photos-waiting">
          {waiting.map((p) => (
            <span key={p.id} className="photo-thumb waiting" title={t('fd_photo_waiting')}>
              <img src={p.url} alt="" />
              <button type="button" onClick={() => drop(p.id)} aria-label={t('remove')}>×</button>
            </span>
          ))}
          <span className="dim">{t('fd_photo_waiting')}</span>
        </div>
      ) : null}
      <span className="btn-pair">
        <ActionButton action="check" tone="primary" testId="action-check-passed" label={`${label}：${t('passed_yes')}`} onClick={() => send(true)} />
        <ActionButton action="check" tone="danger" testId="action-check-failed" label={t('passed_no')} disabled={!any} onClick={() => send(false)} />
      </span>
      {!any ? <div className="dim" data-testid="check-photo-needed">{t('fd_check_photo_needed')}</div> : null}
    </div>
  );
}

const FIELD_LABEL: Partial<Record<FieldName, MessageKey>> = {
  hours: 'f_hours', reason: 'f_reason', closing_type: 'f_closing_type', photo_ids: 'f_after_photos', note: 'f_note',
};

function ActionForm({ action, detail, onDone }: { action: CaseAction; detail: CaseDetail; onDone: () => void }) {
  const { t, lang } = useT();
  const fields = formFieldsOf(action);
  const acting = useCaseDetail(selectActing);
  const [hours, setHours] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [closing, setClosing] = useState<ClosingType>((detail as { handled_late?: boolean }).handled_late ? 'overdue' : 'normal');
  const [photos, setPhotos] = useState<PhotoRef[]>([]);
  const has = (f: FieldName) => fields.find((x) => x.name === f);
  const missing = fields.filter((f) => f.required && (
    (f.name === 'hours' && !(Number(hours) > 0)) || (f.name === 'reason' && !reason.trim()) || (f.name === 'photo_ids' && !photos.length)));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (missing.length) return;
    const out: ActionFields = {};
    if (has('hours') && hours) out.hours = Number(hours);
    if (has('reason') && reason.trim()) out.reason = reason.trim();
    if (has('closing_type')) out.closing_type = closing;
    if (has('photo_ids') && photos.length) out.photo_ids = photos.map((p) => p.id);
    if (note.trim()) out.note = note.trim();
    void performAction(action, out).then((ok) => { if (ok) onDone(); });
  };

  const label = (f: { name: FieldName; required: boolean }) => (
    <span className="form-label">{t(FIELD_LABEL[f.name] ?? 'f_note')}{f.required ? <em className="req">*</em> : null}</span>
  );

  return (
    <form className="action-form" onSubmit={submit} data-testid={`form-${action}`}>
      <div className="action-form-title">{tOr(lang, actionKey(action), action)}</div>
      {fields.map((f) => {
        switch (f.name) {
          case 'hours':
            return <label key={f.name}>{label(f)}<input type="number" min="0.5" step="0.5" value={hours} onChange={(e) => setHours(e.target.value)} data-testid="field-hours" /></label>;
          case 'reason':
            return <label key={f.name}>{label(f)}<textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="field-reason" /></label>;
          case 'closing_type':
            return (
              <label key={f.name}>{label(f)}
                <select value={closing} onChange={(e) => setClosing(e.target.value as ClosingType)} data-testid="field-closing-type">
                  {CLOSING_TYPES.map((c) => <option key={c} value={c}>{t(`closing_${c}`)}</option>)}
                </select>
              </label>
            );
          case 'photo_ids':
            return <div key={f.name} className="form-row">{label(f)}<PhotoField photos={photos} onChange={setPhotos} /></div>;
          case 'note':
            return <label key={f.name}>{label(f)}<textarea rows={2} value={note} onChange={(e) => setNote(e.target.value)} data-testid="field-note" /></label>;
          default:
            return null;
        }
      })}
      <div className="form-buttons">
        <button type="button" className="action-btn tone-secondary" onClick={onDone}>{t('cancel')}</button>
        <button type="submit" className={`action-btn tone-${toneOf(action)}`} disabled={missing.length > 0 || acting !== null} data-testid="form-submit">
          {acting === action ? <><span className="spinner" /> {t('sending')}</> : t('confirm')}
        </button>
      </div>
    </form>
  );
}

export function ActionBar({ detail }: { detail: CaseDetail }) {
  const { t, lang } = useT();
  const [form, setForm] = useState<CaseAction | null>(null);
  const actions = [...detail.available_actions].sort((a, b) => {
    const r = (x: CaseAction) => (toneOf(x) === 'primary' ? 0 : toneOf(x) === 'secondary' ? 1 : 2);
    return r(a) - r(b);
  });
  if (!actions.length) return <div className="no-actions">{t('no_actions')}</div>;
  const name = (a: CaseAction) => tOr(lang, actionKey(a), a);
  const hours = detail.pending_extension_hours;

  return (
    <div className="action-bar" data-testid="action-bar">
      <div className="action-buttons">
        {actions.map((a) => {
          if (a === 'dispatch') return <DispatchControl key={a} detail={detail} />;
          if (a === 'verify') {
            return (
              <span key={a} className="btn-pair">
                <ActionButton action={a} tone="primary" testId="action-verify-found" label={`${name(a)}：${t('found_yes')}`} onClick={() => void performAction(a, { found: true })} />
                <ActionButton action={a} tone="secondary" testId="action-verify-not-found" label={t('found_no')} onClick={() => void performAction(a, { found: false })} />
              </span>
            );
          }
          if (a === 'check') return <CheckControl key={a} label={name(a)} />;
          const label = a === 'approve_extension' && hours ? `${name(a)}（${hours}${t('hours_unit')}）` : name(a);
          const needsForm = formFieldsOf(a).length > 0;
          return (
            <ActionButton key={a} action={a} label={needsForm ? `${label}…` : label}
              onClick={() => (needsForm ? setForm(form === a ? null : a) : void performAction(a, {}))} />
          );
        })}
      </div>
      {form && detail.available_actions.includes(form) ? <ActionForm key={`${form}-${detail.id}`} action={form} detail={detail} onDone={() => setForm(null)} /> : null}
    </div>
  );
}
