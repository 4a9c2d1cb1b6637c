// Cases: GET /api/cases, GET /api/cases/{id}, POST /api/cases/{id}/actions, POST /api/cases (Idempotency-Key).
import { getJson, sendJson, withQuery } from './http.js';
import type { CaseAction, CaseDetail, CaseList, CaseStatus, CaseSummary, Light, ReportBody, ReportResult } from './types.js';

export type CaseQuery = { status?: readonly CaseStatus[]; light?: Light; grid?: string; department?: number; limit?: number; offset?: number };

export function fetchCases(q: CaseQuery = {}, signal?: AbortSignal): Promise<CaseList> {
  return getJson<CaseList>(withQuery('/api/cases', {
    status: q.status?.length ? q.status.join(',') : undefined,
    light: q.light, grid: q.grid, department: q.department, limit: q.limit, offset: q.offset,
  }), { signal });
}

export function fetchCase(id: string, signal?: AbortSignal): Promise<CaseDetail> {
  return getJson<CaseDetail>(`/api/cases/${encodeURIComponent(id)}`, { signal });
}

/** Fields an action may carry (docs/workflow.md §Fixed names). */
export type ActionFields = {
  note?: string; photo_ids?: string[]; found?: boolean; passed?: boolean; hours?: number; reason?: string;
  class_code?: string; condition?: string; department_id?: number; closing_type?: string;
};

/** 409 `stale_version` when `version` is not the case's; 403 role; 422 state or fields. */
export function postAction(id: string, action: CaseAction, version: number, fields: ActionFields = {}): Promise<CaseSummary> {
  return sendJson<CaseSummary>('POST', `/api/cases/${encodeURIComponent(id)}/actions`, { action, version, ...fields });
}

/** A retry with the same `idempotencyKey` returns the same case and creates nothing. */
export function postReport(body: ReportBody, idempotencyKey: string, signal?: AbortSignal): Promise<ReportResult> {
  return sendJson<ReportResult>('POST', '/api/cases', body, { headers: { 'idempotency-key': idempotencyKey }, signal });
}
