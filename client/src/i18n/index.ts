// i18n: a small zh-CN/en dictionary and bilingual labels (primary language first). The toggle lives in state/lang-store.ts.
import { DICTIONARY, type Lang, type MessageKey } from './dictionary.js';

export { DICTIONARY, type Lang, type MessageKey };

/** The text of `key` in `lang`; unknown keys come back as themselves so a gap is visible, not blank. */
export function t(lang: Lang, key: MessageKey | string): string {
  const entry = (DICTIONARY as Record<string, Record<Lang, string>>)[key];
  return entry ? entry[lang] : key;
}

/** Both languages of `key`, the chosen one first: the panel shows `primary` large and `secondary` small. */
export function bilingual(lang: Lang, key: MessageKey | string): { primary: string; secondary: string } {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return { primary: t(lang, key), secondary: t(other, key) };
}

/** The message key of a component major class code ('01'…'05'), or null for an unknown code. */
export function majorKey(code: string): MessageKey | null {
  const key = `major_${code}`;
  return key in DICTIONARY ? (key as MessageKey) : null;
}

/** The message key of a component status, or null for an unknown status. */
export function statusKey(status: string): MessageKey | null {
  const key = `status_${status}`;
  return key in DICTIONARY ? (key as MessageKey) : null;
}

function keyOf(prefix: string, v: string | null | undefined): MessageKey | null {
  if (!v) return null;
  const key = `${prefix}${v}`;
  return key in DICTIONARY ? (key as MessageKey) : null;
}

/** The message key of a case status (docs/workflow.md), or null. */
export const caseStatusKey = (s: string | null | undefined) => keyOf('case_status_', s);
/** The message key of a workflow action, or null. */
export const actionKey = (a: string | null | undefined) => keyOf('act_', a);
/** The message key of a post (岗位), or null. */
export const roleKey = (r: string | null | undefined) => keyOf('role_', r);
/** The message key of a timed step, or null. */
export const stepKey = (s: string | null | undefined) => keyOf('step_', s);
/** The message key of a case source, or null. */
export const sourceKey = (s: string | null | undefined) => keyOf('source_', s);

/** Text of a dynamic key (status, action, …), or the raw value when the dictionary has none. */
export function tOr(lang: Lang, key: MessageKey | null, raw: string | null | undefined): string {
  return key ? t(lang, key) : (raw ?? '—');
}
