// The operator's console (issue 10): possible duplicates near a point (GET /api/cases/duplicates), merging a case
// into another (POST /api/cases/{id}/merge), a hotline call (POST /api/cases with the caller, Idempotency-Key) and
// finding an address said on the phone (GET /api/places/search).
import { getJson, sendJson, withQuery } from './http.js';
import type { CaseSummary, ReportBody, ReportResult } from './types.js';
import type { DuplicateCandidates } from '../../../server/http/schemas/cases.js';
import type { PlaceMatch } from '../../../server/http/schemas/places.js';

export type { DuplicateCandidates, PlaceMatch };
export type DuplicateCandidate = DuplicateCandidates['items'][number];

/** Open cases of the class within `meters` (server default 50) the caller may see, nearest first; `exclude` a case's own id. */
export function fetchDuplicates(q: { lon: number; lat: number; class_code: string; exclude?: string; meters?: number }, signal?: AbortSignal): Promise<DuplicateCandidates> {
  return getJson<DuplicateCandidates>(withQuery('/api/cases/duplicates', q), { signal });
}

/** Merges case `id` (at `version`) into `into`: 409 stale_version, 422 not open / other class / already merged, 403 role. */
export function mergeCase(id: string, into: string, version: number, note?: string): Promise<CaseSummary> {
  return sendJson<CaseSummary>('POST', `/api/cases/${encodeURIComponent(id)}/merge`, { into, version, ...(note ? { note } : {}) });
}

/** A hotline call: the report with its source and the caller (operator only). */
export type HotlineBody = ReportBody & { source: 'hotline'; urgent?: boolean; address?: string; reporter_name?: string; reporter_phone?: string };

/** A retry with the same `idempotencyKey` and body returns the same case and files nothing. */
export function postHotline(body: HotlineBody, idempotencyKey: string, signal?: AbortSignal): Promise<ReportResult> {
  return sendJson<ReportResult>('POST', '/api/cases', body, { headers: { 'idempotency-key': idempotencyKey }, signal });
}

export function searchPlaces(q: string, signal?: AbortSignal): Promise<PlaceMatch[]> {
  return getJson<PlaceMatch[]>(withQuery('/api/places/search', { q, limit: 8 }), { signal });
}
