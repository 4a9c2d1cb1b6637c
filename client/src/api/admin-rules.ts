// The district's working calendar and time limits (admin console, issue 10): GET and PUT /api/admin/calendar and
// /api/admin/limits. Typed fetchers only.
import { getJson, sendJson } from './http.js';
import type { CalendarChange, CalendarView, LimitsChange, LimitsView } from '../../../server/http/schemas/admin-rules.js';

export type { CalendarChange, CalendarView, LimitsChange, LimitsView };
/** `created` false: the same as the latest version, nothing was added (a retried save). */
export type Saved = { version: number; created: boolean };

export const fetchCalendar = (signal?: AbortSignal) => getJson<CalendarView>('/api/admin/calendar', { signal });
export const saveCalendar = (body: CalendarChange) => sendJson<CalendarView & Saved>('PUT', '/api/admin/calendar', body);
export const fetchLimits = (signal?: AbortSignal) => getJson<LimitsView>('/api/admin/limits', { signal });
export const saveLimits = (body: LimitsChange) => sendJson<LimitsView & Saved>('PUT', '/api/admin/limits', body);
