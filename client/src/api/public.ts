// The public pages' API (issue 11 §Public web; server/http/routes/public.ts): challenge → ticket → photos → report,
// and the tracking look-up; the staff side's public reply and photo approvals. No login on the public calls.
import { getJson, sendBytes, sendJson } from './http.js';
import type { PublicSide, Track } from '../../../server/http/schemas/public.js';

export type { PublicSide, Track };
export type Challenge = { challenge: string; bits: number; expires_at: string };
export type Ticket = { ticket: string; expires_at: string; max_photos: number };
export type PublicPhoto = { id: string; mime: string; width: number; height: number; bytes: number; url: string };
export type PublicReportBody = {
  ticket: string; class_code: string; lon: number; lat: number; description?: string; address?: string; photo_ids?: string[];
  contact?: { name?: string; phone?: string; email?: string; notify?: boolean }; lang?: 'zh' | 'en';
};
export type PublicReportResult = { case_no: string; tracking_code: string; status: 'received' | 'in_progress' | 'closed'; reported_at: string };

export const fetchChallenge = (signal?: AbortSignal) => getJson<Challenge>('/api/public/challenge', { signal });

export const postTicket = (challenge: string, nonce: string) => sendJson<Ticket>('POST', '/api/public/tickets', { challenge, nonce });

export function uploadPublicPhoto(ticket: string, file: Blob): Promise<PublicPhoto> {
  const type = ['image/jpeg', 'image/png', 'image/webp'].includes(file.type) ? file.type : 'application/octet-stream';
  return sendBytes<PublicPhoto>('/api/public/photos', file, type, { headers: { 'x-upload-ticket': ticket } });
}

export const postPublicReport = (body: PublicReportBody, idempotencyKey: string) =>
  sendJson<PublicReportResult>('POST', '/api/public/reports', body, { headers: { 'idempotency-key': idempotencyKey } });

export const trackReport = (case_no: string, code: string) => sendJson<Track>('POST', '/api/public/track', { case_no, code });

/** H4's satisfaction endpoint: 201, or 409 when the case was rated already. */
export const rateReport = (case_no: string, body: { code: string; rating: 'satisfied' | 'basic' | 'dissatisfied'; comment?: string }, idempotencyKey: string) =>
  sendJson<unknown>('POST', `/api/public/cases/${encodeURIComponent(case_no)}/rating`, body, { headers: { 'idempotency-key': idempotencyKey } });

// staff side
export const fetchPublicSide = (id: string) => getJson<PublicSide>(`/api/cases/${id}/public`);
export const putPublicReply = (id: string, reply: string) => sendJson<PublicSide>('PUT', `/api/cases/${id}/public-reply`, { reply });
export const setPhotoPublic = (id: string, photo_id: string, approve: boolean) =>
  sendJson<PublicSide>(approve ? 'PUT' : 'DELETE', `/api/cases/${id}/public-photos/${photo_id}`);
