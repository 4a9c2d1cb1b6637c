// Admin console, Notifications (issue 11): the outbox (pending, retrying, dead, delivered) with a retry for a failed
// or dead message, the webhook subscriptions of other systems (the secret shown once, a test delivery,
// unsubscribe), and the e-mail each department is told of new tasks at.
import { useCallback, useEffect, useState } from 'react';
import {
  createWebhook, deleteWebhook, listContacts, listOutbox, listWebhooks, retryNotification, setContact, testWebhook,
  type CreatedWebhook, type NotificationContact, type OutboxItem, type OutboxList, type OutboxState, type Webhook, type WebhookTest,
} from '../../api/notify.js';
import { ApiError } from '../../api/http.js';
import { useT } from '../../components/Bilingual.js';
import type { MessageKey } from '../../i18n/index.js';
import { formatFull } from '../../i18n/format.js';
import { adminErrorKey } from './admin-errors.js';

const PAGE = 100;
const STATES: { id: OutboxState | ''; label: MessageKey }[] = [
  { id: '', label: 'ntf_state_all' }, { id: 'pending', label: 'ntf_state_pending' }, { id: 'failed', label: 'ntf_state_failed' },
  { id: 'dead', label: 'ntf_state_dead' }, { id: 'delivered', label: 'ntf_state_delivered' },
];
const STATE_LABEL: Record<OutboxState, MessageKey> = {
  pending: 'ntf_state_pending', failed: 'ntf_state_failed', dead: 'ntf_state_dead', delivered: 'ntf_state_delivered',
};
const CHANNEL_LABEL: Record<OutboxItem['channel'], MessageKey> = { webhook: 'ntf_channel_webhook', email: 'ntf_channel_email', sms: 'ntf_channel_sms' };

/** A 400 of this form means the input, in words of this tab; anything else the console's common message. */
const errorKey = (e: unknown, bad: MessageKey): MessageKey => (e instanceof ApiError && e.status === 400 ? bad : adminErrorKey(e));

function Outbox() {
  const { t } = useT();
  const [state, setState] = useState<OutboxState | ''>('');
  const [data, setData] = useState<OutboxList | null>(null);
  const [items, setItems] = useState<OutboxItem[]>([]);
  const [error, setError] = useState<MessageKey | null>(null);
  const [note, setNote] = useState<MessageKey | null>(null);

  const load = useCallback(async (offset = 0, keep: OutboxItem[] = []) => {
    setError(null);
    try {
      const r = await listOutbox({ state: state || undefined, limit: PAGE, offset });
      setData(r);
      setItems([...keep, ...r.items]);
    } catch (e) { setError(adminErrorKey(e)); }
  }, [state]);
  useEffect(() => { void load(); }, [load]);

  const retry = async (id: number) => {
    setNote(null); setError(null);
    try { await retryNotification(id); setNote('ntf_retried'); await load(); } catch (e) { setError(adminErrorKey(e)); }
  };

  return (
    <div className="adm-card" data-testid="admin-outbox">
      <h2>{t('ntf_outbox')}</h2>
      <p className="adm-note">{t('ntf_outbox_note')}</p>
      {data ? (
        <p className="adm-note" data-testid="admin-channels">
          {t('ntf_channels')}: {(['webhook', 'email', 'sms'] as const).map((c) => (
            <span key={c} className={`adm-tag ${data.channels.includes(c) ? 'on' : 'off'}`}>{t(CHANNEL_LABEL[c])}</span>
          ))}
          {data.channels.length < 3 ? <span> {t('ntf_channels_hint')}</span> : null}
        </p>
      ) : null}
      <div className="adm-row" role="group" aria-label={t('ntf_col_state')}>
        {STATES.map((s) => (
          <button key={s.id} type="button" className={`adm-btn small${state === s.id ? ' primary' : ''}`} aria-pressed={state === s.id}
            data-state={s.id || 'all'} onClick={() => setState(s.id)}>
            {t(s.label)}{data && s.id ? ` (${data.counts[s.id]})` : ''}
          </button>
        ))}
        <button type="button" className="adm-btn small" onClick={() => void load()}>{t('adm_reload')}</button>
      </div>
      {error ? <p className="adm-error" role="alert">{t(error)}</p> : null}
      {note ? <p className="adm-ok" role="status">{t(note)}</p> : null}
      <div className="adm-table-wrap">
        <table className="adm-table" data-testid="admin-outbox-table">
          <thead><tr>
            <th>{t('ntf_col_created')}</th><th>{t('ntf_col_channel')}</th><th>{t('ntf_col_target')}</th><th>{t('ntf_col_event')}</th>
            <th>{t('ntf_col_case')}</th><th>{t('ntf_col_state')}</th><th className="num">{t('ntf_col_attempts')}</th><th>{t('ntf_col_error')}</th><th />
          </tr></thead>
          <tbody>
            {items.map((x) => (
              <tr key={x.id} data-state={x.state}>
                <td>{formatFull(x.created_at)}</td>
                <td>{t(CHANNEL_LABEL[x.channel])}</td>
                <td className="mono">{x.target}</td>
                <td className="mono">{x.event}</td>
                <td className="mono">{x.case_no ?? '—'}</td>
                <td><span className={`adm-tag${x.state === 'dead' ? ' off' : x.state === 'delivered' ? ' on' : ''}`}>{t(STATE_LABEL[x.state])}</span></td>
                <td className="num">{x.attempts}</td>
                <td className="dim">{x.last_error ?? ''}{x.next_attempt_at && x.state !== 'pending' ? ` · ${t('ntf_next')} ${formatFull(x.next_attempt_at)}` : ''}</td>
                <td>{x.state === 'dead' || x.state === 'failed'
                  ? <button type="button" className="adm-btn small" data-testid="admin-outbox-retry" onClick={() => void retry(x.id)}>{t('ntf_retry')}</button> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {items.length === 0 && !error ? <p className="adm-note" style={{ padding: 10 }}>{t('adm_empty')}</p> : null}
      </div>
      {data && data.items.length === PAGE ? <button type="button" className="adm-btn" onClick={() => void load(items.length, items)}>{t('ntf_more')}</button> : null}
    </div>
  );
}

function Webhooks() {
  const { t } = useT();
  const [items, setItems] = useState<Webhook[]>([]);
  const [draft, setDraft] = useState({ name: '', url: '' });
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [tests, setTests] = useState<Record<number, WebhookTest>>({});
  const [error, setError] = useState<MessageKey | null>(null);

  const load = useCallback(async () => {
    try { setItems(await listWebhooks()); } catch (e) { setError(adminErrorKey(e)); }
  }, []);
  useEffect(() => { void load(); }, [load]);

  const add = async () => {
    setError(null);
    if (!draft.name.trim() || !/^https?:\/\/\S+$/i.test(draft.url.trim())) { setError('ntf_wh_bad'); return; }
    try {
      setCreated(await createWebhook({ name: draft.name.trim(), url: draft.url.trim() }));
      setDraft({ name: '', url: '' });
      await load();
    } catch (e) { setError(errorKey(e, 'ntf_wh_bad')); }
  };
  const test = async (id: number) => {
    setError(null);
    try { const r = await testWebhook(id); setTests((x) => ({ ...x, [id]: r })); } catch (e) { setError(adminErrorKey(e)); }
  };
  const remove = async (id: number) => {
    if (!window.confirm(t('ntf_wh_confirm_delete'))) return;
    setError(null);
    try { await deleteWebhook(id); await load(); } catch (e) { setError(adminErrorKey(e)); }
  };

  return (
    <div className="adm-card" data-testid="admin-webhooks">
      <h2>{t('ntf_webhooks')}</h2>
      <p className="adm-note">{t('ntf_webhooks_note')}</p>
      {created ? (
        <div className="adm-card" data-testid="admin-webhook-secret">
          <span>{created.name} · {t('ntf_wh_secret')}</span>
          <div className="adm-row">
            <code className="adm-secret">{created.secret}</code>
            <button type="button" className="adm-btn" onClick={() => setCreated(null)}>{t('close')}</button>
          </div>
        </div>
      ) : null}
      <form className="adm-row" noValidate onSubmit={(e) => { e.preventDefault(); void add(); }}>
        <label className="adm-field"><span>{t('ntf_wh_name')}</span>
          <input name="webhook-name" value={draft.name} maxLength={100} onChange={(e) => setDraft({ ...draft, name: e.target.value })} /></label>
        <label className="adm-field grow"><span>{t('ntf_wh_url')}</span>
          <input name="webhook-url" type="url" value={draft.url} maxLength={2000} placeholder="https://" onChange={(e) => setDraft({ ...draft, url: e.target.value })} /></label>
        <button type="submit" className="adm-btn primary">{t('ntf_wh_add')}</button>
      </form>
      {error ? <p className="adm-error" role="alert">{t(error)}</p> : null}
      <div className="adm-table-wrap">
        <table className="adm-table">
          <thead><tr><th>{t('ntf_wh_name')}</th><th>{t('ntf_wh_url')}</th><th>{t('ntf_col_created')}</th><th /></tr></thead>
          <tbody>
            {items.map((w) => (
              <tr key={w.id} data-webhook={w.id}>
                <td>{w.name}</td>
                <td className="mono">{w.url}</td>
                <td>{formatFull(w.created_at)}</td>
                <td>
                  <div className="adm-row">
                    <button type="button" className="adm-btn small" onClick={() => void test(w.id)}>{t('ntf_wh_test')}</button>
                    <button type="button" className="adm-btn small" onClick={() => void remove(w.id)}>{t('ntf_wh_delete')}</button>
                  </div>
                  {tests[w.id] ? (tests[w.id].ok
                    ? <p className="adm-ok" role="status">{t('ntf_wh_test_ok')}</p>
                    : <p className="adm-error" role="alert">{t('ntf_wh_test_fail')} <span className="mono">{tests[w.id].error}</span></p>) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {items.length === 0 ? <p className="adm-note" style={{ padding: 10 }}>{t('adm_empty')}</p> : null}
      </div>
    </div>
  );
}

function Contacts() {
  const { t } = useT();
  const [items, setItems] = useState<NotificationContact[]>([]);
  const [drafts, setDrafts] = useState<Record<number, string>>({});
  const [error, setError] = useState<MessageKey | null>(null);
  const [saved, setSaved] = useState<number | null>(null);

  const load = useCallback(async () => {
    try {
      const rows = await listContacts();
      setItems(rows);
      setDrafts(Object.fromEntries(rows.map((r) => [r.department_id, r.email ?? ''])));
    } catch (e) { setError(adminErrorKey(e)); }
  }, []);
  useEffect(() => { void load(); }, [load]);

  const save = async (id: number) => {
    setError(null); setSaved(null);
    const email = (drafts[id] ?? '').trim();
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) { setError('ntf_ct_bad_email'); return; }
    try { await setContact(id, email || null); setSaved(id); await load(); } catch (e) { setError(errorKey(e, 'ntf_ct_bad_email')); }
  };

  return (
    <div className="adm-card" data-testid="admin-contacts">
      <h2>{t('ntf_contacts')}</h2>
      <p className="adm-note">{t('ntf_contacts_note')}</p>
      {error ? <p className="adm-error" role="alert">{t(error)}</p> : null}
      <div className="adm-table-wrap">
        <table className="adm-table">
          <thead><tr><th>{t('ntf_ct_department')}</th><th>{t('ntf_ct_email')}</th><th className="num">{t('ntf_ct_phones')}</th><th /></tr></thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.department_id}>
                <td>{c.department_name}</td>
                <td><input aria-label={`${c.department_name} ${t('ntf_ct_email')}`} type="email" value={drafts[c.department_id] ?? ''} maxLength={254}
                  onChange={(e) => setDrafts({ ...drafts, [c.department_id]: e.target.value })} /></td>
                <td className="num">{c.crew_phones}</td>
                <td>
                  <button type="button" className="adm-btn small" disabled={(drafts[c.department_id] ?? '') === (c.email ?? '')} onClick={() => void save(c.department_id)}>{t('adm_save')}</button>
                  {saved === c.department_id ? <span className="adm-tag on">{t('adm_saved')}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function NotificationsPanel() {
  return (
    <section className="adm-panel" data-testid="admin-notifications">
      <Outbox />
      <Webhooks />
      <Contacts />
    </section>
  );
}
