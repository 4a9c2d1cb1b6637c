// The transparency page's API (政务公开, issue 11; server/http/routes/transparency.ts): no login.
import type { Static } from '@fastify/type-provider-typebox';
import type { RecentClosedSchema, TransparencySchema } from '../../../server/http/schemas/transparency.js';
import { getJson } from './http.js';

export type MonthFigures = Static<typeof TransparencySchema>;
export type RegionRow = MonthFigures['items'][number];
export type RecentClosed = Static<typeof RecentClosedSchema>;
export type ClosedItem = RecentClosed['items'][number];

export const fetchMonthFigures = (month: string, level: 'street' | 'community', signal?: AbortSignal) =>
  getJson<MonthFigures>(`/api/public/transparency?month=${encodeURIComponent(month)}&level=${level}`, { signal });

export const fetchRecentClosed = (limit: number, signal?: AbortSignal) =>
  getJson<RecentClosed>(`/api/public/recent-closed?limit=${limit}`, { signal });
