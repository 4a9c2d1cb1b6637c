// The inspector's outbox (待发送): reports and verify/check results kept on the phone until the server has them
// (state/outbox.ts), each with its state — queued, sending, sent (with the case number), failed (with a reason the
// inspector can act on) — and retry / edit / discard; and the offline indicator shown above the inspector's panel.
import { useShallow } from 'zustand/react/shallow';
import { useT } from '../../components/Bilingual.js';
import type { MessageKey } from '../../i18n/index.js';
import type { OutboxItem } from '../../state/field-db.js';
import { discardItem, retryItem, selectOffline, selectOutboxItems, selectSyncing, syncOutbox, useOutbox } from '../../state/outbox.js';
import { draftIsEmpty, editItem, selectDraft, useReport } from '../../state/report-store.js';
import { formatFull } from '../../i18n/format.js';
import './outbox.css';

const k = (s: string) => s as MessageKey;

/** "Offline" or "cannot reach the server", with what happens to the reports; nothing when all is well. */
export function OfflineIndicator() {
  const offline = useOutbox(selectOffline);
  const online = useOutbox((s) => s.online);
  const { t } = useT();
  if (!offline) return null;
  return (
    <div className="of-indicator" role="status" data-testid="offline-indicator" data-offline={online ? 'server' : 'network'}>
      <span className="of-dot" aria-hidden="true" />
      {t(online ? 'of_unreachable' : 'of_offline')}
    </div>
  );
}

function title(item: OutboxItem, t: (k: MessageKey) => string, lang: string): string {
  if (item.kind === 'action') return `${t(item.action === 'verify' ? 'of_kind_verify' : 'of_kind_check')} · ${item.case_no}`;
  const cls = item.draft.cls;
  return cls ? (lang === 'en' ? cls.name_en : cls.name_zh) : t('of_kind_report');
}

export function Outbox({ onEdit }: { onEdit?: () => void }) {
  const items = useOutbox(useShallow(selectOutboxItems));
  const syncing = useOutbox(selectSyncing);
  const draft = useReport(selectDraft);
  const { t, lang } = useT();
  const canEdit = draftIsEmpty(draft);
  const waiting = items.some((i) => i.state === 'queued');
  const sent = items.filter((i) => i.state === 'sent');

  return (
    <div className="of-outbox" data-testid="outbox">
      <div className="of-bar">
        <button type="button" className="action-btn tone-primary" disabled={!waiting || syncing} onClick={() => void syncOutbox({ force: true })} data-testid="outbox-send-now">
          {syncing ? <span className="spinner" /> : null} {t('of_send_now')}
        </button>
        {sent.length ? (
          <button type="button" className="action-btn tone-secondary" onClick={() => { for (const i of sent) void discardItem(i.key); }}>{t('of_clear_sent')}</button>
        ) : null}
      </div>
      {!items.length ? <div className="empty-list">{t('of_outbox_empty')}</div> : (
        <ul className="of-list">
          {[...items].reverse().map((item) => (
            <li key={item.key} className={`of-item of-${item.state}`} data-testid="outbox-item" data-state={item.state}>
              <div className="of-head">
                <strong>{title(item, t, lang)}</strong>
                <span className={`tag of-state of-state-${item.state}`}>{item.state === 'sending' ? <span className="spinner" /> : null}{t(k(`of_state_${item.state}`))}</span>
              </div>
              <div className="of-meta dim">
                <span className="mono">{formatFull(new Date(item.created_at).toISOString())}</span>
                {item.kind === 'report' && item.draft.photos.length ? <span> · {item.draft.photos.length} {t('of_photos_n')}</span> : null}
                {item.attempts && item.state !== 'sent' ? <span> · {item.attempts} {t('of_attempts')}</span> : null}
                {item.result ? <span className="mono of-case-no" data-testid="outbox-case-no"> · {item.result.case_no}</span> : null}
              </div>
              {item.state === 'failed' && item.reason ? <div className="field-error" data-testid="outbox-reason">{t(k(item.reason))}</div> : null}
              {item.state === 'failed' || item.state === 'queued' ? (
                <div className="of-actions">
                  {item.state === 'failed' ? <button type="button" className="action-btn tone-secondary" onClick={() => void retryItem(item.key)}>{t('of_retry')}</button> : null}
                  {item.kind === 'report' && item.state === 'failed' ? (
                    <button type="button" className="action-btn tone-secondary" disabled={!canEdit} title={canEdit ? undefined : t('of_edit_busy')}
                      onClick={() => void editItem(item.key).then((ok) => { if (ok) onEdit?.(); })} data-testid="outbox-edit">{t('of_edit')}</button>
                  ) : null}
                  <button type="button" className="action-btn tone-danger" onClick={() => void discardItem(item.key)} data-testid="outbox-discard">{t('of_discard')}</button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
