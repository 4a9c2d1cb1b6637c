// "Track my report" (/public/track, issue 11 §Public web): no login. The report number and the tracking code → where
// it stands, each public step with its time, the department's public reply, the before and after photos the city has
// released (metadata stripped by the server), and, once closed, the satisfaction rating (H4's POST
// /api/public/cases/{case_no}/rating) or the rating already given.
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api/http.js';
import { rateReport, trackReport, type Track } from '../../api/public.js';
import { useT } from '../../components/Bilingual.js';
import type { MessageKey } from '../../i18n/index.js';
import { formatShort } from '../../i18n/format.js';
import { PublicHeader } from './PublicHeader.js';
import { ProblemText, problemOf } from './PublicReportScreen.js';
import { selectPrefill, usePublicPages } from './public-store.js';
import './public.css';

type Rating = 'satisfied' | 'basic' | 'dissatisfied';
const RATINGS: Rating[] = ['satisfied', 'basic', 'dissatisfied'];
const ratingKey = (r: string) => `pb_rate_${r}` as MessageKey;

function RateForm({ track, code, onRated }: { track: Track; code: string; onRated: () => void }) {
  const { t } = useT();
  const [rating, setRating] = useState<Rating | null>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ key: MessageKey; minutes?: number } | null>(null);
  const last = useRef<{ key: string; body: string } | null>(null);
  const send = async () => {
    if (!rating) return;
    const body = { code, rating, ...(comment.trim() ? { comment: comment.trim() } : {}) };
    const text = JSON.stringify(body);
    if (!last.current || last.current.body !== text) last.current = { key: crypto.randomUUID(), body: text }; // a retry of the same rating is one rating
    setBusy(true);
    setProblem(null);
    try {
      await rateReport(track.case_no, body, last.current.key);
      onRated();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'conflict') { setProblem({ key: 'pb_rate_already' }); onRated(); } else setProblem(problemOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="pb-block" data-testid="pb-rate">
      <h2>{t('pb_rate_title')}</h2>
      <div className="pb-chips" role="radiogroup">
        {RATINGS.map((r) => (
          <button key={r} type="button" role="radio" aria-checked={rating === r} className={`pb-chip ${rating === r ? 'on' : ''}`} onClick={() => setRating(r)} data-testid={`pb-rate-${r}`}>{t(ratingKey(r))}</button>
        ))}
      </div>
      <textarea value={comment} maxLength={500} rows={2} placeholder={t('pb_rate_comment')} onChange={(e) => setComment(e.target.value)} data-testid="pb-rate-comment" />
      {problem ? <div className="field-error" role="alert"><ProblemText p={problem} /></div> : null}
      <button type="button" className="pb-btn pb-primary" disabled={!rating || busy} onClick={() => void send()} data-testid="pb-rate-send">{t('pb_rate_send')}</button>
    </section>
  );
}

export function PublicTrackScreen() {
  const { t, lang } = useT();
  const prefill = usePublicPages(selectPrefill);
  const [caseNo, setCaseNo] = useState(prefill?.case_no ?? '');
  const [code, setCode] = useState(prefill?.code ?? '');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ key: MessageKey; minutes?: number } | null>(null);
  const [track, setTrack] = useState<Track | null>(null);

  const look = async (no = caseNo, c = code) => {
    if (!no.trim() || !c.trim()) return;
    setBusy(true);
    setProblem(null);
    try {
      setTrack(await trackReport(no.trim(), c.trim()));
    } catch (e) {
      setTrack(null);
      setProblem(problemOf(e));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (prefill) { void look(prefill.case_no, prefill.code); usePublicPages.getState().setPrefill(null); }
  }, []); // eslint-disable-line react-hooks/exhaustive-deps -- once, with what the report page handed over

  const className = track ? (lang === 'zh' ? track.class_name_zh : track.class_name_en) ?? track.class_code : '';
  const before = track?.photos.filter((p) => p.side === 'before') ?? [];
  const after = track?.photos.filter((p) => p.side === 'after') ?? [];
  return (
    <div className="pb-page" data-testid="public-track">
      <PublicHeader other="public_report" />
      <main className="pb-main">
        <h1>{t('pb_track_title')}</h1>
        <form className="pb-block pb-track-form" onSubmit={(e) => { e.preventDefault(); void look(); }}>
          <p className="dim">{t('pb_track_intro')}</p>
          <label className="pb-field"><span>{t('pb_case_no')}</span><input value={caseNo} maxLength={40} onChange={(e) => setCaseNo(e.target.value)} autoComplete="off" data-testid="pb-track-case" /></label>
          <label className="pb-field"><span>{t('pb_code')}</span><input value={code} maxLength={40} onChange={(e) => setCode(e.target.value)} autoComplete="off" autoCapitalize="characters" spellCheck={false} className="mono" data-testid="pb-track-code" /></label>
          {problem ? <div className="panel-note error" role="alert" data-testid="pb-track-problem"><ProblemText p={problem} /></div> : null}
          <button type="submit" className="pb-btn pb-primary pb-big" disabled={busy || !caseNo.trim() || !code.trim()} data-testid="pb-track-submit">{busy ? <span className="spinner" /> : t('pb_track_submit')}</button>
        </form>
        {track ? (
          <div data-testid="pb-track-result">
            <section className="pb-block">
              <div className="pb-status-row">
                <span className={`pb-stage pb-stage-${track.stage}`} data-testid="pb-stage">{t(`pb_stage_${track.stage}` as MessageKey)}</span>
                <span className="mono dim">{track.case_no}</span>
              </div>
              <div className="pb-class">{className}</div>
              {track.address ? <div className="dim">{track.address}</div> : null}
              {track.description ? <p className="pb-desc long-text">{track.description}</p> : null}
              <div className="dim pb-small">{t('pb_reported_at')} {formatShort(track.reported_at)}</div>
            </section>
            <section className="pb-block">
              <h2>{t('pb_steps')}</h2>
              <ol className="pb-steps" data-testid="pb-steps">
                {track.steps.map((s, i) => (
                  <li key={i} data-step={s.step} className={i === track.steps.length - 1 ? 'last' : ''}>
                    <span className="pb-step-word">{t(`pb_step_${s.step}` as MessageKey)}</span>
                    <time className="dim" dateTime={s.at}>{formatShort(s.at)}</time>
                  </li>
                ))}
              </ol>
            </section>
            <section className="pb-block">
              <h2>{t('pb_reply')}</h2>
              {track.reply ? (
                <div data-testid="pb-reply"><p className="long-text">{track.reply.text}</p><div className="dim pb-small">{formatShort(track.reply.at)}</div></div>
              ) : <p className="dim">{t('pb_no_reply')}</p>}
            </section>
            {track.photos.length || track.photos_withheld ? (
              <section className="pb-block">
                <h2>{t('pb_photos_title')}</h2>
                <div className="pb-before-after">
                  {before.length ? <figure><figcaption>{t('pb_before')}</figcaption>{before.map((p) => <img key={p.id} src={p.url} alt={t('pb_before')} data-testid="pb-photo" />)}</figure> : null}
                  {after.length ? <figure><figcaption>{t('pb_after')}</figcaption>{after.map((p) => <img key={p.id} src={p.url} alt={t('pb_after')} data-testid="pb-photo" />)}</figure> : null}
                </div>
                {track.photos_withheld ? <p className="dim pb-small" data-testid="pb-withheld">{t('pb_withheld').replace('{n}', String(track.photos_withheld))}</p> : null}
              </section>
            ) : null}
            {track.rating ? (
              <section className="pb-block" data-testid="pb-rated">
                <div>{t('pb_rated')}<strong>{t(ratingKey(track.rating.rating))}</strong></div>
                {track.rating.comment ? <p className="long-text dim">{track.rating.comment}</p> : null}
              </section>
            ) : track.can_rate ? <RateForm track={track} code={code} onRated={() => void look()} /> : null}
          </div>
        ) : null}
      </main>
    </div>
  );
}
