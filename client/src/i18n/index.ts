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
