// Words of the exports screens and panels (zh-CN first, English second), spread into DICTIONARY.
import type { Lang } from './dictionary.js';

export const WORDS_EXPORTS = {
} as const satisfies Record<string, Record<Lang, string>>;
