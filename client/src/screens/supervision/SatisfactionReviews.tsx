// The supervision centre's review list of dissatisfied call-backs (回访不满意, issue 11): each case rated dissatisfied waits
// here until a shift leader reopens it (the workflow action `reopen`: back to dispatch, the same department reworks
// it) or confirms the closure, each with a reason that goes into the trail. Settled ones stay readable under their tabs.
// A row's case number opens the case beside the list.
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../api/http.js';
import { confirmClosure, fetchReviews, reopenCase, type ReviewItem } from '../../api/ratings.js';
import { useT } from '../../components/Bilingual.js';
import { formatShort } from '../../i18n/format.js';
import type { MessageKey } from '../../i18n/index.js';
import { openCase } from '../../state/case-detail-store.js';
import { localName } from '../../state/reference-store.js';
import { selectUser, useSession } from '../../state/session-store.js';

type Tab = 'pending' | 'reopened' | 'confirmed';
const TABS: readonly Tab[] = ['pending', 'reopened', 'confirmed'];

function Row({ item, canSettle, onDone }: { item: ReviewItem; canSettle: boolean; onDone: () => void }) {
  const { t, lang } = useT();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (what: 'reopen' | 'confirm') => {
    if (what === 'reopen' && !reason.trim()) { setError(t('sat_reason_needed')); return; }
    setBusy(true);
    setError(null);
    try {
      if (what === 'reopen') await reopenCase(item.case_id, item.case_version, reason.trim());
      else await confirmClosure(item.case_id, reason.trim());
      onDone();
    } catch (e) {
      const err = e as ApiError;
      setError(err.isNetwork ? t('sv_network') : t('sat_action_failed').replace('{msg}', err.message));
      if (err.status === 409) onDone(); // the case changed: read the list again
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="sat-item" data-testid="sat-review-item" data-case={item.case_no}>
      <div className="sat-head">
        <button type="button" className="sat-case mono" onClick={() => void openCase(item.case_id)}>{item.case_no}</button>
        <span className="sat-class">{(lang === 'zh' ? item.class_name_zh : item.class_name_en) ?? item.class_code}</span>
      </div>
      <div className="sat-meta dim">
        {[localName(item.community_name, lang), localName(item.department_name, lang)].filter(Boolean).join(' · ')}
        {' · '}{t(item.channel === 'public' ? 'sat_by_public' : 'sat_by_callback')} {formatShort(item.rated_at)}
        {item.rated_by_name ? ` · ${item.rated_by_name}` : ''}
      </div>
      {item.comment ? <blockquote className="sat-comment long-text">{item.comment}</blockquote> : null}
      {item.review_status !== 'pending' ? (
        <div className="sat-settled dim">
          {t(`sat_review_${item.review_status}` as MessageKey)} · {formatShort(item.reviewed_at)}{item.reviewed_by_name ? ` · ${item.reviewed_by_name}` : ''}
          {item.review_note ? <div>{item.review_note}</div> : null}
        </div>
      ) : canSettle ? (
        <div className="sat-settle">
          <input value={reason} maxLength={500} placeholder={t('sat_reason')} aria-label={t('sat_reason')} onChange={(e) => setReason(e.target.value)} data-testid="sat-reason" />
          <div className="sat-buttons">
            <button type="button" className="sv-btn sat-reopen" disabled={busy} onClick={() => void run('reopen')} data-testid="sat-reopen">{t('sat_reopen')}</button>
            <button type="button" className="sv-btn" disabled={busy} onClick={() => void run('confirm')} data-testid="sat-confirm">{t('sat_confirm')}</button>
          </div>
          {error ? <div className="sv-error" role="alert">{error}</div> : null}
        </div>
      ) : <div className="dim sat-note">{t('sat_only_shift_leader')}</div>}
    </li>
  );
}

export function SatisfactionReviews({ round }: { round: number }) {
  const { t } = useT();
  const user = useSession(selectUser);
  const canSettle = !!user?.roles.includes('shift_leader');
  const [tab, setTab] = useState<Tab>('pending');
  const [items, setItems] = useState<ReviewItem[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<MessageKey | null>(null);
  const [mine, setMine] = useState(0);

  const load = useCallback((signal?: AbortSignal) => {
    fetchReviews(tab, signal).then((r) => { setItems(r.items); setTotal(r.total); setError(null); },
      (e) => { if (!signal?.aborted) setError(e instanceof ApiError && e.isNetwork ? 'sv_network' : 'sat_load_failed'); });
  }, [tab]);
  useEffect(() => {
    const ac = new AbortController();
    load(ac.signal);
    return () => ac.abort();
  }, [load, round, mine]);

  return (
    <section className="sv-card sat-reviews" aria-label={t('sat_reviews')} data-testid="sat-reviews">
      <h2 className="sv-card-title">{t('sat_reviews')} {tab === 'pending' && total ? <span className="sat-count">{total}</span> : null}</h2>
      <p className="sv-note dim">{t('sat_reviews_hint')}</p>
      <div className="sat-tabs" role="tablist">
        {TABS.map((x) => (
          <button key={x} type="button" role="tab" aria-selected={tab === x} className={`sat-tab ${tab === x ? 'on' : ''}`} onClick={() => setTab(x)}
            data-testid={`sat-tab-${x}`}>{t(`sat_tab_${x}` as MessageKey)}</button>
        ))}
      </div>
      {error ? <p className="sv-error" role="alert">{t(error)}</p> : null}
      {items === null ? null : items.length === 0 ? <p className="dim">{t('sat_reviews_none')}</p> : (
        <ul className="sat-list">
          {items.map((i) => <Row key={`${i.case_id}-${i.review_status}`} item={i} canSettle={canSettle} onDone={() => setMine((n) => n + 1)} />)}
        </ul>
      )}
    </section>
  );
}
