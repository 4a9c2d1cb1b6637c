// Case search (docs/leader-api.md §Case search): the query of GET /api/cases (and of the case exports) checked and
// turned into a filter. Pure: the calendar (for the district's local dates) is an argument.
import { DomainError } from './errors.js';
import { CASE_SOURCES, CASE_STATUSES } from './workflow.js';
import { localTime, type WorkCalendar } from './calendar.js';

/** Report channels a case may carry: the live sources plus `other` (imported cases from a 311 system). */
export const CASE_CHANNELS = [...CASE_SOURCES, 'other'] as const;
export const CASE_ORIGINS = ['live', 'imported', 'simulated'] as const;
export type CaseOrigin = (typeof CASE_ORIGINS)[number];
/** `light`: red first, then yellow, green, none, most recently changed first (the wall's order); the others by report time. */
export const CASE_SORTS = ['light', 'newest', 'oldest'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

/** Longest text a search takes; longer is refused rather than cut. */
export const MAX_Q_LENGTH = 100;
/** A period is at most five years (docs/leader-api.md): the same bound as the evaluation's. */
export const MAX_PERIOD_DAYS = 5 * 366;

/** The query as it arrives (after schema validation: types and patterns checked, lists still comma-separated). */
export type CaseSearchQuery = {
  q?: string; class?: string; major?: string; grid?: string; community?: string; street?: string; department?: number;
  status?: string; source?: string; origin?: string; from?: string; to?: string; sort?: string; light?: string;
  limit?: number; offset?: number;
};

/** The checked search: everything the storage layer filters on. */
export type CaseSearch = {
  /** `q` as LIKE patterns, with %, _ and \ escaped: `prefix` for the case number, `contains` for the text. */
  text?: { q: string; prefix: string; contains: string };
  class_code?: string; major_code?: string; grid?: string; community?: string; street?: string; department?: number;
  status?: string[]; source?: string[]; origin?: CaseOrigin[]; light?: 'green' | 'yellow' | 'red';
  /** Report time (created_at) in [created_from, created_before). */
  created_from?: Date; created_before?: Date;
  sort: CaseSort;
};

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function bad(field: string, message: string, hint: string): never {
  throw new DomainError('bad_request', message, { [field]: hint });
}

/** Escapes LIKE's wildcards (and its escape character) so user text matches literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** A comma-separated list, each value one of `allowed`; undefined when empty. */
function listOf<T extends string>(field: string, raw: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (raw === undefined) return undefined;
  const values = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  const unknown = values.filter((v) => !(allowed as readonly string[]).includes(v));
  if (unknown.length) {
    bad(field, `Unknown ${field} ${unknown.map((u) => `"${u}"`).join(', ')}; use one or more of ${allowed.join(', ')}, comma-separated`,
      `must be one or more of ${allowed.join(', ')}`);
  }
  return values.length ? (values as T[]) : undefined;
}

function dayNumber(field: string, v: string): number {
  const m = DATE_RE.exec(v);
  const day = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS : NaN;
  if (!m || Number.isNaN(day) || new Date(day * DAY_MS).toISOString().slice(0, 10) !== v) {
    bad(field, `${field} must be a date YYYY-MM-DD, got "${v}"`, 'must be a date YYYY-MM-DD');
  }
  return day;
}

const dateKey = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * Checks a case search and turns it into a filter. Dates are local dates of the district (`cal.time_zone`), both
 * inclusive; either may be left out, and when both are given `from` may not be after `to` nor more than five years
 * before it.
 * @throws DomainError bad_request with `details` keyed by the offending field
 * @example parseCaseSearch({ q: '10%', status: 'closed,void' }, cal).text?.contains // '%10\\%%'
 */
export function parseCaseSearch(query: CaseSearchQuery, cal: WorkCalendar): CaseSearch {
  const out: CaseSearch = { sort: 'light' };
  if (query.q !== undefined) {
    const q = query.q.trim().replace(/\s+/g, ' ');
    if (q.length > MAX_Q_LENGTH) bad('q', `q is ${q.length} characters; search for at most ${MAX_Q_LENGTH}`, `at most ${MAX_Q_LENGTH} characters`);
    if (q) out.text = { q, prefix: `${escapeLike(q)}%`, contains: `%${escapeLike(q)}%` };
  }
  if (query.class !== undefined) {
    if (!/^[0-9]{5}$/.test(query.class)) bad('class', `class must be a 5-digit class code, got "${query.class}"`, 'must be a 5-digit class code');
    out.class_code = query.class;
  }
  if (query.major !== undefined) {
    if (!/^[0-9]{2}$/.test(query.major)) bad('major', `major must be a 2-digit major class code, got "${query.major}"`, 'must be a 2-digit major class code');
    out.major_code = query.major;
  }
  for (const [field, digits, what] of [['grid', 15, 'unit-grid'], ['community', 12, 'community'], ['street', 9, 'street']] as const) {
    const v = query[field];
    if (v === undefined) continue;
    if (!new RegExp(`^[0-9]{${digits}}$`).test(v)) bad(field, `${field} must be a ${digits}-digit ${what} code, got "${v}"`, `must be a ${digits}-digit ${what} code`);
    out[field] = v;
  }
  if (query.department !== undefined) {
    if (!Number.isInteger(query.department) || query.department < 1) bad('department', `department must be a department id (a positive integer), got "${query.department}"`, 'must be a positive integer');
    out.department = query.department;
  }
  out.status = listOf('status', query.status, CASE_STATUSES);
  out.source = listOf('source', query.source, CASE_CHANNELS);
  out.origin = listOf('origin', query.origin, CASE_ORIGINS);
  if (query.light !== undefined) out.light = listOf('light', query.light, ['green', 'yellow', 'red'] as const)?.[0];
  if (query.sort !== undefined) out.sort = listOf('sort', query.sort, CASE_SORTS)?.[0] ?? 'light';

  const from = query.from ? dayNumber('from', query.from) : null;
  const to = query.to ? dayNumber('to', query.to) : null;
  if (from !== null && to !== null) {
    if (from > to) bad('from', `from (${query.from}) is after to (${query.to}); swap them or pick another range`, 'must not be after to');
    if (to - from + 1 > MAX_PERIOD_DAYS) bad('to', `The period ${query.from} … ${query.to} is longer than five years; choose a shorter one`, 'at most five years after from');
  }
  if (from !== null) out.created_from = localTime(cal, `${dateKey(from)} 00:00`);
  if (to !== null) out.created_before = localTime(cal, `${dateKey(to + 1)} 00:00`);
  return out;
}

/** The codes a search names that the database must know, to refuse a typo instead of answering "nothing found". */
export type SearchRefs = Pick<CaseSearch, 'class_code' | 'major_code' | 'grid' | 'community' | 'street' | 'department'>;

/** Turns the names of unknown references into one error naming each field. @throws DomainError bad_request */
export function assertKnownRefs(refs: SearchRefs, unknown: readonly (keyof SearchRefs)[]): void {
  if (!unknown.length) return;
  const what: Record<keyof SearchRefs, string> = {
    class_code: 'class', major_code: 'major', grid: 'grid', community: 'community', street: 'street', department: 'department',
  };
  const details = Object.fromEntries(unknown.map((k) => [what[k], `no such ${what[k] === 'major' ? 'major class' : what[k]}`]));
  throw new DomainError('bad_request',
    `Unknown ${unknown.map((k) => `${what[k]} "${refs[k]}"`).join(', ')}; pick ${unknown.length > 1 ? 'them' : 'it'} from the lists or leave ${unknown.length > 1 ? 'them' : 'it'} empty`,
    details);
}
