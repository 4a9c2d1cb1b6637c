// Numbers on the leader screen: rates as percentages, scores, hours, counts with separators; null is "no data",
// never 0 (docs/evaluation.md §Rules). Pure.
import type { Lang } from '../../i18n/index.js';

const NO_DATA: Record<Lang, string> = { zh: '无数据', en: 'no data' };

/** The "no data" word of a language. */
export function noData(lang: Lang): string { return NO_DATA[lang]; }

/** @example formatRate(0.9234, 'en') // '92.3%' */
export function formatRate(rate: number | null | undefined, lang: Lang, digits = 1): string {
  if (rate == null || !Number.isFinite(rate)) return NO_DATA[lang];
  return `${(rate * 100).toFixed(digits)}%`;
}

/** @example formatScore(87.456, 'zh') // '87.5' */
export function formatScore(score: number | null | undefined, lang: Lang): string {
  if (score == null || !Number.isFinite(score)) return NO_DATA[lang];
  return score.toFixed(1);
}

/** @example formatCount(12345) // '12,345' */
export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
}

/** Hours to one decimal with the unit. @example formatHours(13.46, 'zh') // '13.5 小时' */
export function formatHours(h: number | null | undefined, lang: Lang): string {
  if (h == null || !Number.isFinite(h)) return NO_DATA[lang];
  return `${h.toFixed(1)} ${lang === 'zh' ? '小时' : 'h'}`;
}

/** A decimal with up to `digits` places, trailing zeros dropped. @example formatDecimal(2.50, 2) // '2.5' */
export function formatDecimal(v: number | null | undefined, digits = 2): string {
  if (v == null || !Number.isFinite(v)) return '—';
  return String(+v.toFixed(digits));
}

/** A signed change. @example formatChange(-3) // '−3' */
export function formatChange(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  return v > 0 ? `+${formatCount(v)}` : `−${formatCount(-v)}`;
}

/** "numerator / denominator" for a hover; a count_band figure has no denominator. */
export function fraction(numerator: number, denominator: number | null): string {
  return denominator == null ? formatCount(numerator) : `${formatCount(numerator)} / ${formatCount(denominator)}`;
}

/**
 * How a headline figure stands against the Dongcheng reference: 'meets' / 'below', or null without data. For rates a
 * higher value is better; for handling hours a lower one.
 * @example againstReference(0.96, 0.95, 'higher') // 'meets'
 */
export function againstReference(value: number | null | undefined, reference: number, better: 'higher' | 'lower'): 'meets' | 'below' | null {
  if (value == null || !Number.isFinite(value)) return null;
  return (better === 'higher' ? value >= reference : value <= reference) ? 'meets' : 'below';
}
