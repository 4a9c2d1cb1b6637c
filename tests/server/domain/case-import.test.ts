// Historical case import, the pure half: mappings, source times, row checks, the trail of an imported case and what
// a re-import does.
import { describe, expect, test } from 'vitest';
import {
  CaseRowReader, channelValues, importedCaseColumns, importedTrail, kindOfClass, parseCaseFieldMap, parseValueMap, reimport,
  statusValues, TimeReader, type CasePlace, type CaseImportSpec, type CaseRow, type CaseRowResult, type DraftEntry, type ImportedSnapshot,
} from '../../../server/domain/case-import.js';
import { caseFacts, type FactEntry } from '../../../server/domain/facts.js';
import { chainEntry, verifyChain, type ChainedEntry } from '../../../server/domain/trail.js';
import { errorOf } from '../../helpers/errors.js';

const MATTERS = new Set(['01037', '06013', '06034', '07001']);
const NOW = new Date('2026-03-01T00:00:00Z');
const SPEC: CaseImportSpec = {
  source_system: 'test311',
  map: parseCaseFieldMap('source_id=ID,type=TYPE,opened=OPEN,target=TARGET,closed=CLOSED,status=STATUS,department=DEPT,channel=SOURCE,description=TITLE,address=WHERE'),
  type_map: { 'Street Light Outages': '01037', 'Pothole Repair': '06013', 'Graffiti Removal': '07001' },
  channel_values: { 'City Worker App': 'inspector', 'Constituent Call': 'hotline' },
  time_zone: 'America/New_York',
};
const HEADER = ['ID', 'TYPE', 'OPEN', 'TARGET', 'CLOSED', 'STATUS', 'DEPT', 'SOURCE', 'TITLE', 'WHERE', 'LATITUDE', 'LONGITUDE'];

/** A reader with the header read, and a row builder over a good default row. */
function reader(spec: CaseImportSpec = SPEC) {
  const r = new CaseRowReader(spec, MATTERS, NOW);
  r.csvHeader(HEADER);
  let n = 0;
  const row = (over: Partial<Record<string, string>> = {}): CaseRowResult => {
    const v: Record<string, string> = {
      ID: `C${++n}`, TYPE: 'Street Light Outages', OPEN: '01/05/2015 08:00:00 AM', TARGET: '01/09/2015 08:30:00 AM',
      CLOSED: '01/06/2015 04:00:00 PM', STATUS: 'Closed', DEPT: 'PWDx', SOURCE: 'City Worker App', TITLE: 'Light out',
      WHERE: '1 Main St', LATITUDE: '42.35', LONGITUDE: '-71.06', ...over,
    };
    return r.csvRecord(n, HEADER.map((h) => v[h]));
  };
  return { r, row };
}

const ok = (x: CaseRowResult): CaseRow => {
  if (!x.ok) throw new Error(`rejected: ${x.rejection.reason}`);
  return x.row;
};
const code = (x: CaseRowResult) => (x.ok ? 'ok' : x.rejection.code);

describe('source times', () => {
  const t = new TimeReader('America/New_York');
  test('US 12-hour times are local: EST in winter, EDT in summer', () => {
    expect(t.read('01/01/2015 12:25:23 AM')?.toISOString()).toBe('2015-01-01T05:25:23.000Z');
    expect(t.read('07/01/2015 12:00:00 PM')?.toISOString()).toBe('2015-07-01T16:00:00.000Z');
    expect(t.read('12/31/2015 11:59:59 PM')?.toISOString()).toBe('2016-01-01T04:59:59.000Z');
  });
  test('ISO and Chinese local times, zoned times and epoch milliseconds', () => {
    expect(t.read('2015-03-09 09:30')?.toISOString()).toBe('2015-03-09T13:30:00.000Z');
    expect(t.read('2015-03-09T09:30:00.250')?.toISOString()).toBe('2015-03-09T13:30:00.250Z');
    expect(t.read('2015年3月9日 09:30:00')?.toISOString()).toBe('2015-03-09T13:30:00.000Z');
    expect(t.read('2015-03-09T09:30:00Z')?.toISOString()).toBe('2015-03-09T09:30:00.000Z');
    expect(t.read('2015-03-09T09:30:00+08:00')?.toISOString()).toBe('2015-03-09T01:30:00.000Z');
    expect(t.read('1425893400000')?.toISOString()).toBe('2015-03-09T09:30:00.000Z');
    expect(t.read(1425893400000)?.toISOString()).toBe('2015-03-09T09:30:00.000Z');
    expect(t.read('2015-03-09')?.toISOString()).toBe('2015-03-09T04:00:00.000Z');
  });
  test('empty is null; nonsense is undefined', () => {
    expect(t.read('')).toBeNull();
    expect(t.read('  ')).toBeNull();
    for (const bad of ['13/01/2015 10:00:00 AM', '02/30/2015 10:00', '01/05/2015 13:00:00 PM', 'yesterday', '2015-01-05 25:00', 12]) {
      expect(t.read(bad)).toBeUndefined();
    }
  });
  test('a zone that does not exist is refused naming the option', () => {
    expect(errorOf(() => new TimeReader('Mars/Olympus'))).toMatchObject({ code: 'bad_request', details: { field: 'time_zone' } });
  });
});

describe('mappings', () => {
  test('JSON, CSV with a note column, and KEY=VALUE give the same map', () => {
    const want = { 'Street Light Outages': '01037', 'Graffiti Removal': '07001' };
    expect(parseValueMap('{"Street Light Outages": "01037", "Graffiti Removal": "07001"}', 'type_map')).toEqual(want);
    expect(parseValueMap('type,class_code,note\nStreet Light Outages,01037,路灯异常\n"Graffiti Removal",07001,"乱涂写, 小广告"\n', 'type_map')).toEqual(want);
    expect(parseValueMap('Street Light Outages=01037, Graffiti Removal=07001', 'type_map')).toEqual(want);
  });
  test('bad mappings are refused naming the option', () => {
    expect(errorOf(() => parseValueMap('{"a": ', 'type_map'))).toMatchObject({ code: 'bad_request', details: { field: 'type_map' } });
    expect(errorOf(() => parseValueMap('a=1,b', 'type_map')).message).toMatch(/"b" must be KEY=VALUE/);
    expect(errorOf(() => channelValues({ Twitter: 'social' })).message).toMatch(/one of inspector, public, hotline/);
    expect(errorOf(() => statusValues({ Cancelled: 'void' })).message).toMatch(/open or closed/);
    expect(errorOf(() => parseCaseFieldMap('source_id=ID,when=OPEN'))).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/unknown field "when"/) });
  });
  test('a type map to a class that does not exist is refused, naming the type', () => {
    const e = errorOf(() => new CaseRowReader({ ...SPEC, type_map: { 'Street Light Outages': '01037', Potholes: '99999' } }, MATTERS, NOW));
    expect(e).toMatchObject({ code: 'unknown_class', details: { field: 'type_map' } });
    expect(e.message).toMatch(/"Potholes" → 99999/);
  });
  test('source_id, type and opened must be mapped; a mapped column must exist', () => {
    expect(errorOf(() => new CaseRowReader({ ...SPEC, map: { source_id: 'ID' } }, MATTERS, NOW)).message).toMatch(/type, opened/);
    const r = new CaseRowReader(SPEC, MATTERS, NOW);
    expect(errorOf(() => r.csvHeader(HEADER.filter((h) => h !== 'DEPT'))).message).toMatch(/no column for department=DEPT/);
  });
});

describe('rows', () => {
  test('a good row: times in UTC, class and kind from the type, channel from the words, dispatched = opened', () => {
    const { row } = reader();
    const c = ok(row());
    expect(c).toMatchObject({
      source_id: 'C1', source_type: 'Street Light Outages', class_code: '01037', kind: 'component_anomaly', lon: -71.06, lat: 42.35,
      state: 'closed', department: 'PWDx', channel: 'inspector', description: 'Light out', address: '1 Main St',
    });
    expect(c.opened_at.toISOString()).toBe('2015-01-05T13:00:00.000Z');
    expect(c.dispatched_at).toEqual(c.opened_at);
    expect(c.target_at?.toISOString()).toBe('2015-01-09T13:30:00.000Z');
    expect(c.closed_at?.toISOString()).toBe('2015-01-06T21:00:00.000Z');
  });
  test('types and channels match ignoring case and spacing; an open row has no closed time', () => {
    const { row } = reader();
    const c = ok(row({ TYPE: 'pothole  repair', SOURCE: 'constituent call', STATUS: 'Open', CLOSED: '' }));
    expect(c).toMatchObject({ class_code: '06013', kind: 'event', channel: 'hotline', state: 'open', closed_at: null });
  });
  test.each([
    [{ ID: '' }, 'missing_source_id'],
    [{ LATITUDE: '', LONGITUDE: '' }, 'no_geometry'],
    [{ LATITUDE: 'north' }, 'invalid_coordinates'],
    [{ LATITUDE: '142.35' }, 'invalid_coordinates'],
    [{ TYPE: '' }, 'missing_type'],
    [{ TYPE: 'Parking Enforcement' }, 'unknown_type'],
    [{ OPEN: '' }, 'missing_time'],
    [{ OPEN: '31/01/2015 10:00' }, 'invalid_date'],
    [{ TARGET: '01/04/2015 08:00:00 AM' }, 'target_before_opened'],
    [{ CLOSED: '01/05/2015 07:59:59 AM' }, 'closed_before_opened'],
    [{ CLOSED: '03/02/2026 10:00:00 AM' }, 'time_in_future'],
    [{ STATUS: 'Escalated' }, 'invalid_status'],
    [{ STATUS: 'Closed', CLOSED: '' }, 'inconsistent_status'],
    [{ STATUS: 'Open' }, 'inconsistent_status'],
    [{ SOURCE: 'Carrier pigeon' }, 'invalid_channel'],
  ])('%j is rejected as %s', (over, want) => {
    const { row } = reader();
    expect(code(row(over))).toBe(want);
  });
  test('reasons say what is wrong and what to do', () => {
    const { row } = reader();
    const r = row({ TYPE: 'Parking Enforcement' });
    expect(!r.ok && r.rejection.reason).toMatch(/type "Parking Enforcement" has no class in the type map; add/);
    const c = row({ CLOSED: '01/05/2015 07:00:00 AM' });
    expect(!c.ok && c.rejection.reason).toBe('closed 2015-01-05T12:00:00Z before it was opened 2015-01-05T13:00:00Z');
    const s = row({ SOURCE: 'Carrier pigeon' });
    expect(!s.ok && s.rejection.reason).toMatch(/add it to channel_values/);
  });
  test('a repeated source id: the first valid row wins, a rejected first row does not block the next', () => {
    const { row } = reader();
    expect(code(row({ ID: 'X', TYPE: 'nope' }))).toBe('unknown_type');
    expect(code(row({ ID: 'X' }))).toBe('ok');
    const dup = row({ ID: 'X' });
    expect(!dup.ok && dup.rejection).toEqual({ row: 3, code: 'duplicate_source_id', reason: 'duplicate source id X (first in row 2)', params: { value: 'X', first_row: 2 } });
  });
  test('a field count that differs from the header is a malformed row', () => {
    const { r } = reader();
    expect(code(r.csvRecord(1, ['a', 'b']))).toBe('malformed_row');
  });
  test('GeoJSON features: a point geometry; other shapes are refused', () => {
    const r = new CaseRowReader(SPEC, MATTERS, NOW);
    const f = (geometry: unknown) => JSON.stringify({ type: 'Feature', geometry, properties: { ID: 'G1', TYPE: 'Graffiti Removal', OPEN: '2015-06-01 10:00' } });
    expect(ok(r.feature(1, f({ type: 'Point', coordinates: [-71.06, 42.35] })))).toMatchObject({ class_code: '07001', lon: -71.06, channel: 'other', state: 'open' });
    expect(code(r.feature(2, f({ type: 'LineString', coordinates: [[-71.06, 42.35], [-71.05, 42.35]] })))).toBe('unsupported_geometry');
    expect(code(r.feature(3, f(null)))).toBe('no_geometry');
    expect(code(r.feature(4, '{"type":"Feature"'))).toBe('malformed_row');
  });
});

const PLACE: CasePlace = { grid_code: '990001001001001', community_code: '990001001001', street_code: '990001001', district_code: '990001', responsibility_code: null, department_id: 7 };

function chained(id: string, drafts: DraftEntry[], prev: ChainedEntry | null = null): ChainedEntry[] {
  const out: ChainedEntry[] = [];
  let last = prev;
  for (const d of drafts) {
    last = chainEntry(last, { ...d, case_id: id, seq: (last?.seq ?? 0) + 1 });
    out.push(last);
  }
  return out;
}
const ctx = { source: 'inspector' as const, suggested_department_id: null, workingHours: () => 0 };

describe('the trail and facts of an imported case', () => {
  test('a closed case: report, dispatch, feedback, close; all imported, chained; one dispatch, on time against the target', () => {
    const { row } = reader();
    const c = ok(row());
    const trail = chained('c1', importedTrail(c, PLACE, 'test311'));
    expect(trail.map((e) => [e.action, e.from_status, e.to_status])).toEqual([
      ['report', null, 'pending_dispatch'], ['dispatch', 'pending_dispatch', 'handling'],
      ['feedback', 'handling', 'pending_check'], ['close', 'pending_check', 'closed'],
    ]);
    expect(trail.every((e) => e.actor === null && e.role === 'system' && e.data?.imported === true && e.data?.source_id === 'C1')).toBe(true);
    expect(verifyChain(trail)).toEqual({ ok: true });
    const f = caseFacts(trail as FactEntry[], ctx);
    expect(f.dispatches).toHaveLength(1);
    expect(f.dispatches[0]).toMatchObject({ department_id: 7, dispatcher_id: null, suggested: null, outcome: 'feedback', on_time: true, natural_hours: 32 });
    expect(f.dispatches[0].deadline_at).toEqual(c.target_at);
  });
  test('closed after the target is late; without a target on time is unknown', () => {
    const { row } = reader();
    const late = caseFacts(chained('c', importedTrail(ok(row({ CLOSED: '01/09/2015 08:30:01 AM' })), PLACE, 't')) as FactEntry[], ctx);
    expect(late.dispatches[0].on_time).toBe(false);
    const none = caseFacts(chained('c', importedTrail(ok(row({ TARGET: '' })), PLACE, 't')) as FactEntry[], ctx);
    expect(none.dispatches[0].on_time).toBeNull();
  });
  test('an open case is handling with the source deadline as its light', () => {
    const { row } = reader();
    const c = ok(row({ STATUS: 'Open', CLOSED: '' }));
    expect(importedTrail(c, PLACE, 't').map((e) => e.action)).toEqual(['report', 'dispatch']);
    const cols = importedCaseColumns(c, PLACE, 't', NOW);
    expect(cols).toMatchObject({ status: 'handling', step: 'handling', origin: 'imported', source_system: 't', source_id: c.source_id, closed_at: null });
    expect(cols.red_at).toEqual(c.target_at);
    expect(cols.handling_deadline_at).toEqual(c.target_at);
    expect((cols.yellow_at as Date).getTime()).toBe(c.opened_at.getTime() + 0.8 * (c.target_at!.getTime() - c.opened_at.getTime()));
  });
  test('class kinds follow the major class', () => {
    expect(kindOfClass('01037')).toBe('component_anomaly');
    expect(kindOfClass('05009')).toBe('component_anomaly');
    expect(kindOfClass('06013')).toBe('event');
  });
});

describe('re-import', () => {
  const snapshot = (c: CaseRow, over: Partial<ImportedSnapshot> = {}): ImportedSnapshot => ({
    id: 'c1', version: 1, status: c.state === 'closed' ? 'closed' : 'handling', source: c.channel, class_code: c.class_code,
    description: c.description, address: c.address, lon: c.lon, lat: c.lat, district_code: PLACE.district_code, grid_code: PLACE.grid_code, department_id: 7,
    source_type: c.source_type, created_at: c.opened_at, dispatched_at: c.dispatched_at, handling_deadline_at: c.target_at,
    closed_at: c.closed_at, last_at: c.closed_at ?? c.dispatched_at, ...over,
  });
  test('the same row again changes nothing', () => {
    const { row } = reader();
    const c = ok(row());
    expect(reimport(snapshot(c), c, PLACE, 't', NOW)).toEqual({ kind: 'unchanged' });
  });
  test('an open case the source has closed gets feedback and close at the closed time', () => {
    const open = ok(reader().row({ ID: 'A', STATUS: 'Open', CLOSED: '' }));
    const closed = ok(reader().row({ ID: 'A' })); // the next export, read by the next import
    const d = reimport(snapshot(open), closed, PLACE, 't', NOW);
    if (d.kind !== 'update') throw new Error(d.kind);
    expect(d.entries.map((e) => [e.action, e.at])).toEqual([['feedback', closed.closed_at], ['close', closed.closed_at]]);
    expect(d.columns).toMatchObject({ status: 'closed', closed_at: closed.closed_at, step: null, red_at: null });
  });
  test('a new description is an update with one import_update entry listing the change', () => {
    const { row } = reader();
    const c = ok(row({ ID: 'A' }));
    const d = reimport(snapshot(c, { description: 'old title' }), c, PLACE, 't', NOW);
    if (d.kind !== 'update') throw new Error(d.kind);
    expect(d.entries).toHaveLength(1);
    expect(d.entries[0]).toMatchObject({ action: 'import_update', from_status: 'closed', to_status: 'closed', at: NOW, data: { changes: { description: ['old title', 'Light out'] } } });
    expect(d.columns).not.toHaveProperty('status');
  });
  test.each([
    ['opened', { created_at: new Date('2015-01-01T00:00:00Z') }, /opened/],
    ['target', { handling_deadline_at: null }, /target none in Gridline/],
    ['department', { department_id: 8 }, /department 8 in Gridline/],
    ['closed time', { closed_at: new Date('2015-01-07T00:00:00Z') }, /closed 2015-01-07T00:00:00Z in Gridline/],
    // A point now in another district: the case would leave its district (its trail's and facts' key, migrations/0064).
    ['district', { district_code: '990002', grid_code: '990002001001001' }, /in district 990002 in Gridline, in district 990001 by the file's point/],
  ])('a changed %s is history: rejected, nothing appended', (_what, over, reason) => {
    const { row } = reader();
    const c = ok(row({ ID: 'A' }));
    const d = reimport(snapshot(c, over), c, PLACE, 't', NOW);
    expect(d.kind).toBe('rejected');
    if (d.kind === 'rejected') {
      expect(d.rejection.code).toBe('history_changed');
      expect(d.rejection.reason).toMatch(reason);
    }
  });
  test('a closed case is not reopened by an import', () => {
    const closed = ok(reader().row({ ID: 'A' }));
    const open = ok(reader().row({ ID: 'A', STATUS: 'Open', CLOSED: '' }));
    const d = reimport(snapshot(closed), open, PLACE, 't', NOW);
    expect(d.kind === 'rejected' && d.rejection.reason).toMatch(/a closed case is not reopened/);
  });
});

describe('rows that cannot be stored (defect 5)', () => {
  test('a NUL character in a field, or nesting deeper than 32 levels in a feature, is a per-row rejection', () => {
    const { row } = reader();
    expect(row({ TITLE: 'Light\u0000out' })).toMatchObject({ ok: false, rejection: { code: 'malformed_row', reason: expect.stringMatching(/contains a NUL character \(U\+0000\)/) } });
    expect(row()).toMatchObject({ ok: true });
    const r = new CaseRowReader(SPEC, MATTERS, NOW);
    // JSON text (JSON.stringify itself overflows the stack on 10,000 levels; JSON.parse does not).
    const deep = '__deep__';
    const props = { ID: 'G1', TYPE: 'Street Light Outages', OPEN: '01/05/2015 08:00:00 AM' };
    const feature = (p: object, coordinates: unknown) => JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates }, properties: p })
      .replace(`"${deep}"`, `${'['.repeat(10_000)}1${']'.repeat(10_000)}`);
    expect(r.feature(1, feature({ ...props, extra: deep }, [-71.06, 42.35]))).toMatchObject({ ok: false, rejection: { code: 'malformed_row', reason: expect.stringMatching(/nested deeper than 32 levels/) } });
    expect(r.feature(2, feature(props, deep))).toMatchObject({ ok: false, rejection: { code: 'malformed_row', reason: expect.stringMatching(/^geometry\.coordinates.* nested deeper/) } });
    expect(r.feature(3, feature({ ...props, TYPE: 'Street Light\u0000Outages' }, [-71.06, 42.35]))).toMatchObject({ ok: false, rejection: { code: 'malformed_row', reason: expect.stringMatching(/properties\.TYPE contains a NUL/) } });
  });
});
