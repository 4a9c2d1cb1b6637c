// Admin console, Audit log (电子监察): recent entries, newest first, filtered by kind of change, who and since when;
// admin changes show what changed (before → after). Older entries page in on demand.
import { useCallback, useEffect, useState } from 'react';
import { listAudit, type AuditEntry, type AuditFilter } from '../../api/admin.js';
import { useT } from '../../components/Bilingual.js';
import type { MessageKey } from '../../i18n/index.js';
import { formatFull } from '../../i18n/format.js';
import { adminErrorKey } from './admin-errors.js';

const PAGE = 100;

/** Kinds of entries the filter offers: the action prefix of each. */
const KINDS: { prefix: string; label: MessageKey }[] = [
  { prefix: '', label: 'adm_aud_all' },
  { prefix: 'user', label: 'adm_aud_users' },
  { prefix: 'department.', label: 'adm_aud_departments' },
  { prefix: 'class_default.', label: 'adm_aud_classes' },
  { prefix: 'inspector_grids.', label: 'adm_aud_grids' },
  { prefix: 'import.', label: 'adm_aud_imports' },
  { prefix: 'case', label: 'adm_aud_cases' },
];

const short = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s && s.length > 80 ? `${s.slice(0, 77)}…` : s ?? '—';
};

/** What an entry changed: before → after per field when it has both, else its details in brief. */
function Detail({ d }: { d: AuditEntry['detail'] }) {
  if (!d) return null;
  const before = d.before as Record<string, unknown> | undefined;
  const after = d.after as Record<string, unknown> | undefined;
  if (before && after && typeof before === 'object' && typeof after === 'object' && !Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return <div className="adm-detail">{keys.map((k) => <div key={k}>{k}: <del>{short(before[k])}</del> → <ins>{short(after[k])}</ins></div>)}</div>;
  }
  return <div className="adm-detail">{Object.entries(d).filter(([k]) => k !== 'before').map(([k, v]) => <span key={k}>{k}={short(v)} </span>)}</div>;
}

export function AuditPanel() {
  const { t } = useT();
  const [filter, setFilter] = useState<{ prefix: string; username: string; since: string }>({ prefix: '', username: '', since: '' });
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);

  const query = useCallback((before_id?: number): AuditFilter => ({
    action_prefix: filter.prefix || undefined, username: filter.username.trim() || undefined,
    since: filter.since ? new Date(`${filter.since}T00:00:00`).toISOString() : undefined, before_id, limit: PAGE,
  }), [filter]);

  const load = useCallback(async (append?: AuditEntry[]) => {
    setError(null);
    try {
      const page = (await listAudit(query(append?.length ? append[append.length - 1].id : undefined))).items;
      setItems(append ? [...append, ...page] : page);
      setMore(page.length === PAGE);
    } catch (e) { setError(adminErrorKey(e)); }
  }, [query]);
  useEffect(() => { void load(); }, [load]);

  return (
    <section className="adm-panel" data-testid="admin-audit">
      {error ? <p className="adm-error" role="alert">{t(error)}</p> : null}
      <div className="adm-row">
        <label className="adm-field"><span>{t('adm_aud_filter_kind')}</span>
          <select name="audit-kind" value={filter.prefix} onChange={(e) => setFilter({ ...filter, prefix: e.target.value })}>
            {KINDS.map((k) => <option key={k.prefix} value={k.prefix}>{t(k.label)}</option>)}
          </select></label>
        <label className="adm-field"><span>{t('adm_aud_user')}</span>
          <input name="audit-user" value={filter.username} onChange={(e) => setFilter({ ...filter, username: e.target.value })} /></label>
        <label className="adm-field"><span>{t('adm_aud_since')}</span>
          <input type="date" value={filter.since} onChange={(e) => setFilter({ ...filter, since: e.target.value })} /></label>
        <button type="button" className="adm-btn" onClick={() => void load()}>{t('adm_reload')}</button>
      </div>
      <div className="adm-table-wrap">
        <table className="adm-table" data-testid="admin-audit-table">
          <thead><tr><th>{t('adm_aud_at')}</th><th>{t('adm_aud_user')}</th><th>{t('adm_aud_action')}</th><th>{t('adm_aud_target')}</th><th>{t('adm_aud_detail')}</th></tr></thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{formatFull(e.at)}</td>
                <td>{e.username ?? '—'}</td>
                <td className="mono">{e.action}</td>
                <td className="mono">{e.target ?? '—'}</td>
                <td><Detail d={e.detail} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        {items.length === 0 && !error ? <p className="adm-note" style={{ padding: 10 }}>{t('adm_empty')}</p> : null}
      </div>
      {more ? <button type="button" className="adm-btn" onClick={() => void load(items)}>{t('adm_aud_more')}</button> : null}
    </section>
  );
}
