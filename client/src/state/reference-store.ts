// Reference lists loaded once per session: matter classes (names for class codes; the report form's picker) and
// departments (names for department ids; the dispatcher's choice).
import { create } from 'zustand';
import { fetchDepartments, fetchMatterClasses } from '../api/reference.js';
import type { Department, MatterClass } from '../api/types.js';
import type { Lang } from '../i18n/index.js';

type ReferenceState = {
  classes: Record<string, MatterClass>;
  classList: MatterClass[];
  departments: Record<number, Department>;
  departmentList: Department[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load: (fetchers?: { classes: () => Promise<MatterClass[]>; departments: () => Promise<Department[]> }) => Promise<void>;
};

export const useReference = create<ReferenceState>()((set) => ({
  classes: {},
  classList: [],
  departments: {},
  departmentList: [],
  status: 'idle',
  error: null,
  load: async (fetchers = { classes: () => fetchMatterClasses(), departments: () => fetchDepartments() }) => {
    set({ status: 'loading', error: null });
    const [classes, departments] = await Promise.allSettled([fetchers.classes(), fetchers.departments()]);
    const errors: string[] = [];
    const patch: Partial<ReferenceState> = {};
    if (classes.status === 'fulfilled') {
      const list = [...classes.value].sort((a, b) => a.code.localeCompare(b.code));
      patch.classList = list;
      patch.classes = Object.fromEntries(list.map((c) => [c.code, c]));
    } else errors.push((classes.reason as Error).message);
    if (departments.status === 'fulfilled') {
      const list = [...departments.value].sort((a, b) => a.id - b.id);
      patch.departmentList = list;
      patch.departments = Object.fromEntries(list.map((d) => [d.id, d]));
    } else errors.push((departments.reason as Error).message);
    set({ ...patch, status: errors.length ? 'error' : 'ready', error: errors.length ? errors.join('; ') : null });
  },
}));

export const selectClasses = (s: ReferenceState) => s.classes;
export const selectClassList = (s: ReferenceState) => s.classList;
export const selectDepartments = (s: ReferenceState) => s.departments;
export const selectDepartmentList = (s: ReferenceState) => s.departmentList;
export const selectReferenceStatus = (s: ReferenceState) => s.status;
export const selectReferenceError = (s: ReferenceState) => s.error;

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/**
 * Department and user names come as "water utility 供水企业" or "派遣员 Dispatcher" (both languages, from the standard's
 * `typical_department` and the demo users): the part in the chosen language, or the whole name when it has only one.
 * @example localName('water utility 供水企业', 'zh') // '供水企业'
 */
export function localName(name: string | null | undefined, lang: Lang): string {
  if (!name) return '';
  const words = name.trim().split(/\s+/);
  const zh = words.filter((w) => CJK.test(w)).join(' ');
  const en = words.filter((w) => !CJK.test(w)).join(' ');
  if (lang === 'zh') return zh || name;
  return en || name;
}

export const departmentName = localName;

/** A matter class's name in the chosen language, or the code when unknown. */
export function className(classes: Record<string, MatterClass>, code: string, lang: Lang): string {
  const c = classes[code];
  if (!c) return code;
  return lang === 'zh' ? c.name_zh : c.name_en;
}

/**
 * Classes matching a search: by code prefix, or by any part of the Chinese or English name (case-insensitive);
 * an empty search gives every class.
 * @example searchClasses(list, '井盖').map((c) => c.code) // ['01001', '01002', …]
 */
export function searchClasses(list: readonly MatterClass[], query: string): MatterClass[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...list];
  const terms = q.split(/\s+/);
  return list.filter((c) => terms.every((t) => c.code.startsWith(t) || c.name_zh.includes(t) || c.name_en.toLowerCase().includes(t)
    || c.major_name_zh.includes(t)));
}
