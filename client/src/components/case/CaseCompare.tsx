// Two cases side by side (issue 10): place, class, description, photos, times and status of each, and the merge of
// one into the other (POST /api/cases/{id}/merge with the merged case's version). Friendly words for what can go
// wrong: someone changed the case meanwhile (409: both reloaded), the pair may not be merged (422), the role may not.
import { useCallback, useEffect, useState } from 'react';
import { fetchCase } from '../../api/cases.js';
import { ApiError } from '../../api/http.js';
import { mergeCase } from '../../api/intake.js';
import type { CaseDetail } from '../../api/types.js';
import type { MessageKey } from '../../i18n/index.js';
import { sourceKey, tOr } from '../../i18n/index.js';
import { formatFull } from '../../i18n/format.js';
import { MERGE_ROLES } from '../../../../server/domain/merge.js';
import { selectUser, useSession } from '../../state/session-store.js';
import { useT } from '../Bilingual.js';
import { CaseStatusChip, LightBadge, useClassName } from './CaseBits.js';
import './duplicates.css';

/** What to tell the user when a merge is refused (the server's own message is English and technical). */
export function mergeProblem(e: unknown): MessageKey {
  if (!(e instanceof ApiError)) return 'dup_err_other';
  if (e.isNetwork) return 'dup_err_network';
  if (e.code === 'stale_version') return 'dup_err_stale';
  if (e.code === 'role_not_allowed') return 'dup_err_role';
  if (e.code === 'not_found') return 'dup_err_gone';
  if (e.status === 422) return 'dup_err_state';
  return 'dup_err_other';
}

/** Who of the two goes into the other by default: the later report into the earlier one. */
export function defaultMerge(a: Pick<CaseDetail, 'id' | 'created_at'>, b: Pick<CaseDetail, 'id' | 'created_at'>): { from: string; into: string } {
  return (a.created_at ?? '') >= (b.created_at ?? '') ? { from: a.id, into: b.id } : { from: b.id, into: a.id };
}

function Column({ d, label, distance }: { d: CaseDetail; label: MessageKey; distance?: number }) {
  const { t, lang } = useT();
  const nameOf = useClassName();
  return (
    <article className="dup-col" data-testid="compare-column" data-case={d.case_no}>
      <header className="dup-col-head">
        <span className="dup-col-label">{t(label)}</span>
        <span className="mono dup-col-no">{d.case_no}</span>
      </header>
      <dl className="dup-fields">
        <dt>{t('dup_status')}</dt>
        <dd><CaseStatusChip status={d.status} /> <LightBadge light={d.light ?? null} /> <span className="dim">{tOr(lang, sourceKey(d.source), d.source ?? '')}</span></dd>
        <dt>{t('dup_class')}</dt>
        <dd>{nameOf(d.class_code)} <span className="mono dim">{d.class_code}</span></dd>
        <dt>{t('dup_place')}</dt>
        <dd>{d.address || '—'} <span className="mono dim">· {d.grid_code}</span>{distance !== undefined ? <span className="dim"> · {t('dup_distance')} {t('in_meters').replace('{m}', String(distance))}</span> : null}</dd>
        <dt>{t('dup_desc')}</dt>
        <dd className="long-text" data-testid="compare-description">{d.description || '—'}</dd>
        <dt>{t('dup_times')}</dt>
        <dd className="mono">{formatFull(d.created_at)}<br />{formatFull(d.updated_at)}</dd>
        <dt>{t('dup_photos')}</dt>
        <dd>
          {d.photos?.length ? (
            <span className="dup-photos">
              {d.photos.map((p) => <a key={p.id} href={p.url} target="_blank" rel="noreferrer" className="photo-thumb"><img src={p.url} alt="" loading="lazy" /></a>)}
            </span>
          ) : <span className="dim">{t('dup_no_photos')}</span>}
        </dd>
      </dl>
    </article>
  );
}

/**
 * The dialog: `thisId` (the open case) beside `otherId`; after a merge `onMerged` gets the merged and the kept case
 * numbers. Only operators and shift leaders see the merge buttons (domain/merge.ts MERGE_ROLES); the server checks again.
 */
export function CaseCompare({ thisId, otherId, distance, onClose, onMerged }: {
  thisId: string; otherId: string; distance?: number; onClose: () => void; onMerged: (from: string, into: string) => void;
}) {
  const { t } = useT();
  const user = useSession(selectUser);
  const mayMerge = !!user && MERGE_ROLES.some((r) => (user.roles as readonly string[]).includes(r));
  const [pair, setPair] = useState<[CaseDetail, CaseDetail] | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<MessageKey | null>(null);
  const [note, setNote] = useState('');

  const load = useCallback(async () => {
    setLoadFailed(false);
    try {
      setPair(await Promise.all([fetchCase(thisId), fetchCase(otherId)]));
    } catch {
      setLoadFailed(true);
    }
  }, [thisId, otherId]);
  useEffect(() => { void load(); }, [load]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape' && !busy) onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, onClose]);

  const merge = async (from: CaseDetail, into: CaseDetail) => {
    setBusy(true);
    setProblem(null);
    try {
      await mergeCase(from.id, into.id, from.version, note.trim() || undefined);
      onMerged(from.case_no, into.case_no);
    } catch (e) {
      const key = mergeProblem(e);
      setProblem(key);
      if (key === 'dup_err_stale') await load();
    } finally {
      setBusy(false);
    }
  };

  const order = pair ? defaultMerge(pair[0], pair[1]) : null;
  const options = pair && order
    ? (order.from === pair[0].id ? [[pair[0], pair[1]], [pair[1], pair[0]]] : [[pair[1], pair[0]], [pair[0], pair[1]]]) as [CaseDetail, CaseDetail][]
    : [];
  return (
    <div className="dup-backdrop" onClick={(e) => { if (e.target === e.currentTarget && !busy) onClose(); }}>
      <section className="dup-dialog" role="dialog" aria-modal="true" aria-label={t('dup_title')} data-testid="case-compare">
        <div className="panel-bar">
          <span className="panel-bar-title">{t('dup_title')}</span>
          <button type="button" className="icon-button" onClick={onClose} disabled={busy} aria-label={t('close')} title={t('close')}>×</button>
        </div>
        {!pair && !loadFailed ? <div className="panel-msg"><span className="spinner" /> {t('detail_loading')}</div> : null}
        {loadFailed ? (
          <div className="panel-msg error" role="alert">
            <strong>{t('dup_load_failed')}</strong>
            <button type="button" className="action-btn" onClick={() => void load()}>{t('retry')}</button>
          </div>
        ) : null}
        {pair ? (
          <>
            <div className="dup-cols">
              <Column d={pair[0]} label="dup_this" />
              <Column d={pair[1]} label="dup_other" distance={distance} />
            </div>
            <footer className="dup-actions">
              {problem ? <div className="panel-note error" role="alert" data-testid="merge-problem">{t(problem)}</div> : null}
              {mayMerge ? (
                <>
                  <p className="dim dup-hint">{t('dup_merge_hint')}</p>
                  <input className="dup-note" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} placeholder={t('dup_merge_note')} aria-label={t('dup_merge_note')} disabled={busy} />
                  <div className="dup-buttons">
                    {options.map(([from, into], i) => (
                      <button key={from.id} type="button" className={`action-btn ${i === 0 ? 'tone-primary' : ''}`} disabled={busy} data-testid={i === 0 ? 'merge-default' : 'merge-other'}
                        onClick={() => void merge(from, into)}>
                        {busy && i === 0 ? t('dup_merging') : t('dup_merge_into').replace('{a}', from.case_no).replace('{b}', into.case_no)}
                      </button>
                    ))}
                  </div>
                </>
              ) : <p className="dim">{t('dup_merge_roles')}</p>}
            </footer>
          </>
        ) : null}
      </section>
    </div>
  );
}
