// The staging COPY text of the component import (db/import.ts stagingLine), pure: built from an array since issue 12
// (one flat string per line instead of a tree of concatenations the batch holds); the text must not change by a byte.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { stagingLine } from '../../../server/db/import.js';
import { toEwkt } from '../../../server/domain/import/ewkt.js';
import type { NormalRow } from '../../../server/domain/import/rows.js';
import { COMPONENT_STATUSES, DATA_SOURCES } from '../../../server/domain/import/vocabulary.js';

/** The line as it was written before issue 12's change (a template literal), the reference the new one must equal. */
function templateLine(r: NormalRow): string {
  const esc = (v: string | null) => (v === null ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));
  const attrs = Object.keys(r.attrs).length ? esc(JSON.stringify(r.attrs)) : '{}';
  return `${r.row}\t${esc(r.source_id)}\t${r.class_code}\t${r.status ?? '\\N'}\t${r.survey_date ?? '\\N'}\t${r.change_date ?? '\\N'}\t`
    + `${r.data_source ?? '\\N'}\t${esc(r.note)}\t${attrs}\t${toEwkt(r.geom)}\tf\n`;
}

const minimal: NormalRow = {
  row: 1, source_id: 'A', class_code: '01002', status: null, survey_date: null, change_date: null, data_source: null, note: null, attrs: {},
  geom: { type: 'Point', coordinates: [-0, 39.9] },
};

describe('stagingLine', () => {
  test('escapes free text and attrs, writes \\N for what is not given, and ends in the swap flag', () => {
    const tricky: NormalRow = {
      row: 7, source_id: 'src:a\tb\\c', class_code: '01001', status: 'damaged', survey_date: '2026-01-15', change_date: null, data_source: 'survey',
      note: 'line1\nline2\r\ttab \\ end', attrs: { k: 'v\nw', n: 1, nested: { a: [1, 'x\ty'] }, 名: '破损' },
      geom: { type: 'Polygon', coordinates: [[[116.4, 39.9], [116.41, 39.9], [116.41, 39.91], [116.4, 39.9]]] },
    };
    expect(stagingLine(tricky)).toBe('7\tsrc:a\\tb\\\\c\t01001\tdamaged\t2026-01-15\t\\N\tsurvey\tline1\\nline2\\r\\ttab \\\\ end\t'
      + '{"k":"v\\\\nw","n":1,"nested":{"a":[1,"x\\\\ty"]},"名":"破损"}\tSRID=4326;POLYGON((116.4 39.9,116.41 39.9,116.41 39.91,116.4 39.9))\tf\n');
    expect(stagingLine(minimal)).toBe('1\tA\t01002\t\\N\t\\N\t\\N\t\\N\t\\N\t{}\tSRID=4326;POINT(0 39.9)\tf\n');
  });

  test('any row gives byte for byte the text of the template literal it replaced (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', '7', ' ', '\t', '\n', '\r', '\\', '"', ',', '破', 'N') });
    const nullable = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
    const coord = fc.double({ min: -180, max: 180, noNaN: true });
    const row = fc.record({
      row: fc.nat(),
      source_id: text.filter((s) => s !== ''),
      class_code: fc.constantFrom('01001', '01037', '03005'),
      status: nullable(fc.constantFrom(...COMPONENT_STATUSES)),
      survey_date: nullable(fc.constantFrom('2026-01-15', '1874-01-01')),
      change_date: nullable(fc.constantFrom('2026-02-01')),
      data_source: nullable(fc.constantFrom(...DATA_SOURCES)),
      note: nullable(text),
      attrs: fc.dictionary(text, fc.oneof(text, fc.integer(), fc.array(text, { maxLength: 2 })), { maxKeys: 3 }),
      geom: fc.oneof(
        fc.tuple(coord, coord).map(([x, y]) => ({ type: 'Point' as const, coordinates: [x, y] as [number, number] })),
        fc.array(fc.tuple(coord, coord), { minLength: 2, maxLength: 4 }).map((ps) => ({ type: 'LineString' as const, coordinates: ps })),
      ),
    }) as fc.Arbitrary<NormalRow>;
    fc.assert(fc.property(row, (r) => stagingLine(r) === templateLine(r)), { numRuns: 2000 });
  });
});
