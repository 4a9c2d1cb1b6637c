// The wall's own reads: today's counts for the ticker (GET /api/stats/today).
import { getJson } from './http.js';

export type TodayCounts = { date: string; at: string; reported: number; filed: number; dispatched: number; closed: number; overdue: number };

export const fetchToday = (signal?: AbortSignal) => getJson<TodayCounts>('/api/stats/today', { signal });
