// The operator's console (受理台, issue 10): a hotline call is taken here. Left: the caller (name, phone), the place
// (a click on the map, or an address said on the phone), the class, what the caller says, photos. Right: the open
// cases of that class nearby (GET /api/cases/duplicates) shown BEFORE filing, so a call about a known problem is
// attached to that case (filed and merged into it) instead of becoming a second case. Filing carries an
// Idempotency-Key: a retry after a dropped network files nothing twice.
import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react';
import { ScatterplotLayer } from '@deck.gl/layers';
import { ApiError } from '../../api/http.js';
import { fetchNearestPlace } from '../../api/field.js';
import { fetchDuplicates, mergeCase, postHotline, searchPlaces, type DuplicateCandidate, type PlaceMatch } from '../../api/intake.js';
import { PHOTO_TYPES, uploadPhoto } from '../../api/photos.js';
import type { PhotoRef, ReportResult } from '../../api/types.js';
import { useT } from '../../components/Bilingual.js';
import { MapFrame } from '../../components/MapFrame.js';
import { CaseStatusChip, useClassName } from '../../components/case/CaseBits.js';
import { mergeProblem } from '../../components/case/CaseCompare.js';
import { openSearch } from '../../components/case/CaseSearchBox.js';
import type { MessageKey } from '../../i18n/index.js';
import { formatShort } from '../../i18n/format.js';
import type { MapClick, OverlayBuilder } from '../../map/MapView.js';
import { showPoint } from '../../map/map-handle.js';
import { ClassPicker } from '../inspector/ClassPicker.js';
import { useHideComponents } from '../useHideComponents.js';
import { bodyOf, checkDraft, EMPTY_DRAFT, keyFor, type IntakeDraft } from './intake-form.js';
import './intake.css';

/** How far from the caller's place open cases of the class are shown (a place said on the phone is rough), m. */
const DUPLICATE_METERS = 150;

type Outcome =
  | { kind: 'filed'; c: ReportResult }
  | { kind: 'attached'; c: ReportResult; into: DuplicateCandidate }
  | { kind: 'half'; c: ReportResult; into: DuplicateCandidate; problem: MessageKey };

function submitProblem(e: unknown): MessageKey {
  if (!(e instanceof ApiError)) return 'in_err_other';
  if (e.isNetwork) return 'in_err_network';
  if (e.code === 'role_not_allowed') return 'in_err_role';
  if (e.code === 'conflict') return 'in_err_busy';
  const details = (e.details ?? {}) as Record<string, unknown>;
  if ('reporter_phone' in details) return 'in_err_phone';
  if (details.reason === 'outside_district') return 'in_outside';
  return 'in_err_other';
}

function AddressSearch({ onPick }: { onPick: (p: PlaceMatch) => void }) {
  const { t } = useT();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<PlaceMatch[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const text = q.trim();
    if (text.length < 2) { setHits(null); setFailed(false); return; }
    const ac = new AbortController();
    const id = setTimeout(() => {
      searchPlaces(text, ac.signal).then((r) => { setHits(r); setFailed(false); })
        .catch((e) => { if (!(e instanceof DOMException)) { setHits(null); setFailed(true); } });
    }, 250);
    return () => { clearTimeout(id); ac.abort(); };
  }, [q]);
  return (
    <div className="in-address">
      <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('in_address_ph')} aria-label={t('in_address_ph')} data-testid="address-search" />
      {failed ? <div className="field-error" role="alert">{t('in_address_failed')}</div> : null}
      {hits && !hits.length ? <div className="dim in-address-none">{t('in_address_none')}</div> : null}
      {hits?.length ? (
        <ul className="in-address-hits" role="listbox">
          {hits.map((h) => (
            <li key={`${h.name}-${h.lon}`}>
              <button type="button" role="option" aria-selected={false} data-testid="address-hit" onClick={() => { onPick(h); setQ(''); setHits(null); }}>{h.name}</button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function Photos({ photos, onAdd, onRemove }: { photos: PhotoRef[]; onAdd: (p: PhotoRef) => void; onRemove: (id: string) => void }) {
  const { t } = useT();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    setBusy(true);
    setFailed(false);
    try {
      for (const f of files) onAdd(await uploadPhoto(f));
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="in-photos">
      {photos.map((p) => (
        <span key={p.id} className="photo-thumb">
          <img src={p.url} alt="" />
          <button type="button" className="in-photo-x" onClick={() => onRemove(p.id)} aria-label={t('close')}>×</button>
        </span>
      ))}
      <label className={`action-btn in-photo-add ${busy ? 'busy' : ''}`}>
        {busy ? <span className="spinner" /> : '+'} {t('in_add_photo')}
        <input type="file" accept={PHOTO_TYPES.join(',')} multiple hidden onChange={(e) => void pick(e)} disabled={busy} data-testid="photo-input" />
      </label>
      {failed ? <div className="field-error" role="alert">{t('in_photo_failed')}</div> : null}
    </div>
  );
}

function Candidates({ items, meters, status, busy, onAttach }: {
  items: DuplicateCandidate[]; meters: number; status: 'wait' | 'loading' | 'ok' | 'failed'; busy: boolean; onAttach: (c: DuplicateCandidate) => void;
}) {
  const { t } = useT();
  const nameOf = useClassName();
  const [confirm, setConfirm] = useState<string | null>(null);
  useEffect(() => setConfirm(null), [items]);
  return (
    <aside className="side-panel in-dups" data-testid="intake-duplicates">
      <div className="panel-bar"><span className="panel-bar-title">{t('in_dups')}</span>{items.length ? <span className="tag tag-dup">{items.length}</span> : null}</div>
      <div className="in-dups-scroll">
        <p className="dim in-dups-hint">{t('in_dups_hint')}</p>
        {status === 'wait' ? <div className="panel-msg dim">{t('in_dups_wait')}</div> : null}
        {status === 'loading' && !items.length ? <div className="panel-msg"><span className="spinner" /> {t('loading')}</div> : null}
        {status === 'failed' ? <div className="panel-note warning" role="status">{t('in_dups_failed')}</div> : null}
        {status === 'ok' && !items.length ? <div className="panel-msg dim" data-testid="no-duplicates">{t('in_dups_none').replace('{m}', String(meters))}</div> : null}
        <ul className="in-dup-list">
          {items.map((c) => (
            <li key={c.id} className="in-dup" data-testid="intake-duplicate" data-case={c.case_no}>
              <div className="in-dup-top">
                <span className="mono">{c.case_no}</span>
                <CaseStatusChip status={c.status} />
                <span className="grow" />
                <span className="in-dup-dist">{t('in_meters').replace('{m}', String(c.distance_m))}</span>
              </div>
              <div className="in-dup-class">{nameOf(c.class_code)}</div>
              {c.description ? <div className="in-dup-desc long-text">{c.description}</div> : null}
              <div className="dim in-dup-meta">{c.address ?? c.grid_code} · {t('in_reported')} {formatShort(c.created_at)}</div>
              {confirm === c.id ? (
                <div className="in-dup-confirm">
                  <div>{t('in_attach_confirm').replace('{no}', c.case_no)}</div>
                  <div className="in-dup-buttons">
                    <button type="button" className="action-btn tone-primary" disabled={busy} onClick={() => onAttach(c)} data-testid="attach-confirm">{busy ? t('in_submitting') : t('in_attach')}</button>
                    <button type="button" className="action-btn" disabled={busy} onClick={() => setConfirm(null)}>{t('cancel')}</button>
                  </div>
                </div>
              ) : (
                <div className="in-dup-buttons">
                  <button type="button" className="action-btn" disabled={busy} onClick={() => setConfirm(c.id)} data-testid="attach">{t('in_attach')}</button>
                  <button type="button" className="link-btn" onClick={() => openSearch(c.case_no)}>{t('in_open_case')}</button>
                </div>
              )}
            </li>
          ))}
        </ul>
      </div>
    </aside>
  );
}

export function IntakeScreen() {
  const { t } = useT();
  const [draft, setDraft] = useState<IntakeDraft>(EMPTY_DRAFT);
  const [photos, setPhotos] = useState<PhotoRef[]>([]);
  const [placeBusy, setPlaceBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<MessageKey | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [dups, setDups] = useState<{ status: 'wait' | 'loading' | 'ok' | 'failed'; items: DuplicateCandidate[]; meters: number }>({ status: 'wait', items: [], meters: DUPLICATE_METERS });
  const last = useRef<{ key: string; body: string } | null>(null);
  const check = checkDraft(draft);
  useHideComponents(); // the call's place and the open cases, not every manhole cover
  const set = (patch: Partial<IntakeDraft>) => { setDraft((d) => ({ ...d, ...patch })); setProblem(null); };

  // Possible duplicates as soon as the place and the class are known.
  const { place, cls } = draft;
  useEffect(() => {
    if (!place || !cls) { setDups({ status: 'wait', items: [], meters: DUPLICATE_METERS }); return; }
    const ac = new AbortController();
    setDups((s) => ({ ...s, status: 'loading' }));
    fetchDuplicates({ lon: place.lon, lat: place.lat, class_code: cls.code, meters: DUPLICATE_METERS }, ac.signal)
      .then((r) => setDups({ status: 'ok', items: r.items, meters: r.meters }))
      .catch((e) => { if (!(e instanceof DOMException)) setDups({ status: 'failed', items: [], meters: DUPLICATE_METERS }); });
    return () => ac.abort();
  }, [place, cls]);

  const choosePoint = useCallback(async (lon: number, lat: number, name: string | null) => {
    setDraft((d) => ({ ...d, place: { lon, lat, address: name, grid_code: null, checked: false } }));
    setPlaceBusy(true);
    try {
      const p = await fetchNearestPlace(lon, lat);
      setDraft((d) => ({ ...d, place: { lon, lat, address: name ?? p.road?.name ?? null, grid_code: p.grid?.code ?? null, checked: true } }));
    } catch {
      // unchecked: the server checks the grid again on filing
    } finally {
      setPlaceBusy(false);
    }
  }, []);

  const onClick = useCallback((click: MapClick) => { void choosePoint(click.lngLat[0], click.lngLat[1], null); return true; }, [choosePoint]);
  const overlay = useCallback<OverlayBuilder>(() => [
    new ScatterplotLayer<DuplicateCandidate>({
      id: 'intake-duplicates', data: dups.items, getPosition: (c) => [c.lon, c.lat], radiusUnits: 'pixels', getRadius: 8,
      getFillColor: [255, 176, 32, 230], getLineColor: [10, 17, 28, 255], lineWidthUnits: 'pixels', getLineWidth: 2, stroked: true,
    }),
    ...(place ? [new ScatterplotLayer<{ p: [number, number] }>({
      id: 'intake-place', data: [{ p: [place.lon, place.lat] }], getPosition: (d) => d.p, radiusUnits: 'pixels', getRadius: 10,
      getFillColor: [56, 208, 224, 255], getLineColor: [255, 255, 255, 255], lineWidthUnits: 'pixels', getLineWidth: 3, stroked: true,
    })] : []),
  ], [dups.items, place]);

  const file = async (into: DuplicateCandidate | null) => {
    setTried(true);
    if (check.missing.length || check.phone_error || check.outside) return;
    const body = bodyOf(draft);
    last.current = keyFor(last.current, body, () => crypto.randomUUID());
    setBusy(true);
    setProblem(null);
    let filed: ReportResult | null = null;
    try {
      filed = await postHotline(body, last.current.key);
      if (!into) { setOutcome({ kind: 'filed', c: filed }); return; }
      await mergeCase(filed.id, into.id, filed.version, t('in_title'));
      setOutcome({ kind: 'attached', c: filed, into });
    } catch (e) {
      if (filed && into) setOutcome({ kind: 'half', c: filed, into, problem: mergeProblem(e) });
      else setProblem(submitProblem(e));
    } finally {
      setBusy(false);
    }
  };

  const retryAttach = async (o: Extract<Outcome, { kind: 'half' }>) => {
    setBusy(true);
    try {
      await mergeCase(o.c.id, o.into.id, o.c.version, t('in_title'));
      setOutcome({ kind: 'attached', c: o.c, into: o.into });
    } catch (e) {
      setOutcome({ ...o, problem: mergeProblem(e) });
    } finally {
      setBusy(false);
    }
  };

  const next = () => {
    setDraft(EMPTY_DRAFT); setPhotos([]); setTried(false); setProblem(null); setOutcome(null); last.current = null;
  };

  const need = useMemo(() => check.missing.map((k) => t(k)).join('、'), [check.missing, t]);
  return (
    <main className="app-body intake" data-testid="intake">
      <aside className="side-panel in-form">
        <div className="panel-bar"><span className="panel-bar-title">{t('in_title')}</span></div>
        {outcome ? (
          <div className="in-outcome" data-testid="intake-outcome" data-kind={outcome.kind}>
            <div className={`panel-note ${outcome.kind === 'half' ? 'warning' : 'info'}`} role="status">
              {outcome.kind === 'filed' ? <strong>{t('in_filed')} <span className="mono" data-testid="filed-case-no">{outcome.c.case_no}</span></strong> : null}
              {outcome.kind === 'attached' ? <strong>{t('in_attached')} <span className="mono" data-testid="attached-case-no">{outcome.into.case_no}</span></strong> : null}
              {outcome.kind === 'half' ? (
                <>
                  <strong>{t('in_attach_half')}{t(outcome.problem)}</strong>
                  <span>{t('in_filed')} <span className="mono">{outcome.c.case_no}</span></span>
                  <button type="button" className="action-btn" disabled={busy} onClick={() => void retryAttach(outcome)}>{t('in_attach_retry')}</button>
                </>
              ) : null}
            </div>
            <div className="in-outcome-buttons">
              <button type="button" className="action-btn tone-primary big" onClick={next} data-testid="next-call">{t('in_next_call')}</button>
              <button type="button" className="action-btn" onClick={() => openSearch(outcome.kind === 'attached' ? outcome.into.case_no : outcome.c.case_no)}>{t('in_open_case')}</button>
            </div>
          </div>
        ) : (
          <form className="in-scroll" onSubmit={(e) => { e.preventDefault(); void file(null); }} noValidate>
            <fieldset className="in-block">
              <legend>{t('in_caller')}</legend>
              <label className="in-field"><span>{t('in_name')}</span>
                <input value={draft.name} maxLength={100} onChange={(e) => set({ name: e.target.value })} placeholder={t('in_name_ph')} data-testid="caller-name" autoComplete="off" />
              </label>
              <label className={`in-field ${check.phone_error && (tried || draft.phone.length > 6) ? 'has-error' : ''}`}><span>{t('in_phone')}</span>
                <input value={draft.phone} maxLength={30} inputMode="tel" onChange={(e) => set({ phone: e.target.value })} placeholder={t('in_phone_ph')} data-testid="caller-phone" autoComplete="off" />
                {check.phone_error && (tried || draft.phone.length > 6)
                  ? <span className="field-error" role="alert" data-testid="phone-error">{t('in_err_phone')}</span>
                  : <span className="dim in-hint">{t('in_phone_hint')}</span>}
              </label>
            </fieldset>
            <fieldset className="in-block">
              <legend>{t('in_place')}<em className="req">*</em></legend>
              <AddressSearch onPick={(p) => { showPoint(p.lon, p.lat, 16); void choosePoint(p.lon, p.lat, p.name); }} />
              <div className={`in-place ${check.outside ? 'has-error' : ''}`} data-testid="intake-place">
                {placeBusy ? <span className="spinner" /> : null}
                {place ? (
                  <>
                    <span>{place.address ?? '—'}</span>
                    {place.grid_code ? <span className="mono dim">{t('in_grid')} {place.grid_code}</span> : null}
                    <span className="mono dim">{place.lon.toFixed(6)}, {place.lat.toFixed(6)}</span>
                  </>
                ) : <span className="dim">{t('in_place_hint')}</span>}
                {check.outside ? <span className="field-error" role="alert">{t('in_outside')}</span> : null}
              </div>
            </fieldset>
            <fieldset className="in-block in-class">
              <legend>{t('in_class')}<em className="req">*</em></legend>
              <ClassPicker value={cls} onChange={(c) => set({ cls: c ? { code: c.code, name_zh: c.name_zh, name_en: c.name_en, matter_kind: c.matter_kind } : null })} />
            </fieldset>
            <fieldset className="in-block">
              <legend>{t('in_description')}<em className="req">*</em></legend>
              <textarea value={draft.description} maxLength={2000} rows={4} onChange={(e) => set({ description: e.target.value })} placeholder={t('in_description_ph')} data-testid="intake-description" />
              <label className="in-check"><input type="checkbox" checked={draft.urgent} onChange={(e) => set({ urgent: e.target.checked })} /> {t('in_urgent')}</label>
            </fieldset>
            <fieldset className="in-block">
              <legend>{t('in_photos')}</legend>
              <Photos photos={photos} onAdd={(p) => { setPhotos((xs) => [...xs, p]); setDraft((d) => ({ ...d, photo_ids: [...d.photo_ids, p.id] })); }}
                onRemove={(id) => { setPhotos((xs) => xs.filter((p) => p.id !== id)); setDraft((d) => ({ ...d, photo_ids: d.photo_ids.filter((x) => x !== id) })); }} />
            </fieldset>
            <div className="in-submit">
              {tried && check.missing.length ? <div className="field-error" role="alert" data-testid="intake-missing">{t('in_need')}{need}</div> : null}
              {problem ? <div className="panel-note error" role="alert" data-testid="intake-problem">{t('in_failed')}{t(problem)}</div> : null}
              <button type="submit" className="action-btn tone-primary big" disabled={busy} data-testid="intake-submit">{busy ? t('in_submitting') : t('in_submit')}</button>
            </div>
          </form>
        )}
      </aside>
      <MapFrame overlay={overlay} onClick={onClick} cursor="crosshair" wholeDistrict />
      <Candidates items={outcome ? [] : dups.items} meters={dups.meters} status={outcome ? 'wait' : dups.status} busy={busy} onAttach={(c) => void file(c)} />
    </main>
  );
}
