// The public report page (/public/report, issue 11 §Public web): no login, phone first. Where (a tap on the map, the
// phone's position, or an address), what (the standard's classes in plain words, with a search), details and up to
// 3 photos, an optional contact. While the person fills it in, the page earns its upload ticket (a proof of work
// solved in a Web Worker, ~0.5 s). Sending carries an Idempotency-Key kept while the report is unchanged, so a retry
// after a dropped connection reports nothing twice. The answer: the report number and the private tracking code.
import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react';
import { ScatterplotLayer } from '@deck.gl/layers';
import { fetchNearestPlace } from '../../api/field.js';
import { searchPlaces, type PlaceMatch } from '../../api/intake.js';
import { fetchMatterClasses } from '../../api/reference.js';
import { postPublicReport, uploadPublicPhoto, type PublicPhoto, type PublicReportResult, type Ticket } from '../../api/public.js';
import type { MatterClass } from '../../api/types.js';
import { useT } from '../../components/Bilingual.js';
import { MapFrame } from '../../components/MapFrame.js';
import type { MessageKey } from '../../i18n/index.js';
import type { MapClick, OverlayBuilder } from '../../map/MapView.js';
import { showPoint } from '../../map/map-handle.js';
import { searchClassesPinyin } from '../../state/class-search.js';
import { PATHS, selectNavigate, useRoute } from '../../state/route-store.js';
import { useHideComponents } from '../useHideComponents.js';
import { PublicHeader } from './PublicHeader.js';
import { obtainTicket } from './pow.js';
import { usePublicPages } from './public-store.js';
import { problemOf, type Problem } from './public-problems.js';

export { problemOf };
import './public.css';

type Place = { lon: number; lat: number; address: string | null; inside: boolean | null };

/** Everyday problems offered first (GB/T 47678.5-2026 matter classes), when the district knows them. */
const COMMON = ['06010', '06011', '06012', '06013', '01001', '01037', '03005', '01013'];

export function ProblemText({ p }: { p: Problem }) {
  const { t } = useT();
  return <>{t(p.key).replace('{m}', String(p.minutes ?? 1))}</>;
}

function AddressSearch({ onPick }: { onPick: (p: PlaceMatch) => void }) {
  const { t } = useT();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<PlaceMatch[] | null>(null);
  useEffect(() => {
    const text = q.trim();
    if (text.length < 2) { setHits(null); return; }
    const ac = new AbortController();
    const id = setTimeout(() => {
      searchPlaces(text, ac.signal).then(setHits).catch((e) => { if (!(e instanceof DOMException)) setHits([]); });
    }, 250);
    return () => { clearTimeout(id); ac.abort(); };
  }, [q]);
  return (
    <div className="pb-address">
      <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('pb_address_ph')} aria-label={t('pb_address_ph')} data-testid="pb-address" />
      {hits && !hits.length ? <div className="dim">{t('pb_address_none')}</div> : null}
      {hits?.length ? (
        <ul className="pb-list" role="listbox">
          {hits.map((h) => (
            <li key={`${h.name}-${h.lon}`}>
              <button type="button" role="option" aria-selected={false} data-testid="pb-address-hit" onClick={() => { onPick(h); setQ(''); setHits(null); }}>{h.name}</button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function ClassChooser({ classes, value, onChange }: { classes: MatterClass[]; value: MatterClass | null; onChange: (c: MatterClass | null) => void }) {
  const { t, lang } = useT();
  const [q, setQ] = useState('');
  const [major, setMajor] = useState<string | null>(null);
  const name = (c: MatterClass) => (lang === 'zh' ? c.name_zh : c.name_en);
  const found = useMemo(() => searchClassesPinyin(classes, q), [classes, q]);
  const majors = useMemo(() => {
    const m = new Map<string, { code: string; zh: string; en: string }>();
    for (const c of classes) if (!m.has(c.major_code)) m.set(c.major_code, { code: c.major_code, zh: c.major_name_zh, en: c.major_name_en });
    return [...m.values()];
  }, [classes]);
  const common = COMMON.map((code) => classes.find((c) => c.code === code)).filter((c): c is MatterClass => !!c);
  const pick = (c: MatterClass) => { onChange(c); setQ(''); setMajor(null); };
  if (value) {
    return (
      <div className="pb-chosen" data-testid="pb-class-chosen" data-code={value.code}>
        <strong>{name(value)}</strong>
        <button type="button" className="link-btn" onClick={() => onChange(null)}>{t('pb_change')}</button>
      </div>
    );
  }
  const option = (c: MatterClass) => (
    <li key={c.code}><button type="button" role="option" aria-selected={false} onClick={() => pick(c)} data-testid="pb-class-option" data-code={c.code}>{name(c)}</button></li>
  );
  return (
    <div className="pb-classes">
      <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('pb_class_search')} aria-label={t('pb_class_search')} data-testid="pb-class-search" autoComplete="off" />
      {q.trim() ? (
        <ul className="pb-list" role="listbox">{found.slice(0, 30).map(option)}{!found.length ? <li className="dim">{t('pb_class_none')}</li> : null}</ul>
      ) : major ? (
        <ul className="pb-list" role="listbox">
          <li><button type="button" className="pb-back" onClick={() => setMajor(null)}>← {t('pb_class_back')}</button></li>
          {classes.filter((c) => c.major_code === major).map(option)}
        </ul>
      ) : (
        <>
          {common.length ? <div className="pb-sub">{t('pb_class_common')}</div> : null}
          <div className="pb-chips">{common.map((c) => <button key={c.code} type="button" className="pb-chip" onClick={() => pick(c)} data-testid="pb-class-common" data-code={c.code}>{name(c)}</button>)}</div>
          <div className="pb-sub">{t('pb_class_browse')}</div>
          <div className="pb-chips">{majors.map((m) => <button key={m.code} type="button" className="pb-chip pb-major" onClick={() => setMajor(m.code)} data-testid="pb-major">{lang === 'zh' ? m.zh : m.en}</button>)}</div>
        </>
      )}
    </div>
  );
}

export function PublicReportScreen() {
  const { t, lang } = useT();
  const navigate = useRoute(selectNavigate);
  const [classes, setClasses] = useState<MatterClass[]>([]);
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [ticketProblem, setTicketProblem] = useState<{ key: MessageKey; minutes?: number } | null>(null);
  const [place, setPlace] = useState<Place | null>(null);
  const [cls, setCls] = useState<MatterClass | null>(null);
  const [description, setDescription] = useState('');
  const [photos, setPhotos] = useState<PublicPhoto[]>([]);
  const [photoBusy, setPhotoBusy] = useState(false);
  const [photoProblem, setPhotoProblem] = useState<{ key: MessageKey; minutes?: number } | null>(null);
  const [contact, setContact] = useState({ name: '', phone: '', email: '', notify: false });
  const [locating, setLocating] = useState<'idle' | 'busy' | 'failed'>('idle');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ key: MessageKey; minutes?: number } | null>(null);
  const [done, setDone] = useState<PublicReportResult | null>(null);
  const [copied, setCopied] = useState(false);
  const last = useRef<{ key: string; body: string } | null>(null);
  useHideComponents();

  useEffect(() => { fetchMatterClasses().then(setClasses).catch(() => setClasses([])); }, []);

  const getTicket = useCallback(() => {
    setTicketProblem(null);
    obtainTicket().then(setTicket).catch((e) => setTicketProblem(problemOf(e)));
  }, []);
  useEffect(() => { getTicket(); }, [getTicket]);

  const choose = useCallback(async (lon: number, lat: number, name: string | null) => {
    setPlace({ lon, lat, address: name, inside: null });
    setProblem(null);
    try {
      const p = await fetchNearestPlace(lon, lat);
      setPlace({ lon, lat, address: name ?? p.road?.name ?? null, inside: !!p.grid });
    } catch {
      // unchecked: the server checks again on sending
    }
  }, []);
  const onClick = useCallback((click: MapClick) => { void choose(click.lngLat[0], click.lngLat[1], null); return true; }, [choose]);
  const overlay = useCallback<OverlayBuilder>(() => (place ? [new ScatterplotLayer<{ p: [number, number] }>({
    id: 'public-place', data: [{ p: [place.lon, place.lat] }], getPosition: (d) => d.p, radiusUnits: 'pixels', getRadius: 11,
    getFillColor: [230, 60, 60, 255], getLineColor: [255, 255, 255, 255], lineWidthUnits: 'pixels', getLineWidth: 3, stroked: true,
  })] : []), [place]);

  const locate = () => {
    if (!navigator.geolocation) { setLocating('failed'); return; }
    setLocating('busy');
    navigator.geolocation.getCurrentPosition((pos) => {
      setLocating('idle');
      showPoint(pos.coords.longitude, pos.coords.latitude, 17);
      void choose(pos.coords.longitude, pos.coords.latitude, null);
    }, () => setLocating('failed'), { enableHighAccuracy: true, timeout: 15_000, maximumAge: 5_000 });
  };

  const addPhotos = async (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    if (!ticket) return;
    setPhotoProblem(null);
    if (photos.length + files.length > (ticket.max_photos ?? 3)) { setPhotoProblem({ key: 'pb_photo_max' }); return; }
    setPhotoBusy(true);
    try {
      for (const f of files) {
        const p = await uploadPublicPhoto(ticket.ticket, f);
        setPhotos((xs) => (xs.some((x) => x.id === p.id) ? xs : [...xs, p]));
      }
    } catch (err) {
      const p = problemOf(err);
      setPhotoProblem(p.key === 'pb_err_other' ? { key: 'pb_photo_failed' } : p);
    } finally {
      setPhotoBusy(false);
    }
  };

  const missing: MessageKey[] = [...(place ? [] : ['pb_need_place' as const]), ...(cls ? [] : ['pb_need_class' as const])];
  const send = async () => {
    setTried(true);
    if (missing.length || !ticket || !place || !cls || place.inside === false) return;
    const c = { name: contact.name.trim(), phone: contact.phone.trim(), email: contact.email.trim() };
    const body = {
      ticket: ticket.ticket, class_code: cls.code, lon: place.lon, lat: place.lat, lang,
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(place.address ? { address: place.address.slice(0, 256) } : {}),
      ...(photos.length ? { photo_ids: photos.map((p) => p.id) } : {}),
      ...(c.name || c.phone || c.email || contact.notify ? { contact: { ...(c.name ? { name: c.name } : {}), ...(c.phone ? { phone: c.phone } : {}), ...(c.email ? { email: c.email } : {}), notify: contact.notify } } : {}),
    };
    const text = JSON.stringify(body);
    if (!last.current || last.current.body !== text) last.current = { key: crypto.randomUUID(), body: text };
    setBusy(true);
    setProblem(null);
    try {
      setDone(await postPublicReport(body, last.current.key));
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      setBusy(false);
    }
  };

  const another = () => {
    setDone(null); setPlace(null); setCls(null); setDescription(''); setPhotos([]); setTried(false); setProblem(null); setCopied(false);
    last.current = null; setTicket(null); getTicket();
  };

  if (done) {
    return (
      <div className="pb-page" data-testid="public-report">
        <PublicHeader other="public_track" />
        <main className="pb-main pb-done" data-testid="pb-done">
          <h1>{t('pb_done_title')}</h1>
          <dl className="pb-receipt">
            <dt>{t('pb_case_no')}</dt><dd className="mono" data-testid="pb-case-no">{done.case_no}</dd>
            <dt>{t('pb_code')}</dt><dd className="mono pb-code" data-testid="pb-tracking-code">{done.tracking_code}</dd>
          </dl>
          <p className="pb-warn" role="note">{t('pb_code_once')}</p>
          <div className="pb-buttons">
            <button type="button" className="pb-btn" onClick={() => {
              void navigator.clipboard?.writeText(`${t('pb_case_no')} ${done.case_no}\n${t('pb_code')} ${done.tracking_code}`).then(() => setCopied(true), () => setCopied(false));
            }}>{copied ? t('pb_copied') : t('pb_copy')}</button>
            <button type="button" className="pb-btn pb-primary" data-testid="pb-track-now" onClick={() => {
              usePublicPages.getState().setPrefill({ case_no: done.case_no, code: done.tracking_code });
              navigate(PATHS.public_track);
            }}>{t('pb_track_now')}</button>
            <button type="button" className="pb-btn" onClick={another}>{t('pb_another')}</button>
          </div>
        </main>
      </div>
    );
  }

  return (
    <div className="pb-page" data-testid="public-report">
      <PublicHeader other="public_track" />
      <main className="pb-main">
        <h1>{t('pb_report_title')}</h1>
        <p className="pb-intro">{t('pb_report_intro')}</p>
        <section className="pb-block">
          <h2>{t('pb_where')}<em className="req">*</em></h2>
          <p className="dim">{t('pb_where_hint')}</p>
          <div className="pb-map"><MapFrame overlay={overlay} onClick={onClick} cursor="crosshair" readout={false} /></div>
          <div className="pb-row">
            <button type="button" className="pb-btn" onClick={locate} disabled={locating === 'busy'} data-testid="pb-locate">{locating === 'busy' ? t('pb_locating') : t('pb_my_location')}</button>
          </div>
          {locating === 'failed' ? <div className="field-error" role="alert">{t('pb_location_failed')}</div> : null}
          <AddressSearch onPick={(p) => { showPoint(p.lon, p.lat, 17); void choose(p.lon, p.lat, p.name); }} />
          <div className={`pb-place ${place?.inside === false ? 'has-error' : ''}`} data-testid="pb-place">
            {place ? <span>{t('pb_place_near')}{place.address ?? `${place.lat.toFixed(5)}, ${place.lon.toFixed(5)}`}</span> : <span className="dim">{t('pb_place_none')}</span>}
            {place?.inside === false ? <div className="field-error" role="alert">{t('pb_outside')}</div> : null}
          </div>
        </section>
        <section className="pb-block">
          <h2>{t('pb_what')}<em className="req">*</em></h2>
          <ClassChooser classes={classes} value={cls} onChange={setCls} />
        </section>
        <section className="pb-block">
          <h2>{t('pb_details')}</h2>
          <textarea value={description} maxLength={2000} rows={3} onChange={(e) => setDescription(e.target.value)} placeholder={t('pb_description_ph')} data-testid="pb-description" />
          <div className="pb-sub">{t('pb_photos')}</div>
          <div className="pb-photos">
            {photos.map((p) => (
              <span key={p.id} className="pb-thumb">
                <img src={p.url} alt="" />
                <button type="button" onClick={() => setPhotos((xs) => xs.filter((x) => x.id !== p.id))} aria-label={t('pb_photo_remove')}>×</button>
              </span>
            ))}
            {photos.length < 3 ? (
              <label className={`pb-btn pb-photo-add ${!ticket || photoBusy ? 'disabled' : ''}`}>
                {photoBusy ? <span className="spinner" /> : '+'} {t('pb_add_photo')}
                <input type="file" accept="image/jpeg,image/png,image/webp" multiple hidden disabled={!ticket || photoBusy} onChange={(e) => void addPhotos(e)} data-testid="pb-photo-input" />
              </label>
            ) : null}
          </div>
          {photoProblem ? <div className="field-error" role="alert" data-testid="pb-photo-problem"><ProblemText p={photoProblem} /></div> : null}
          <p className="dim pb-small">{t('pb_photo_note')}</p>
        </section>
        <section className="pb-block">
          <h2>{t('pb_contact')}</h2>
          <p className="dim pb-small">{t('pb_contact_hint')}</p>
          <label className="pb-field"><span>{t('pb_name')}</span><input value={contact.name} maxLength={100} autoComplete="name" onChange={(e) => setContact((c) => ({ ...c, name: e.target.value }))} data-testid="pb-name" /></label>
          <label className="pb-field"><span>{t('pb_phone')}</span><input value={contact.phone} maxLength={30} inputMode="tel" autoComplete="tel" onChange={(e) => setContact((c) => ({ ...c, phone: e.target.value }))} data-testid="pb-phone" /></label>
          <label className="pb-field"><span>{t('pb_email')}</span><input value={contact.email} maxLength={254} type="email" autoComplete="email" onChange={(e) => setContact((c) => ({ ...c, email: e.target.value }))} data-testid="pb-email" /></label>
          <label className="pb-check"><input type="checkbox" checked={contact.notify} onChange={(e) => setContact((c) => ({ ...c, notify: e.target.checked }))} data-testid="pb-notify" /> {t('pb_notify')}</label>
        </section>
        <div className="pb-send">
          {tried && missing.length ? <div className="field-error" role="alert" data-testid="pb-missing">{t('pb_need')}{missing.map((k) => t(k)).join(lang === 'zh' ? '、' : ', ')}</div> : null}
          {problem ? <div className="panel-note error" role="alert" data-testid="pb-problem"><ProblemText p={problem} /></div> : null}
          {ticketProblem ? (
            <div className="panel-note error" role="alert"><ProblemText p={ticketProblem} /> <button type="button" className="link-btn" onClick={getTicket}>{t('retry')}</button></div>
          ) : null}
          <button type="button" className="pb-btn pb-primary pb-big" onClick={() => void send()} disabled={busy || !ticket} data-testid="pb-submit">
            {busy ? t('pb_submitting') : ticket ? t('pb_submit') : t('pb_preparing')}
          </button>
        </div>
      </main>
    </div>
  );
}
