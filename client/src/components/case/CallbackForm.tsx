// The call-back (回访, issue 11) of a closed case: its rating when it has one (the reporter's on the tracking page, or a
// call-back recorded here), else, for an operator or shift leader and a case with a reporter, the form: how satisfied
// the caller is and what they said. Saved with an Idempotency-Key kept until it succeeds, so a retry after a lost
// answer records it once. A dissatisfied rating goes to the supervision centre's review list.
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api/http.js';
import { fetchCaseRating, postCallback, type CaseRating, type Rating } from '../../api/ratings.js';
import type { CaseDetail } from '../../api/types.js';
import { formatShort } from '../../i18n/format.js';
import type { MessageKey } from '../../i18n/index.js';
import { openCase } from '../../state/case-detail-store.js';
import { Bilingual, useT } from '../Bilingual.js';
import './callback.css';

const RATINGS: readonly Rating[] = ['satisfied', 'basic', 'dissatisfied'];
const newKey = () => `cb-${crypto.randomUUID()}`;

export function CallbackForm({ detail }: { detail: Pick<CaseDetail, 'id' | 'status' | 'version'> }) {
  const { t } = useT();
  const [state, setState] = useState<CaseRating | null>(null);
  const [rating, setRating] = useState<Rating | null>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = useRef(newKey());

  useEffect(() => {
    if (detail.status !== 'closed') { setState(null); return; }
    const ac = new AbortController();
    fetchCaseRating(detail.id, ac.signal).then(setState, () => { if (!ac.signal.aborted) setState(null); });
    return () => ac.abort();
  }, [detail.id, detail.status, detail.version]);
  useEffect(() => { key.current = newKey(); setRating(null); setComment(''); setError(null); }, [detail.id]);

  if (detail.status !== 'closed' || !state || (!state.rating && !state.can_callback)) return null;

  if (state.rating) {
    const r = state.rating;
    const review: MessageKey | null = r.review_status ? `sat_review_${r.review_status}` as MessageKey : null;
    return (
      <section className="case-section" data-testid="case-rating">
        <h4 className="subhead"><Bilingual k="sat_done" /></h4>
        <div className="cb-done">
          <span className={`tag cb-rating cb-${r.rating}`}>{t(`sat_${r.rating}` as MessageKey)} · {r.score}</span>
          <span className="dim">{t(r.channel === 'public' ? 'sat_by_public' : 'sat_by_callback')} · {formatShort(r.rated_at)}</span>
          {r.comment ? <div className="long-text">{r.comment}</div> : null}
          {review ? <div className={`cb-review ${r.review_status}`}>{t(review)}</div> : null}
        </div>
      </section>
    );
  }

  const save = async () => {
    if (!rating) { setError(t('sat_pick')); return; }
    setBusy(true);
    setError(null);
    try {
      await postCallback(detail.id, { rating, ...(comment.trim() ? { comment: comment.trim() } : {}) }, key.current);
      key.current = newKey();
      await openCase(detail.id); // the trail shows the call-back; the rating shows above
    } catch (e) {
      const err = e as ApiError;
      setError(err.isNetwork ? t('sat_network') : err.status === 409 ? t('sat_conflict') : t('sat_failed').replace('{msg}', err.message));
      if (err.status === 409) void openCase(detail.id);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="case-section" data-testid="callback-form">
      <h4 className="subhead"><Bilingual k="sat_title" /></h4>
      <div className="action-form cb-form">
        <span className="dim">{t('sat_hint')}</span>
        <div className="cb-choices" role="radiogroup" aria-label={t('sat_title')}>
          {RATINGS.map((r) => (
            <button key={r} type="button" role="radio" aria-checked={rating === r} className={`cb-choice cb-${r} ${rating === r ? 'on' : ''}`}
              onClick={() => { setRating(r); setError(null); }} data-testid={`callback-${r}`}>{t(`sat_${r}` as MessageKey)}</button>
          ))}
        </div>
        <label>
          <span className="form-label">{t('sat_comment')}</span>
          <textarea rows={2} maxLength={500} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="callback-comment" />
        </label>
        {error ? <div className="field-error" role="alert">{error}</div> : null}
        <div className="form-buttons">
          <button type="button" className="action-btn tone-primary" disabled={busy} onClick={() => void save()} data-testid="callback-save">
            {busy ? <><span className="spinner" /> {t('sat_saving')}</> : t('sat_save')}
          </button>
        </div>
      </div>
    </section>
  );
}
