// Admin console, Users: create a user with roles and a department, change roles/department/name, disable or enable,
// set the district or street a user works in (a user of one district sees only its cases), reset a password (set one, or generate one shown once) and sign a user out everywhere. Every change is audited.
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  createUser, listDepartments, listUsers, resetPassword, revokeSessions, updateUser,
  type AdminDepartment, type AdminUser,
} from '../../api/admin.js';
import { useT } from '../../components/Bilingual.js';
import { roleKey, tOr, type MessageKey } from '../../i18n/index.js';
import { USER_ROLES, type UserRole } from '../../../../server/domain/auth.js';
import { generatedPassword } from '../../../../server/domain/admin.js';
import { selectUser, useSession } from '../../state/session-store.js';
import { adminErrorKey } from './admin-errors.js';
import { fetchRegions } from '../../api/regions.js';
import type { Region } from '../../api/types.js';

type Draft = { username: string; display_name: string; phone: string; password: string; roles: UserRole[]; department_id: number | null; region_code: string | null };
const EMPTY: Draft = { username: '', display_name: '', phone: '', password: '', roles: [], department_id: null, region_code: null };

/** A password for a new user when the admin leaves it empty: shown once, like a reset's. */
const freshPassword = () => generatedPassword(crypto.getRandomValues(new Uint8Array(16)));

function RolePicker({ value, onChange, name }: { value: UserRole[]; onChange: (r: UserRole[]) => void; name: string }) {
  const { lang } = useT();
  return (
    <div className="adm-roles" role="group">
      {USER_ROLES.map((r) => (
        <label key={r}>
          <input type="checkbox" name={`${name}-${r}`} checked={value.includes(r)}
            onChange={(e) => onChange(e.target.checked ? [...value, r] : value.filter((x) => x !== r))} />
          {tOr(lang, roleKey(r), r)}
        </label>
      ))}
    </div>
  );
}

function DepartmentSelect({ value, onChange, departments, name }: { value: number | null; onChange: (id: number | null) => void; departments: AdminDepartment[]; name: string }) {
  const { t } = useT();
  return (
    <select name={name} value={value ?? ''} onChange={(e) => onChange(e.target.value ? Number(e.target.value) : null)}>
      <option value="">{t('adm_none')}</option>
      {departments.filter((d) => d.active || d.id === value).map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
    </select>
  );
}

/** The districts and streets a user may be kept to (users.region_code); empty = every district. */
function RegionSelect({ value, onChange, regions, name }: { value: string | null; onChange: (code: string | null) => void; regions: Region[]; name: string }) {
  const { t } = useT();
  return (
    <select name={name} value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
      <option value="">{t('adm_every_district')}</option>
      {regions.map((r) => <option key={r.code} value={r.code}>{r.level === 'street' ? `　${r.name}` : r.name} ({r.code})</option>)}
      {value && !regions.some((r) => r.code === value) ? <option value={value}>{value}</option> : null}
    </select>
  );
}

export function UsersPanel() {
  const { t, lang } = useT();
  const me = useSession(selectUser);
  const [users, setUsers] = useState<AdminUser[]>([]);
  const [departments, setDepartments] = useState<AdminDepartment[]>([]);
  const [regions, setRegions] = useState<Region[]>([]);
  const [filter, setFilter] = useState('');
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [error, setError] = useState<MessageKey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ username: string; password: string } | null>(null);
  const [editing, setEditing] = useState<{ id: number; display_name: string; phone: string; roles: UserRole[]; department_id: number | null; region_code: string | null } | null>(null);
  const [resetting, setResetting] = useState<{ id: number; password: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [u, d, districts, streets] = await Promise.all([listUsers(), listDepartments(), fetchRegions('district'), fetchRegions('street')]);
      setUsers(u.items);
      setDepartments(d.items);
      // each district followed by its streets
      setRegions([...districts, ...streets].sort((a, b) => a.code.localeCompare(b.code)));
    } catch (e) { setError(adminErrorKey(e)); }
  }, []);
  useEffect(() => { void load(); }, [load]);

  const regionName = (code: string | null) => (code === null ? t('adm_every_district') : regions.find((r) => r.code === code)?.name ?? code);
  const depName = (id: number | null) => (id === null ? '—' : departments.find((d) => d.id === id)?.name ?? `#${id}`);
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? users.filter((u) => u.username.toLowerCase().includes(f) || u.display_name.toLowerCase().includes(f)) : users;
  }, [users, filter]);

  /** Runs one change; on success reloads and says what happened. */
  const run = async (what: () => Promise<string | null>, context: Parameters<typeof adminErrorKey>[1]) => {
    setBusy(true); setError(null); setNotice(null);
    try {
      const msg = await what();
      setNotice(msg);
      await load();
    } catch (e) { setError(adminErrorKey(e, context)); } finally { setBusy(false); }
  };

  const create = () => {
    if (!draft.username.trim() || draft.roles.length === 0) { setError(draft.roles.length === 0 ? 'adm_err_roles' : 'adm_err_username'); return; }
    if (draft.roles.includes('department') && draft.department_id === null) { setError('adm_err_roles'); return; }
    const password = draft.password || freshPassword();
    void run(async () => {
      const u = await createUser({
        username: draft.username.trim(), password, roles: draft.roles, display_name: draft.display_name.trim() || undefined,
        phone: draft.phone.trim() || null, department_id: draft.department_id, region_code: draft.region_code,
      });
      setSecret(draft.password ? null : { username: u.username, password });
      setDraft(EMPTY);
      return `${t('adm_created_user')}: ${u.username}`;
    }, 'user');
  };

  const saveEdit = () => {
    if (!editing) return;
    if (editing.roles.length === 0 || (editing.roles.includes('department') && editing.department_id === null)) { setError('adm_err_roles'); return; }
    void run(async () => {
      await updateUser(editing.id, { display_name: editing.display_name, phone: editing.phone.trim() || null, roles: editing.roles, department_id: editing.department_id, region_code: editing.region_code });
      setEditing(null);
      return t('adm_saved');
    }, 'user');
  };

  const toggleDisabled = (u: AdminUser) => {
    if (!u.disabled && !window.confirm(t('adm_confirm_disable'))) return;
    void run(async () => { await updateUser(u.id, { disabled: !u.disabled }); return t('adm_saved'); }, 'user');
  };

  const doReset = (u: AdminUser, password?: string) => void run(async () => {
    const r = await resetPassword(u.id, password);
    setResetting(null);
    setSecret(r.password ? { username: u.username, password: r.password } : null);
    return `${t('adm_saved')} · ${t('adm_revoked_n')}${r.sessions_ended}`;
  }, 'password');

  const doRevoke = (u: AdminUser) => void run(async () => {
    const r = await revokeSessions(u.id);
    return `${u.username} · ${t('adm_revoked_n')}${r.revoked}`;
  }, 'user');

  return (
    <section className="adm-panel" data-testid="admin-users">
      {error ? <p className="adm-error" role="alert">{t(error)}</p> : null}
      {notice ? <p className="adm-ok" role="status">{notice}</p> : null}
      {secret ? (
        <div className="adm-card" data-testid="admin-secret">
          <span>{secret.username} · {t('adm_new_password')}</span>
          <div className="adm-row">
            <code className="adm-secret" data-testid="admin-secret-value">{secret.password}</code>
            <button type="button" className="adm-btn" onClick={() => setSecret(null)}>{t('close')}</button>
          </div>
        </div>
      ) : null}

      <form className="adm-card" data-testid="admin-new-user" onSubmit={(e) => { e.preventDefault(); create(); }}>
        <h2>{t('adm_users_new')}</h2>
        <div className="adm-row">
          <label className="adm-field"><span>{t('adm_username')} *</span>
            <input name="username" value={draft.username} maxLength={64} autoComplete="off" onChange={(e) => setDraft({ ...draft, username: e.target.value })} /></label>
          <label className="adm-field"><span>{t('adm_display_name')}</span>
            <input name="display_name" value={draft.display_name} maxLength={100} onChange={(e) => setDraft({ ...draft, display_name: e.target.value })} /></label>
          <label className="adm-field"><span>{t('adm_phone')}</span>
            <input name="phone" value={draft.phone} maxLength={32} onChange={(e) => setDraft({ ...draft, phone: e.target.value })} /></label>
          <label className="adm-field"><span>{t('adm_password')}</span>
            <input name="password" type="text" size={28} autoComplete="new-password" value={draft.password} maxLength={256} onChange={(e) => setDraft({ ...draft, password: e.target.value })} />
            <small>{t('adm_password_hint')}</small></label>
        </div>
        <div className="adm-row">
          <div className="adm-field grow"><span>{t('adm_roles')} *</span>
            <RolePicker name="new-role" value={draft.roles} onChange={(roles) => setDraft({ ...draft, roles })} /></div>
          <label className="adm-field"><span>{t('adm_department')}</span>
            <DepartmentSelect name="department" value={draft.department_id} departments={departments} onChange={(department_id) => setDraft({ ...draft, department_id })} /></label>
          <label className="adm-field"><span>{t('adm_region')}</span>
            <RegionSelect name="region" value={draft.region_code} regions={regions} onChange={(region_code) => setDraft({ ...draft, region_code })} /></label>
          <button type="submit" className="adm-btn primary" disabled={busy}>{t('adm_create')}</button>
        </div>
      </form>

      <div className="adm-row">
        <label className="adm-field"><span>{t('adm_filter_users')}</span>
          <input type="search" size={36} value={filter} onChange={(e) => setFilter(e.target.value)} /></label>
        <button type="button" className="adm-btn" onClick={() => void load()}>{t('adm_reload')}</button>
      </div>
      <div className="adm-table-wrap">
        <table className="adm-table" data-testid="admin-user-table">
          <thead><tr>
            <th>{t('adm_username')}</th><th>{t('adm_display_name')}</th><th>{t('adm_roles')}</th><th>{t('adm_department')}</th><th>{t('adm_region')}</th>
            <th>{t('adm_status')}</th><th className="num">{t('adm_sessions')}</th><th />
          </tr></thead>
          <tbody>
            {shown.map((u) => editing?.id === u.id ? (
              <tr key={u.id} className="selected" data-username={u.username}>
                <td className="mono">{u.username}</td>
                <td><input value={editing.display_name} onChange={(e) => setEditing({ ...editing, display_name: e.target.value })} />
                  <input value={editing.phone} placeholder={t('adm_phone')} onChange={(e) => setEditing({ ...editing, phone: e.target.value })} /></td>
                <td><RolePicker name={`edit-${u.id}`} value={editing.roles} onChange={(roles) => setEditing({ ...editing, roles })} /></td>
                <td><DepartmentSelect name="edit-department" value={editing.department_id} departments={departments} onChange={(department_id) => setEditing({ ...editing, department_id })} /></td>
                <td><RegionSelect name="edit-region" value={editing.region_code} regions={regions} onChange={(region_code) => setEditing({ ...editing, region_code })} /></td>
                <td colSpan={3} className="actions">
                  <button type="button" className="adm-btn primary small" disabled={busy} onClick={saveEdit}>{t('adm_save')}</button>
                  <button type="button" className="adm-btn small" onClick={() => setEditing(null)}>{t('adm_cancel')}</button>
                </td>
              </tr>
            ) : (
              <tr key={u.id} className={u.disabled ? 'muted' : ''} data-username={u.username}>
                <td className="mono">{u.username}</td>
                <td>{u.display_name || '—'}</td>
                <td>{u.roles.map((r) => <span key={r} className="adm-tag">{tOr(lang, roleKey(r), r)}</span>)}</td>
                <td>{depName(u.department_id)}</td>
                <td>{regionName(u.region_code)}</td>
                <td>{u.disabled ? <span className="adm-tag off">{t('adm_disabled')}</span> : <span className="adm-tag on">{t('adm_active')}</span>}</td>
                <td className="num">{u.open_sessions}</td>
                <td>
                  {resetting?.id === u.id ? (
                    <span className="actions adm-row">
                      <input name="reset-password" placeholder={t('adm_password_hint')} value={resetting.password} onChange={(e) => setResetting({ ...resetting, password: e.target.value })} />
                      <button type="button" className="adm-btn small primary" disabled={busy || !resetting.password} onClick={() => doReset(u, resetting.password)}>{t('adm_reset_set')}</button>
                      <button type="button" className="adm-btn small primary" disabled={busy} onClick={() => doReset(u)} data-testid="admin-reset-generate">{t('adm_reset_generate')}</button>
                      <button type="button" className="adm-btn small" onClick={() => setResetting(null)}>{t('adm_cancel')}</button>
                    </span>
                  ) : (
                    <span className="actions adm-row">
                      <button type="button" className="adm-btn small" onClick={() => { setEditing({ id: u.id, display_name: u.display_name, phone: u.phone ?? '', roles: u.roles, department_id: u.department_id, region_code: u.region_code }); setResetting(null); }}>{t('adm_edit')}</button>
                      <button type="button" className="adm-btn small" title={t('adm_reset_note')} onClick={() => { setResetting({ id: u.id, password: '' }); setEditing(null); }} data-testid="admin-reset">{t('adm_reset_password')}</button>
                      <button type="button" className="adm-btn small" disabled={busy || u.open_sessions === 0} onClick={() => doRevoke(u)}>{t('adm_revoke')}</button>
                      <button type="button" className="adm-btn small danger" disabled={busy || u.id === me?.id} onClick={() => toggleDisabled(u)}>{u.disabled ? t('adm_enable') : t('adm_disable')}</button>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {shown.length === 0 ? <p className="adm-note" style={{ padding: 10 }}>{t('adm_empty')}</p> : null}
      </div>
    </section>
  );
}
