// Dates and times on every screen, in the district's time zone whatever the browser's (issue 10): Asia/Shanghai for
// Dongcheng, America/New_York for Cambridge. The zone comes from GET /api/config (state/config-store.ts calls
// setDisplayZone); until then, and for a name Intl does not know, Asia/Shanghai. No I/O.
import type { Lang } from './dictionary.js';

export const DEFAULT_DISPLAY_ZONE = 'Asia/Shanghai';
let zone = DEFAULT_DISPLAY_ZONE;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Shows every later time in `z` (an IANA zone); returns whether it was taken (an unknown name is ignored). */
export function setDisplayZone(z: string | null | undefined): boolean {
  if (!z) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: z });
  } catch {
    return false;
  }
  zone = z;
  return true;
}

/** The zone times are shown in: the district's. */
export function displayZone(): string {
  return zone;
}

function formatter(kind: 'parts' | 'name'): Intl.DateTimeFormat {
  const key = `${kind} ${zone}`;
  let f = formatters.get(key);
  if (!f) {
    f = kind === 'parts'
      ? new Intl.DateTimeFormat('en-GB', {
        timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
      })
      : new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' });
    formatters.set(key, f);
  }
  return f;
}

const parts = (iso: string) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const f = formatter('parts').formatToParts(d);
  const get = (t: string) => f.find((p) => p.type === t)?.value ?? '';
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
};

/** '11-23 10:05' (district time). */
export function formatShort(iso: string | null | undefined): string {
  if (!iso) return '—';
  const p = parts(iso);
  return p ? `${p.mo}-${p.d} ${p.h}:${p.mi}` : '—';
}

/** '2026-11-23 10:05:09' (district time). */
export function formatFull(iso: string | null | undefined): string {
  if (!iso) return '—';
  const p = parts(iso);
  return p ? `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}:${p.s}` : '—';
}

/** '3分钟前' / '3 min ago'. */
export function formatAgo(iso: string | null | undefined, now: number, lang: Lang): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '—';
  const min = Math.max(0, Math.round((now - t) / 60_000));
  if (min < 1) return lang === 'zh' ? '刚刚' : 'just now';
  if (min < 60) return lang === 'zh' ? `${min}分钟前` : `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return lang === 'zh' ? `${h}小时前` : `${h} h ago`;
  return formatShort(iso);
}

/** 'HH:MM' of an instant (ms) in district time. */
export function formatClock(at: number): string {
  const p = parts(new Date(at).toISOString());
  return p ? `${p.h}:${p.mi}` : '—';
}

/** The district's local date of an instant, 'YYYY-MM-DD'. @example todayInDistrict(new Date('2026-03-31T17:00:00Z')) // '2026-04-01' in Asia/Shanghai */
export function todayInDistrict(now: Date): string {
  const p = parts(now.toISOString());
  return p ? `${p.y}-${p.mo}-${p.d}` : now.toISOString().slice(0, 10);
}

/** The zone's short name at an instant: 'EST', 'EDT', 'GMT+8'. */
export function zoneAbbreviation(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return formatter('name').formatToParts(d).find((x) => x.type === 'timeZoneName')?.value ?? '';
}
