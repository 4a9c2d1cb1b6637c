// Admin console, Departments & class defaults: create, rename, move and deactivate departments (never delete: cases
// and figures refer to them), and choose which department each class goes to by default. Every change is audited.
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  createDepartment, listClassDefaults, listDepartments, setClassDefault, updateDepartment,
  type AdminDepartment, type ClassDefault,
} from '../../api/admin.js';
import { useT } from '../../components/Bilingual.js';
import type { MessageKey } from '../../i18n/index.js';
import { adminErrorKey } from './admin-errors.js';

type Edit = { id: number; name: string; level: number; parent_id: number | null; credit_code: string };

export function DepartmentsPanel() {
  const { t, lang } = useT();
  const [departments, setDepartments] = useState<AdminDepartment[]>([]);
  const [kind, setKind] = useState<'matter' | 'component'>('matter');
  const [classes, setClasses] = useState<ClassDefault[]>([]);
  const [filter, setFilter] = useState('');
  const [draft, setDraft] = useState({ name: '', level: 2, parent_id: null as number | null, credit_code: '' });
  const [edit, setEdit] = useState<Edit | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [d, c] = await Promise.all([listDepartments(), listClassDefaults(kind)]);
      setDepartments(d.items);
      setClasses(c.items);
    } catch (e) { setError(adminErrorKey(e)); }
  }, [kind]);
  useEffect(() => { void load(); }, [load]);

  const run = async (what: () => Promise<unknown>, context: Parameters<typeof adminErrorKey>[1]) => {
    setBusy(true); setError(null); setNotice(null);
    try { await what(); setNotice('adm_saved'); await load(); } catch (e) { setError(adminErrorKey(e, context)); } finally { setBusy(false); }
  };

  const name = (id: number | null) => (id === null ? '—' : departments.find((d) => d.id === id)?.name ?? `#${id}`);
  const shownClasses = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? classes.filter((c) => c.class_code.includes(f) || c.name_zh.toLowerCase().includes(f) || (c.name_en ?? '').toLowerCase().includes(f)) : classes;
  }, [classes, filter]);

  return (
    <section className="adm-panel" data-testid="admin-departments">
      {error ? <p className="adm-error" role="alert">{t(error)}</p> : null}
      {notice ? <p className="adm-ok" role="status">{t(notice)}</p> : null}
      <div className="adm-cols wide-left">
        <div className="adm-card">
          <h2>{t('adm_departments')}</h2>
          <p className="adm-note">{t('adm_dep_never_delete')}</p>
          <form className="adm-row" onSubmit={(e) => {
            e.preventDefault();
            if (!draft.name.trim()) { setError('adm_err_bad_request'); return; }
            void run(async () => {
              await createDepartment({ name: draft.name, level: draft.level, parent_id: draft.parent_id, credit_code: draft.credit_code.trim() || null });
              setDraft({ name: '', level: 2, parent_id: null, credit_code: '' });
            }, 'department');
          }}>
            <label className="adm-field grow"><span>{t('adm_dep_name')} *</span>
              <input name="department-name" value={draft.name} maxLength={100} onChange={(e) => setDraft({ ...draft, name: e.target.value })} /></label>
            <label className="adm-field"><span>{t('adm_dep_level')}</span>
              <select value={draft.level} onChange={(e) => setDraft({ ...draft, level: Number(e.target.value) })}>{[1, 2, 3].map((l) => <option key={l} value={l}>{l}</option>)}</select></label>
            <label className="adm-field"><span>{t('adm_dep_parent')}</span>
              <select value={draft.parent_id ?? ''} onChange={(e) => setDraft({ ...draft, parent_id: e.target.value ? Number(e.target.value) : null })}>
                <option value="">{t('adm_none')}</option>
                {departments.filter((d) => d.active).map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
              </select></label>
            <label className="adm-field"><span>{t('adm_dep_credit')}</span>
              <input value={draft.credit_code} maxLength={18} size={20} onChange={(e) => setDraft({ ...draft, credit_code: e.target.value })} /></label>
            <button type="submit" className="adm-btn primary" disabled={busy}>{t('adm_dep_new')}</button>
          </form>
          <div className="adm-table-wrap">
            <table className="adm-table" data-testid="admin-department-table">
              <thead><tr>
                <th>{t('adm_dep_name')}</th><th>{t('adm_dep_level')}</th><th>{t('adm_dep_parent')}</th>
                <th className="num">{t('adm_dep_users')}</th><th className="num">{t('adm_dep_open_cases')}</th><th className="num">{t('adm_dep_defaults')}</th><th />
              </tr></thead>
              <tbody>
                {departments.map((d) => edit?.id === d.id ? (
                  <tr key={d.id} className="selected">
                    <td><input value={edit.name} maxLength={100} onChange={(e) => setEdit({ ...edit, name: e.target.value })} />
                      <input value={edit.credit_code} placeholder={t('adm_dep_credit')} maxLength={18} onChange={(e) => setEdit({ ...edit, credit_code: e.target.value })} /></td>
                    <td><select value={edit.level} onChange={(e) => setEdit({ ...edit, level: Number(e.target.value) })}>{[1, 2, 3].map((l) => <option key={l} value={l}>{l}</option>)}</select></td>
                    <td><select value={edit.parent_id ?? ''} onChange={(e) => setEdit({ ...edit, parent_id: e.target.value ? Number(e.target.value) : null })}>
                      <option value="">{t('adm_none')}</option>
                      {departments.filter((x) => x.id !== d.id).map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
                    </select></td>
                    <td colSpan={4} className="actions">
                      <button type="button" className="adm-btn small primary" disabled={busy} onClick={() => void run(async () => {
                        await updateDepartment(d.id, { name: edit.name, level: edit.level, parent_id: edit.parent_id, credit_code: edit.credit_code.trim() || null });
                        setEdit(null);
                      }, 'department')}>{t('adm_save')}</button>
                      <button type="button" className="adm-btn small" onClick={() => setEdit(null)}>{t('adm_cancel')}</button>
                    </td>
                  </tr>
                ) : (
                  <tr key={d.id} className={d.active ? '' : 'muted'} data-department={d.name}>
                    <td>{d.name} {d.active ? null : <span className="adm-tag off">{t('adm_disabled')}</span>}</td>
                    <td>{d.level}</td>
                    <td>{name(d.parent_id)}</td>
                    <td className="num">{d.users}</td><td className="num">{d.open_cases}</td><td className="num">{d.class_defaults}</td>
                    <td className="actions">
                      <button type="button" className="adm-btn small" onClick={() => setEdit({ id: d.id, name: d.name, level: d.level, parent_id: d.parent_id, credit_code: d.credit_code ?? '' })}>{t('adm_edit')}</button>
                      <button type="button" className={`adm-btn small ${d.active ? 'danger' : ''}`} disabled={busy}
                        onClick={() => void run(() => updateDepartment(d.id, { active: !d.active }), 'department')}>{d.active ? t('adm_dep_deactivate') : t('adm_dep_reactivate')}</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>

        <div className="adm-card">
          <h2>{t('adm_class_defaults')}</h2>
          <div className="adm-row">
            <div className="adm-roles" role="radiogroup">
              {(['matter', 'component'] as const).map((k) => (
                <label key={k}><input type="radio" name="class-kind" checked={kind === k} onChange={() => setKind(k)} />{t(k === 'matter' ? 'adm_kind_matter' : 'adm_kind_component')}</label>
              ))}
            </div>
            <label className="adm-field grow"><span>{t('adm_filter_classes')}</span>
              <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} /></label>
          </div>
          <div className="adm-table-wrap">
            <table className="adm-table" data-testid="admin-class-defaults">
              <thead><tr><th>{t('adm_class')}</th><th>{t('adm_suggested')}</th><th>{t('adm_department')}</th></tr></thead>
              <tbody>
                {shownClasses.map((c) => (
                  <tr key={c.class_code}>
                    <td><span className="mono">{c.class_code}</span> {lang === 'zh' ? c.name_zh : (c.name_en ?? c.name_zh)}</td>
                    <td className="adm-note">{c.typical_department ?? '—'}</td>
                    <td>
                      <select aria-label={`${t('adm_department')} ${c.class_code}`} value={c.department_id ?? ''} disabled={busy}
                        onChange={(e) => void run(() => setClassDefault(kind, c.class_code, e.target.value ? Number(e.target.value) : null), 'class_default')}>
                        <option value="">{t('adm_none')}</option>
                        {departments.filter((d) => d.active || d.id === c.department_id).map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </section>
  );
}
