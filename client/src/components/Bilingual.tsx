// A label in the chosen language with the other one beneath, smaller: zh-CN first by default.
import { bilingual, type MessageKey } from '../i18n/index.js';
import { selectLang, useLang } from '../state/lang-store.js';

export function Bilingual({ k, className }: { k: MessageKey; className?: string }) {
  const lang = useLang(selectLang);
  const { primary, secondary } = bilingual(lang, k);
  return (
    <span className={`bi ${className ?? ''}`}>
      <span className="bi-primary">{primary}</span>
      <span className="bi-secondary">{secondary}</span>
    </span>
  );
}

/** Plain text in the chosen language. */
export function useT() {
  const lang = useLang(selectLang);
  return { lang, t: (k: MessageKey) => bilingual(lang, k).primary };
}
