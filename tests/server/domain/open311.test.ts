// Open311 GeoReport v2, the pure part (server/domain/open311.ts) and the multipart reader (server/http/multipart.ts):
// the spec's input rules, the status mapping, the services, and the XML form.
import { describe, expect, test } from 'vitest';
import {
  checkJurisdiction, commaList, dateWindow, definitionOf, openOrClosed, parseDate, parsePost, requestOf, serviceOf,
  toXml, updateOf, xmlEscape, type RequestSource,
} from '../../../server/domain/open311.js';
import { CASE_STATUSES } from '../../../server/domain/workflow.js';
import { parseMultipart } from '../../../server/http/multipart.js';

const NOW = new Date('2026-12-04T12:00:00Z');

describe('dates', () => {
  test.each([
    ['2026-12-01T08:00:00+08:00', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T00:00:00Z', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T00:00:00.5Z', '2026-12-01T00:00:00.500Z'],
    ['2026-12-01T08:00:00.123+0800', '2026-12-01T00:00:00.123Z'],
    ['2026-11-30T19:00:00-05:00', '2026-12-01T00:00:00.000Z'],
  ])('%s is the instant %s', (s, iso) => expect(parseDate(s, 'start_date').toISOString()).toBe(iso));

  test.each(['2026-12-01T00:00:00', '2026-12-01', 'yesterday', '2026-13-01T00:00:00Z', '2026-12-01T25:00:00Z'])('%s is refused with a hint', (s) => {
    expect(() => parseDate(s, 'start_date')).toThrow(/start_date .* time zone/);
  });

  test('the window: the last 90 days by default, 90 days from one end, never longer, never backwards', () => {
    expect(dateWindow(undefined, undefined, NOW)).toEqual({ from: new Date('2026-09-05T12:00:00Z'), to: NOW });
    expect(dateWindow('2026-01-01T00:00:00Z', undefined, NOW).to).toEqual(new Date('2026-04-01T00:00:00Z'));
    expect(dateWindow(undefined, '2026-04-01T00:00:00Z', NOW).from).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(() => dateWindow('2026-01-01T00:00:00Z', '2026-04-01T00:00:01Z', NOW)).toThrow(/90 days/);
    expect(() => dateWindow('2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z', NOW)).toThrow(/before start_date/);
  });
});

test('comma lists: trimmed, empty items dropped, duplicates once, bounded, checked', () => {
  expect(commaList(' a-1, ,b-2,a-1 ', 'ids', 5, /^[a-z0-9-]+$/, 'an id')).toEqual(['a-1', 'b-2']);
  expect(commaList(',', 'ids', 5, /./, 'an id')).toBeNull();
  expect(commaList(undefined, 'ids', 5, /./, 'an id')).toBeNull();
  expect(() => commaList('a,b,c', 'ids', 2, /./, 'an id')).toThrow(/at most 2/);
  expect(() => commaList('a,B', 'status', 2, /^[a-z]$/, 'open or closed')).toThrow(/"B" is not open or closed/);
});

describe('POST fields', () => {
  const ok = { api_key: 'k', service_code: '06010', lat: '39.9', long: '116.4' };
  test('empty fields are absent ones; attributes are collected; numbers read', () => {
    const p = parsePost({ ...ok, description: '', email: '', 'attribute[component_id]': '11010100000000001', 'attribute[fixmystreet_id]': '77' });
    expect(p).toMatchObject({ lat: 39.9, long: 116.4, description: null, email: null, attributes: { component_id: '11010100000000001', fixmystreet_id: '77' } });
  });
  test.each([
    [{ api_key: '' }, /api_key is missing/],
    [{ service_code: '6010' }, /service_code/],
    [{ lat: '' , long: '' }, /lat and long/],
    [{ lat: '91' }, /lat: "91"/],
    [{ long: '' }, /lat and long go together/],
    [{ description: 'x'.repeat(4001) }, /longer than 4000/],
    [{ media_url: 'ftp://x/y.jpg' }, /media_url/],
    [{ phone: 'call me' }, /phone/],
    [{ 'attribute[component_id]': '12' }, /17 digits/],
    [{ colour: 'red' }, /colour: is not a field/],
  ])('%j is refused', (change, message) => {
    expect(() => parsePost({ ...ok, ...change })).toThrow(message);
  });
});

test('open or closed: only closed and void cases are closed', () => {
  expect(CASE_STATUSES.filter((s) => openOrClosed(s) === 'closed')).toEqual(['closed', 'void']);
});

const CASE: RequestSource = {
  case_no: '11010120261204000001', status: 'handling', class_code: '06010', class_name: '暴露垃圾', description: 'a < b & c',
  department_name: '环卫所', created_at: new Date('2026-12-01T00:00:00Z'), updated_at: new Date('2026-12-02T00:00:00Z'),
  deadline_at: new Date('2026-12-03T00:00:00Z'), address: null, lon: 116.4, lat: 39.9, media_url: null, district_code: '110101',
  pending_application: null, closing_type: null, merged: false,
};

test('a case as a request: ids are strings, the status open/closed with the richer state beside it', () => {
  const r = requestOf(CASE);
  expect(r).toMatchObject({ service_request_id: '11010120261204000001', status: 'open', detailed_status: 'handling', long: 116.4, jurisdiction_id: '110101' });
  expect(r.status_notes).toMatch(/department is handling/);
  expect(requestOf({ ...CASE, status: 'closed' }).expected_datetime).toBeNull();
  expect(requestOf({ ...CASE, status: 'void', merged: true }).status_notes).toMatch(/duplicate/);
});

test('trail entries as mySociety updates', () => {
  const u = (to_status: (typeof CASE_STATUSES)[number], action = 'x') => updateOf({ id: 7, case_no: 'n', at: NOW, action, to_status }).status;
  expect([u('pending_acceptance'), u('verifying'), u('pending_dispatch'), u('handling'), u('closed'), u('void'), u('void', 'merge')])
    .toEqual(['OPEN', 'INVESTIGATING', 'ACTION_SCHEDULED', 'IN_PROGRESS', 'FIXED', 'NO_FURTHER_ACTION', 'DUPLICATE']);
  expect(updateOf({ id: 7, case_no: 'n', at: NOW, action: 'dispatch', to_status: 'handling' }).update_id).toBe('7');
});

test('services: component classes ask for the component id, events ask nothing', () => {
  const cls = { code: '01001', major_code: '01', major_name_zh: '市政公用设施类', major_name_en: 'Municipal', name_zh: '供水井盖异常', name_en: 'manhole', matter_kind: 'component_anomaly' as const };
  expect(serviceOf(cls)).toMatchObject({ service_code: '01001', metadata: true, group: '市政公用设施类', type: 'realtime' });
  expect(definitionOf(cls).attributes.map((a) => a.code)).toEqual(['component_id']);
  expect(definitionOf({ ...cls, code: '06010', matter_kind: 'event' }).attributes).toEqual([]);
});

test('jurisdiction_id: the district, or nothing', () => {
  expect(() => checkJurisdiction('110101', ['110101'])).not.toThrow();
  expect(() => checkJurisdiction(undefined, ['110101'])).not.toThrow();
  expect(() => checkJurisdiction('city.gov', ['110101'])).toThrow(/not served here/);
});

test('XML: declared UTF-8, escaped, lists as repeated items, null as an empty element, no forbidden characters', () => {
  expect(xmlEscape('a<b>&"\'\u0001')).toBe('a&lt;b&gt;&amp;&quot;&apos;');
  expect(toXml('service_requests', [{ service_request_id: '1', description: 'x & y', media_url: null, lat: 39.9 }]))
    .toBe('<?xml version="1.0" encoding="UTF-8"?>\n<service_requests><request><service_request_id>1</service_request_id>'
      + '<description>x &amp; y</description><media_url/><lat>39.9</lat></request></service_requests>\n');
  expect(toXml('service_definition', { service_code: '1', attributes: [] })).toContain('<attributes></attributes>');
});

describe('multipart/form-data', () => {
  const body = (parts: string[], boundary = 'XyZ') => Buffer.from(parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') + `--${boundary}--\r\n`, 'utf8');
  test('fields and files, a quoted boundary, UTF-8 text', () => {
    const m = parseMultipart(body([
      'Content-Disposition: form-data; name="description"\r\n\r\n井盖丢失\r\nsecond line',
      'Content-Disposition: form-data; name="media"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\u00ff\u00d8bytes',
    ]), 'multipart/form-data; boundary="XyZ"');
    expect(m.fields).toEqual({ description: '井盖丢失\r\nsecond line' });
    expect(m.files).toHaveLength(1);
    expect(m.files[0]).toMatchObject({ field: 'media', filename: 'a.jpg', content_type: 'image/jpeg' });
  });
  test.each([
    ['no boundary', 'multipart/form-data', body(['Content-Disposition: form-data; name="a"\r\n\r\nx'])],
    ['an unclosed part', 'multipart/form-data; boundary=XyZ', Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nx')],
    ['a part without a name', 'multipart/form-data; boundary=XyZ', body(['Content-Disposition: form-data\r\n\r\nx'])],
    ['no boundary in the body', 'multipart/form-data; boundary=Other', body(['Content-Disposition: form-data; name="a"\r\n\r\nx'])],
  ])('%s is a 400', (_n, type, b) => expect(() => parseMultipart(b, type)).toThrow(/multipart\/form-data body is malformed/));
});
