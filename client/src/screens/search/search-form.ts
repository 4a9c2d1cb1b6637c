// The search form's rules, pure: status chips (groups of statuses), the form ↔ query ↔ address bar, and the checks
// made before asking the server (the server checks again and names the field; see fieldsOf).
import type { CaseStatus } from '../../api/types.js';
import { CASE_CHANNELS, CASE_ORIGINS, CASE_SORTS, searchParams, type CaseChannel, type CaseOrigin, type CaseSearchQuery, type CaseSort } from '../../api/search.js';
import type { MessageKey } from '../../i18n/index.js';

/** Status chips: the loop's stages, each one or several statuses (the wall's colour groups). */
export const STATUS_CHIPS: readonly { id: string; label: MessageKey; statuses: readonly CaseStatus[] }[] = [
  { id: 'intake', label: 'sr_chip_intake', statuses: ['pending_acceptance', 'verifying', 'pending_filing', 'pending_review'] },
  { id: 'dispatch', label: 'sr_chip_dispatch', statuses: ['pending_dispatch'] },
  { id: 'handling', label: 'sr_chip_handling', statuses: ['handling', 'suspended'] },
  { id: 'check', label: 'sr_chip_check', statuses: ['pending_check', 'checking', 'pending_closing'] },
  { id: 'closed', label: 'sr_chip_closed', statuses: ['closed'] },
  { id: 'void', label: 'sr_chip_void', statuses: ['void'] },
];

/** What the form holds: strings as typed, chips as ids. */
export type SearchForm = {
  q: string; major: string; class: string; street: string; community: string; grid: string; department: string;
  chips: string[]; source: string; origin: string; from: string; to: string; sort: CaseSort;
};

export const EMPTY_FORM: SearchForm = {
  q: '', major: '', class: '', street: '', community: '', grid: '', department: '', chips: [], source: '', origin: '', from: '', to: '', sort: 'newest',
};

/** The form's fields a message may name (the server's `details` keys map onto them). */
export type FormField = 'q' | 'class' | 'major' | 'grid' | 'community' | 'street' | 'department' | 'status' | 'source' | 'origin' | 'from' | 'to' | 'sort';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isDate = (s: string) => DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
const MAX_DAYS = 5 * 366;

/**
 * The problems the form can see by itself, by field (the message keys say what to do); empty when it may be sent.
 * @example checkForm({ ...EMPTY_FORM, from: '2026-03-02', to: '2026-03-01' }) // { from: 'sr_err_from_after_to' }
 */
export function checkForm(f: SearchForm): Partial<Record<FormField, MessageKey>> {
  const out: Partial<Record<FormField, MessageKey>> = {};
  if (f.q.trim().length > 100) out.q = 'sr_err_q_long';
  if (f.grid.trim() && !/^[0-9]{15}$/.test(f.grid.trim())) out.grid = 'sr_err_grid';
  if (f.from && !isDate(f.from)) out.from = 'sr_err_date';
  if (f.to && !isDate(f.to)) out.to = 'sr_err_date';
  if (!out.from && !out.to && f.from && f.to) {
    const days = (Date.parse(`${f.to}T00:00:00Z`) - Date.parse(`${f.from}T00:00:00Z`)) / 86_400_000 + 1;
    if (days < 1) out.from = 'sr_err_from_after_to';
    else if (days > MAX_DAYS) out.to = 'sr_err_range_long';
  }
  return out;
}

/** The query a (checked) form asks for. */
export function queryOf(f: SearchForm): CaseSearchQuery {
  const chips = STATUS_CHIPS.filter((c) => f.chips.includes(c.id));
  return {
    q: f.q.trim() || undefined,
    class: f.class || undefined,
    major: f.class ? undefined : f.major || undefined,
    street: f.community ? undefined : f.street || undefined,
    community: f.community || undefined,
    grid: f.grid.trim() || undefined,
    department: f.department ? Number(f.department) : undefined,
    status: chips.length ? chips.flatMap((c) => c.statuses) : undefined,
    source: f.source ? [f.source as CaseChannel] : undefined,
    origin: f.origin ? [f.origin as CaseOrigin] : undefined,
    from: f.from || undefined,
    to: f.to || undefined,
    sort: f.sort,
  };
}

/** The address bar's `?…` of a search: a link or a reload shows the same results. */
export function toLocationSearch(f: SearchForm): string {
  const params = searchParams(queryOf(f));
  if (f.chips.length) params.status = undefined;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && !(k === 'sort' && v === EMPTY_FORM.sort)) qs.set(k, String(v));
  if (f.chips.length) qs.set('chips', f.chips.join(','));
  const s = qs.toString();
  return s ? `?${s}` : '';
}

/** The form a `?…` describes; unknown values are dropped (the form never shows what it cannot send). */
export function fromLocationSearch(search: string): SearchForm {
  const p = new URLSearchParams(search);
  const get = (k: string) => p.get(k)?.trim() ?? '';
  const one = <T extends string>(k: string, allowed: readonly T[]) => ((allowed as readonly string[]).includes(get(k)) ? get(k) : '');
  const chipIds = STATUS_CHIPS.map((c) => c.id);
  let chips = get('chips').split(',').filter((c) => chipIds.includes(c));
  if (!chips.length && get('status')) {
    // a link with statuses (from elsewhere): the chips that hold any of them
    const statuses = get('status').split(',');
    chips = STATUS_CHIPS.filter((c) => c.statuses.some((s) => statuses.includes(s))).map((c) => c.id);
  }
  return {
    q: get('q').slice(0, 100),
    major: /^[0-9]{2}$/.test(get('major')) ? get('major') : '',
    class: /^[0-9]{5}$/.test(get('class')) ? get('class') : '',
    street: /^[0-9]{9}$/.test(get('street')) ? get('street') : '',
    community: /^[0-9]{12}$/.test(get('community')) ? get('community') : '',
    grid: /^[0-9]{15}$/.test(get('grid')) ? get('grid') : '',
    department: /^[1-9][0-9]*$/.test(get('department')) ? get('department') : '',
    chips,
    source: one('source', CASE_CHANNELS),
    origin: one('origin', CASE_ORIGINS),
    from: isDate(get('from')) ? get('from') : '',
    to: isDate(get('to')) ? get('to') : '',
    sort: (one('sort', CASE_SORTS) || EMPTY_FORM.sort) as CaseSort,
  };
}

/** The form fields a server error names (its `details` keys), in the form's order. */
export function fieldsOf(details: unknown): FormField[] {
  if (!details || typeof details !== 'object') return [];
  const known: FormField[] = ['q', 'major', 'class', 'street', 'community', 'grid', 'department', 'status', 'source', 'origin', 'from', 'to', 'sort'];
  const keys = Array.isArray(details)
    ? details.map((d) => String((d as { instancePath?: string }).instancePath ?? '').replace(/^\//, ''))
    : Object.keys(details);
  return known.filter((k) => keys.includes(k));
}

/** How many filters besides the text are set (shown on the phone's "more filters" toggle). */
export function filterCount(f: SearchForm): number {
  return [f.major || f.class, f.street || f.community, f.grid, f.department, f.chips.length, f.source, f.origin, f.from || f.to].filter(Boolean).length;
}
