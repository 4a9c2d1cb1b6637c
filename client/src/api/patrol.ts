// Patrol (在岗监控, issue 9): one function per /api/patrol endpoint. Types from the server's response schemas.
import type { Coverage, DutyState, IngestResult, LastPositions, Track } from '../../../server/http/schemas/patrol.js';
import { getJson, sendJson } from './http.js';

export type { Coverage, DutyState, IngestResult, LastPositions, Track };
export type LastPosition = LastPositions['items'][number];
export type CoverageRow = Coverage['items'][number];
export type Fix = { id?: string; at: string; lon: number; lat: number; accuracy_m?: number };

export const fetchDuty = () => getJson<DutyState>('/api/patrol/duty');
export const postDuty = (on_duty: boolean, key: string) =>
  sendJson<DutyState>('POST', '/api/patrol/duty', { on_duty }, { headers: { 'idempotency-key': key } });
/** A batch of fixes, with the phone's clock at sending so the server can put the fixes on its own clock. */
export const postPositions = (fixes: Fix[], key: string) =>
  sendJson<IngestResult>('POST', '/api/patrol/positions', { fixes, sent_at: new Date().toISOString() }, { headers: { 'idempotency-key': key } });
export const fetchLastPositions = (signal?: AbortSignal) => getJson<LastPositions>('/api/patrol/last-positions', { signal });
export const fetchCoverage = (date: string) => getJson<Coverage>(`/api/patrol/coverage?date=${encodeURIComponent(date)}`);
export const fetchTrack = (user_id: number, date: string) =>
  getJson<Track>(`/api/patrol/tracks?user_id=${user_id}&date=${encodeURIComponent(date)}`);
