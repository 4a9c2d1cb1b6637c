// Words of the search screens and panels (zh-CN first, English second), spread into DICTIONARY.
import type { Lang } from './dictionary.js';

export const WORDS_SEARCH = {
} as const satisfies Record<string, Record<Lang, string>>;
