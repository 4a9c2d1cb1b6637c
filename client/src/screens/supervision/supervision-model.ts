// Pure helpers of the supervision screen and the wall's alert banner: alert sentences, the threshold form's checks.
import { t as translate, stepKey, tOr, type Lang } from '../../i18n/index.js';
import { localName } from '../../state/reference-store.js';
import { THRESHOLD_BOUNDS, THRESHOLD_KEYS, type Thresholds } from '../../../../server/domain/supervision.js';
import type { SupervisionAlert } from '../../api/supervision.js';
import { ApiError } from '../../api/http.js';
import type { MessageKey } from '../../i18n/index.js';

/** `{name}` placeholders of a message filled in. */
export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** One alert as a sentence in the UI's language. */
export function alertText(a: SupervisionAlert, lang: Lang): string {
  const vars = {
    n: a.count, t: a.threshold,
    dept: a.department_name ? localName(a.department_name, lang) : translate(lang, 'sv_centre'),
    step: tOr(lang, stepKey(a.step), a.step),
  };
  return fill(translate(lang, `sv_alert_${a.kind}`), vars);
}

/** The threshold form as typed (strings), and what is wrong with it, by field. */
export type ThresholdForm = Record<keyof Thresholds, string>;

export const formOf = (t: Thresholds): ThresholdForm =>
  Object.fromEntries(THRESHOLD_KEYS.map((k) => [k, String(t[k])])) as ThresholdForm;

/** The thresholds of a form, or the fields that are not whole numbers within their bounds. */
export function checkThresholdForm(f: ThresholdForm): { value: Thresholds } | { bad: (keyof Thresholds)[] } {
  const bad: (keyof Thresholds)[] = [];
  const value = {} as Thresholds;
  for (const k of THRESHOLD_KEYS) {
    const s = f[k].trim();
    const n = Number(s);
    const [min, max] = THRESHOLD_BOUNDS[k];
    if (!/^[0-9]+$/.test(s) || n < min || n > max) bad.push(k);
    else value[k] = n;
  }
  return bad.length ? { bad } : { value };
}

/** What to tell the user about a failed read: never the server's own text. */
export function failureKey(e: unknown): MessageKey {
  if (e instanceof ApiError && e.isNetwork) return 'sv_network';
  if (e instanceof ApiError && e.status === 403) return 'sv_forbidden';
  return 'sv_failed';
}
