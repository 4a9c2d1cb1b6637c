// Electronic supervision (电子监察, issue 10): one function per /api/supervision endpoint. Types from the server's schemas.
import type {
  SupervisionAlert, SupervisionAlerts, SupervisionList, SupervisionRowWire, SupervisionSummary, SupervisionThresholds,
} from '../../../server/http/schemas/supervision.js';
import type { SupervisionCategory, Thresholds } from '../../../server/domain/supervision.js';
import { getJson, sendJson } from './http.js';

export type { SupervisionAlert, SupervisionAlerts, SupervisionList, SupervisionSummary, SupervisionThresholds, SupervisionCategory, Thresholds };
export type SupervisionRow = SupervisionRowWire;

/** Filters of a list: the overdue list by department (id or `centre`) and step, the urge list by answer. */
export type ListFilter = { department?: string; step?: string; answered?: 'yes' | 'no' };

export const fetchSupervisionSummary = (days: number, signal?: AbortSignal) =>
  getJson<SupervisionSummary>(`/api/supervision/summary?days=${days}`, { signal });

export function fetchSupervisionList(category: SupervisionCategory, q: ListFilter & { days: number; limit: number; offset: number }, signal?: AbortSignal) {
  const p = new URLSearchParams({ days: String(q.days), limit: String(q.limit), offset: String(q.offset) });
  if (q.department) p.set('department', q.department);
  if (q.step) p.set('step', q.step);
  if (q.answered) p.set('answered', q.answered);
  return getJson<SupervisionList>(`/api/supervision/cases/${category}?${p}`, { signal });
}

export const fetchSupervisionAlerts = (signal?: AbortSignal) => getJson<SupervisionAlerts>('/api/supervision/alerts', { signal });
export const fetchThresholds = () => getJson<SupervisionThresholds>('/api/supervision/thresholds');
export const putThresholds = (t: Thresholds) => sendJson<SupervisionThresholds>('PUT', '/api/supervision/thresholds', t);
