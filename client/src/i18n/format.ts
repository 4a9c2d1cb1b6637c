// Dates and times for the case screens, in Beijing time whatever the browser's zone (the district's clock). Pure.
import type { Lang } from './dictionary.js';

const ZONE = 'Asia/Shanghai';

const parts = (iso: string) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(d);
  const get = (t: string) => f.find((p) => p.type === t)?.value ?? '';
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
};

/** '11-23 10:05' (Beijing time). */
export function formatShort(iso: string | null | undefined): string {
  if (!iso) return '—';
  const p = parts(iso);
  return p ? `${p.mo}-${p.d} ${p.h}:${p.mi}` : '—';
}

/** '2026-11-23 10:05:09' (Beijing time). */
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
