// Import rejection reasons in the reader's language (issue 10): each code with its params says in zh and in en what is
// wrong; the rows the importers reject carry the params the sentence names.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { isReasonCode, rejectionText } from '../../../server/domain/import/reasons.js';
import { RowNormaliser, type RowResult } from '../../../server/domain/import/rows.js';
import type { ImportSpec } from '../../../server/domain/import/vocabulary.js';

const CJK = /[\u3400-\u9fff]/;

/** Every code of both importers, read off their type declarations (so a new code without words fails here too). */
function declaredCodes(file: string, type: string): string[] {
  const src = readFileSync(new URL(`../../../server/domain/${file}`, import.meta.url), 'utf8');
  const block = src.slice(src.indexOf(`export type ${type} =`), src.indexOf(';', src.indexOf(`export type ${type} =`)));
  return [...block.matchAll(/\|\s*'([a-z_]+)'/g)].map((m) => m[1]);
}

describe('rejectionText', () => {
  const codes = [...new Set([...declaredCodes('import/vocabulary.ts', 'RejectCode'), ...declaredCodes('case-import.ts', 'CaseRejectCode')])];

  test('every rejection code of both importers has a zh and an en sentence, with or without params', () => {
    expect(codes.length).toBeGreaterThan(25);
    for (const code of codes) {
      expect(isReasonCode(code), code).toBe(true);
      for (const params of [{} as Record<string, string | number>, { value: 'V-1', field: 'F', first_row: 2, grid: 'G1', max: 9, opened: 'T0', dispatched: 'T1', id: 'C1', existing: '01001', status: 'open' }]) {
        const zh = rejectionText('zh', { code, params, reason: 'english detail' });
        const en = rejectionText('en', { code, params, reason: 'english detail' });
        expect(zh, code).toMatch(CJK);
        expect(en, code).not.toMatch(CJK);
        expect(en, code).not.toBe('english detail');
        expect(`${zh} ${en}`, code).not.toMatch(/undefined|\{|\}/);
      }
    }
  });

  test('the params named show in the sentence', () => {
    const dup = { code: 'duplicate_source_id', params: { value: 'A-7', first_row: 3 }, reason: 'duplicate source id A-7 (first in row 3)' };
    expect(rejectionText('zh', dup)).toBe('源编号“A-7”重复（首次出现在第 3 行）');
    expect(rejectionText('en', dup)).toBe('Duplicate source id "A-7" (first in row 3)');
    expect(rejectionText('zh', { code: 'invalid_status', params: { value: '坏了' }, reason: '' })).toContain('“坏了”');
  });

  test('a code it does not know (a job stored by another version) keeps the English reason it came with', () => {
    expect(rejectionText('zh', { code: 'something_new', params: {}, reason: 'the detail' })).toBe('the detail');
  });
});

describe('rejections carry their params', () => {
  const spec: ImportSpec = { class_code: '01001', id_field: 'id', map: { status: 'state' } };
  const known = new Set(['01001']);
  const rows = (csv: string): RowResult[] => {
    const n = new RowNormaliser(spec, known);
    const [header, ...records] = csv.trim().split('\n').map((l) => l.split(','));
    n.csvHeader(header);
    return records.map((r, i) => n.csvRecord(i + 1, r));
  };

  test('a duplicate id names the id and the first row; an unknown status names the value; a bad lon names the field', () => {
    const rs = rows('id,lon,lat,state\nA,116.4,39.9,intact\nA,116.4,39.9,intact\nB,116.4,39.9,wobbly\nC,east,39.9,intact');
    const rej = rs.map((r) => (r.ok ? null : r.rejection));
    expect(rej[1]).toMatchObject({ code: 'duplicate_source_id', params: { value: 'A', first_row: 1 } });
    expect(rej[2]).toMatchObject({ code: 'invalid_status', params: { value: 'wobbly' } });
    expect(rej[3]).toMatchObject({ code: 'invalid_coordinates', params: { field: 'lon', value: 'east' } });
    expect(rejectionText('zh', rej[3]!)).toBe('坐标无效：lon “east”不是数字；请检查经纬度');
  });
});
