// The chosen UI language (zh-CN by default): the header toggle writes it, every label reads it.
import { create } from 'zustand';
import type { Lang } from '../i18n/index.js';

type LangState = { lang: Lang; setLang: (lang: Lang) => void; toggle: () => void };

export const useLang = create<LangState>()((set) => ({
  lang: 'zh',
  setLang: (lang) => set({ lang }),
  toggle: () => set((s) => ({ lang: s.lang === 'zh' ? 'en' : 'zh' })),
}));

export const selectLang = (s: LangState) => s.lang;
export const selectToggleLang = (s: LangState) => s.toggle;
