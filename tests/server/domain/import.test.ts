// Component import, the pure half: streaming splitters, vocabulary, geometry checks, row normalisation.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { CsvSplitter } from '../../../server/domain/csv.js';
import { toEwkt } from '../../../server/domain/import/ewkt.js';
import { checkGeometry } from '../../../server/domain/import/geometry.js';
import { RejectionLog, RowNormaliser, type RowResult } from '../../../server/domain/import/rows.js';
import {
  mapClassCode, parseDataSource, parseDateValue, parseFieldMap, parseStatus, parseStatusValues, statusWords, type ImportSpec,
} from '../../../server/domain/import/vocabulary.js';
import { FeatureSplitter } from '../../../server/services/geojson-stream.js';
import { errorOf } from '../../helpers/errors.js';

const FIXTURES = new URL('../../fixtures/import/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const KNOWN = new Set(['01001', '01002', '01013', '01037', '03005']);

/** Feeds `text` to a splitter in the given chunk lengths (cycled) and collects everything it emits. */
function splitFeatures(text: string, sizes: number[] = [text.length]): string[] {
  const s = new FeatureSplitter();
  const out: string[] = [];
  for (let i = 0, k = 0; i < text.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]);
    out.push(...s.push(text.slice(i, i + n)));
    i += n;
  }
  out.push(...s.end());
  return out;
}

function splitCsv(text: string, sizes: number[] = [text.length]): string[][] {
  const s = new CsvSplitter();
  const out: string[][] = [];
  for (let i = 0, k = 0; i < text.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]);
    out.push(...s.push(text.slice(i, i + n)));
    i += n;
  }
  out.push(...s.end());
  return out;
}

// Strings with escaped quotes and backslashes, brackets inside strings, unicode escapes, exponents, a crs and a
// bbox before the features, a member after them, and non-object elements.
const TRICKY = `\uFEFF { "type" : "FeatureCollection", "name": "a \\"quoted\\" [name] {x}",
  "crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:OGC:1.3:CRS84" } },
  "bbox": [-71.2, 42.3, -71.0, 42.4],
  "features" : [
    {"type":"Feature","geometry":{"type":"Point","coordinates":[-71.1e0,4.23E1]},"properties":{"s":"back\\\\slash \\\\\\" ] } [ {","u":"\\u4e2d\\u6587","n":-1.5e-7,"nested":[[1,[2]],{"a":{"b":[]}}]}},
    {"type":"Feature","geometry":null,"properties":{"empty":"","q":"\\"","arr":[]}} ,
    null, 12.5, "text ] with , comma", true,
    {"type":"Feature","id":"x","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{}}
  ],
  "after": {"features": [1, 2, 3]}
}
`;
const TRICKY_FEATURES = (JSON.parse(TRICKY.replace(/^\uFEFF/, '')) as { features: unknown[] }).features;

describe('FeatureSplitter', () => {
  test('splits the features of a whole document given in one chunk', () => {
    expect(splitFeatures(TRICKY).map((t) => JSON.parse(t))).toEqual(TRICKY_FEATURES);
  });

  test('gives the same features however the input is cut in two (inside strings, escapes, numbers)', () => {
    for (let i = 1; i < TRICKY.length; i++) {
      expect(splitFeatures(TRICKY, [i, TRICKY.length]).map((t) => JSON.parse(t))).toEqual(TRICKY_FEATURES);
    }
  });

  test('gives the same features one character at a time', () => {
    expect(splitFeatures(TRICKY, [1]).map((t) => JSON.parse(t))).toEqual(TRICKY_FEATURES);
  });

  test('gives the same features for any chunking (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }), (sizes) => {
      expect(splitFeatures(TRICKY, sizes).map((t) => JSON.parse(t))).toEqual(TRICKY_FEATURES);
    }), { numRuns: 200 });
  });

  test('emits the exact source text of each feature (the real Cambridge hydrants, 4 KB chunks)', () => {
    const text = fixture('cambridge-hydrants-slice.geojson');
    const lines = text.split('\n').slice(1, -2).map((l) => l.replace(/,$/, ''));
    expect(splitFeatures(text, [4096])).toEqual(lines);
    expect(lines).toHaveLength(42);
  });

  test('an arbitrary generated FeatureCollection splits back into its features (property)', () => {
    const feature = fc.record({
      type: fc.constant('Feature'),
      geometry: fc.oneof(fc.constant(null), fc.record({ type: fc.constant('Point'), coordinates: fc.tuple(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true })) })),
      properties: fc.dictionary(fc.string(), fc.jsonValue()),
    });
    fc.assert(fc.property(fc.array(feature, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1 }), (features, sizes) => {
      const text = JSON.stringify({ type: 'FeatureCollection', features }, null, 1);
      expect(splitFeatures(text, sizes).map((t) => JSON.parse(t))).toEqual(JSON.parse(text).features);
    }), { numRuns: 200 });
  });

  test.each([
    ['[{"type":"Feature"}]', /expected a GeoJSON FeatureCollection/],
    ['{"type":"Feature","geometry":null,"properties":{}}', /no "features" array/],
    ['{"type":"Feature","features":[]}', /expected a FeatureCollection; "type" is "Feature"/],
    ['{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[]}', /crs EPSG:3857 is not supported/],
    ['{"type":"FeatureCollection","features":[{"type":"Feature"},{"type":"Fea', /ended inside the "features" array after 1 features/],
    ['   ', /empty/],
    ['{"type":"FeatureCollection","features":[]} x', /unexpected text after/],
  ])('%s is refused', (text, message) => {
    const e = errorOf(() => splitFeatures(text));
    expect(e).toMatchObject({ code: 'bad_request' });
    expect(e.message).toMatch(message);
  });

  test('an empty features array gives no features', () => {
    expect(splitFeatures('{"type":"FeatureCollection","features":[]}')).toEqual([]);
  });
});

const CSV = '\uFEFFid,note,lon,lat\r\n1,"a, ""b""\r\nc",116.4,39.9\r\n\r\n2,,116.5,39.8\n3,"",1,2\n4,x"y,3,4';
const CSV_RECORDS = [['id', 'note', 'lon', 'lat'], ['1', 'a, "b"\r\nc', '116.4', '39.9'], ['2', '', '116.5', '39.8'], ['3', '', '1', '2'], ['4', 'x"y', '3', '4']];

describe('CsvSplitter', () => {
  test('reads quoted fields with commas, doubled quotes and line breaks, CRLF and LF, a BOM and no final newline', () => {
    expect(splitCsv(CSV)).toEqual(CSV_RECORDS);
  });

  test('gives the same records however the input is cut in two (between \\r and \\n, between doubled quotes)', () => {
    for (let i = 1; i < CSV.length; i++) expect(splitCsv(CSV, [i, CSV.length])).toEqual(CSV_RECORDS);
  });

  test('gives the same records for any chunking (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 20 }), (sizes) => {
      expect(splitCsv(CSV, sizes)).toEqual(CSV_RECORDS);
    }), { numRuns: 200 });
  });

  test('generated records with any text survive quoting and chunking (property)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', '中') });
    fc.assert(fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), (records, sizes) => {
      const text = records.map((r) => r.map((f) => `"${f.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\n';
      expect(splitCsv(text, sizes)).toEqual(records);
    }), { numRuns: 200 });
  });

  test('an unterminated quote is an error at the end of the input', () => {
    expect(errorOf(() => splitCsv('a,b\n1,"open\n2,3\n'))).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/unterminated/) });
  });
});

describe('vocabulary', () => {
  test.each([
    ['intact', 'intact'], ['完好', 'intact'], ['ACT', 'intact'], ['In Service', 'intact'],
    ['破损', 'damaged'], ['Broken', 'damaged'], ['丢失', 'missing'], ['stolen', 'missing'],
    ['废弃', 'abandoned'], ['ABN', 'abandoned'], ['out_of-service', 'abandoned'], ['移除', 'removed'], ['removed', 'removed'],
    ['kaputt', null], ['MITFL', null],
  ])('status %s is %s', (word, status) => expect(parseStatus(word)).toBe(status));

  test('extra status words come from the import options', () => {
    expect(parseStatus(' mitfl ', statusWords(parseStatusValues('MITFL=damaged')))).toBe('damaged');
    expect(errorOf(() => parseStatusValues('MITFL=broken'))).toMatchObject({ code: 'bad_request' });
  });

  test.each([['实测', 'survey'], ['地形图', 'topographic_map'], ['基础地理数据', 'base_geodata'], ['其他', 'other'], ['Base_Geodata', 'base_geodata'], ['guess', null]])(
    'data source %s is %s', (word, source) => expect(parseDataSource(word)).toBe(source));

  test.each([
    ['2024-05-01', '2024-05-01'], ['2024/5/2', '2024-05-02'], ['2024.05.03T10:00:00Z', '2024-05-03'], ['20240504', '2024-05-04'],
    ['2024年5月6日', '2024-05-06'], ['2014', '2014-01-01'], ['2014-07', '2014-07-01'], [-3029443200000, '1874-01-01'],
    ['1595420296000', '2020-07-22'], ['', null], [null, null], ['2024-13-40', undefined], ['2023-02-29', undefined], ['soon', undefined],
  ])('date %s is %s', (value, date) => expect(parseDateValue(value)).toBe(date));

  test('a 5-digit component class is kept when it is known', () => {
    expect(mapClassCode('component', '01013', KNOWN)).toEqual({ code: '01013' });
    expect(mapClassCode('component', '01999', KNOWN)).toMatchObject({ code: null, reject: 'unknown_class' });
  });

  test('a 4-digit legacy component code has no 2026 mapping', () => {
    expect(mapClassCode('component', '0101', KNOWN)).toEqual({ code: null, reject: 'legacy_class', reason: 'legacy component code 0101 has no 2026 mapping', value: '0101' });
  });

  test('a 4-digit legacy event code maps by the rule of domain.md §2, or says it cannot', () => {
    expect(mapClassCode('matter', '0406', new Set(['09006']))).toEqual({ code: '09006' });
    expect(mapClassCode('matter', '0499', new Set(['09006']))).toMatchObject({ reject: 'legacy_class', reason: 'legacy matter code 0499 has no 2026 mapping' });
  });

  test('field maps name known fields only', () => {
    expect(parseFieldMap('status=LIFECYCLESTATUS, survey_date=INSTALLDATE')).toEqual({ status: 'LIFECYCLESTATUS', survey_date: 'INSTALLDATE' });
    expect(errorOf(() => parseFieldMap('colour=HYDRANT_COLOR'))).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/unknown field "colour"/) });
    expect(errorOf(() => parseFieldMap('status='))).toMatchObject({ code: 'bad_request' });
  });
});

describe('checkGeometry', () => {
  const square = [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]];
  const rejected = (g: unknown) => {
    const r = checkGeometry(g);
    if (r.ok) throw new Error('expected a rejection');
    return r;
  };

  test('a point comes back 2-D', () => {
    expect(checkGeometry({ type: 'Point', coordinates: [116.4, 39.9, 44] })).toEqual({ ok: true, geom: { type: 'Point', coordinates: [116.4, 39.9] } });
  });

  test('a polygon with a hole inside it is valid', () => {
    expect(checkGeometry({ type: 'Polygon', coordinates: [square, [[0.5, 0.5], [0.5, 1], [1, 1], [0.5, 0.5]]] }).ok).toBe(true);
  });

  test('a hole touching the shell at one point is valid', () => {
    expect(checkGeometry({ type: 'Polygon', coordinates: [square, [[0, 1], [1, 1.5], [1, 0.5], [0, 1]]] }).ok).toBe(true);
  });

  test.each([
    [null, 'no_geometry', /no geometry/],
    [{ type: 'Point', coordinates: [] }, 'no_geometry', /no coordinates/],
    [{ type: 'GeometryCollection', geometries: [] }, 'unsupported_geometry', /GeometryCollection is not supported/],
    [{ type: 'Point', coordinates: ['116.4', 39.9] }, 'invalid_coordinates', /longitude is not a number: "116.4"/],
    [{ type: 'Point', coordinates: [null, 39.9] }, 'invalid_coordinates', /longitude is not a number: null/],
    [{ type: 'Point', coordinates: [200, 39.9] }, 'invalid_coordinates', /longitude 200 is outside -180…180$/],
    [{ type: 'LineString', coordinates: [[1, 1], [1, 1]] }, 'invalid_geometry', /at least 2 distinct/],
    [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }, 'invalid_geometry', /not closed/],
    [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] }, 'invalid_geometry', /needs at least 4/],
    [{ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] }, 'invalid_geometry', /outer ring of the polygon intersects itself at \(0.5, 0.5\)/],
    [{ type: 'Polygon', coordinates: [[[0, 0], [2, 0], [2, 2], [1, 2], [1, 3], [1, 2], [0, 2], [0, 0]]] }, 'invalid_geometry', /intersects itself/],
    [{ type: 'Polygon', coordinates: [square, [[1, 1], [3, 1], [3, 3], [1, 1]]] }, 'invalid_geometry', /rings 0 and 1 of the polygon cross/],
    [{ type: 'Polygon', coordinates: [square, [[5, 5], [6, 5], [6, 6], [5, 5]]] }, 'invalid_geometry', /hole 1 of the polygon lies outside/],
    [{ type: 'MultiPolygon', coordinates: [[square], [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]] }, 'invalid_geometry', /polygon 2 intersects itself/],
  ])('%j is rejected as %s', (g, code, reason) => {
    const r = rejected(g);
    expect(r.code).toBe(code);
    expect(r.reason).toMatch(reason);
  });

  test('out-of-range coordinates that fit when swapped come back with the swapped geometry', () => {
    const r = rejected({ type: 'Point', coordinates: [39.928, 116.416] });
    expect(r).toMatchObject({ code: 'invalid_coordinates', swapped: { type: 'Point', coordinates: [116.416, 39.928] }, range_reason: 'latitude 116.416 is outside -90…90' });
    expect(r.reason).toMatch(/look like \(lat, lon\)/);
  });

  test('a long valid ring is checked quickly (sweep, not all pairs)', () => {
    const n = 20_000;
    const ring = Array.from({ length: n }, (_, i) => [Math.cos((2 * Math.PI * i) / n), Math.sin((2 * Math.PI * i) / n)]);
    ring.push(ring[0]);
    expect(checkGeometry({ type: 'Polygon', coordinates: [ring] }).ok).toBe(true);
  });

  test('GCJ-02 input is converted to WGS84', () => {
    const r = checkGeometry({ type: 'Point', coordinates: [116.4032, 39.9104] }, 'gcj02');
    expect(r.ok && r.geom.coordinates[0]).toBeCloseTo(116.397, 3);
  });

  test('EWKT keeps full precision', () => {
    expect(toEwkt({ type: 'Point', coordinates: [-71.11682606734047, 42.370743676935895] })).toBe('SRID=4326;POINT(-71.11682606734047 42.370743676935895)');
    expect(toEwkt({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] })).toBe('SRID=4326;POLYGON((0 0,1 0,1 1,0 0))');
    expect(toEwkt({ type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] })).toBe('SRID=4326;MULTIPOINT((1 2),(3 4))');
  });
});

const HYDRANTS: ImportSpec = {
  class_code: '01013', id_field: 'HYDRANT_ID', source: 'cambridge:hydrants',
  map: { status: 'LIFECYCLESTATUS', survey_date: 'INSTALLDATE' },
};

function normaliseGeoJson(text: string, spec: ImportSpec): RowResult[] {
  const n = new RowNormaliser(spec, KNOWN);
  return splitFeatures(text, [1000]).map((t, i) => n.feature(i + 1, t));
}

function normaliseCsv(text: string, spec: ImportSpec): RowResult[] {
  const n = new RowNormaliser(spec, KNOWN);
  const [header, ...records] = splitCsv(text, [64]);
  n.csvHeader(header);
  return records.map((r, i) => n.csvRecord(i + 1, r));
}

const codes = (rs: RowResult[]) => Object.fromEntries(rs.flatMap((r) => (r.ok ? [] : [[r.rejection.row, r.rejection.code]])));

describe('RowNormaliser on the real Cambridge hydrants', () => {
  test('duplicate and missing ids and the unknown status MITFL are rejected; the rest normalised', () => {
    const rs = normaliseGeoJson(fixture('cambridge-hydrants-slice.geojson'), HYDRANTS);
    expect(codes(rs)).toEqual({
      31: 'invalid_status', 36: 'invalid_status', 37: 'invalid_status',
      38: 'missing_source_id', 39: 'missing_source_id', 41: 'missing_source_id',
      40: 'duplicate_source_id', 42: 'duplicate_source_id',
    });
    const first = rs[0].ok ? rs[0].row : null;
    expect(first).toMatchObject({
      row: 1, source_id: 'cambridge:hydrants:PH6000', class_code: '01013', status: 'intact', survey_date: '1874-01-01',
      geom: { type: 'Point', coordinates: [-71.11682606734047, 42.370743676935895] },
    });
    expect(first?.attrs).toMatchObject({ HYDRANT_MANF: 'Darling', HYDRANT_GPM: 1475 });
    expect(first?.attrs).not.toHaveProperty('HYDRANT_ID');
    expect(first?.attrs).not.toHaveProperty('Notes'); // nulls are left out
    expect(rs[33].ok && rs[33].row.status).toBe('abandoned'); // ABN
    expect(rs[39].ok ? null : rs[39].rejection.reason).toBe('duplicate source id 8099 (first in row 33)');
  });

  test('status values from the options make MITFL a status', () => {
    const rs = normaliseGeoJson(fixture('cambridge-hydrants-slice.geojson'), { ...HYDRANTS, status_values: { MITFL: 'damaged' } });
    expect(rs[30].ok && rs[30].row.status).toBe('damaged');
  });

  test('a bad default class or an empty id field is refused before any row', () => {
    expect(errorOf(() => new RowNormaliser({ ...HYDRANTS, class_code: '0101' }, KNOWN))).toMatchObject({ code: 'unknown_class', message: expect.stringMatching(/legacy component code 0101 has no 2026 mapping/) });
    expect(errorOf(() => new RowNormaliser({ ...HYDRANTS, id_field: ' ' }, KNOWN))).toMatchObject({ code: 'bad_request' });
  });

  test('a feature that is not a Feature, or not JSON, is a malformed row', () => {
    const n = new RowNormaliser(HYDRANTS, KNOWN);
    expect(n.feature(1, 'null')).toMatchObject({ ok: false, rejection: { code: 'malformed_row' } });
    expect(n.feature(2, '{"type":"Feature",')).toMatchObject({ ok: false, rejection: { code: 'malformed_row' } });
  });

  test('a NUL character or nesting deeper than 32 levels is a per-row rejection naming where (defect 5)', () => {
    const n = new RowNormaliser({ class_code: '01013', id_field: 'id' }, KNOWN);
    // JSON text (JSON.stringify itself overflows the stack on 10,000 levels; JSON.parse does not).
    const DEEP = '__deep__';
    const deep = DEEP;
    const feature = (props: object, coordinates: unknown = [1, 2]) => JSON.stringify({ type: 'Feature', id: 'f', geometry: { type: 'Point', coordinates }, properties: props })
      .replace(`"${DEEP}"`, `${'['.repeat(10_000)}1${']'.repeat(10_000)}`);
    expect(n.feature(1, feature({ note: 'a\u0000b' }))).toEqual({ ok: false, rejection: { row: 1, code: 'malformed_row', reason: expect.stringMatching(/^properties\.note contains a NUL character \(U\+0000\).*remove it/) } });
    expect(n.feature(2, feature({ ['k\u0000']: 1 }))).toMatchObject({ ok: false, rejection: { code: 'malformed_row', reason: expect.stringMatching(/property name in properties contains a NUL/) } });
    expect(n.feature(3, feature({ deep }))).toMatchObject({ ok: false, rejection: { code: 'malformed_row', reason: expect.stringMatching(/^properties\.deep(\[0\])* is nested deeper than 32 levels/) } });
    expect(n.feature(4, feature({}, deep))).toMatchObject({ ok: false, rejection: { code: 'malformed_row', reason: expect.stringMatching(/^geometry\.coordinates(\[0\])* is nested deeper than 32/) } });
    // A MultiPolygon is well inside the limit.
    const square = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]];
    expect(n.feature(5, JSON.stringify({ type: 'Feature', id: 'm', geometry: { type: 'MultiPolygon', coordinates: [square] }, properties: { a: { b: [1] } } }))).toMatchObject({ ok: true });

    const c = new RowNormaliser({ class_code: '01013', id_field: 'ID' }, KNOWN);
    c.csvHeader(['ID', 'lon', 'lat', 'NOTE']);
    expect(c.csvRecord(1, ['A1', '116.4', '39.9', 'x\u0000y'])).toEqual({ ok: false, rejection: { row: 1, code: 'malformed_row', reason: expect.stringMatching(/^column NOTE contains a NUL character/) } });
    expect(c.csvRecord(2, ['A2', '116.4', '39.9', 'fine'])).toMatchObject({ ok: true });
  });

  test('id_field "id" falls back to the feature id', () => {
    const n = new RowNormaliser({ class_code: '01013', id_field: 'id' }, KNOWN);
    expect(n.feature(1, '{"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}')).toMatchObject({ ok: true, row: { source_id: '7' } });
  });
});

const BROKEN: ImportSpec = {
  class_code: '01001', id_field: 'id', map: { class_code: 'type', status: 'state', survey_date: 'surveyed', note: 'remark' },
};

describe('RowNormaliser on CSV with broken rows', () => {
  test('each broken row gets its reason; swapped out-of-range coordinates are left for the grid check', () => {
    const rs = normaliseCsv(fixture('broken-rows.csv'), BROKEN);
    expect(rs).toHaveLength(18);
    expect(codes(rs)).toEqual({
      5: 'no_geometry', 6: 'invalid_coordinates', 7: 'invalid_coordinates', 8: 'invalid_coordinates', 10: 'unknown_class',
      11: 'legacy_class', 12: 'duplicate_source_id', 13: 'invalid_status', 14: 'invalid_date', 15: 'missing_source_id',
      16: 'malformed_row', 17: 'invalid_coordinates',
    });
    expect(rs[7]).toMatchObject({ ok: false, swap: { row: 8, swapped: { type: 'Point', coordinates: [116.416, 39.928] } } });
    expect(rs[16]).not.toHaveProperty('swap'); // 200, 39.928 does not fit either way
    expect(rs[10].ok ? null : rs[10].rejection.reason).toBe('legacy component code 0101 has no 2026 mapping');
    expect(rs[8].ok).toBe(true); // outside the district: only the database can tell
  });

  test('good rows carry mapped fields, quoted multi-line notes and the default class', () => {
    const rs = normaliseCsv(fixture('broken-rows.csv'), BROKEN);
    expect(rs[1]).toMatchObject({ ok: true, row: { source_id: 'L-002', class_code: '01002', status: 'damaged', survey_date: '2024-05-02', note: 'note with, a comma' } });
    expect(rs[2]).toMatchObject({ ok: true, row: { class_code: '01001', status: 'damaged', survey_date: null, note: 'multi\nline note with "quotes"' } });
  });

  test('a 16-digit legacy id stays the source id and is recorded with its legacy class', () => {
    const rs = normaliseCsv(fixture('broken-rows.csv'), BROKEN);
    expect(rs[17]).toMatchObject({ ok: true, row: { source_id: '1101010101000123', class_code: '01001', status: 'missing', attrs: { legacy_id: '1101010101000123', legacy_class_code: '0101' } } });
  });

  test('a missing id or coordinate column is refused with the header it saw', () => {
    const n = new RowNormaliser({ ...BROKEN, id_field: 'ID_NO' }, KNOWN);
    expect(errorOf(() => n.csvHeader(['id', 'lon', 'lat']))).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/no column "ID_NO".*id, lon, lat/) });
    const m = new RowNormaliser(BROKEN, KNOWN);
    expect(errorOf(() => m.csvHeader(['id', 'x1', 'y1']))).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/no longitude column/) });
  });

  test('within a source namespace a repeated id is a duplicate naming its first valid row; mapped columns in any order', () => {
    const n = new RowNormaliser({ class_code: '01001', id_field: 'id', source: 'ns', map: { note: 'n', status: 'st', survey_date: 'd' } }, KNOWN);
    n.csvHeader(['n', 'id', 'lon', 'lat', 'st', 'd', 'extra']);
    const rs = [
      n.csvRecord(1, ['bad date first', 'A', '116.4', '39.9', 'ok', 'soon', '']),
      n.csvRecord(2, ['x', ' A ', '116.4', '39.9', '破损', '20260115', 'e']),
      n.csvRecord(3, ['y', 'B', '116.4', '39.9', '', '', '']),
      n.csvRecord(4, ['z', 'A', '116.5', '39.9', 'ok', '', '']),
    ];
    expect(rs[0]).toMatchObject({ ok: false, rejection: { code: 'invalid_date', reason: 'survey date "soon" is not a date between 1800 and 2200 (YYYY-MM-DD, YYYYMMDD or epoch milliseconds)', params: { field: 'survey_date', value: 'soon' } } });
    expect(rs[1]).toEqual({ ok: true, row: {
      row: 2, source_id: 'ns:A', class_code: '01001', status: 'damaged', survey_date: '2026-01-15', change_date: null, data_source: null, note: 'x',
      attrs: { extra: 'e' }, geom: { type: 'Point', coordinates: [116.4, 39.9] },
    } });
    expect(rs[2]).toMatchObject({ ok: true, row: { source_id: 'ns:B', status: null, survey_date: null, note: 'y', attrs: {} } });
    expect(rs[3]).toEqual({ ok: false, rejection: { row: 4, code: 'duplicate_source_id', reason: 'duplicate source id A (first in row 2)', params: { value: 'A', first_row: 2 } } });
  });

  test('coordinate columns are found by common names in any case', () => {
    const n = new RowNormaliser({ class_code: '01001', id_field: 'ID' }, KNOWN);
    n.csvHeader(['ID', 'Longitude', 'LATITUDE']);
    expect(n.csvRecord(1, ['a', '116.4', '39.9'])).toMatchObject({ ok: true, row: { geom: { coordinates: [116.4, 39.9] } } });
  });
});

describe('RejectionLog', () => {
  test('counts every rejection, lists up to the limit and keeps the first rows of each reason', () => {
    const log = new RejectionLog(3, 2);
    for (let row = 5; row >= 1; row--) log.add({ row, code: row % 2 ? 'no_geometry' : 'invalid_date', reason: 'x' });
    expect(log.total).toBe(5);
    expect(log.sorted().map((r) => r.row)).toEqual([3, 4, 5]);
    expect(log.byCode.get('no_geometry')).toEqual({ count: 3, first: [{ row: 5, code: 'no_geometry', reason: 'x' }, { row: 3, code: 'no_geometry', reason: 'x' }] });
  });
});
