// The report form's class search (pinyin initials and spelling by pinyin-pro, Chinese, English, code) and the
// inspector's recent and frequent classes, on the standard's 250 matter classes (data/standard/matters.csv).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseCsvObjects } from '../../server/domain/csv.js';
import { frequentCodes, loadUsage, pinyinKeys, recordUse, searchClassesPinyin, USAGE_KEY, type ClassUsage } from '../../client/src/state/class-search.js';

const MATTERS = parseCsvObjects(readFileSync(new URL('../../data/standard/matters.csv', import.meta.url), 'utf8'))
  .map((r) => ({ code: r.code, name_zh: r.name_zh, name_en: r.name_en, major_code: r.major_code, major_name_zh: r.major_name_zh }));
const codes = (q: string) => searchClassesPinyin(MATTERS, q).map((c) => c.code);
const names = (q: string) => searchClassesPinyin(MATTERS, q).map((c) => c.name_zh);

describe('class search', () => {
  test('the standard has 250 matter classes', () => expect(MATTERS).toHaveLength(250));

  test('pinyin keys come from pinyin-pro, punctuation dropped', () => {
    expect(pinyinKeys('垃圾堆放')).toEqual({ initials: 'ljdf', full: 'lajiduifang' });
    expect(pinyinKeys('垃圾站（箱）满溢')).toEqual({ initials: 'ljzxmy', full: 'lajizhanxiangmanyi' });
  });

  test('pinyin initials: "lj" finds the names that start with l-j (垃圾…, 立交桥…) first, then 暴露垃圾 (l-j inside)', () => {
    const found = names('lj');
    expect(found.filter((n) => n.startsWith('垃圾'))).toEqual(['垃圾间（楼）异常', '垃圾箱异常', '垃圾未分类', '垃圾站（箱）满溢']);
    const leading = found.findIndex((n) => !pinyinKeys(n).initials.startsWith('lj'));
    expect(found.slice(0, leading).every((n) => pinyinKeys(n).initials.startsWith('lj'))).toBe(true);
    expect(found.slice(leading)).toContain('暴露垃圾');
    expect(found.indexOf('暴露垃圾')).toBeGreaterThan(found.indexOf('垃圾站（箱）满溢'));
    expect(codes('bllj')).toEqual(['06010']);
    expect(codes('ljwfl')).toEqual(['06041']);
  });

  test('full pinyin, Chinese, English, code; every term must match', () => {
    expect(codes('baolu')[0]).toBe('06010');
    expect(codes('暴露垃圾')).toEqual(['06010']);
    expect(names('垃圾')).toHaveLength(8);
    expect(codes('exposed garbage')).toEqual(['06010']);
    expect(codes('MANHOLE').length).toBeGreaterThan(5);
    expect(codes('01001')).toEqual(['01001']);
    expect(codes('0600').every((c) => c.startsWith('0600'))).toBe(true);
    expect(codes('lj 分类')).toEqual(['06041']);
    expect(codes('')).toEqual([]);
    expect(codes('zzzzqqq')).toEqual([]);
  });
});

describe('recent and frequent classes', () => {
  test('recent: last used first, no repeats, at most 5; counts add up', () => {
    let u: ClassUsage = { recent: [], counts: {} };
    for (const c of ['06010', '01001', '06010', '09006', '06041', '03005', '02001']) u = recordUse(u, c);
    expect(u.recent).toEqual(['02001', '03005', '06041', '09006', '06010']);
    expect(u.counts['06010']).toBe(2);
  });

  test('frequent: used twice or more, most first, leaving out the recent ones asked to', () => {
    const u: ClassUsage = { recent: ['06010'], counts: { '06010': 5, '09006': 3, '01001': 3, '06041': 1 } };
    expect(frequentCodes(u)).toEqual(['06010', '01001', '09006']);
    expect(frequentCodes(u, 6, ['06010'])).toEqual(['01001', '09006']);
  });

  test('stored usage is read back; unreadable storage gives an empty usage', () => {
    const store = new Map<string, string>();
    const s = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadUsage(s)).toEqual({ recent: [], counts: {} });
    s.setItem(USAGE_KEY, JSON.stringify({ recent: ['06010', 3], counts: { '06010': 2, x: 'y' } }));
    expect(loadUsage(s)).toEqual({ recent: ['06010'], counts: { '06010': 2 } });
    s.setItem(USAGE_KEY, '{not json');
    expect(loadUsage(s)).toEqual({ recent: [], counts: {} });
  });
});
