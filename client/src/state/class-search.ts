// The report form's class search and the inspector's recent and frequent classes (issue 9). Search by code prefix,
// Chinese name, English name and pinyin (initials "ljdf" or full "laji" → 垃圾堆放), computed by pinyin-pro, not a
// hand table; recent and frequent classes are kept in localStorage on the device.
import { pinyin } from 'pinyin-pro';
import { create } from 'zustand';

export type SearchableClass = { code: string; name_zh: string; name_en: string; major_code?: string; major_name_zh?: string };

type Keys = { initials: string; full: string };
const KEYS = new Map<string, Keys>();

/**
 * A Chinese name's pinyin keys without tones, lower-case, non-Han characters dropped: initials and full spelling.
 * @example pinyinKeys('垃圾堆放') // { initials: 'ljdf', full: 'lajidufang' }
 */
export function pinyinKeys(name_zh: string): Keys {
  let k = KEYS.get(name_zh);
  if (!k) {
    const han = name_zh.replace(/[^\u3400-\u9fff\uf900-\ufaff]/g, '');
    const syllables = han ? pinyin(han, { toneType: 'none', type: 'array', v: true }) : [];
    k = { initials: syllables.map((s) => s[0] ?? '').join('').toLowerCase(), full: syllables.join('').toLowerCase() };
    KEYS.set(name_zh, k);
  }
  return k;
}

/** How well one search term matches a class: lower is better; null when it does not. */
function termScore(c: SearchableClass, t: string): number | null {
  if (/^[0-9]+$/.test(t)) return c.code.startsWith(t) ? 0 : null;
  if (c.name_zh === t) return 0;
  if (c.name_zh.startsWith(t)) return 1;
  if (c.name_zh.includes(t)) return 2;
  if (/^[a-z]+$/.test(t)) {
    const k = pinyinKeys(c.name_zh);
    if (k.initials.startsWith(t)) return 1;
    if (k.full.startsWith(t)) return 2;
    if (k.initials.includes(t)) return 3;
    if (t.length >= 2 && k.full.includes(t)) return 4;
  }
  const en = c.name_en.toLowerCase();
  if (en.startsWith(t)) return 2;
  if (en.includes(t)) return 4;
  if (c.major_name_zh?.includes(t)) return 6;
  return null;
}

/**
 * Classes matching a search (every term must match), best first: code prefix, Chinese name, pinyin initials or
 * spelling, English name; ties by code. An empty search gives none (the picker shows recent, frequent and the majors).
 * @example searchClassesPinyin(list, 'ljdf')[0].name_zh // '垃圾堆放'
 */
export function searchClassesPinyin<C extends SearchableClass>(list: readonly C[], query: string): C[] {
  const terms = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) return [];
  const scored: { c: C; s: number }[] = [];
  for (const c of list) {
    let s = 0;
    for (const t of terms) {
      const x = termScore(c, t);
      if (x === null) { s = -1; break; }
      s += x;
    }
    if (s >= 0) scored.push({ c, s });
  }
  return scored.sort((a, b) => a.s - b.s || a.c.code.localeCompare(b.c.code)).map((x) => x.c);
}

/** The inspector's use of classes on this device: the last used first, and how often each was used. */
export type ClassUsage = { recent: string[]; counts: Record<string, number> };

export const RECENT_MAX = 5;
export const USAGE_KEY = 'gridline.class-usage';

/** The usage after one more report of `code`. */
export function recordUse(u: ClassUsage, code: string): ClassUsage {
  return { recent: [code, ...u.recent.filter((c) => c !== code)].slice(0, RECENT_MAX), counts: { ...u.counts, [code]: (u.counts[code] ?? 0) + 1 } };
}

/** The most used classes (twice or more), most first, ties by code, leaving out those in `except`. */
export function frequentCodes(u: ClassUsage, n = 6, except: readonly string[] = []): string[] {
  return Object.entries(u.counts).filter(([c, k]) => k >= 2 && !except.includes(c))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([c]) => c);
}

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>;
const storage = (): Storage | null => { try { return globalThis.localStorage ?? null; } catch { return null; } };

/** The usage stored on the device; empty when there is none or it is unreadable. */
export function loadUsage(s: Storage | null = storage()): ClassUsage {
  try {
    const v = JSON.parse(s?.getItem(USAGE_KEY) ?? 'null') as Partial<ClassUsage> | null;
    const recent = Array.isArray(v?.recent) ? v.recent.filter((c): c is string => typeof c === 'string').slice(0, RECENT_MAX) : [];
    const counts: Record<string, number> = {};
    for (const [c, k] of Object.entries(v?.counts ?? {})) if (typeof k === 'number' && k > 0) counts[c] = k;
    return { recent, counts };
  } catch {
    return { recent: [], counts: {} };
  }
}

type UsageState = ClassUsage & { use: (code: string) => void };

export const useClassUsage = create<UsageState>()((set, get) => ({
  ...loadUsage(),
  use: (code) => {
    const next = recordUse(get(), code);
    set(next);
    try { storage()?.setItem(USAGE_KEY, JSON.stringify(next)); } catch { /* private mode: kept for this session only */ }
  },
}));
