// Case search: GET /api/cases with the filters of docs/leader-api.md §Case search (closed and void cases included;
// the server shows only what the caller may see). Typed fetcher only: no React, no store.
import { getJson, withQuery } from './http.js';
import type { CaseStatus, CaseSummary } from './types.js';

/** Every case is live (this system), imported (another system's past case) or simulated (the demo's history). */
export type CaseOrigin = 'live' | 'imported' | 'simulated';
export const CASE_ORIGINS: readonly CaseOrigin[] = ['live', 'imported', 'simulated'];

/** Report channels (docs/domain.md §3) plus `other` (imported cases from a 311 system). */
export const CASE_CHANNELS = ['inspector', 'public', 'hotline', 'media', 'video', 'leader', 'other'] as const;
export type CaseChannel = (typeof CASE_CHANNELS)[number];

export const CASE_SORTS = ['light', 'newest', 'oldest'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

/** A case as a search (or a drill-down list) returns it: the summary plus where it came from. */
export type SearchCase = CaseSummary & {
  origin?: CaseOrigin;
  source_system?: string | null;
  source_id?: string | null;
  closed_at?: string | null;
};

/** `{ items, total }` of every case list; `events` when a figure counts some case twice. */
export type CasePage = { items: SearchCase[]; total: number; events?: number };

/** The filters of a search; every field optional. Dates are the district's local dates, YYYY-MM-DD, inclusive. */
export type CaseSearchQuery = {
  q?: string;
  class?: string;
  major?: string;
  grid?: string;
  community?: string;
  street?: string;
  department?: number;
  status?: readonly CaseStatus[];
  source?: readonly CaseChannel[];
  origin?: readonly CaseOrigin[];
  from?: string;
  to?: string;
  sort?: CaseSort;
};

/** The query string of a search (lists comma-separated; empty fields left out). */
export function searchParams(q: CaseSearchQuery): Record<string, string | number | undefined> {
  const list = (v: readonly string[] | undefined) => (v?.length ? v.join(',') : undefined);
  const text = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
  return {
    q: text(q.q), class: text(q.class), major: text(q.major), grid: text(q.grid), community: text(q.community), street: text(q.street),
    department: q.department, status: list(q.status), source: list(q.source), origin: list(q.origin),
    from: text(q.from), to: text(q.to), sort: q.sort,
  };
}

/** One page of the cases matching `q` that the caller may see. 400 names the field that is wrong (`details`). */
export function searchCases(q: CaseSearchQuery, page: { limit: number; offset: number }, signal?: AbortSignal): Promise<CasePage> {
  return getJson<CasePage>(withQuery('/api/cases', { ...searchParams(q), limit: page.limit, offset: page.offset }), { signal });
}
