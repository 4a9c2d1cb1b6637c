// Pure helpers of the calendar and time-limit panels: the district-local valid_from, the checks run before saving
// (so that the person sees what to fix in their language, not the server's English), and error words.
import { buildCalendar, localTime } from '../../../../server/domain/calendar.js';
import type { MessageKey } from '../../i18n/index.js';
import { ApiError } from '../../api/http.js';

/** A `datetime-local` value ('2027-01-01T00:00') in `zone` as an ISO instant; '' → undefined (now). */
export function validFromInstant(local: string, zone: string): string | undefined {
  if (!local.trim()) return undefined;
  const cal = buildCalendar([], { id: 'form', time_zone: zone });
  return localTime(cal, local.replace('T', ' ')).toISOString();
}

export function isZone(z: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(z)) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: z });
    return true;
  } catch {
    return false;
  }
}

const minutes = (hhmm: string) => {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  return m && Number(m[2]) < 60 ? Number(m[1]) * 60 + Number(m[2]) : null;
};

export type CalendarForm = { time_zone: string; holiday_set: 'cn' | 'us' | 'none'; periods: [string, string][]; weekend: number[]; working_day_hours: number };

/** The first problem of a calendar form, as a message key; null when it may be sent. */
export function calendarProblem(f: CalendarForm): MessageKey | null {
  if (!isZone(f.time_zone.trim())) return 'ar_time_zone_bad';
  let last = -1;
  for (const [a, b] of f.periods) {
    const s = minutes(a);
    const e = minutes(b);
    if (s === null || e === null || s >= e || s < last) return 'ar_period_bad';
    last = e;
  }
  if (f.periods.length === 0) return 'ar_period_bad';
  if (new Set(f.weekend).size >= 7) return 'ar_weekend_bad';
  if (!(f.working_day_hours > 0 && f.working_day_hours <= 24)) return 'ar_day_hours_bad';
  return null;
}

/** What to tell the person when a request failed: by error code, never the server's text. */
export function errorKey(e: unknown): MessageKey {
  if (e instanceof ApiError) {
    if (e.isNetwork) return 'ar_err_network';
    if (e.status === 400) return 'ar_err_bad_request';
    if (e.status === 401 || e.status === 403) return 'ar_err_forbidden';
    if (e.status === 422) return 'ar_err_unprocessable';
  }
  return 'ar_err_other';
}

export const UNITS = ['minutes', 'working_minutes', 'working_hours', 'working_days', 'urgent_hours', 'natural_days'] as const;
export type Unit = (typeof UNITS)[number];
export const unitKey = (u: string) => `ar_unit_${u}` as MessageKey;

/** Consecutive days off with the same name as one range: 2026-02-15 … 2026-02-23 春节. */
export function holidayRanges<H extends { date: string; name_zh: string }>(days: readonly H[]): (H & { to: string; days: number })[] {
  const out: (H & { to: string; days: number })[] = [];
  for (const d of days) {
    const last = out[out.length - 1];
    if (last && last.name_zh === d.name_zh && Date.parse(`${d.date}T00:00:00Z`) - Date.parse(`${last.to}T00:00:00Z`) === 86_400_000) {
      last.to = d.date;
      last.days += 1;
    } else out.push({ ...d, to: d.date, days: 1 });
  }
  return out;
}
